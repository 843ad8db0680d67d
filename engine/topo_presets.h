/* Named topology presets: the Rust ktstr's x86_64 gauntlet shapes by name, so a scenario's
 * "topology" and `--topo` can say "medium-4llc" instead of 1x4x4x2; and their listing for
 * `ktstr topo list` (text and JSON), kept here so the unit tests can check it. */
#ifndef KTSTR_TOPO_PRESETS_H
#define KTSTR_TOPO_PRESETS_H

#include <stddef.h>

#include <jansson.h>

#include "vmm/vm.h" /* struct vm_topology */

struct topo_preset {
	const char *name;
	struct vm_topology topo; /* numa, LLCs per node, cores per LLC, threads per core */
};

extern const struct topo_preset topo_presets[];
extern const size_t topo_npresets;

/* The preset called name (exact, case-sensitive), or NULL. */
const struct topo_preset *topo_preset_find(const char *name);
/* "tiny-1llc, tiny-2llc, ..." into buf (truncated to fit); returns the length it needs. */
size_t topo_preset_names(char *buf, size_t len);
/* The `ktstr topo list` table, a header line and one line per preset: name, shape NxLxCxT,
 * label NnLlCcTt (LLCs in total), vCPUs, LLCs, NUMA nodes. Returns the length it needs
 * (snprintf-style; the output is truncated to fit len). */
size_t topo_presets_text(char *buf, size_t len);
/* `ktstr topo list --json`: an array of {name, shape, label, vcpus, llcs, numa_nodes,
 * cores_per_llc, threads_per_core}, in table order. NULL when out of memory. */
json_t *topo_presets_json(void);

#endif
