/* The host-side monitor's data: what one sample of the guest's scheduler state holds,
 * the series a run keeps, the scenario's thresholds and the evaluated summary.
 * Producers: engine/monitor/sampler.c (live, from guest memory) and
 * engine/monitor/tsv.c (loaded back from a run directory). Consumers: the checks
 * (eval.c), the report section and result.json (report.c), views/monitor.c. */
#ifndef KTSTR_MONITOR_H
#define KTSTR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/cpumask.h"

#define MON_INTERVAL_MS 100
#define MON_SKIP_SAMPLES 20      /* boot/settle samples not evaluated */
#define MON_MAX_DSQ_PLAUSIBLE 10000
#define MON_MAX_SAMPLES 36000    /* one hour at 100 ms; older samples are dropped */
#define MON_MAX_GLOBALS 8        /* numeric scheduler globals kept as a series */
#define MON_MAX_TREE 256         /* rendered lines of the scheduler's globals */
#define MON_MAX_VIOL 32
#define MON_MAX_CPUS CPUMASK_BITS /* = RUN_MAX_CPUS, = KMEM_MAX_CPUS */

/* sched_ext's event counters, in the order of struct scx_event_stats (6.16+). */
#define MON_EVENTS(X) \
	X(SELECT_CPU_FALLBACK, "select_cpu_fallback") \
	X(DISPATCH_LOCAL_DSQ_OFFLINE, "dispatch_offline") \
	X(DISPATCH_KEEP_LAST, "dispatch_keep_last") \
	X(ENQ_SKIP_EXITING, "skip_exiting") \
	X(ENQ_SKIP_MIGRATION_DISABLED, "skip_migration_disabled") \
	X(REENQ_IMMED, "reenq_immed") \
	X(REENQ_LOCAL_REPEAT, "reenq_local_repeat") \
	X(REFILL_SLICE_DFL, "refill_slice_dfl") \
	X(BYPASS_DURATION, "bypass_duration") \
	X(BYPASS_DISPATCH, "bypass_dispatch") \
	X(BYPASS_ACTIVATE, "bypass_activate") \
	X(INSERT_NOT_OWNED, "insert_not_owned") \
	X(SUB_BYPASS_DISPATCH, "sub_bypass_dispatch")
#define MON_EV_ENUM(k, n) MON_EV_##k,
enum mon_ev { MON_EVENTS(MON_EV_ENUM) MON_NEV };
#undef MON_EV_ENUM
extern const char *const mon_ev_name[MON_NEV];   /* "select_cpu_fallback", ... */
extern const char *const mon_ev_kname[MON_NEV];  /* "SCX_EV_SELECT_CPU_FALLBACK", ... */

/* One CPU in one sample (struct rq and its struct scx_rq). */
struct mon_cpu {
	uint32_t nr_running;      /* rq->nr_running */
	uint32_t scx_nr_running;  /* rq->scx.nr_running */
	uint32_t dsq_depth;       /* rq->scx.local_dsq.nr */
	uint32_t flags;           /* rq->scx.flags */
	uint64_t clock;           /* rq->clock, ns */
};

/* One line of the scheduler's globals rendered by its BTF ("nr_dispatched = 1234"). */
struct mon_tree_line { uint8_t depth; char name[64]; char value[96]; };

/* Everything sampled in one run. Samples are a ring of MON_MAX_SAMPLES: n ever taken,
 * sample i (0 = oldest held) at slot (first + i) % cap; arrays grow by doubling. */
struct mon_series {
	int ncpus;
	size_t n, first, cap;
	int64_t *t_ms;            /* per sample: ms since QEMU start */
	struct mon_cpu *cpu;      /* per sample: ncpus entries */
	int64_t *ev;              /* per sample: MON_NEV totals over all CPUs (cumulative) */
	bool have_ev;             /* the kernel has a known event-stats layout */
	/* Numeric scalar globals of the scheduler followed as a series (monitor.tsv columns
	 * "g.<var>"; "data.<var>" when .bss has a variable of the same name). */
	int nglob;
	char glob_name[MON_MAX_GLOBALS][80];
	int64_t *glob;            /* per sample: MON_MAX_GLOBALS values */
	/* The latest rendering of all globals. */
	struct mon_tree_line tree[MON_MAX_TREE];
	int ntree;
	/* "" while sampling works; else one line: why sampling is disabled or stopped
	 * ("monitor: no scx event stats layout in this kernel's BTF ..."). */
	char status[512];
	int64_t last_ok_ms;       /* ms since QEMU start of the last good sample; -1 none */
	uint64_t sampler_cpu_ns;  /* the sampler thread's CPU time so far (its host cost) */
	/* The longest time the guest's control port stayed quiet while samples kept coming
	 * (a wedged guest): ms, measured by the sampler against run->last_guest_line_ms. */
	int64_t guest_silence_max_ms;
};

struct mon_series *mon_series_new(int ncpus);
void mon_series_free(struct mon_series *s);
/* Appends one sample (cpu: ncpus entries; ev: MON_NEV or NULL; glob: nglob or NULL).
 * Returns 0 or -ENOMEM (the sample is dropped). */
int mon_series_push(struct mon_series *s, int64_t t_ms, const struct mon_cpu *cpu,
		    const int64_t *ev, const int64_t *glob);
size_t mon_series_len(const struct mon_series *s);  /* samples held */
/* Sample i, 0 = oldest held. */
int64_t mon_t(const struct mon_series *s, size_t i);
const struct mon_cpu *mon_cpu_at(const struct mon_series *s, size_t i);  /* ncpus entries */
const int64_t *mon_ev_at(const struct mon_series *s, size_t i);
const int64_t *mon_glob_at(const struct mon_series *s, size_t i);

/* The scenario's "monitor" block, with the reference project's defaults. */
struct mon_thresholds {
	double max_imbalance_ratio;   /* 4.0 */
	int max_local_dsq_depth;      /* 50 */
	bool fail_on_stall;           /* true */
	int sustained_samples;        /* 5 */
	double max_fallback_rate;     /* 200.0 per second */
	double max_keep_last_rate;    /* 100.0 per second */
	bool enforce;                 /* true: violations fail the run; false: reported only */
};
void mon_thresholds_default(struct mon_thresholds *t);

/* The evaluated series. */
struct mon_summary {
	bool evaluated;               /* false: EEVDF, or no series */
	int samples;                  /* samples held */
	double max_imbalance, avg_imbalance, avg_nr_running, avg_dsq;
	int max_dsq_depth, max_dsq_cpu;
	int stuck;                    /* CPUs with an rq_clock stall violation */
	struct cpumask stuck_cpus;
	int64_t ev_total[MON_NEV];    /* over the run (last - first held sample) */
	double ev_rate[MON_NEV];      /* per second over the run */
	bool implausible;             /* data not yet initialized / DSQ depth over 10000 */
	int nviol;
	char viol[MON_MAX_VIOL][256]; /* the reference's detail lines */
	char verdict[512];            /* "monitor OK" | "monitor FAILED: N violation(s): d1; d2"
				       * | "no monitor samples" | "monitor data not yet initialized" */
	bool failed;                  /* violations and thresholds enforced */
};

#endif
