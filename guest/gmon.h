/* What the host-side monitor needs from the guest, sent once and then never again (the
 * host reads guest memory from then on, so a wedged guest stays readable): the kernel
 * addresses ("ksyms", from a thread so boot is not held up) and the scheduler's BPF map
 * ids ("maps", once it attached). */
#ifndef KTSTR_GUEST_GMON_H
#define KTSTR_GUEST_GMON_H

#include <sys/types.h>

void gmon_ksyms_start(void);   /* after sys_rdy: reads kallsyms on a thread, sends "ksyms" */
void gmon_maps(pid_t sched);   /* sends "maps" with the ids sched's fds hold */

#endif
