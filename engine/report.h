/* The run report: the human text (failed checks, then the seed's sections in order) and
 * the --json object; both are also written to the run directory, and a run directory can
 * be loaded back into a run model (ktstr tui --open). */
#ifndef KTSTR_REPORT_H
#define KTSTR_REPORT_H

#include <stdio.h>
#include "run.h"

/* Sections, each only when relevant; KTSTR_DIAGNOSTICS=1 forces --- diagnostics ---. */
void report_text(struct run *r, FILE *out);
/* One JSON object (the contract in docs/json.md). Returned string is malloc'd. */
char *report_json(struct run *r);
/* Writes result.json and report.txt into r->dir atomically. */
int report_write_dir(struct run *r, char *err, size_t errlen);
/* Loads a run directory (result.json + console.log + sched.log ...) into a new run. */
int report_load_dir(const char *dir, struct run **out, char *err, size_t errlen);

#endif
