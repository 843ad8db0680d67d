/* The monitor in a run's report: the `--- monitor ---` section body, one line for a
 * passing run's summary, the "monitor" object of result.json and its loader. */
#ifndef KTSTR_MON_REPORT_H
#define KTSTR_MON_REPORT_H

#include <jansson.h>
#include <stdio.h>

struct run;
void mon_report_section(const struct run *r, FILE *out);
void mon_report_passline(const struct run *r, FILE *out);
json_t *mon_report_json(const struct run *r);          /* null when the run has no monitor */
/* From result.json's "monitor" (o may be NULL) and dir/monitor.tsv; a damaged file is one
 * line in warn (when it is empty) and the run opens without monitor data. */
void mon_report_load(struct run *r, json_t *o, const char *dir, char *warn, size_t wlen);

#endif
