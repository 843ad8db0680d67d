/* A cgroup's scheduling settings as a scenario writes them (docs/scenario.md "Scheduling
 * settings"): policy, nice, an affinity kind (the Rust ktstr's AffinityKind) and a memory
 * policy (its MemPolicy). Parsed and validated in engine/scenario_cgattr.c. */
#ifndef KTSTR_ENGINE_SCENARIO_CGATTR_H
#define KTSTR_ENGINE_SCENARIO_CGATTR_H

#include <stdbool.h>

enum scn_aff_kind {
	SCN_AFF_INHERIT,          /* no sched_setaffinity: the cgroup's cpuset */
	SCN_AFF_RANDOM,           /* each worker: count random CPUs of from (cpuset or all) */
	SCN_AFF_LLC_ALIGNED,      /* the LLC overlapping the cpuset most, within it */
	SCN_AFF_CROSS_CGROUP,     /* every CPU of the machine (the kernel intersects) */
	SCN_AFF_SINGLE_CPU,       /* the first CPU of the cpuset (or CPU 0) */
	SCN_AFF_EXACT,            /* exactly these CPUs, within the cpuset */
	SCN_AFF_SMT_PAIR,         /* two SMT siblings of one core within the cpuset */
};

struct scn_cgattr {
	bool has_policy;
	int policy;               /* SCHED_* (guest/cgattr_def.h) */
	int priority;             /* fifo, rr: 1..99 */
	long dl_runtime_us, dl_deadline_us, dl_period_us; /* deadline: runtime <= deadline <= period */
	bool has_nice;
	int nice;                 /* -20..19 */
	enum scn_aff_kind aff;
	char aff_cpus[128];       /* exact: the list; random: the pool ("" = cpuset or all) */
	int aff_count;            /* random: CPUs per worker (0 = half the pool, at least 1) */
	bool has_mpol;
	int mpol;                 /* MPOL_* mode */
	char mpol_nodes[64];      /* node list; "" for default, local */
	int mpol_flags;           /* MPOL_F_* bits */
};

#endif
