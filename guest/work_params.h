/* The work types' parameters: one table, expanded by the host's scenario parser
 * (engine/scenario_work.c) and the guest's (guest/gscn.c), so both apply the same defaults
 * and ranges. A cgroup carries its type's values in order, params[0..work_param_count).
 * X(work type, key in scenario files, default, min, max). Sizes are in KiB ("*_kib", the
 * reference's current spelling). Defaults are the reference's. */
#ifndef KTSTR_GUEST_WORK_PARAMS_H
#define KTSTR_GUEST_WORK_PARAMS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest/work_types.h"

#define KTSTR_WORK_PARAMS(X)                                                     \
	X(WORK_BURSTY, "burst_ms", 50, 1, 60000)                                 \
	X(WORK_BURSTY, "sleep_ms", 100, 0, 60000)                                \
	X(WORK_PIPE_IO, "burst_iters", 1024, 1, 1 << 24)                         \
	X(WORK_FUTEX_PING_PONG, "spin_iters", 1024, 1, 1 << 24)                  \
	X(WORK_CACHE_PRESSURE, "size_kib", 32, 1, 1 << 20)                       \
	X(WORK_CACHE_PRESSURE, "stride", 64, 8, 4096)                            \
	X(WORK_CACHE_YIELD, "size_kib", 32, 1, 1 << 20)                          \
	X(WORK_CACHE_YIELD, "stride", 64, 8, 4096)                               \
	X(WORK_CACHE_PIPE, "size_kib", 32, 1, 1 << 20)                           \
	X(WORK_CACHE_PIPE, "burst_iters", 1024, 1, 1 << 24)                      \
	X(WORK_FUTEX_FAN_OUT, "fan_out", 4, 1, 63)                               \
	X(WORK_FUTEX_FAN_OUT, "spin_iters", 1024, 1, 1 << 24)                    \
	X(WORK_FAN_OUT_COMPUTE, "fan_out", 4, 1, 63)                             \
	X(WORK_FAN_OUT_COMPUTE, "cache_footprint_kib", 256, 1, 1 << 16)          \
	X(WORK_FAN_OUT_COMPUTE, "operations", 5, 1, 1000)                        \
	X(WORK_FAN_OUT_COMPUTE, "sleep_usec", 100, 0, 1000000)                   \
	X(WORK_AFFINITY_CHURN, "spin_iters", 1024, 1, 1 << 24)                   \
	X(WORK_POLICY_CHURN, "spin_iters", 1024, 1, 1 << 24)                     \
	X(WORK_PAGE_FAULT_CHURN, "region_kib", 4096, 4, 1 << 20)                 \
	X(WORK_PAGE_FAULT_CHURN, "touches_per_cycle", 256, 1, 1 << 20)           \
	X(WORK_PAGE_FAULT_CHURN, "spin_iters", 64, 0, 1 << 24)                   \
	X(WORK_MUTEX_CONTENTION, "contenders", 4, 2, 64)                         \
	X(WORK_MUTEX_CONTENTION, "hold_iters", 256, 0, 1 << 24)                  \
	X(WORK_MUTEX_CONTENTION, "work_iters", 1024, 0, 1 << 24)

/* Sequence's phases: X(id, key in a phase object ("spin_ms": 20)). Io needs the disk,
 * which Sequence does not get: it is refused by both parsers. */
#define KTSTR_WORK_PHASES(X)          \
	X(WORK_PHASE_SPIN, "spin_ms")   \
	X(WORK_PHASE_SLEEP, "sleep_ms") \
	X(WORK_PHASE_YIELD, "yield_ms") \
	X(WORK_PHASE_IO, "io_ms")

enum work_phase_kind {
#define X(id, key) id,
	KTSTR_WORK_PHASES(X)
#undef X
	WORK_PHASE__COUNT
};

#define WORK_PHASES_MAX 8
#define WORK_PHASE_MS_MAX 60000

