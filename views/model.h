/* View models: what the panes show, computed from the run model without any curses, so
 * they are unit-tested (tests/unit/test_views.c) and cheap per frame: logs are indexed,
 * never copied; folds are recomputed incrementally when a ring's total changes. */
#ifndef KTSTR_VIEW_MODEL_H
#define KTSTR_VIEW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/verifier.h"
#include "engine/ring.h"
#include "engine/run.h"

/* ---- logs: plain, cycle-collapsed (scheduler log) or folded in sections (dump) ---- */
enum logm_kind { LOGM_PLAIN, LOGM_CYCLES, LOGM_SECTIONS };

/* A run of lines in absolute numbering (line L is ring_get(ring, L - dropped)). Cycles:
 * repeat > 1 is a block of len lines seen repeat times; sections: a header + body. */
struct logm_group { uint64_t first; size_t len, repeat; bool open, head; };

struct logm {
	enum logm_kind kind;
	size_t max_block;          /* longest cycle tried (cycles) */
	uint64_t seen_total, dropped;
	size_t seen_count;
	struct logm_group *g;
	size_t ng, capg;
	size_t *rows_before;       /* prefix sums of display rows, ng + 1 entries */
	size_t nrows;
};

enum logm_row_kind { LR_LINE, LR_CYCLE_HEAD, LR_SECTION_HEAD };
struct logm_row {
	enum logm_row_kind kind;
	const char *text;          /* NULL for LR_CYCLE_HEAD */
	size_t group;
	uint64_t line;             /* absolute line number (cycle head: the block's first) */
	size_t len, repeat;        /* of the group */
	bool open;
};

void logm_init(struct logm *m, enum logm_kind kind, size_t max_block);
void logm_done(struct logm *m);
void logm_reset(struct logm *m);                 /* forget everything (run changed) */
/* Brings the model up to the ring's contents; cheap when nothing changed. Caller holds
 * the run's lock. Returns the number of display rows dropped from the top (ring wrap). */
size_t logm_sync(struct logm *m, const struct ring *r);
size_t logm_rows(const struct logm *m);
bool logm_row(const struct logm *m, const struct ring *r, size_t row, struct logm_row *out);
/* Opens/closes the fold the row is in; false when it has no fold. *row is moved to the
 * fold's first row so the cursor stays on it. */
bool logm_toggle(struct logm *m, size_t *row);
void logm_set_all(struct logm *m, bool open);
/* Next row (dir +1) or previous (dir -1) after `from` whose text contains pat (case-
 * insensitive), wrapping around; -1 when none. Sections: folded lines are searched too
 * and the section with the match is opened. */
long logm_search(struct logm *m, const struct ring *r, size_t from, const char *pat, int dir);
/* Dump section headers: "CPU 3   : ..." and task lines "  R name[pid] ...". */
bool logm_is_section_head(const char *line);

/* ---- timeline ---- */
struct tl_row { int tid; int widx; char cgroup[64]; bool cg_head; };
/* Rows: a header per cgroup (scenario order, then others), then its workers by tid. */
int tl_rows(const struct run *r, struct tl_row *out, int max);
/* Time extent of the run's data in ms since the workload started. */
void tl_extent(const struct run *r, int64_t *t0_ms, int64_t *t1_ms);

enum tl_state { TL_NONE = 0, TL_ALIVE, TL_WAIT, TL_RUN, TL_GAP };
struct tl_cell { unsigned char st; short cpu; };  /* cpu: -1 unknown or mixed */
/* Downsamples [t0_ms, t1_ms) into ncols cells per row (cells[row * ncols + col]): slices
 * when the run has them, else each worker's lifetime; each worker's longest gap
 * (max_gap_at_ms, max_gap_ms) is marked TL_GAP on top. One pass over the slices. */
void tl_cells(const struct run *r, const struct tl_row *rows, int nrows, int64_t t0_ms,
	      int64_t t1_ms, int ncols, struct tl_cell *cells);
