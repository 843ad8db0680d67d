/* Timeline: the guest's slicer/downsampler (guest/gtl.c) fed with synthetic tracer events,
 * and the run directory's timeline.tsv written and loaded back (engine/report.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/report.h"
#include "engine/run.h"
#include "engine/fsutil.h"
#include "guest/gtl.h"
#include "tests/unit/tenv.h"

#define MS 1000000LL
#define T0 (10000 * MS) /* absolute time the workload started */

static struct gtl g;
static struct gtl_slice got[20000];
static int ngot;

static void collect(const struct gtl_slice *s, void *ctx)
{
	(void)ctx;
	if (ngot < (int)(sizeof(got) / sizeof(got[0])))
		got[ngot] = *s;
	ngot++;
}

static void setup(int cap)
{
	ngot = 0;
	gtl_init(&g, cap, 0, 0, collect, NULL);
	gtl_set_t0(&g, T0);
}

static int count(int tid, char state)
{
	int n = 0;
	for (int i = 0; i < ngot && i < (int)(sizeof(got) / sizeof(got[0])); i++)
		n += got[i].tid == tid && (!state || got[i].state == state);
	return n;
}

static void ev(int tid, int cpu, int64_t rel_ns, int kind)
{
	gtl_event(&g, tid, cpu, T0 + rel_ns, kind);
}

Test(trace, wakeup_then_run_then_sleep_gives_exact_wait_and_run_slices)
{
	setup(0);
	cr_assert_eq(gtl_add_tid(&g, 7), 0);
	ev(7, 1, 2 * MS, GTL_WAKEUP);
	ev(7, 1, 5 * MS, GTL_IN);
	ev(7, 1, 15 * MS, GTL_OUT_SLEEP);
	gtl_flush(&g, T0 + 200 * MS);
	cr_assert_eq(ngot, 2);
	cr_assert_eq(got[0].state, 'w');
	cr_assert_eq(got[0].start_ns, 2 * MS);
	cr_assert_eq(got[0].end_ns, 5 * MS);
	cr_assert_eq(got[0].cpu, 1);
	cr_assert_eq(got[1].state, 'r');
	cr_assert_eq(got[1].start_ns, 5 * MS);
	cr_assert_eq(got[1].end_ns, 15 * MS);
	cr_assert_eq(got[1].tid, 7);
}

Test(trace, preemption_starts_a_wait_on_the_cpu_it_was_preempted_on)
{
	setup(0);
	gtl_add_tid(&g, 7);
	ev(7, 0, 1 * MS, GTL_IN);
	ev(7, 0, 4 * MS, GTL_OUT_RUNNABLE);
	ev(7, 1, 9 * MS, GTL_IN);
	ev(7, 1, 12 * MS, GTL_OUT_SLEEP);
	gtl_flush(&g, T0 + 200 * MS);
	cr_assert_eq(ngot, 3);
	cr_assert_eq(got[1].state, 'w');
	cr_assert_eq(got[1].cpu, 0);
	cr_assert_eq(got[1].start_ns, 4 * MS);
	cr_assert_eq(got[1].end_ns, 9 * MS);
	cr_assert_eq(got[2].cpu, 1);
}

Test(trace, untracked_tids_and_events_before_the_start_are_ignored)
{
	setup(0);
	gtl_add_tid(&g, 7);
	ev(8, 0, 1 * MS, GTL_IN);
	ev(8, 0, 5 * MS, GTL_OUT_SLEEP);
	gtl_event(&g, 7, 0, T0 - 50 * MS, GTL_IN);
	gtl_event(&g, 7, 0, T0 - 40 * MS, GTL_OUT_SLEEP); /* before t0: dropped */
	gtl_event(&g, 7, 0, T0 - 3 * MS, GTL_IN);
	ev(7, 0, 4 * MS, GTL_OUT_SLEEP);                  /* straddles t0: clipped */
	gtl_flush(&g, T0 + 200 * MS);
	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].start_ns, 0);
	cr_assert_eq(got[0].end_ns, 4 * MS);
}

Test(trace, nothing_is_sliced_before_t0_is_known)
{
	ngot = 0;
	gtl_init(&g, 0, 0, 0, collect, NULL);
	gtl_add_tid(&g, 7);
	gtl_event(&g, 7, 0, T0 + 1 * MS, GTL_IN);
	gtl_event(&g, 7, 0, T0 + 5 * MS, GTL_OUT_SLEEP);
	cr_assert_eq(ngot, 0);
}

