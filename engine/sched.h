/* Scheduler specification and discovery on the host: "eevdf", a name, or a path. */
#ifndef KTSTR_SCHED_H
#define KTSTR_SCHED_H

#include <stddef.h>
#include "scenario.h"

/* Resolves a name: KTSTR_SCHEDULER_BIN_<NAME> (upper-cased, '-' -> '_'), KTSTR_SCHEDULER,
 * next to the ktstr binary, the project's build directory (build/bpf), then $PATH.
 * A miss gives the seed's "scheduler 'NAME' not found" message. EEVDF resolves to "". */
int sched_resolve(const struct scn_scheduler *s, char *path, size_t len, char *err, size_t errlen);

#endif
