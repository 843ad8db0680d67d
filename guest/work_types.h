/* The work types: one table, expanded by the host's scenario parser and the guest's, so the
 * two sides cannot disagree on a name, a group size or what the guest implements.
 * X(id, name in scenario files, group size (1 ungrouped, 2 pairs, 4 contenders, 5 fan-out:
 *   1 messenger + 4), implemented, the name of the one type-specific figure each worker
 *   reports as "figure" (NULL: none)) */
#ifndef KTSTR_GUEST_WORK_TYPES_H
#define KTSTR_GUEST_WORK_TYPES_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define KTSTR_WORK_TYPES(X)                                                   \
	X(WORK_SPIN_WAIT, "SpinWait", 1, true, NULL)                          \
	X(WORK_MIXED, "Mixed", 1, true, NULL)                                 \
	X(WORK_BURSTY, "Bursty", 1, true, NULL)                               \
	X(WORK_IO_SYNC_WRITE, "IoSyncWrite", 1, true, "fsyncs")               \
	X(WORK_IO_RAND_READ, "IoRandRead", 1, true, "reads")                  \
	X(WORK_IO_CONVOY, "IoConvoy", 1, true, "ios")                         \
	X(WORK_YIELD_HEAVY, "YieldHeavy", 1, true, NULL)                      \
	X(WORK_PIPE_IO, "PipeIo", 2, true, NULL)                              \
	X(WORK_FUTEX_PING_PONG, "FutexPingPong", 2, true, NULL)               \
	X(WORK_CACHE_PIPE, "CachePipe", 2, true, "lines")                     \
	X(WORK_FUTEX_FAN_OUT, "FutexFanOut", 5, true, "wakeups")              \
	X(WORK_FAN_OUT_COMPUTE, "FanOutCompute", 5, true, "matmuls")          \
	X(WORK_FORK_EXIT, "ForkExit", 1, true, "forks")                       \
	X(WORK_NICE_SWEEP, "NiceSweep", 1, true, "nice_changes")              \
	X(WORK_AFFINITY_CHURN, "AffinityChurn", 1, true, "affinity_changes")  \
	X(WORK_POLICY_CHURN, "PolicyChurn", 1, true, "policy_changes")        \
	X(WORK_PAGE_FAULT_CHURN, "PageFaultChurn", 1, true, "page_faults")    \
	X(WORK_MUTEX_CONTENTION, "MutexContention", 4, true, "acquisitions")  \
	X(WORK_CACHE_PRESSURE, "CachePressure", 1, true, "lines")             \
	X(WORK_CACHE_YIELD, "CacheYield", 1, true, "lines")                   \
	X(WORK_SEQUENCE, "Sequence", 1, true, "phases")

enum work_type {
#define X(id, name, group, impl, fig) id,
	KTSTR_WORK_TYPES(X)
#undef X
	WORK__COUNT
};

struct work_type_info { const char *name; int group; bool implemented; const char *figure; };

static inline const struct work_type_info *work_type_info(int w)
{
	static const struct work_type_info table[WORK__COUNT] = {
#define X(id, name, group, impl, fig) [id] = { name, group, impl, fig },
		KTSTR_WORK_TYPES(X)
#undef X
	};
	return w >= 0 && w < WORK__COUNT ? &table[w] : NULL;
}

/* "SpinWait" ...; "?" out of range. */
static inline const char *work_type_name(int w)
{
	return work_type_info(w) ? work_type_info(w)->name : "?";
}

/* -1 when unknown (case-sensitive, PascalCase). */
static inline int work_type_from_name(const char *n)
{
	for (int i = 0; n && i < WORK__COUNT; i++)
		if (!strcmp(n, work_type_info(i)->name))
			return i;
	return -1;
}

static inline int work_type_group(int w)
{
	return work_type_info(w) ? work_type_info(w)->group : 1;
}

/* The name of the type's figure ("forks", ...), NULL when it has none. */
static inline const char *work_type_figure(int w)
{
	return work_type_info(w) ? work_type_info(w)->figure : NULL;
}

/* The I/O types: a scenario with one gets the virtio disk /dev/vda (guest/gwork_io.h). */
static inline bool work_type_needs_disk(int w)
{
	return w == WORK_IO_SYNC_WRITE || w == WORK_IO_RAND_READ || w == WORK_IO_CONVOY;
}

static inline bool work_type_implemented(int w)
{
	return work_type_info(w) && work_type_info(w)->implemented;
}

/* "SpinWait, Mixed, ..." of every type, or only of those the guest runs. */
static inline void work_type_list(char *buf, size_t len, bool only_implemented)
{
	size_t o = 0;
	if (len)
		buf[0] = '\0';
	for (int i = 0; i < WORK__COUNT && o < len; i++)
		if (!only_implemented || work_type_implemented(i))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", work_type_name(i));
}

#endif
