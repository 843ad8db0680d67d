/* The timeline slicer: turns the tracer's per-tid scheduling events into run/wait slices
 * and downsamples them so the "tl" stream stays bounded. Pure (no I/O, no clock): the
 * guest's gtrace.c feeds it, tests/unit/test_trace.c checks it. */
#ifndef KTSTR_GUEST_GTL_H
#define KTSTR_GUEST_GTL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/gscn.h"
#include "guest/proto.h"
#include "guest/trace_wire.h"

#define GTL_MAX_TIDS GSCN_MAX_WORKERS
#define GTL_RES_NS 1000000LL                       /* base resolution: 1 ms */
#define GTL_INTERVAL_NS (KTSTR_SAMPLE_MS * 1000000LL) /* one flush per sample interval */
#define GTL_CAP 2000                               /* hard cap: lines per interval, all tids */
#define GTL_TID_LINES 40      /* a tid sending more per interval gets a coarser resolution */

/* Event kinds: the tracer's (guest/trace_wire.h). */
enum { GTL_WAKEUP = KTRACE_WAKEUP, GTL_IN = KTRACE_IN, GTL_OUT_RUNNABLE = KTRACE_OUT_RUNNABLE,
       GTL_OUT_SLEEP = KTRACE_OUT_SLEEP };

/* Times are ns since the workload started (t0). state 'r' ran on cpu, 'w' waited runnable
 * on cpu's runqueue (the CPU it was woken or preempted on). */
struct gtl_slice {
	int tid, cpu;
	int64_t start_ns, end_ns;
	char state;
};
typedef void (*gtl_emit_fn)(const struct gtl_slice *s, void *ctx);

struct gtl_tid {
	int tid;
	int st;                /* GTL_ST_* */
	int cpu;               /* running on / waiting on */
	int64_t since;         /* absolute ns the current state began */
	int64_t res;           /* this tid's resolution now */
	int lines;             /* lines this interval */
	/* chunk: consecutive short pieces merged into one slice */
	bool ch;
	int64_t ch_start, ch_end, ch_run, ch_wait;
	int ch_rcpu, ch_wcpu;
	/* the longest wait this interval: always sent exactly */
	bool lw_valid, lw_sent;
	int64_t lw_start, lw_end;
	int lw_cpu;
};

struct gtl {
	int64_t t0;            /* absolute ns of the workload start; INT64_MAX unknown yet */
	int64_t base_res, max_res;
	int cap;               /* lines per interval */
	int tid_lines;         /* per-tid lines per interval before coarsening */
	int ntids;
	struct gtl_tid t[GTL_MAX_TIDS];
	int hash[4 * GTL_MAX_TIDS]; /* index + 1, 0 empty */
	int lines;             /* this interval, all tids */
	bool saturated;        /* budget used up: every tid merges until the flush */
	gtl_emit_fn emit;
	void *ctx;
	/* totals */
	uint64_t sent, dropped, pieces, intervals;
};

/* cap <= 0: GTL_CAP; base_res <= 0: GTL_RES_NS; max_res <= 0: GTL_INTERVAL_NS. */
void gtl_init(struct gtl *g, int cap, int64_t base_res, int64_t max_res, gtl_emit_fn emit, void *ctx);
void gtl_set_t0(struct gtl *g, int64_t t0_ns);
/* 0, -ENOSPC when GTL_MAX_TIDS are tracked, -EINVAL for tid <= 0. Re-adding is a no-op. */
int gtl_add_tid(struct gtl *g, int tid);
/* One tracer event (absolute CLOCK_MONOTONIC ns). Unknown tids and kinds are ignored. */
void gtl_event(struct gtl *g, int tid, int cpu, int64_t ts_ns, int kind);
/* Ends an interval at now_ns: open run/wait states are cut at now, merged chunks and the
 * longest waits go out, resolutions adapt. Returns the lines this interval sent. */
int gtl_flush(struct gtl *g, int64_t now_ns);
/* This tid's current resolution (ns), or -1 if untracked. */
int64_t gtl_tid_res(const struct gtl *g, int tid);

#endif
