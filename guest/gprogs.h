/* The scheduler's BPF programs (name, type, verified_insns) read from the kernel's program
 * info once it attached and sent as "prog" messages (guest/proto.h). */
#ifndef KTSTR_GUEST_GPROGS_H
#define KTSTR_GUEST_GPROGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void gprogs_send(pid_t sched);         /* one "prog" per program id sched's fds hold */
const char *gprogs_type_name(uint32_t type); /* "struct_ops", "syscall", ... "other" */

#endif
