/* The verifier sweep (`ktstr verifier`): one small VM per cell (kernel x topology x flag
 * profile) loads the scheduler, and a SpinWait worker per CPU probes that it dispatches.
 * Per program: verified_insns from the kernel's program info, processed and states from
 * the verifier's summary line. Cells go under DIR/cells/, the summary into
 * DIR/verifier.json (docs/verifier.md). */
#ifndef KTSTR_SWEEP_VERIFIER_SWEEP_H
#define KTSTR_SWEEP_VERIFIER_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VSWEEP_MAX_PROGS 64
#define VSWEEP_MAX_FLAGS 8
#define VSWEEP_MAX_ARGS 32

/* One BPF program of one cell; -1 where the number is unknown (null in the JSON). */
struct vsweep_prog {
	char name[128];
	int64_t verified_insns;
	long processed, states_peak, states_total, time_us;
	char stack[32];
};

/* A flag profile: the active flags sorted, "default" when none; each flag F passes --F. */
struct vsweep_profile {
	char name[256];
	int nflags;
	char flags[VSWEEP_MAX_FLAGS][64];
};

struct vsweep_kernel {
	char spec[4096];  /* what `ktstr run --kernel` gets: a cache key or a path */
	char label[128];  /* filesystem-safe: the cache key, or path_<basename> */
};

struct vsweep_cell {
	char name[512];          /* verifier/<sched>/<kernel label>/<preset>[/<profile>] */
	char dir[600];           /* cells/<name with / as __> */
	const struct vsweep_kernel *kernel;
	char preset[64];
	const struct vsweep_profile *profile;
	bool ran;                /* a VM booted and the guest reported (else infra error) */
	bool attached, dispatched, pass;
	char reason[512];
	struct vsweep_prog progs[VSWEEP_MAX_PROGS];
	int nprogs;
};

struct vsweep_opts {
	const char *sched;                 /* a name (build/bpf, PATH) or a path, as run takes it */
	char *const *sched_args;           /* after --, every cell */
	int nsched_args;
	struct vsweep_kernel *kernels;     /* resolved by the caller; none: the default kernel */
	int nkernels;
	const char *const *topos;          /* presets or NxLxCxT; none: 1x1x1x1 */
	int ntopos;
	struct vsweep_profile *profiles;   /* none: default */
	int nprofiles;
	bool raw;                          /* scheduler log as is, not collapsed */
	bool quiet;                        /* no per-cell progress on stderr (--json) */
	const char *out_dir;               /* the sweep directory (must not hold a sweep yet) */
	const char *command;               /* argv joined, for the record */
	FILE *out;                         /* the report (text), or NULL with --json */
};

/* Runs every cell, prints the report to o->out, writes out_dir/verifier.json and, when
 * json_out is not NULL, the same JSON there. Returns the exit code: 0 every cell passed, 1
 * any failed, 2 bad input (err says what), 3 infrastructure. */
int vsweep_run(const struct vsweep_opts *o, FILE *json_out, char *err, size_t errlen);

/* ---- pure helpers (engine/sweep/vsweep_parse.c, unit-tested) ---- */

/* A ktstr_sched `--verifier-stats` line "verifier stats: PROG processed=N states=P/T
 * [time=Tus] [stack=S]" into p (name and numbers). 0, or -EINVAL when it is not one. */
int vsweep_parse_stats_line(const char *line, struct vsweep_prog *p);
/* The verifier's own "processed N insns (limit L) ... total_states T peak_states P ..."
 * line into p's numbers. 0 or -EINVAL. */
int vsweep_parse_processed_line(const char *line, struct vsweep_prog *p);
/* libbpf's "libbpf: prog 'NAME': -- BEGIN PROG LOAD LOG --" (or "...: BPF program load
 * failed: ...") line: NAME into out. 0 or -EINVAL. */
int vsweep_parse_libbpf_prog(const char *line, char *out, size_t len);
/* --profiles SPEC: "all" (the power set of flags, which must be given) or a comma list of
 * profiles, each "default" or flags joined with "+". Names sorted and deduplicated. 0, or
 * -EINVAL with err naming the bad part. *out is malloc'd. */
int vsweep_parse_profiles(const char *spec, const char *const *flags, int nflags,
			  struct vsweep_profile **out, int *n, char *err, size_t errlen);
/* A kernel label from a cache key or a path: the key with every byte outside
 * [A-Za-z0-9._+-] as '_', or path_<basename>. */
void vsweep_kernel_label(const char *key, bool is_path, char *out, size_t len);
/* The cell's directory name: its name with "/" as "__". */
void vsweep_cell_dirname(const char *name, char *out, size_t len);

#endif
