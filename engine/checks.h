/* Host-side checks over a finished run: per-worker max gap and per-cgroup CPU-share
 * spread against thresholds, in the seed's exact wording. */
#ifndef KTSTR_CHECKS_H
#define KTSTR_CHECKS_H

#include "engine/run.h"

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
/* Only r->cgroups and the effective thresholds, no checks: for live views (the TUI's
 * spread pane) while the run is still going. Caller holds the lock. */
void checks_stats(struct run *r, bool tcg);
/* A worker's CPU share in percent (cpu / wall, at most 100), 0 when it has no wall time:
 * the other side of the off-CPU % the spread is taken over. */
double checks_share_pct(const struct run_worker *w);

/* Scheduler lifecycle and guest-result messages (the seed's words). */
#define CHECK_MSG_NOT_ATTACHED_CHECK \
	"scheduler did not turn on — scheduler process exited during BPF load/startup"
#define CHECK_MSG_NOT_ATTACHED_LINE \
	"scheduler: NOT ATTACHED — scheduler process exited during BPF load/startup"
#define CHECK_MSG_NO_RESULT \
	"no test result received from guest (no result arrived on the control port; " \
	"check kernel log and scheduler exit status)"

/* Why a scheduler never attached, for "scheduler did not turn on — WHY" and
 * "scheduler: NOT ATTACHED — WHY": the seed's "scheduler process exited during BPF
 * load/startup" unless the guest named another cause (e.g. an attach timeout). */
const char *checks_not_attached_why(const struct run *r);

/* The whole verdict at the end of a run (caller holds the lock): lifecycle checks
 * ("scheduler": did not turn on / died in one of the three seed forms; "result": no test
 * result), then checks_evaluate when the guest finished the workload with the scheduler
 * loaded (tcg taken from r->accel), then r->result and r->exit_code (0 pass, 1 fail,
 * 3 when r->error is set). expect_err inverts pass and fail. Idempotent. */
void checks_finalize(struct run *r);

/* Message formats, exposed for tests. */
int check_fmt_gap(char *buf, size_t len, int tid, double gap_ms, int cpu, int64_t at_ms, double threshold_ms);
int check_fmt_spread(char *buf, size_t len, double spread, double lo, double hi, int workers, int cpus, double threshold);
/* "after completing step K of N (T.Ts into test)", "(detected after all N steps completed,
 * T.Ts elapsed)" or "during workload (T.Ts into test)" by how far the steps got. */
int check_fmt_died(char *buf, size_t len, int steps_done, int steps, int64_t died_ms);

#endif
