/* The normalized scenario's wire keys (/ktstr/scenario.json, KTSTR_GUEST_SCENARIO; the
 * format is described in guest/README.md): the host's writer (engine/scenario_wire.c) and
 * the guest's parser (guest/gscn.c) both spell every key through these names, so the two
 * sides cannot drift apart. Work names are guest/work_types.h's. */
#ifndef KTSTR_GUEST_SCENARIO_WIRE_H
#define KTSTR_GUEST_SCENARIO_WIRE_H

/* The top-level object. */
#define KTSTR_SCN_NAME "name"
#define KTSTR_SCN_DURATION_MS "duration_ms"
#define KTSTR_SCN_STEPS "steps"         /* an integer (the step count) or a list of steps */
#define KTSTR_SCN_CGROUPS "cgroups"     /* the backdrop's cgroups */
#define KTSTR_SCN_SCHEDULER "scheduler" /* null (the kernel's default) or an object */

/* One entry of "steps" (the list form). */
#define KTSTR_SCN_STEP_NAME "name"
#define KTSTR_SCN_STEP_DURATION_MS "duration_ms"
#define KTSTR_SCN_STEP_CGROUPS "cgroups"
/* A step's operations (guest/op_kinds.h); at the top level for a scenario without steps. */
#define KTSTR_SCN_OPS "ops"

/* One entry of "ops": the same keys in the scenario file. */
#define KTSTR_SCN_OP_KIND "op"
#define KTSTR_SCN_OP_AT_MS "at_ms"
#define KTSTR_SCN_OP_EVERY_MS "every_ms"
#define KTSTR_SCN_OP_CGROUP "cgroup"
#define KTSTR_SCN_OP_A "a"
#define KTSTR_SCN_OP_B "b"
#define KTSTR_SCN_OP_FROM "from"
#define KTSTR_SCN_OP_TO "to"
#define KTSTR_SCN_OP_CPUS "cpus"
#define KTSTR_SCN_OP_WORKERS "workers"
#define KTSTR_SCN_OP_WORK "work"
#define KTSTR_SCN_OP_NICE "nice"
#define KTSTR_SCN_OP_POLICY "policy"

/* One entry of "cgroups" (top level or a step's). */
#define KTSTR_SCN_CG_NAME "name"
#define KTSTR_SCN_CG_WORKERS "workers"
#define KTSTR_SCN_CG_WORK "work"      /* a name, or {"type": NAME, PARAM: N..., "phases": [...]}
				       * with the non-default parameters (guest/work_params.h) */
#define KTSTR_SCN_WORK_TYPE "type"
#define KTSTR_SCN_WORK_PHASES "phases"
#define KTSTR_SCN_CG_CPUSET "cpuset"    /* a CPU list; absent or null = inherit */
/* A cgroup's controller knobs, each a string written verbatim to its file by the guest:
 * X(member, key). member names the field of both struct scn_cgroup (host) and struct
 * gscn_cgroup (guest). */
#define KTSTR_SCN_CG_KNOBS(X)                     \
	X(cpuset_mems, "cpuset_mems")             \
	X(cpu_max, "cpu_max")                     \
	X(memory_max, "memory_max")               \
	X(memory_swap_max, "memory_swap_max")

/* A cgroup's scheduling settings (guest/gcgattr.c applies them in each worker); absent =
 * leave as inherited. The host resolved the affinity kind to CPUs. */
#define KTSTR_SCN_CG_POLICY "policy"             /* SCHED_* number (guest/cgattr_def.h) */
#define KTSTR_SCN_CG_PRIORITY "priority"         /* fifo, rr: 1..99 */
#define KTSTR_SCN_CG_DEADLINE "deadline_us"      /* deadline: [runtime, deadline, period] */
#define KTSTR_SCN_CG_NICE "nice"                 /* -20..19 */
#define KTSTR_SCN_CG_AFFINITY "affinity"         /* a CPU list */
#define KTSTR_SCN_CG_AFFINITY_COUNT "affinity_count" /* > 0: each worker draws this many of them */
#define KTSTR_SCN_CG_MPOL "mempolicy"            /* MPOL_* mode */
#define KTSTR_SCN_CG_MPOL_NODES "mempolicy_nodes" /* a node list ("" for default, local) */
#define KTSTR_SCN_CG_MPOL_FLAGS "mempolicy_flags" /* MPOL_F_* bits */

/* What the guest assumes for a key the host left out. */
#define KTSTR_SCN_STEPS_DEFAULT 1
#define KTSTR_SCN_CG_WORKERS_DEFAULT 1
#define KTSTR_SCN_CG_WORK_DEFAULT "SpinWait"

/* The "scheduler" object. */
#define KTSTR_SCN_SCHED_PATH "path"     /* the binary in the guest */
#define KTSTR_SCN_SCHED_NAME "name"     /* its argv[0] */
#define KTSTR_SCN_SCHED_ARGS "args"     /* an array of strings */

#endif
