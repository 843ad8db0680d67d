/* Host-side checks over a finished run: per-worker max gap and per-cgroup CPU-share
 * spread against thresholds, in the seed's exact wording. */
#ifndef KTSTR_CHECKS_H
#define KTSTR_CHECKS_H

#include "run.h"

/* Default thresholds (the Rust ktstr's release values) and the TCG rule. */
#define CHECK_DEFAULT_GAP_MS 2000
#define CHECK_DEFAULT_SPREAD_PCT 15.0
/* Under TCG the guest runs ~50x slower on one host thread: defaults (not explicit
 * scenario values) are multiplied by these. docs/checks.md explains. */
#define CHECK_TCG_GAP_FACTOR 3
#define CHECK_TCG_SPREAD_PCT 35.0

/* Fills r->cgroups from r->workers, sets the effective thresholds, appends run_check
 * entries (gap per worker, spread per cgroup with >= 2 workers). Caller holds the lock. */
void checks_evaluate(struct run *r, bool tcg);

/* Message formats, exposed for tests. */
int check_fmt_gap(char *buf, size_t len, int tid, double gap_ms, int cpu, int64_t at_ms, double threshold_ms);
int check_fmt_spread(char *buf, size_t len, double spread, double lo, double hi, int workers, int cpus, double threshold);

#endif