/* Column of time t in [t0, t1) over ncols; -1 outside. */
int tl_col(int64_t t_ms, int64_t t0_ms, int64_t t1_ms, int ncols);

/* ---- verifier ---- */
struct verm {
	uint64_t seen_total;
	size_t seen_count;
	char **raw;                /* copies of the ring's lines */
	size_t nraw;
	char **col;                /* verifier_collapse output */
	size_t ncol;
	bool expanded;             /* show raw lines instead of the collapsed ones */
	struct verifier_summary sum;
};
void verm_init(struct verm *v);
void verm_done(struct verm *v);
void verm_sync(struct verm *v, const struct ring *r);  /* rebuilds when the ring changed */
size_t verm_count(const struct verm *v);
const char *verm_line(const struct verm *v, size_t i);
bool verm_is_omitted(const char *line);           /* "--- N identical iterations omitted ---" */
/* Next/previous instruction line strictly after/before `from`; -1 when none. */
long verm_step(const struct verm *v, long from, int dir);
/* The rejected instruction's line (the last instruction before the error); -1 none. */
long verm_rejected(const struct verm *v);
/* Switches collapsed/expanded keeping the position on the same instruction when it can;
 * returns the new index for `at`. */
long verm_toggle(struct verm *v, long at);

/* ---- runs history ---- */
/* A runs-root entry: a run, or a sweep directory (gauntlet.json / verifier.json, its runs
 * under cells/) listed as one entry that opens as a matrix. */
enum runs_kind { RUNS_RUN, RUNS_GAUNTLET, RUNS_VERIFIER };
struct runs_entry {
	enum runs_kind kind;
	char dir[1024];
	char id[128];
	char result[8];            /* "pass" "fail" "error" "none"; "live" for the live run */
	char kernel[128];
	char topo[32];
	char sched[128];
	int64_t started_unix;
	int64_t duration_ms;
	int nfailed;               /* failing checks */
};
/* Reads every <root>/<dir>/result.json (fields only, no logs), newest first. A missing
 * root is an empty list. Damaged entries are listed with result "?". Caller frees. */
int runs_scan(const char *root, struct runs_entry **out, int *n, char *err, size_t errlen);
/* The runs root the engine uses: KTSTR_RUNS_DIR or <cache root>/runs. */
int runs_root(char *buf, size_t len, char *err, size_t errlen);

/* ---- a sweep's matrix (views/model_matrix.c) ---- */
/* Which sweep a directory holds: gauntlet.json, verifier.json, else RUNS_RUN. */
enum runs_kind sweep_kind_of(const char *dir);
struct matm_cell {
	char name[256];
	char status[8];            /* "pass" "fail" "error" "skip", "?" unknown */
	double wall_s;             /* -1 unknown */
	char dir[1024];            /* the cell's run directory (absolute), "" none */
	char reason[256];
	int row, col;
};
/* Rows: gauntlet scenario (x profile, x kernel when there are several), verifier kernel
 * (x profile); columns: topology preset. Orders are the cells' first appearance. */
struct matm {
	enum runs_kind kind;
	char dir[1024];
	char **rows, **cols;
	int nrows, ncols;
	struct matm_cell *cells;
	int ncells;
	int *grid;                 /* nrows * ncols: the cell's index, -1 none */
	int npass, nfail, nerror, nskip, nleft_out;
	double wall_s;             /* -1 unknown */
	char shard[32];
	char err[640];             /* why the file could not be read (shown instead) */
};
/* Reads DIR/gauntlet.json or DIR/verifier.json; unknown keys are ignored, a cell without
 * the keys it needs is skipped. -errno with m->err naming the file and the fix. */
int matm_load(const char *dir, struct matm *m);
void matm_free(struct matm *m);
int matm_at(const struct matm *m, int row, int col);   /* a cell index or -1 */

