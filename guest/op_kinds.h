/* Operations during a run (docs/scenario.md "ops"): one table of their names and the keys
 * each needs, and the op itself, shared by the host's parser (engine/scenario_ops.c) and
 * the guest's (guest/gscn_ops.c), so the two sides cannot disagree on a name or a key.
 * The keys are the same in the scenario file and on the wire. */
#ifndef KTSTR_GUEST_OP_KINDS_H
#define KTSTR_GUEST_OP_KINDS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/cgattr_def.h"

/* What an op takes besides "op", "at_ms" and "every_ms". */
enum {
	OPF_CGROUP = 1 << 0,   /* "cgroup": the cgroup it acts on */
	OPF_AB = 1 << 1,       /* "a", "b": SwapCpusets */
	OPF_FROM_TO = 1 << 2,  /* "from", "to": MoveAllTasks */
	OPF_CPUS = 1 << 3,     /* "cpus": a CPU list, required */
	OPF_CPUS_OPT = 1 << 4, /* "cpus": optional */
	OPF_SPAWN = 1 << 5,    /* "workers" (required), "work" (default SpinWait) */
	OPF_NICE = 1 << 6,     /* "nice": -20..19 */
	OPF_POLICY = 1 << 7,   /* "policy": normal, batch, idle, fifo:PRIO, rr:PRIO, ext */
};

/* X(id, name in files, keys) */
#define KTSTR_OP_KINDS(X)                                              \
	X(OP_SET_CPUSET, "SetCpuset", OPF_CGROUP | OPF_CPUS)           \
	X(OP_CLEAR_CPUSET, "ClearCpuset", OPF_CGROUP)                  \
	X(OP_SWAP_CPUSETS, "SwapCpusets", OPF_AB)                      \
	X(OP_MOVE_ALL_TASKS, "MoveAllTasks", OPF_FROM_TO)              \
	X(OP_SET_AFFINITY, "SetAffinity", OPF_CGROUP | OPF_CPUS)       \
	X(OP_STOP_CGROUP, "StopCgroup", OPF_CGROUP)                    \
	X(OP_REMOVE_CGROUP, "RemoveCgroup", OPF_CGROUP)                \
	X(OP_ADD_CGROUP, "AddCgroup", OPF_CGROUP | OPF_CPUS_OPT)       \
	X(OP_SPAWN, "Spawn", OPF_CGROUP | OPF_SPAWN)                   \
	X(OP_SET_NICE, "SetNice", OPF_CGROUP | OPF_NICE)               \
	X(OP_SET_POLICY, "SetPolicy", OPF_CGROUP | OPF_POLICY)         \
	X(OP_FREEZE_CGROUP, "FreezeCgroup", OPF_CGROUP)                \
	X(OP_UNFREEZE_CGROUP, "UnfreezeCgroup", OPF_CGROUP)

enum op_kind {
#define X(id, name, keys) id,
	KTSTR_OP_KINDS(X)
#undef X
	OP__COUNT
};

struct op_kind_info { const char *name; int keys; };

static inline const struct op_kind_info *op_kind_info(int k)
{
	static const struct op_kind_info table[OP__COUNT] = {
#define X(id, name, keys) [id] = { name, keys },
		KTSTR_OP_KINDS(X)
#undef X
	};
	return k >= 0 && k < OP__COUNT ? &table[k] : NULL;
}

static inline const char *op_kind_name(int k)
{
	return op_kind_info(k) ? op_kind_info(k)->name : "?";
}

/* -1 when unknown (case-sensitive, PascalCase as the reference spells them). */
static inline int op_kind_from_name(const char *n)
{
	for (int i = 0; n && i < OP__COUNT; i++)
		if (!strcmp(n, op_kind_info(i)->name))
			return i;
	return -1;
}

/* "SetCpuset, ClearCpuset, ..." for messages. */
static inline void op_kind_list(char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < OP__COUNT && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", op_kind_name(i));
}

/* "normal" (or "other"), "batch", "idle", "ext", "fifo:PRIO", "rr:PRIO" with PRIO 1..99,
 * named as the per-cgroup policy names them (guest/cgattr_def.h); SetPolicy has no
 * deadline form (it takes no parameters). false when malformed. */
static inline bool op_policy_parse(const char *s, int *policy, int *prio)
{
	char name[16];
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t n = colon ? (size_t)(colon - s) : (s ? strlen(s) : 0);
	if (!s || n >= sizeof(name))
		return false;
	memcpy(name, s, n);
	name[n] = 0;
	int p = cgattr_policy_from_name(name);
	if (p < 0 || p == KTSTR_SCHED_DEADLINE || cgattr_policy_has_prio(p) != (colon != NULL))
		return false;
	*policy = p;
	*prio = 0;
	if (!colon)
		return true;
	char *end;
	long v = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end || v < 1 || v > 99)
		return false;
	*prio = (int)v;
	return true;
}

#define OP_MIN_EVERY_MS 50 /* a loop faster than the guest's 50 ms poll cannot keep up */

/* One operation of a step. step: 1-based for a listed step, 1 for the one implicit step of
 * a scenario without a list. at_ms: from the step's start; every_ms: 0 = once, else it
 * repeats until the step ends. */
struct ktstr_op {
	int kind;               /* enum op_kind */
	int step;
	int at_ms, every_ms;
	char cgroup[64];        /* OPF_CGROUP; SwapCpusets' a; MoveAllTasks' from */
	char other[64];         /* SwapCpusets' b; MoveAllTasks' to */
	char cpus[256];         /* "" = not given */
	int workers, work;      /* Spawn */
	int nice;
	int policy, prio;       /* SetPolicy */
	char policy_text[16];   /* as written */
	int cg_index;           /* guest, Spawn: the entry of gscn.cg its workers belong to */
};

#endif
