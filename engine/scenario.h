/* Scenario model: what a run boots, runs and checks. Parsed from a JSON file
 * (docs/scenario.md) with file:line:column errors; unknown keys are rejected. */
#ifndef KTSTR_SCENARIO_H
#define KTSTR_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/op_kinds.h"
#include "guest/work_params.h"
#include "guest/work_types.h"
#include "engine/monitor/monitor.h"
#include "engine/scenario_cgattr.h"
#include "vmm/vm.h"  /* struct vm_topology: the scenario declares exactly what the VM gets */

#define SCN_MAX_CGROUPS 64
#define SCN_MAX_WORKERS 1024 /* per scenario, all cgroups together */
/* Runs take every shape the VM boots: CPU sets (engine/cpumask.h) and the monitor hold
 * 256 CPUs. TCG still refuses shapes with APIC IDs past 254 (vmm/args.c). */
#define SCN_MAX_VCPUS VM_MAX_VCPUS
#define SCN_MAX_SCHED_ARGS 64
#define SCN_MAX_STEPS 32     /* steps per scenario */
#define SCN_MAX_OPS 64       /* ops per scenario, all steps together */


int scn_topo_cpus(const struct vm_topology *t);
/* "2n2l2c1t" style label (llcs here is the machine total, as the seed writes it). */
void scn_topo_label(const struct vm_topology *t, char *buf, size_t len);
/* Parses "NxLxCxT" (L per node), the label "NnLlCcTt" (L = LLCs in total, converted to
 * per node; a total that is not a multiple of N is rejected) or a preset's name
 * (engine/topo_presets.h; an unknown name's message lists them). 0 or -EINVAL with a message. */
int scn_topo_parse(const char *s, struct vm_topology *t, char *err, size_t errlen);

/* A scheduler flag the gauntlet can turn on (docs/gauntlet.md): its arguments are added
 * after the scheduler's own when a profile has it; every name in requires must be on too. */
#define SCN_MAX_FLAGS 12       /* 4096 profiles at most */
#define SCN_MAX_FLAG_ARGS 8
#define SCN_MAX_FLAG_REQS 8
struct scn_flag {
	char name[48];
	char args[SCN_MAX_FLAG_ARGS][128];
	int nargs;
	char requires[SCN_MAX_FLAG_REQS][48];
	int nrequires;
};

enum scn_sched_kind { SCHED_EEVDF, SCHED_NAME, SCHED_PATH };
struct scn_scheduler {
	enum scn_sched_kind kind;
	char spec[256];            /* the name or path as written */
	char *args[SCN_MAX_SCHED_ARGS];
	int nargs;
	struct scn_flag flags[SCN_MAX_FLAGS]; /* "flags" of the scheduler object */
	int nflags;
};

/* The "constraints" block: which topologies a gauntlet runs the scenario on. 0 = the
 * key is absent (engine/sweep/matrix.c applies the reference's defaults); smt: -1 any,
 * 1 only presets with SMT, 0 only presets without. */
struct scn_constraints {
	int min_cpus, max_cpus, min_nodes, max_nodes, min_llcs, max_llcs;
	int smt;
};

/* A cgroup's cpuset: a plain CPU list, or a spec resolved against the topology (the Rust
 * ktstr's CpusetSpec). Fractional specs slice scn_usable_cpus(); llc/numa take all the
 * CPUs of that LLC/node. */
enum scn_cpuset_kind { CPUSET_NONE, CPUSET_LIST, CPUSET_LLC, CPUSET_NUMA, CPUSET_DISJOINT,
		       CPUSET_RANGE, CPUSET_OVERLAP };
struct scn_cpuset_spec {
	enum scn_cpuset_kind kind;
	long index;                /* llc, numa: the LLC/node; disjoint, overlap: the partition */
	long of;                   /* disjoint, overlap: partition count */
	double start_frac, end_frac; /* range: [start, end) of the usable CPUs */
	double frac;               /* overlap: share of a partition that overlaps its neighbours */
};

struct scn_cgroup {
	char name[64];
	int workers;
	enum work_type work;
	/* The type's parameters (guest/work_params.h): params[i] counts only where bit i of
	 * params_set is set, else the default (work_params_resolve); zeroed = all defaults. */
	int64_t params[WORK_PARAMS_MAX];
	uint32_t params_set;
	struct work_seq seq;       /* Sequence's phases */
	/* The CPU list written to cpuset.cpus; empty = inherit. For a spec it is filled by
	 * scn_resolve (the topology may change after parsing: --topo). */
	char cpuset[128];
	struct scn_cpuset_spec cpuset_spec;
	/* Controller knobs written verbatim in the guest; "" = not set. Shapes are checked
	 * by the parser: cpu.max "QUOTA [PERIOD]" (QUOTA may be "max"), memory.* bytes or
	 * "max", cpuset.mems a node list. */
	char cpu_max[48];
	char memory_max[24];
	char memory_swap_max[24];
	char cpuset_mems[64];
	struct scn_cgattr attr;    /* policy, nice, affinity, memory policy (scenario_cgattr.h) */
	/* 0: a backdrop cgroup (the whole run); k >= 1: step k's own cgroup (1-based), made
	 * when step k starts and removed when it ends. */
	int step;
};

/* A step: its own cgroups (cgroups[first_cgroup .. first_cgroup + ncgroups), all with
 * .step = its 1-based number) run for duration_ms on top of the backdrop. */
