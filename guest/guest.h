/* Internal surface of the guest init process (PID 1): the control-port writer every part
 * uses, the child reaper, and the parts (scheduler, cgroups and workers, shell) main runs.
 * Only init.c, gsched.c, gworkers.c and gshell.c include this; they are not unit-linked. */
#ifndef KTSTR_GUEST_GUEST_H
#define KTSTR_GUEST_GUEST_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guest/gjson.h"
#include "guest/gscn.h"

#define GSCHED_ATTACH_MS 10000   /* scheduler attach timeout (TCG emulation is slow) */
#define GSCHED_POLL_MS 50
#define GWK_STOP_WAIT_MS 5000    /* workers get this long to report after SIGUSR1 */

extern volatile int g_stop_req;          /* host sent "stop" */
extern volatile sig_atomic_t g_wstop;    /* worker processes: SIGUSR1 arrived */

/* Ends j and writes it as one line under the writer lock. A line that cannot fit is
 * replaced by a "log" line saying so. */
void g_emit(struct gj *j);
void g_log(const char *src, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void g_logline(const char *src, const char *line);
void g_stage(const char *stage);
void g_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void g_console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void g_sysrq_dump(void);
/* The control port fd (so children can close it). */
extern int g_ctl_fd;

/* Reaper: only the main thread reaps. Track a pid to keep its exit status. */
void g_track(pid_t pid);
void g_reap(void);
/* true when pid has exited; *status is the wait status. */
bool g_exited(pid_t pid, int *status);
int g_exit_code(int status); /* exit code, or -signal */

/* Scheduler supervision (gsched.c). */
void gsched_kmsg_start(void);
int gsched_start(const struct gscn *s);   /* 0 started, -1 failed (reported) */
int gsched_wait_attached(void);           /* 0 attached, -1 not (reported) */
bool gsched_check(void);                  /* during the run: true once it died/disabled */
void gsched_stop(void);

/* Cgroups and workers (gworkers.c). */
int gwk_cgroups(const struct gscn *s);    /* 0 or -1 (error sent) */
int gwk_spawn(const struct gscn *s);      /* 0 or -1 (error sent) */
int64_t gwk_release(void);                /* starts the workload; returns t0 */
void gwk_sample(int64_t elapsed_ms);
void gwk_stop(void);                      /* stops every worker still running */
void gwk_report(void);                    /* "worker" for each not reported yet */
/* Steps (gscn.step[k], 0-based): begin makes the step's cgroups and starts its workers
 * (after gwk_release); end stops them, sends their "worker" lines and removes the cgroups. */
int gwk_step_begin(const struct gscn *s, int k); /* 0 or -1 (error sent) */
void gwk_step_end(const struct gscn *s, int k);

/* Timeline tracer (gtrace.c), all optional: a failure is a "log" line, never an error.
 * start before the workers fork; track once their tids are known (waits for the tracer);
 * t0 at release; stop after the workers exited (drains, flushes). */
int gtrace_start(void);                   /* 0 started, -1 not (logged) */
void gtrace_child(void);                  /* in a forked worker: drop the tracer's fds */
void gtrace_track(const int *tids, int n);
void gtrace_t0(int64_t t0_ns);
void gtrace_stop(void);
int gwk_tids(int *out, int max);          /* the workers' tids (pids); count */

/* Shell on a PTY relayed to a port (gshell.c). Returns the shell's pid or -1. */
pid_t gshell_start(const char *port_dev, const char *cmdline);
/* --exec: /bin/sh -c cmd with stdin /dev/null and stdout+stderr relayed to the port; kills
 * it if the host sends "stop". Returns its status (0-255, 128+signal if killed) or -1 if
 * it could not be started (logged); *bytes is how much output reached the port. */
int gshell_exec(const char *port_dev, const char *cmd, uint64_t *bytes);

#endif
