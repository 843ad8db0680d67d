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
/* r->mon from dir/monitor.tsv and the rest from result.json's "monitor" (o; NULL or null:
 * the run had no monitor), then r->monsum evaluated again. 0, or -EINVAL with
 * "DIR/monitor.tsv:LINE: what is wrong; ..." in err for a damaged file. */
int mon_report_load(struct run *r, json_t *o, const char *dir, char *err, size_t errlen);

#endif