Test(trace, flush_cuts_a_long_run_so_the_stream_stays_live)
{
	setup(0);
	gtl_add_tid(&g, 7);
	ev(7, 1, 10 * MS, GTL_IN);
	gtl_flush(&g, T0 + 200 * MS);
	cr_assert_eq(ngot, 1);
	cr_assert_eq(got[0].start_ns, 10 * MS);
	cr_assert_eq(got[0].end_ns, 200 * MS);
	ev(7, 1, 250 * MS, GTL_OUT_SLEEP);
	gtl_flush(&g, T0 + 400 * MS);
	cr_assert_eq(ngot, 2);
	cr_assert_eq(got[1].start_ns, 200 * MS);
	cr_assert_eq(got[1].end_ns, 250 * MS);
}

/* A pipe-like tid: 20 us runs, 30 us sleeps, 5 us waits, for 200 ms. */
static void pipe_like(int tid, int64_t from, int64_t to, int cpu)
{
	for (int64_t t = from; t + 55000 <= to; t += 55000) {
		ev(tid, cpu, t, GTL_WAKEUP);
		ev(tid, cpu, t + 5000, GTL_IN);
		ev(tid, cpu, t + 25000, GTL_OUT_SLEEP);
	}
}

Test(trace, short_slices_merge_to_the_resolution_and_take_the_majority_state)
{
	setup(0);
	gtl_add_tid(&g, 7);
	pipe_like(7, 0, 200 * MS, 0);
	int n = gtl_flush(&g, T0 + 200 * MS);
	/* ~3600 pieces -> one chunk per ms (plus the longest wait). */
	cr_assert_geq(n, 150);
	cr_assert_leq(n, 202);
	int64_t covered = 0;
	int short_runs = 0;
	for (int i = 0; i < ngot; i++) {
		if (got[i].state == 'r') {
			short_runs += got[i].end_ns - got[i].start_ns < GTL_RES_NS;
			covered += got[i].end_ns - got[i].start_ns;
		}
		cr_assert_leq(got[i].start_ns, got[i].end_ns);
	}
	cr_assert_leq(short_runs, 1, "only the chunk the flush closed may be shorter");
	cr_assert_gt(covered, 190 * MS);
	cr_assert_eq(count(7, 'w'), 1, "the longest wait is the only wait line");
}

Test(trace, a_busy_tid_gets_a_coarser_resolution_and_a_quiet_one_finer_again)
{
	setup(0);
	gtl_add_tid(&g, 7);
	int64_t t = 0;
	int first = 0, last = 0;
	for (int k = 0; k < 6; k++, t += 200 * MS) {
		ngot = 0;
		pipe_like(7, t, t + 200 * MS, 0);
		int n = gtl_flush(&g, T0 + t + 200 * MS);
		if (!k)
			first = n;
		last = n;
	}
	cr_assert_gt(gtl_tid_res(&g, 7), GTL_RES_NS);
	cr_assert_leq(last, GTL_TID_LINES + 2, "still %d lines per interval", last);
	cr_assert_lt(last, first);
	/* Quiet now: one long run per interval; the resolution comes back down. */
	for (int k = 0; k < 12; k++, t += 200 * MS) {
		ev(7, 0, t + 10 * MS, GTL_IN);
		ev(7, 0, t + 20 * MS, GTL_OUT_SLEEP);
		gtl_flush(&g, T0 + t + 200 * MS);
	}
	cr_assert_eq(gtl_tid_res(&g, 7), GTL_RES_NS);
}