/* ---- another run's verifier log to compare with (views/model_vcompare.c) ---- */
struct vcand {
	char dir[1024];
	char id[128];
	char kernel[128];          /* result.json's kernel version (or key) */
	char prog[128];            /* the program whose load failed, from sched.log */
	bool sibling;              /* a cell of the same sweep directory */
};
/* Runs with a non-empty verifier.log other than cur_dir: the cells of cur_dir's sweep
 * (DIR/cells/X) first, then the runs under runs_root; those of program prog ("" any) before
 * the others. Caller frees *out. */
int vcand_scan(const char *cur_dir, const char *runs_root, const char *prog, struct vcand **out, int *n);
/* The failed program's name from a scheduler log line ("libbpf: prog 'X': -- BEGIN PROG
 * LOAD LOG --"); false when the line is not that. */
bool vcand_prog_of_line(const char *line, char *buf, size_t len);
/* result.json's kernel version (else key) of a run dir, "" when unreadable. */
void vcand_kernel_of(const char *dir, char *buf, size_t len);

/* ---- monitor (the host-side sampler's series, engine/monitor/monitor.h) ---- */
/* One CPU's row: its latest sample and which thresholds it breaks now. */
struct monm_cpu {
	struct mon_cpu now;        /* the latest sample */
	int64_t clock_age_ms;      /* since its rq clock last moved (sample times) */
	bool age_floor;            /* the clock never moved in the samples held: at least this */
	int stalled;               /* latest samples in a row with nr_running > 0 and the clock
				    * where the sample before left it */
	bool deep;                 /* local DSQ over max_local_dsq_depth in the last
				    * sustained_samples samples */
	bool stall;                /* stalled >= sustained_samples (with fail_on_stall) */
	bool stuck;                /* in the run's verdict (stuck_cpus, after the run) */
};
/* cpu's row from the series (at least one sample held); stuck_cpus: the summary's, or NULL
 * while the run goes. */
void monm_cpu(const struct mon_series *s, int cpu, const struct mon_thresholds *t,
	      const struct cpumask *stuck_cpus, struct monm_cpu *out);
bool monm_hot(const struct monm_cpu *c);       /* breaks any threshold */
/* Local DSQ depths over the last n samples, as levels 0..MONM_LEVELS (0: an empty DSQ)
 * scaled to one maximum so rows compare: monm_spark_max is the deepest DSQ of any CPU in
 * that window. monm_spark fills lv oldest first and returns the samples used (fewer than
 * n when fewer are held). */
#define MONM_LEVELS 8
uint32_t monm_spark_max(const struct mon_series *s, int n);
int monm_spark(const struct mon_series *s, int cpu, int n, uint32_t max, unsigned char *lv);
/* The event counters worth a row: every one with a non-zero total since the first sample
 * held, plus select_cpu_fallback and dispatch_keep_last always; rate per second over the
 * last second of samples. Returns the rows (0 without counters). */
struct monm_ev { int ev; int64_t total; double rate; };
int monm_events(const struct mon_series *s, struct monm_ev out[MON_NEV]);

/* ---- a kernel build's progress (the Kernels pane) ---- */
struct kbm {
	bool running;
	char what[256];            /* the first line of the build ("building 6.14.2 from ...") */
	char label[128];           /* the current phase ("download linux-6.14.2.tar.xz"), "" none */
	uint64_t done, total;      /* total 0: unknown */
	char status[512];          /* the last status line, "" none */
};
/* A build starts: what says which (the app's first status line). */
void kbm_start(struct kbm *m, const char *what);
/* A progress step ("label: done/total": the label is the text before its last ": ") or a
 * status line (progress false). */
void kbm_event(struct kbm *m, bool progress, const char *text, uint64_t done, uint64_t total);
void kbm_end(struct kbm *m);
/* The progress as text beside the bar: "45%  12.3/27.0 MB" for a download or an extract
 * (bytes), "45%  3/7" for build steps, "12.3 MB" or "3 steps" without a total, "" before
 * any progress. */
void kbm_progress_text(const struct kbm *m, char *buf, size_t len);
/* done/total in [0, 1]; -1 when the total is unknown. */
double kbm_frac(const struct kbm *m);

#endif
