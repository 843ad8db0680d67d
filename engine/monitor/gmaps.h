/* The scheduler's BPF globals (.bss/.data/.rodata array maps) read from guest memory and
 * rendered by the program's BTF: the maps are found by id in the kernel's map_idr. */
#ifndef KTSTR_MON_GMAPS_H
#define KTSTR_MON_GMAPS_H

#include <stdint.h>
#include <stddef.h>

#include "engine/monitor/kmem.h"
#include "engine/monitor/monitor.h"

struct btf;
struct mon_gmaps;

/* NULL with a one-line err when none of the ids is a usable global-data map. */
struct mon_gmaps *mon_gmaps_open(const struct kmem *k, const struct btf *vmlinux,
				 const uint32_t *ids, int nids, char *err, size_t errlen);
/* Reads the values now: every variable rendered into tree, and the first MON_MAX_GLOBALS
 * integer variables of .bss then .data into names/vals (a stable order). 0 or -EFAULT. */
int mon_gmaps_read(struct mon_gmaps *g, const struct kmem *k, struct mon_tree_line *tree,
		   int max, int *ntree, char names[][80], int64_t *vals, int *nvals);
void mon_gmaps_free(struct mon_gmaps *g);

#endif
