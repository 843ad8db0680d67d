/* The run model: everything known about one run, live or loaded from a run directory.
 * The engine thread writes it under run->lock; the CLI and the TUI views read it under
 * the same lock (run_lock/run_unlock) and never block on I/O while holding it. */
#ifndef KTSTR_RUN_H
#define KTSTR_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "engine/cpumask.h"
#include "engine/scenario.h"
#include "engine/ring.h"
#include "engine/version.h"
#include "engine/wattr.h"
#include "engine/repro/chain.h"
#include "engine/monitor/monitor.h"
#include "engine/monitor/kmem.h"
#include "guest/gwake.h"

#define RUN_MAX_CPUS CPUMASK_BITS  /* CPU ids and LLC/node groups kept (>= VM_MAX_VCPUS) */
#define RUN_MAX_CHECKS 256
#define RUN_CONSOLE_LINES 20000
#define RUN_LOG_LINES 100000
/* The scheduler log is what a crash is read from: keep up to a million lines (the ring
 * grows by doubling, so a short log costs nothing). */
#define RUN_SCHEDLOG_LINES 1000000
#define RUN_TL_SLICES 200000   /* timeline slices kept (downsampled in the guest) */
#define RUN_MAX_MAPS 64        /* BPF map ids of the scheduler kept (the guest sends 64) */
#define RUN_SAMPLES 4096       /* per-run sample history (every KTSTR_SAMPLE_MS) */
#define RUN_MAX_PROGS 64       /* the scheduler's BPF programs kept ("prog" messages) */

enum run_state { RUN_PENDING, RUN_BOOTING, RUN_RUNNING, RUN_FINISHING, RUN_DONE };
/* RESULT_SKIP: not run on purpose (a performance_mode scenario under --no-perf-mode);
 * exit code 0. Appended last so stored numbers keep their meaning. */
enum run_result { RESULT_NONE, RESULT_PASS, RESULT_FAIL, RESULT_ERROR, RESULT_SKIP };
const char *run_state_name(enum run_state s);   /* "pending" ... "done" */
const char *run_result_name(enum run_result r); /* "none" "pass" "fail" "error" "skip" */

struct run_worker {
	int tid;
	char cgroup[64];
	char work[32];
	uint64_t cpu_ns, wall_ns, iters;
	double max_gap_ms;
	int max_gap_cpu;
	int64_t max_gap_at_ms;      /* since the workload started */
	struct cpumask cpus_mask;   /* CPUs it ran on */
	int cpu;                    /* last CPU seen */
	int migrations;
	int64_t figure;             /* the work type's figure (work_type_figure names it), -1 none */
	bool completed;             /* final report says it ran to the end and exited cleanly */
	bool reported;              /* the final "worker" message arrived */
	struct wattr attr;          /* policy, nice, affinity, mempolicy read back (wattr.h) */
	/* Worker-check figures (engine/worker_figs.c): work units, run delay and timeslices from
	 * schedstat (-1 unknown), migrations across NUMA nodes, wake latencies (count, sum,
	 * sum of squares in us^2, log histogram: guest/gwake.h). */
	uint64_t units;
	int64_t run_delay_ns, run_count;
	int xnode_migrations;
	uint64_t wake_n;
	double wake_sum_ns, wake_sumsq_us2;
	uint32_t wake_hist[GWAKE_BUCKETS];
};

struct run_cgroup {
	char name[64];
	int workers, cpus;          /* cpus: distinct CPUs its workers ran on */
	double min_off_pct, max_off_pct, mean_off_pct, spread_pct; /* spread = max - min off-CPU% */
	double max_gap_ms;
	int migrations;
	uint64_t iters;
	/* engine/worker_figs.c: pooled over the cgroup's workers. Wake percentiles from the
	 * merged histograms; run delay -1 when no worker had schedstat; work rate in work units
	 * per CPU-second (mean over workers with CPU time, and its CV). */
	uint64_t wake_n, wake_p50_ns, wake_p99_ns;
	double wake_mean_ns, wake_cv, wake_tail_ratio;
	double mean_run_delay_us, worst_run_delay_us;
	double migration_ratio;
	int xnode_migrations;
	double xnode_ratio;         /* cross-node migrations / migrations */
	double work_rate, throughput_cv;
};

struct run_check {
	char name[32];              /* "max_gap_ms", "max_spread_pct", "scheduler", "guest" ... */
	bool ok;
	char message[512];          /* the seed's exact wording on failure */
};

struct run_slice { int tid; int cpu; int64_t start_ns, end_ns; char state; /* 'r' run, 'w' wait */ };

struct run_sample { int64_t elapsed_ms; int nworkers; };  /* one tick; per-tid data in workers */

/* One BPF program of the scheduler as the kernel held it once attached ("prog"). */
struct run_prog { uint32_t id; char name[128]; char type[24]; int64_t verified_insns; };  /* one tick; per-tid data in workers */

struct run {
	pthread_mutex_t lock;
	int refs;

	/* identity */
	char id[64];                /* "<scenario>-<yyyymmdd-hhmmss>-<pid>" */
	char dir[4096];             /* run directory */
	struct scenario scn;
	char kernel_key[128], kernel_path[4096], kernel_version[128];
	char sched_label[256];      /* "eevdf" or the scheduler's name */
	char sched_bin[4096];       /* the scheduler binary the run used (host path), "" eevdf */
	int64_t started_unix;       /* wall clock at start, seconds */
	struct version_info tool;   /* the ktstr, libbpf and QEMU that made it ("" if unknown) */

