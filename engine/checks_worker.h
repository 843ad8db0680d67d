/* The reference's optional worker checks over a finished run (SCN_WORKER_CHECKS and
 * "isolation" in the scenario's "checks" block): wake latency p99 and CV, iteration and
 * work-rate floors, throughput CV, migration and cross-node migration ratios, run delay,
 * cpuset isolation. Each runs only when set; its check is named by its key. */
#ifndef KTSTR_CHECKS_WORKER_H
#define KTSTR_CHECKS_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "engine/run.h"

/* Appends a run_check per violation (or one passing summary) for every configured check,
 * after dropping earlier ones of the same names. r->cgroups must be current. */
void checks_worker_eval(struct run *r);

/* Message formats (the reference's words), exposed for tests. */
int check_fmt_isolation(char *buf, size_t len, int tid, const struct cpumask *unexpected);
int check_fmt_p99_wake(char *buf, size_t len, uint64_t p99_ns, uint64_t limit_ns, uint64_t samples);
int check_fmt_wake_cv(char *buf, size_t len, double cv, double limit, double mean_ns);
int check_fmt_iter_rate(char *buf, size_t len, int tid, double rate, double floor);
int check_fmt_work_rate(char *buf, size_t len, int tid, double rate, double floor);
int check_fmt_throughput_cv(char *buf, size_t len, double cv, double limit, double mean);
int check_fmt_migration(char *buf, size_t len, double ratio, double limit, int migrations, uint64_t iters);
int check_fmt_xnode(char *buf, size_t len, double ratio, double limit, int xnode, int migrations);
int check_fmt_run_delay(char *buf, size_t len, int tid, double delay_us, double limit_us);

#endif
