/* Cgroups and workers in the guest: the scenario's cgroups under /sys/fs/cgroup/ktstr, one
 * forked process per worker with a two-phase start, their live samples, stop and reports. */
#ifndef KTSTR_GUEST_GWORKERS_H
#define KTSTR_GUEST_GWORKERS_H

#include <stdint.h>
#include <sys/types.h>

#include "guest/gscn.h"

#define GWORKERS_CG_BASE "/sys/fs/cgroup/ktstr" /* the scenario's cgroups live here */
#define GWORKERS_STOP_WAIT_MS 5000 /* workers get this long to report after SIGUSR1 */

/* Installs the SIGUSR1 handler the workers inherit: their stop request (no SA_RESTART,
 * so blocking calls return). Once, early in init. */
void gworkers_init(void);
int gworkers_cgroups(const struct gscn *s);       /* 0 or -1 (error sent) */
int gworkers_spawn(const struct gscn *s);         /* 0 or -1 (error sent) */
int64_t gworkers_release(void);                   /* starts the workload; returns t0 */
void gworkers_sample(int64_t elapsed_ms);
void gworkers_stop(void);                         /* stops every worker still running */
void gworkers_report(void);                       /* "worker" for each not reported yet */
/* Steps (gscn.step[k], 0-based): begin makes the step's cgroups and starts its workers
 * (after gworkers_release); end stops them, sends their "worker" lines and removes the
 * cgroups. */
int gworkers_step_begin(const struct gscn *s, int k); /* 0 or -1 (error sent) */
void gworkers_step_end(const struct gscn *s, int k);
int gworkers_tids(int *out, int max);             /* the workers' tids (pids); count */

/* For ops (guest/gops.c). */
/* Forks and releases the workers of entry cg (a Spawn op's). 0 or -1 (error sent). */
int gworkers_spawn_entry(const struct gscn *s, int cg);
/* Stops the tracked workers among pids and sends their "worker" lines; how many. */
int gworkers_stop_pids(const int *pids, int n);
/* Writes pid into cgroup cg's cgroup.procs (EBUSY retried); 0 or -errno. */
int gworkers_move_pid(const char *cg, pid_t pid);
/* Sends the failed write of knob (a gscn_knob) in cgroup name: the seed's cgroup-state
 * snapshot when the directory does not exist, else the knob's wrapped error. */
void gworkers_knob_failed(const char *name, int knob, const char *value, int err);

#endif
