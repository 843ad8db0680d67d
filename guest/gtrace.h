/* The timeline tracer in the guest (/ktstr/trace/bin), all optional: a failure is a "log"
 * line, never an error. start before the workers fork; track once their tids are known
 * (waits for the tracer); t0 at release; stop after the workers exited (drains, flushes). */
#ifndef KTSTR_GUEST_GTRACE_H
#define KTSTR_GUEST_GTRACE_H

#include <stdint.h>

int gtrace_start(void);                   /* 0 started, -1 not (logged) */
void gtrace_child(void);                  /* in a forked worker: drop the tracer's fds */
void gtrace_track(const int *tids, int n);
void gtrace_t0(int64_t t0_ns);
void gtrace_stop(void);

#endif
