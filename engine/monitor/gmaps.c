/* TEMPORARY stub until the map_idr walk lands. */
#include <stdio.h>
#include "engine/monitor/gmaps.h"
struct mon_gmaps *mon_gmaps_open(const struct kmem *k, const struct btf *vmlinux,
				 const uint32_t *ids, int nids, char *err, size_t errlen)
{
	(void)k, (void)vmlinux, (void)ids, (void)nids;
	snprintf(err, errlen, "not implemented yet");
	return NULL;
}
int mon_gmaps_read(struct mon_gmaps *g, const struct kmem *k, struct mon_tree_line *tree,
		   int max, int *ntree, char names[][80], int64_t *vals, int *nvals)
{
	(void)g, (void)k, (void)tree, (void)max, (void)ntree, (void)names, (void)vals, (void)nvals;
	return -1;
}
void mon_gmaps_free(struct mon_gmaps *g) { (void)g; }