struct work_phase { int kind; int ms; };
struct work_seq { int n; struct work_phase p[WORK_PHASES_MAX]; };

static inline const char *work_phase_key(int k)
{
	static const char *const keys[] = {
#define X(id, key) [id] = key,
		KTSTR_WORK_PHASES(X)
#undef X
	};
	return k >= 0 && k < WORK_PHASE__COUNT ? keys[k] : "?";
}

static inline int work_phase_from_key(const char *key)
{
	for (int k = 0; k < WORK_PHASE__COUNT; k++)
		if (!strcmp(key, work_phase_key(k)))
			return k;
	return -1;
}

/* The most parameters one type has. */
#define WORK_PARAMS_MAX 4

struct work_param { int work; const char *key; int64_t def, min, max; };

static inline const struct work_param *work_param_table(int *n)
{
	static const struct work_param t[] = {
#define X(w, key, def, min, max) { w, key, def, min, max },
		KTSTR_WORK_PARAMS(X)
#undef X
	};
	*n = (int)(sizeof(t) / sizeof(t[0]));
	return t;
}

/* The i-th parameter of work type w (table order), NULL past its last. */
static inline const struct work_param *work_param_at(int w, int i)
{
	int n;
	const struct work_param *t = work_param_table(&n);
	for (int k = 0; k < n; k++)
		if (t[k].work == w && i-- == 0)
			return &t[k];
	return NULL;
}

static inline int work_param_count(int w)
{
	int i = 0;
	while (work_param_at(w, i))
		i++;
	return i;
}

/* The position of key among w's parameters, -1 when w has no such parameter. */
static inline int work_param_index(int w, const char *key)
{
	const struct work_param *p;
	for (int i = 0; (p = work_param_at(w, i)); i++)
		if (!strcmp(p->key, key))
			return i;
	return -1;
}

/* Fills v[0..WORK_PARAMS_MAX) with w's defaults (0 past its last parameter). */
static inline void work_params_default(int w, int64_t v[WORK_PARAMS_MAX])
{
	const struct work_param *p;
	for (int i = 0; i < WORK_PARAMS_MAX; i++)
		v[i] = (p = work_param_at(w, i)) ? p->def : 0;
}

/* out = v where bit i of set says v[i] was given, else the default: a zeroed struct
 * (built by hand, not parsed) means every parameter at its default. */
static inline void work_params_resolve(int w, const int64_t v[WORK_PARAMS_MAX], uint32_t set,
				       int64_t out[WORK_PARAMS_MAX])
{
	work_params_default(w, out);
	for (int i = 0; i < WORK_PARAMS_MAX; i++)
		if (set & (1u << i))
			out[i] = v[i];
}

/* w's value of key from v, or the default of the key; 0 when w has no such key. */
static inline int64_t work_param_get(int w, const int64_t v[WORK_PARAMS_MAX], const char *key)
{
	int i = work_param_index(w, key);
	return i < 0 ? 0 : v ? v[i] : work_param_at(w, i)->def;
}

/* The group size with these parameters: the fan-outs are fan_out + 1, MutexContention
 * contenders, the others work_type_group's. */
static inline int work_group_size(int w, const int64_t v[WORK_PARAMS_MAX])
{
	if (w == WORK_FUTEX_FAN_OUT || w == WORK_FAN_OUT_COMPUTE)
		return (int)work_param_get(w, v, "fan_out") + 1;
	if (w == WORK_MUTEX_CONTENTION)
		return (int)work_param_get(w, v, "contenders");
	return work_type_group(w);
}

/* "burst_ms, sleep_ms" of w ("none" without parameters). */
static inline void work_param_list(int w, char *buf, size_t len)
{
	size_t o = 0;
	const struct work_param *p;
	if (len)
		snprintf(buf, len, "none");
	for (int i = 0; (p = work_param_at(w, i)) && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", p->key);
}

#endif
