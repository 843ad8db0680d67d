/* The scheduler's BPF globals (.bss/.data/.rodata array maps) read from guest memory and
 * rendered by the program's BTF: the maps are found by id in the kernel's map_idr, their
 * BTF blobs read out of guest memory, every kernel offset taken from the vmlinux BTF. */
#ifndef KTSTR_MON_GMAPS_H
#define KTSTR_MON_GMAPS_H

#include <stdint.h>
#include <stddef.h>

#include "engine/monitor/kmem.h"
#include "engine/monitor/monitor.h"

struct btf;
struct mon_gmaps;

/* Keeps the maps among ids that are BPF_MAP_TYPE_ARRAY named "*.bss", "*.data" or
 * "*.rodata" with a DATASEC value type in their BTF; maps without BTF are skipped. NULL
 * with a one-line err when none is usable (the ids are not in map_idr, no BTF, unreadable). */
struct mon_gmaps *mon_gmaps_open(const struct kmem *k, const struct btf *vmlinux,
				 const uint32_t *ids, int nids, char *err, size_t errlen);
/* Reads the values now (one kmem_read per map) and renders up to max lines into tree:
 * depth 0 a map ("bss", "data", "rodata"), depth 1 its variables, deeper their members
 * and elements (16 per array, then "... N more"). Fills the first MON_MAX_GLOBALS integer
 * variables of .bss then .data into names/vals, in the same order on every call ("data."
 * prefixes a .data name only when .bss has it too). 0 or -EFAULT. */
int mon_gmaps_read(struct mon_gmaps *g, const struct kmem *k, struct mon_tree_line *tree,
		   int max, int *ntree, char names[][80], int64_t *vals, int *nvals);
void mon_gmaps_free(struct mon_gmaps *g);

#endif
