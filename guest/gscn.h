/* The normalized scenario the guest runs (/ktstr/scenario.json, format in guest/README.md)
 * and the guest's work-type table. Pure parsing (jansson), so host unit tests link it. */
#ifndef KTSTR_GUEST_GSCN_H
#define KTSTR_GUEST_GSCN_H

#include <stdbool.h>
#include <stddef.h>

#include "guest/op_kinds.h"
#include "guest/gcgattr.h"
#include "guest/work_params.h"
#include "guest/work_types.h"

#define GSCN_MAX_CGROUPS 64
#define GSCN_MAX_WORKERS 1024    /* all cgroups together */
#define GSCN_MAX_ARGS 64
#define GSCN_MAX_DURATION_MS (24 * 3600 * 1000)
#define GSCN_MAX_STEPS 32
#define GSCN_MAX_OPS 64

struct gscn_cgroup {
	char name[64];
	int workers;
	int work;             /* enum work_type */
	int64_t params[WORK_PARAMS_MAX]; /* its parameters (work_params.h), defaults applied */
	struct work_seq seq;  /* Sequence's phases */
	char cpuset[256];     /* "" = inherit */
	/* Controller knobs, written verbatim after the cgroup is made; "" = leave as is. */
	char cpuset_mems[64];
	char cpu_max[48];
	char memory_max[24];
	char memory_swap_max[24];
	struct gcgattr attr;  /* policy, nice, affinity, memory policy (gcgattr.h) */
	int step;             /* 0: backdrop (the whole run); k >= 1: step k's (1-based) */
	/* The workers of a Spawn op: their cgroup (name) is someone else's directory; they
	 * start when the op runs and stop with the op's step. Never made or removed. */
	bool spawned;
};

/* One entry of "steps": its cgroups are cg[first .. first + ncg). */
struct gscn_step {
	char name[64];
	int duration_ms;
	int first, ncg;
};

/* The cgroup knob files a scenario can set, in the order they are written, with the
 * controller each needs enabled in the parent's cgroup.subtree_control. */
enum gscn_knob {
	GSCN_KNOB_CPUSET_CPUS,
	GSCN_KNOB_CPUSET_MEMS,
	GSCN_KNOB_CPU_MAX,
	GSCN_KNOB_MEMORY_MAX,
	GSCN_KNOB_MEMORY_SWAP_MAX,
	GSCN_KNOB__COUNT
};
const char *gscn_knob_file(int k);        /* "cpu.max" */
const char *gscn_knob_controller(int k);  /* "cpu", "memory", "cpuset" */
const char *gscn_knob_value(const struct gscn_cgroup *c, int k); /* "" when not set */

/* The failed write of knob k in cgroup cg, in the seed's words: with err ENOENT (the file
 * is absent: its controller is not enabled) "cgroup 'cg_0': set cpu.max='100000 100000'
 * (requires +cpu in parent cgroup.subtree_control): No such file or directory (os error 2)";
 * other errors say the kernel rejected the value. */
void gscn_knob_error(char *buf, size_t len, const char *cg, int k, const char *value, int err);
/* The one-line state of a cgroup whose directory is missing (the seed's typo diagnostic):
 * "cgroup-state-snapshot: parent=P name=N parent.cgroup.controllers="..." ...: ERR".
 * Reads the real files under parent. */
void gscn_cgroup_snapshot(char *buf, size_t len, const char *parent, const char *name, int err);
/* "No such file or directory (os error 2)", like Rust's io::Error. */
void gscn_oserr(char *buf, size_t len, int err);

struct gscn {
	char name[128];
	int duration_ms;
	int steps;            /* the step count reported in step/done */
	/* "steps" as a list: nstep = steps entries, backdrop cgroups first in cg[], then each
	 * step's. nstep = 0 (the integer form): one step holding duration_ms, no step cgroups. */
	struct gscn_step step[GSCN_MAX_STEPS];
	int nstep;
	struct gscn_cgroup cg[GSCN_MAX_CGROUPS];
	int ncg;
	/* Operations, in file order (each step's, or the top level's for one implicit step). */
	struct ktstr_op op[GSCN_MAX_OPS];
	int nop;
	bool has_sched;
	char sched_path[256];
	char sched_name[128];
	char sched_args[GSCN_MAX_ARGS][512];
	int nargs;
};

/* 0, or -EINVAL with a message naming the field and the fix. Unknown keys are ignored
 * (a newer host may add some). Checks work names (unknown or not implemented here),
 * grouped worker counts and name collisions among cgroups live at the same time, in the
 * seed's words; with a step list, duration_ms must be the sum of the steps'. */
int gscn_parse(const char *text, struct gscn *out, char *err, size_t errlen);
/* A cgroup's "work" value (a name, or the object form; NULL: the default type) into *work,
 * params (defaults applied) and seq (gscn_work.c). 0 or -EINVAL with a message naming cg. */
typedef struct json_t json_t;
int gscn_parse_work(json_t *wk, const char *cg, int *work, int64_t params[WORK_PARAMS_MAX],
		    struct work_seq *seq, char *err, size_t errlen);

/* guest/gscn_ops.c: the "ops" list ops (a json_t array; `where` names it in messages) of
 * step `step` (1-based; 1 also for the implicit step) lasting step_ms. Appends to s->op;
 * a Spawn also appends its workers' entry to s->cg (spawned) and counts them into *total.
 * 0 or -EINVAL with a message. */
struct json_t;
int gscn_parse_ops(struct gscn *s, struct json_t *ops, const char *where, int step, int step_ms,
		   int *total, char *err, size_t errlen);

#endif