struct scn_step {
	char name[64];             /* "" = unnamed */
	int duration_ms;
	int first_cgroup, ncgroups;
};

/* The reference's optional worker checks (engine/checks_worker.c): none has a default, a
 * check runs only when its key is in "checks". X(id, key, lowest, highest allowed). */
#define SCN_WORKER_CHECKS(X)                                             \
	X(SCN_WC_P99_WAKE, "max_p99_wake_latency_ns", 1, 1e12)           \
	X(SCN_WC_WAKE_CV, "max_wake_latency_cv", 0, 1e6)                 \
	X(SCN_WC_ITER_RATE, "min_iteration_rate", 0, 1e12)               \
	X(SCN_WC_WORK_RATE, "min_work_rate", 0, 1e15)                    \
	X(SCN_WC_THROUGHPUT_CV, "max_throughput_cv", 0, 1e6)             \
	X(SCN_WC_MIGRATION_RATIO, "max_migration_ratio", 0, 1e6)         \
	X(SCN_WC_XNODE_RATIO, "max_cross_node_migration_ratio", 0, 1)    \
	X(SCN_WC_RUN_DELAY, "max_run_delay_us", 0, 1e12)
enum scn_worker_check {
#define X(id, key, lo, hi) id,
	SCN_WORKER_CHECKS(X)
#undef X
	SCN_WC__COUNT
};

struct scn_checks {
	bool has_max_gap_ms, has_max_spread_pct;
	uint64_t max_gap_ms;
	double max_spread_pct;
	bool isolation;            /* "isolation": workers stay on their cgroup's cpuset */
	bool has[SCN_WC__COUNT];   /* which SCN_WORKER_CHECKS are set, and their values */
	double wc[SCN_WC__COUNT];
};
/* The key of a worker check ("max_p99_wake_latency_ns" ...). */
const char *scn_worker_check_key(enum scn_worker_check id);

struct scenario {
	char name[128];
	char path[4096];           /* file it came from, for messages */
	struct vm_topology topo;
	int memory_mb;
	struct scn_scheduler sched;
	struct scn_constraints constraints;
	int duration_ms;
	struct scn_cgroup cgroups[SCN_MAX_CGROUPS];
	int ncgroups;              /* backdrop cgroups first, then each step's in step order */
	/* "steps" in the file; nsteps = 0 is one implicit step of duration_ms. With steps,
	 * duration_ms is the sum of their durations (scn_validate insists). */
	struct scn_step steps[SCN_MAX_STEPS];
	int nsteps;
	/* Operations during a step (guest/op_kinds.h), in file order; .step is 1-based, 1 for
	 * the top-level "ops" of a scenario without steps. */
	struct ktstr_op ops[SCN_MAX_OPS];
	int nops;
	struct scn_checks checks;
	struct mon_thresholds monitor; /* the "monitor" block; defaults when absent */
	bool expect_err;
	/* Wants performance mode (hugepage RAM, pinned RT vCPUs; docs/vmm.md). Under
	 * --no-perf-mode / KTSTR_NO_PERF_MODE=1 such a scenario is skipped, not run. */
	bool performance_mode;
};

/* Loads and validates. On error returns -EINVAL (bad content) or -errno (I/O) and writes
 * "FILE:LINE:COL: what is wrong; how to fix" into err. Nothing is allocated on error. */
int scn_load(const char *path, struct scenario *out, char *err, size_t errlen);
int scn_parse(const char *text, const char *path, struct scenario *out, char *err, size_t errlen);
void scn_free(struct scenario *s);   /* frees sched.args; the struct itself is the caller's */
/* Deep copy (sched.args duplicated): free both with scn_free. 0 or -ENOMEM. */
int scn_copy(struct scenario *dst, const struct scenario *src);
/* The scenario in the file format scn_parse reads (engine/scenario_save.c); malloc'd JSON
 * text, NULL on allocation failure. */
char *scn_to_json(const struct scenario *s);
/* Defaults without a file: topology 1x1x2x1, 512 MB, eevdf, 3000 ms, no cgroups. */
void scn_init_default(struct scenario *s);
/* Validation shared by the loader and command-line overrides (topology cap, groups, and
 * every CpusetSpec against the final topology). Messages carry no file position. */
int scn_validate(const struct scenario *s, char *err, size_t errlen);
/* Writes each CpusetSpec's CPU list into cgroups[i].cpuset for the current topology (the
 * engine calls it before building the guest's scenario; scn_validate checked the rest).
 * 0 or -EINVAL with the CpusetSpec message. */
int scn_resolve(struct scenario *s, char *err, size_t errlen);

/* usable_cpus(): every CPU but the last one (kept for the root cgroup) when there are more
 * than 2. Fills cpus[] (ascending) and returns the count. */
int scn_usable_cpus(const struct vm_topology *t, int *cpus, int max);
/* Resolves sp into a CPU list string ("0-2,5") for cgroup cg. 0, or -EINVAL with
 * "cgroup 'NAME': CpusetSpec validation failed: REASON" (the seed's words). */
int scn_cpuset_resolve(const struct vm_topology *t, const struct scn_cpuset_spec *sp,
		       const char *cg, char *out, size_t outlen, char *err, size_t errlen);
/* A double the way Rust's Display writes it: shortest round-trip digits, no exponent,
 * no trailing ".0" (-1, 0.5, 0.1). */
void scn_fmt_f64(double v, char *buf, size_t len);

#endif
