/* The run report: the human text (failed checks, then the seed's sections in order) and
 * the --json object; both are also written to the run directory, and a run directory can
 * be loaded back into a run model (ktstr tui --open). */
#ifndef KTSTR_REPORT_H
#define KTSTR_REPORT_H

#include <stdio.h>
#include "engine/run.h"

/* Sections, each only when relevant; KTSTR_DIAGNOSTICS=1 forces --- diagnostics ---.
 * Caller holds the run's lock (or is its only user). Call checks_finalize first. */
void report_text(struct run *r, FILE *out);
/* One JSON object (the contract in docs/json.md). Returned string is malloc'd.
 * Caller holds the lock, as for report_text. */
char *report_json(struct run *r);
/* Writes sched.log, verifier.log, dump.log, guest.log, timeline.tsv (the slices: tid cpu
 * start_ns end_ns r/w, tab-separated), report.txt and, last, result.json
 * into r->dir, each atomically (console.log is the VMM's). Takes the lock itself: call it
 * WITHOUT holding it. */
int report_write_dir(struct run *r, char *err, size_t errlen);
/* Loads a run directory (result.json + console.log + sched.log ...) into a new run
 * (refs = 1, state done). Missing/damaged result.json -> -errno and a message. */
int report_load_dir(const char *dir, struct run **out, char *err, size_t errlen);

#endif
