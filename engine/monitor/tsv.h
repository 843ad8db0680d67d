/* monitor.tsv: the sampled series in a run directory, one row per sample, and back. */
#ifndef KTSTR_MON_TSV_H
#define KTSTR_MON_TSV_H

#include <stddef.h>

#include "engine/monitor/monitor.h"

#define MON_TSV "monitor.tsv"

/* The file's text (malloc'd, *len bytes), NULL when out of memory. */
char *mon_tsv_text(const struct mon_series *s, size_t *len);
/* A new series from path: 0; -ENOENT (err empty) when there is no file; -EINVAL with
 * "FILE:LINE: what is wrong" for a damaged one. */
int mon_tsv_load(const char *path, struct mon_series **out, char *err, size_t errlen);

#endif
