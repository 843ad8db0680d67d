/* Scheduler specification and discovery on the host: "eevdf", a name, or a path. */
#ifndef KTSTR_SCHED_RESOLVE_H
#define KTSTR_SCHED_RESOLVE_H

#include <stddef.h>
#include "engine/scenario.h"

/* Resolves a name: KTSTR_SCHEDULER_BIN_<NAME> (upper-cased, non-alnum -> '_'), KTSTR_SCHEDULER,
 * ktstr's own parts directories (next to the binary, its bpf/, PREFIX/libexec/ktstr, the
 * source tree's build/bpf: parts.h), then $PATH.
 * A miss gives the seed's "scheduler 'NAME' not found" message. EEVDF resolves to "". */
int sched_resolve(const struct scn_scheduler *s, char *path, size_t len, char *err, size_t errlen);
/* The same with the binary's path given (tests; NULL: our own, /proc/self/exe). */
int sched_resolve_at(const struct scn_scheduler *s, const char *exe, char *path, size_t len,
		     char *err, size_t errlen);
/* "scx-ktstr" -> "KTSTR_SCHEDULER_BIN_SCX_KTSTR" (non-alphanumerics become '_'). */
void sched_env_name(const char *name, char *buf, size_t len);

#endif