Test(trace, the_cap_holds_with_many_busy_tids_and_every_tid_keeps_its_longest_wait)
{
	setup(300);
	for (int tid = 100; tid < 200; tid++)
		gtl_add_tid(&g, tid);
	/* Interleaved: every tid alternates short runs and waits; tid's longest wait is 3 ms
	 * somewhere in the middle. */
	for (int64_t t = 0; t < 200 * MS; t += 400000) {
		for (int tid = 100; tid < 200; tid++) {
			ev(tid, tid % 4, t, GTL_IN);
			ev(tid, tid % 4, t + 200000, GTL_OUT_RUNNABLE);
		}
		if (t == 100 * MS) {
			for (int tid = 100; tid < 200; tid++)
				ev(tid, tid % 4, t + 3400000, GTL_IN);
			t += 3 * MS;
		}
	}
	int n = gtl_flush(&g, T0 + 200 * MS);
	cr_assert_leq(n, 300);
	cr_assert_eq(n, ngot);
	for (int tid = 100; tid < 200; tid++) {
		bool found = false;
		for (int i = 0; i < ngot; i++)
			found |= got[i].tid == tid && got[i].state == 'w' && got[i].start_ns == 100 * MS + 200000 &&
				 got[i].end_ns == 100 * MS + 3400000;
		cr_assert(found, "tid %d lost its longest wait", tid);
		cr_assert_geq(count(tid, 0), 2);
	}
}

Test(trace, cap_overflow_is_counted_as_dropped_not_sent)
{
	setup(10);
	for (int tid = 1; tid <= 20; tid++) {
		gtl_add_tid(&g, tid);
		ev(tid, 0, 1 * MS, GTL_WAKEUP);
		ev(tid, 0, 5 * MS, GTL_IN);
		ev(tid, 0, 9 * MS, GTL_OUT_SLEEP);
	}
	int n = gtl_flush(&g, T0 + 200 * MS);
	cr_assert_eq(n, 10);
	cr_assert_eq(ngot, 10);
	cr_assert_gt(g.dropped, 0);
	cr_assert_eq(g.sent, 10);
}

Test(trace, tid_table_rejects_bad_and_extra_tids)
{
	setup(0);
	cr_assert_eq(gtl_add_tid(&g, 0), -EINVAL);
	for (int i = 1; i <= GTL_MAX_TIDS; i++)
		cr_assert_eq(gtl_add_tid(&g, i * 7), 0);
	cr_assert_eq(gtl_add_tid(&g, 7), 0); /* already there */
	cr_assert_eq(gtl_add_tid(&g, 5), -ENOSPC);
	cr_assert_eq(gtl_tid_res(&g, 7 * GTL_MAX_TIDS), GTL_RES_NS);
	cr_assert_eq(gtl_tid_res(&g, 5), -1);
}

Test(trace, timeline_tsv_round_trips_through_the_run_directory)
{
	struct scenario s;
	char err[512], dir[256];
	cr_assert_eq(scn_parse("{\"name\":\"tl\",\"cgroups\":[{\"name\":\"a\",\"workers\":1}]}", "t.json", &s,
			       err, sizeof(err)), 0, "%s", err);
	struct run *r = run_new(&s);
	scn_free(&s);
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-trace");
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	cr_assert_not_null(run_ingest(r, "{\"t\":\"tl\",\"tid\":42,\"cpu\":1,\"start_ns\":1000,\"end_ns\":5000,"
				      "\"state\":\"run\"}"));
	cr_assert_not_null(run_ingest(r, "{\"t\":\"tl\",\"tid\":42,\"cpu\":0,\"start_ns\":5000,\"end_ns\":9000,"
				      "\"state\":\"wait\"}"));
	cr_assert_null(run_ingest(r, "{\"t\":\"tl\",\"tid\":42,\"cpu\":0,\"start_ns\":9,\"end_ns\":1,"
				  "\"state\":\"wait\"}"));
	run_ingest(r, "{\"t\":\"done\",\"ok\":true}");
	cr_assert_eq(report_write_dir(r, err, sizeof(err)), 0, "%s", err);
	char path[300];
	snprintf(path, sizeof(path), "%s/timeline.tsv", dir);
	FILE *f = fopen(path, "a"); /* a damaged line is skipped on load */
	cr_assert_not_null(f);
	fputs("42\t0\tx\t9\tr\n43\t1\t10\t20\tq\n", f);
	fclose(f);
	struct run *l;
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(l->nslices, 2);
	const struct run_slice *a = run_slice_at(l, 0), *b = run_slice_at(l, 1);
	cr_assert_eq(a->tid, 42);
	cr_assert_eq(a->cpu, 1);
	cr_assert_eq(a->start_ns, 1000);
	cr_assert_eq(a->end_ns, 5000);
	cr_assert_eq(a->state, 'r');
	cr_assert_eq(b->state, 'w');
	cr_assert_eq(b->cpu, 0);
	run_put(l);
	run_put(r);
	cr_assert_eq(fs_rm_rf(dir), 0);
}