	/* progress */
	enum run_state state;
	char stage[32];             /* last init stage the guest reported */
	int steps_done, steps;
	int64_t elapsed_ms;         /* since QEMU start */
	int64_t last_guest_line_ms; /* since QEMU start: the last control-port line; -1 none */

	/* boot */
	char accel[8];
	bool tcg_relaxed;           /* thresholds relaxed for TCG (report says so) */
	int64_t sys_rdy_ms;         /* from QEMU start, host-measured; -1 never */
	int64_t kernel_boot_ms;     /* guest uptime when init started; -1 unknown */
	int boot_budget_ms;
	bool boot_budget_missed;
	bool restored;              /* the VM resumed a saved snapshot (docs/snapshot.md) */
	int64_t restore_ms;         /* QEMU start to the restored guest's hello; -1 cold */
	int64_t snapshot_save_ms;   /* this cold run saved a snapshot, in this time; -1 not */
	int vm_exit_code;           /* QEMU's exit status; -1 still running/unknown */

	/* what the guest saw */
	int guest_cpus;
	int nllcs, nnodes;
	struct cpumask llcs[RUN_MAX_CPUS], nodes[RUN_MAX_CPUS]; /* each group's CPUs */
	char guest_kernel[128];

	/* scheduler lifecycle */
	bool sched_started, sched_attached, sched_died;
	char sched_ops[64];
	char sched_exit_reason[512]; /* kernel's exit kind + message */
	int64_t sched_died_ms;       /* into the workload */
	bool sched_load_failed;      /* exited (or was never enabled) before attaching */
	int sched_exit_code;         /* "code" of the last exited event; 0 unknown */

	/* guest protocol facts (run_ingest) */
	bool guest_hello;            /* "hello" arrived: init started */
	int guest_proto;             /* its protocol version */
	bool guest_done, guest_ok;   /* "done" arrived, and its ok flag */
	uint64_t guest_malformed;    /* host->guest lines the guest dropped ("done".malformed) */
	int64_t guest_elapsed_ms;    /* workload time from the last step/done; -1 unknown */
	int64_t workload_start_ns;   /* guest ts_ns of stage "running"; -1 not yet */
	int64_t workload_start_ms;   /* host: ms since QEMU start when "running" arrived; -1 */

	/* shell mode (`ktstr shell`): no scenario, no verdict on numbers */
	bool shell;                  /* a shell VM: its result says only how the VM ended */
	bool exec;                   /* --exec: a command ran instead of an interactive shell */
	int exec_status;             /* the command's exit status ("exec" message); -1 not yet */
	uint64_t exec_bytes;         /* bytes of its output the guest sent on the shell port */
	char vm_end[512];            /* why the VM ended, one line (shell runs; "" unknown) */

	/* logs (bounded) */
	struct ring *console, *schedlog, *verifier, *dump, *guestlog;
	struct ring *probe;          /* auto-repro's raw "probe" messages (a repro VM's run) */
	uint64_t malformed_lines;

	/* numbers */
	struct run_worker *workers;  /* SCN_MAX_WORKERS slots */
	int nworkers;
	struct run_cgroup cgroups[SCN_MAX_CGROUPS];
	int ncgroups;
	struct run_slice *slices;    /* ring of RUN_TL_SLICES: nslices held, oldest at slice_head */
	size_t nslices, slice_head;
	struct run_sample *samples;  /* ring of RUN_SAMPLES: nsamples ever pushed, the newest at */
	size_t nsamples;             /* samples[(nsamples - 1) % RUN_SAMPLES] */

	/* verdict */
	struct run_check checks[RUN_MAX_CHECKS];
	int nchecks;
	enum run_result result;
	int exit_code;               /* 0 pass, 1 fail, 2 bad input, 3 infrastructure */
	char error[1024];            /* infrastructure error, user-facing */
	char warning[1024];          /* host-side warning shown before the verdict (kfunc BTF check) */
	double gap_threshold_ms, spread_threshold_pct; /* effective thresholds */

	/* host-side monitor (engine/monitor/): the guest's kernel addresses (hello), the
	 * scheduler's BPF map ids ("maps"), the sampled series (NULL: none) and its verdict. */
	struct kmem_syms ksyms;
	bool have_ksyms;
	uint32_t sched_map_ids[RUN_MAX_MAPS];
	int nsched_maps;
	struct run_prog progs[RUN_MAX_PROGS]; /* result.json "bpf_progs" */
	int nprogs;
	struct mon_series *mon;
	struct mon_summary monsum;

	/* auto-repro (engine/repro/chain.h): NULL until one was asked for this run */
	struct repro_result *repro;
	char repro_of[4096];         /* a repro VM's run: the primary's run directory, else "" */
};

struct run *run_new(const struct scenario *scn);  /* refs = 1 */
struct run *run_get(struct run *r);
void run_put(struct run *r);
void run_lock(struct run *r);
void run_unlock(struct run *r);

/* Applies one control-port line from the guest to the model (caller holds the lock).
 * Returns the message type it was ("sample", "log", ...) or NULL if malformed. */
const char *run_ingest(struct run *r, const char *line);
void run_add_check(struct run *r, const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Finds or adds a worker slot by tid; NULL when full. */
struct run_worker *run_worker_by_tid(struct run *r, int tid);
/* Removes every check with this name (re-evaluation replaces, never duplicates). */
void run_drop_checks(struct run *r, const char *name);
/* Appends a timeline slice to the slices ring (oldest overwritten). */
void run_add_slice(struct run *r, const struct run_slice *s);
const struct run_slice *run_slice_at(const struct run *r, size_t i); /* 0 = oldest held */

#endif
