/* The worker-check figures of a run: each worker's (wake latency, run delay, work units,
 * cross-node migrations) read from the guest's "worker" message or result.json and written
 * back, and their per-cgroup pooling. The checks on them are engine/checks_worker.c. */
#ifndef KTSTR_WORKER_FIGS_H
#define KTSTR_WORKER_FIGS_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/run.h"

/* The figure members of o (a "worker" message or a result.json worker) into w; absent
 * members leave w as it is. false when one has the wrong type or range (the guest is
 * untrusted: the caller counts the line as malformed). */
bool wfigs_read(struct run_worker *w, json_t *o);
/* Adds them to o, with the derived wake_p50_ns, wake_p99_ns, wake_mean_ns, wake_cv. */
void wfigs_worker_json(const struct run_worker *w, json_t *o);
/* A worker's wake percentile (ns, from its histogram), mean (ns) and CV; 0 with no samples. */
uint64_t wfigs_wake_pct(const struct run_worker *w, double pct);
double wfigs_wake_mean(const struct run_worker *w);
double wfigs_wake_cv(const struct run_worker *w);
/* Work units per CPU-second, iterations per wall-second; 0 without time. */
double wfigs_work_rate(const struct run_worker *w);
double wfigs_iter_rate(const struct run_worker *w);

/* The pooled figures of every r->cgroups[] entry from r->workers (after the names and
 * migration/iteration sums are in place). */
void wfigs_cgroups(struct run *r);
void wfigs_cgroup_json(const struct run_cgroup *c, json_t *o);
void wfigs_cgroup_read(struct run_cgroup *c, const json_t *o);
/* The parts (WFIGS_WAKE: "wake p50=..us p99=..us cv=.. tail=..x (N samples)";
 * WFIGS_SCHED: "run_delay mean=..us worst=..us migration_ratio=.. cross_node=N
 * work_rate=../cpu_s cv=..") that have data; "" when none has. For the text report and
 * the spread pane. */
enum { WFIGS_WAKE = 1, WFIGS_SCHED = 2 };
void wfigs_cgroup_line(const struct run_cgroup *c, int parts, char *buf, size_t len);
/* The configured worker checks as result.json's thresholds.worker ({"isolation": true,
 * "max_p99_wake_latency_ns": 1000, ...}; {} when none) and back. */
json_t *wfigs_thresholds_json(const struct scn_checks *ck);
void wfigs_thresholds_read(struct scn_checks *ck, const json_t *o);
/* "max_p99_wake_latency_ns=1000 isolation ..." for the configured worker checks; "" none. */
void wfigs_checks_line(const struct scn_checks *ck, char *buf, size_t len);

#endif
