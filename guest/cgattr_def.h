/* Per-cgroup scheduling settings, the names both sides use: scheduling policies, memory
 * policy modes and their flags (the kernel's numbers), expanded by the host's scenario
 * parser, the guest and the host's report so a name means one number everywhere. */
#ifndef KTSTR_GUEST_CGATTR_DEF_H
#define KTSTR_GUEST_CGATTR_DEF_H

#include <stdbool.h>
#include <string.h>

/* X(name in scenario files and reports, the kernel's SCHED_* number, takes a priority) */
#define KTSTR_POLICIES(X)          \
	X("normal", 0, false)      \
	X("fifo", 1, true)         \
	X("rr", 2, true)           \
	X("batch", 3, false)       \
	X("idle", 5, false)        \
	X("deadline", 6, false)    \
	X("ext", 7, false)

/* X(name, the kernel's MPOL_* number, takes nodes: 0 none, 1 exactly one, 2 a set) */
#define KTSTR_MPOL_MODES(X)                   \
	X("default", 0, 0)                    \
	X("preferred", 1, 1)                  \
	X("bind", 2, 2)                       \
	X("interleave", 3, 2)                 \
	X("local", 4, 0)                      \
	X("preferred_many", 5, 2)             \
	X("weighted_interleave", 6, 2)

/* X(name, MPOL_F_* bit OR'd into the mode) */
#define KTSTR_MPOL_FLAGS(X)                  \
	X("static_nodes", 1 << 15)           \
	X("relative_nodes", 1 << 14)         \
	X("numa_balancing", 1 << 13)

#define KTSTR_SCHED_EXT 7
#define KTSTR_SCHED_DEADLINE 6
/* The kernel's SCHED_DEADLINE bounds (__checkparam_dl, sched_dl_period_{min,max}_us). */
#define KTSTR_DL_RUNTIME_MIN_NS 1024
#define KTSTR_DL_PERIOD_MIN_US 100
#define KTSTR_DL_PERIOD_MAX_US 4000000
#define KTSTR_MPOL_FLAG_MASK ((1 << 15) | (1 << 14) | (1 << 13))
#define KTSTR_NICE_MIN (-20)
#define KTSTR_NICE_MAX 19

/* "fifo" for 1; NULL for a number not in the table. */
static inline const char *cgattr_policy_name(int p)
{
#define X(n, v, prio) if (p == (v)) return n;
	KTSTR_POLICIES(X)
#undef X
	return NULL;
}

/* 1 for "fifo"; "other" is "normal" (the kernel's SCHED_OTHER); -1 unknown. */
static inline int cgattr_policy_from_name(const char *s)
{
	if (!strcmp(s, "other"))
		return 0;
#define X(n, v, prio) if (!strcmp(s, n)) return v;
	KTSTR_POLICIES(X)
#undef X
	return -1;
}

static inline bool cgattr_policy_has_prio(int p)
{
#define X(n, v, prio) if (p == (v)) return prio;
	KTSTR_POLICIES(X)
#undef X
	return false;
}

static inline const char *cgattr_mpol_name(int m)
{
#define X(n, v, nodes) if (m == (v)) return n;
	KTSTR_MPOL_MODES(X)
#undef X
	return NULL;
}

static inline int cgattr_mpol_from_name(const char *s)
{
#define X(n, v, nodes) if (!strcmp(s, n)) return v;
	KTSTR_MPOL_MODES(X)
#undef X
	return -1;
}

/* 0: no nodes (default, local), 1: one node (preferred), 2: a node set; -1 unknown. */
static inline int cgattr_mpol_nodes(int m)
{
#define X(n, v, nodes) if (m == (v)) return nodes;
	KTSTR_MPOL_MODES(X)
#undef X
	return -1;
}

static inline int cgattr_mpol_flag_from_name(const char *s)
{
#define X(n, v) if (!strcmp(s, n)) return v;
	KTSTR_MPOL_FLAGS(X)
#undef X
	return -1;
}

/* "static_nodes|numa_balancing" for the bits set in f (the mode bits ignored). */
static inline void cgattr_mpol_flags_str(int f, char *buf, size_t len)
{
	size_t o = 0;
	if (len)
		buf[0] = 0;
#define X(n, v)                                                                          \
	if ((f & (v)) && o + strlen(n) + 2 < len) {                                      \
		if (o)                                                                   \
			buf[o++] = '|';                                                  \
		memcpy(buf + o, n, strlen(n) + 1);                                       \
		o += strlen(n);                                                          \
	}
	KTSTR_MPOL_FLAGS(X)
#undef X
}

#endif
