/* Scheduler supervision in the guest: the sched_ext scheduler's process, its output and
 * verifier log forwarded live, its attach, its death or disable during the run, and the
 * kernel log and debug dump that say why. */
#ifndef KTSTR_GUEST_GSCHED_H
#define KTSTR_GUEST_GSCHED_H

#include <stdbool.h>
#include <sys/types.h>

#include "guest/gscn.h"

#define GSCHED_ATTACH_MS 10000   /* scheduler attach timeout (TCG emulation is slow) */
#define GSCHED_POLL_MS 50        /* how often sched_ext's state is read */

void gsched_kmsg_start(void);             /* forwards the kernel's sched_ext lines */
int gsched_start(const struct gscn *s);   /* 0 started, -1 failed (reported) */
int gsched_wait_attached(void);           /* 0 attached, -1 not (reported) */
pid_t gsched_pid(void);                   /* the scheduler's process, -1 none */
bool gsched_check(void);                  /* during the run: true once it died/disabled */
void gsched_stop(void);

#endif
