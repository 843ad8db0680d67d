/* The scheduler's BPF programs (name, type, verified_insns) read from the kernel's program
 * info once it attached and sent as "prog" messages (guest/proto.h). */
#ifndef KTSTR_GUEST_GPROGS_H
#define KTSTR_GUEST_GPROGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void gprogs_send(pid_t sched);         /* one "prog" per program id sched's fds hold */
const char *gprogs_type_name(uint32_t type); /* "struct_ops", "syscall", ... "other" */
/* The name of BTF type id `want` in a program's raw BTF; 0, -EINVAL, -ENOENT. */
int gprogs_btf_name(const void *data, size_t size, uint32_t want, char *out, size_t len);

#endif
