/* View models without a terminal: log folding (incremental == full, ring wrap, sections,
 * search), timeline rows and downsampling with gap marks, verifier stepping, the runs
 * history scan. Run models are built by hand with run_new and filled fields/rings. */
#include <criterion/criterion.h>
#include "views/model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "tests/unit/tenv.h"

/* The view models live in views/ and are linked only into build/ktstr; the unit binary
 * compiles them here until the Makefile links views/model_*.o into build/unit too. */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void push_fmt(struct ring *r, const char *fmt, int i)
{
	char b[64];
	snprintf(b, sizeof(b), fmt, i);
	ring_push(r, b);
}

static const char *row_text(struct logm *m, struct ring *r, size_t row)
{
	struct logm_row lr;
	cr_assert(logm_row(m, r, row, &lr), "row %zu exists (of %zu)", row, logm_rows(m));
	return lr.kind == LR_CYCLE_HEAD ? "<head>" : lr.text;
}

/* ---- logs ---- */

Test(views_log, plain_rows_are_the_ring_lines)
{
	struct ring *r = ring_new(100, 1 << 20);
	for (int i = 0; i < 10; i++)
		push_fmt(r, "line %d", i);
	struct logm m;
	logm_init(&m, LOGM_PLAIN, 8);
	logm_sync(&m, r);
	cr_assert_eq(logm_rows(&m), 10);
	cr_assert_str_eq(row_text(&m, r, 0), "line 0");
	cr_assert_str_eq(row_text(&m, r, 9), "line 9");
	struct logm_row lr;
	cr_assert_not(logm_row(&m, r, 10, &lr), "no row past the end");
	logm_done(&m);
	ring_free(r);
}

Test(views_log, repeated_block_is_one_fold_that_expands)
{
	struct ring *r = ring_new(100, 1 << 20);
	ring_push(r, "start");
	for (int i = 0; i < 5; i++) {
		ring_push(r, "tick");
		ring_push(r, "dispatch");
	}
	ring_push(r, "end");
	struct logm m;
	logm_init(&m, LOGM_CYCLES, 8);
	logm_sync(&m, r);
	/* start, header, tick, dispatch, end */
	cr_assert_eq(logm_rows(&m), 5, "collapsed rows: got %zu", logm_rows(&m));
	struct logm_row lr;
	cr_assert(logm_row(&m, r, 1, &lr));
	cr_assert_eq(lr.kind, LR_CYCLE_HEAD);
	cr_assert_eq(lr.len, 2);
	cr_assert_eq(lr.repeat, 5);
	cr_assert_str_eq(row_text(&m, r, 2), "tick");
	cr_assert_str_eq(row_text(&m, r, 4), "end");
	size_t row = 3;
	cr_assert(logm_toggle(&m, &row));
	cr_assert_eq(row, 1, "cursor moves to the fold's header");
	cr_assert_eq(logm_rows(&m), 1 + 1 + 10 + 1, "expanded rows: got %zu", logm_rows(&m));
	cr_assert_str_eq(row_text(&m, r, 11), "dispatch");
	row = 0;
	cr_assert_not(logm_toggle(&m, &row), "a plain line has no fold");
	logm_done(&m);
	ring_free(r);
}

/* Lines with repeats of several periods, fed in uneven chunks. */
static const char *pattern_line(int i)
{
	static const char *p[] = { "a", "b", "b", "b", "c", "d", "c", "d", "c", "d", "e", "f", "g",
				   "e", "f", "g", "h", "x", "x", "y" };
	return p[i % (int)(sizeof(p) / sizeof(p[0]))];
}

Test(views_log, incremental_sync_matches_a_full_collapse)
{
	struct ring *inc = ring_new(100000, 1 << 24), *full = ring_new(100000, 1 << 24);
	struct logm mi, mf;
	logm_init(&mi, LOGM_CYCLES, 8);
	logm_init(&mf, LOGM_CYCLES, 8);
	int n = 0;
	for (int chunk = 1; n < 3000; chunk = chunk * 7 % 23 + 1) {
		for (int k = 0; k < chunk; k++, n++) {
			ring_push(inc, pattern_line(n));
			ring_push(full, pattern_line(n));
		}
		logm_sync(&mi, inc);
	}
	logm_sync(&mf, full);
	cr_assert_eq(logm_rows(&mi), logm_rows(&mf), "rows: incremental %zu, full %zu", logm_rows(&mi),
		     logm_rows(&mf));
	for (size_t i = 0; i < logm_rows(&mf); i++) {
		struct logm_row a, b;
		logm_row(&mi, inc, i, &a);
		logm_row(&mf, full, i, &b);
		cr_assert(a.kind == b.kind && a.line == b.line && a.repeat == b.repeat,
			  "row %zu differs: incremental line %llu x%zu, full line %llu x%zu", i,
			  (unsigned long long)a.line, a.repeat, (unsigned long long)b.line, b.repeat);
	}
	logm_done(&mi);
	logm_done(&mf);
	ring_free(inc);
	ring_free(full);
}

Test(views_log, ring_wrap_drops_rows_from_the_top)
{
	struct ring *r = ring_new(100, 1 << 20);
	struct logm m;
	logm_init(&m, LOGM_CYCLES, 8);
	size_t lost = 0;
	for (int i = 0; i < 250; i++) {
		push_fmt(r, "unique %d", i);
		if (i % 10 == 9)
			lost += logm_sync(&m, r);
	}
	cr_assert_eq(logm_rows(&m), 100);
	cr_assert_str_eq(row_text(&m, r, 0), "unique 150");
	cr_assert_str_eq(row_text(&m, r, 99), "unique 249");
	cr_assert_eq(lost, 150, "rows reported dropped: %zu", lost);
	logm_done(&m);
	ring_free(r);
}

Test(views_log, search_is_case_insensitive_wraps_and_misses)
{
	struct ring *r = ring_new(100, 1 << 20);
	ring_push(r, "alpha");
	ring_push(r, "Needle one");
	ring_push(r, "beta");
	ring_push(r, "needle two");
	struct logm m;
	logm_init(&m, LOGM_PLAIN, 8);
	logm_sync(&m, r);
	cr_assert_eq(logm_search(&m, r, 0, "NEEDLE", 1), 1);
	cr_assert_eq(logm_search(&m, r, 1, "needle", 1), 3);
	cr_assert_eq(logm_search(&m, r, 3, "needle", 1), 1, "wraps to the top");
	cr_assert_eq(logm_search(&m, r, 1, "needle", -1), 3, "backwards wraps to the bottom");
	cr_assert_eq(logm_search(&m, r, 0, "absent", 1), -1);
	logm_done(&m);
	ring_free(r);
}

static const char *dump_lines[] = {
	"sched_ext dump: runnable task stall",
	"CPU 0   : nr_run=2 flags=0x1",
	"          curr=w[101] class=ext_sched_class",
	"  R w[101] +0ms",
	"      scx_state/flags=3/0x5",
	"      dsq_id=0x8000000000000001",
	"CPU 1   : nr_run=1 flags=0x1",
	"  R w[103] -4500ms",
	"      dsq_vtime=42",
};

Test(views_log, dump_sections_fold_by_cpu_and_task_headers)
{
	cr_assert(logm_is_section_head("CPU 3   : nr_run=0"));
	cr_assert(logm_is_section_head("  R kworker/0:1[12] +0ms"));
	cr_assert(logm_is_section_head(" *R w[7] -3ms"));
	cr_assert_not(logm_is_section_head("      scx_state/flags=3/0x5"));
	cr_assert_not(logm_is_section_head("CPUs online"));
	cr_assert_not(logm_is_section_head("  R no pid here"));
	struct ring *r = ring_new(100, 1 << 20);
	for (size_t i = 0; i < sizeof(dump_lines) / sizeof(dump_lines[0]); i++)
		ring_push(r, dump_lines[i]);
	struct logm m;
	logm_init(&m, LOGM_SECTIONS, 8);
	logm_sync(&m, r);
	/* title, CPU 0, R w[101], CPU 1, R w[103]: bodies folded */
	cr_assert_eq(logm_rows(&m), 5, "folded rows: %zu", logm_rows(&m));
	struct logm_row lr;
	logm_row(&m, r, 2, &lr);
	cr_assert_eq(lr.kind, LR_SECTION_HEAD);
	cr_assert_str_eq(lr.text, "  R w[101] +0ms");
	cr_assert_eq(lr.len, 3);
	/* A search inside a folded body opens that section only. */
	long row = logm_search(&m, r, 0, "dsq_vtime", 1);
	cr_assert_eq(row, 5, "match row %ld", row);
	cr_assert_str_eq(row_text(&m, r, (size_t)row), "      dsq_vtime=42");
	cr_assert_eq(logm_rows(&m), 6, "only that section opened");
	logm_set_all(&m, true);
	cr_assert_eq(logm_rows(&m), 9);
	/* Open sections stay open when the dump grows. */
	ring_push(r, "      more=1");
	logm_sync(&m, r);
	cr_assert_eq(logm_rows(&m), 10);
	logm_done(&m);
	ring_free(r);
}

Test(views_log, million_lines_sync_once_then_cheaply, .timeout = 60)
{
	struct ring *r = ring_new(1000000, (size_t)256 << 20);
	for (int i = 0; i < 1000000; i++)
		push_fmt(r, i % 50 < 20 ? "tick %d" : "steady state", i % 3);
	struct logm m;
	logm_init(&m, LOGM_CYCLES, 8);
	double t0 = now_ms();
	logm_sync(&m, r);
	double full = now_ms() - t0;
	size_t rows = logm_rows(&m);
	cr_assert(rows > 0 && rows < 1000000, "folded rows %zu", rows);
	t0 = now_ms();
	for (int i = 0; i < 100; i++)
		logm_sync(&m, r);  /* unchanged ring: nothing to do */
	double idle = now_ms() - t0;
	for (int i = 0; i < 100; i++)
		ring_push(r, "new line");
	t0 = now_ms();
	logm_sync(&m, r);
	double inc = now_ms() - t0;
	cr_assert_str_eq(row_text(&m, r, logm_rows(&m) - 1), "new line");
	cr_log_info("1M lines: full collapse %.1f ms, 100 idle syncs %.3f ms, +100 lines %.3f ms", full, idle, inc);
	cr_assert_lt(idle, 5.0, "idle syncs took %.3f ms", idle);
	cr_assert_lt(inc, full / 10 + 5.0, "incremental sync %.3f ms vs full %.1f ms", inc, full);
	logm_done(&m);
	ring_free(r);
}

/* ---- timeline ---- */

static struct run *two_cgroup_run(void)
{
	struct scenario s;
	scn_init_default(&s);
	s.ncgroups = 2;
	snprintf(s.cgroups[0].name, sizeof(s.cgroups[0].name), "zeta"); /* scenario order, not abc */
	snprintf(s.cgroups[1].name, sizeof(s.cgroups[1].name), "alpha");
	s.duration_ms = 8000;
	struct run *r = run_new(&s);
	cr_assert_not_null(r);
	int tids[] = { 103, 101, 104, 102 };
	const char *cgs[] = { "alpha", "zeta", "alpha", "zeta" };
	for (int i = 0; i < 4; i++) {
		struct run_worker *w = run_worker_by_tid(r, tids[i]);
		cr_assert_not_null(w);
		snprintf(w->cgroup, sizeof(w->cgroup), "%s", cgs[i]);
		snprintf(w->work, sizeof(w->work), "SpinWait");
		w->wall_ns = 8000ull * 1000000;
		w->cpu_ns = 4000ull * 1000000;
		w->max_gap_cpu = 1;
	}
	return r;
}

Test(views_timeline, rows_group_by_cgroup_in_scenario_order)
{
	struct run *r = two_cgroup_run();
	struct tl_row rows[16];
	int n = tl_rows(r, rows, 16);
	cr_assert_eq(n, 6);
	cr_assert(rows[0].cg_head);
	cr_assert_str_eq(rows[0].cgroup, "zeta");
	cr_assert_eq(rows[1].tid, 101);
	cr_assert_eq(rows[2].tid, 102);
	cr_assert(rows[3].cg_head);
	cr_assert_str_eq(rows[3].cgroup, "alpha");
	cr_assert_eq(rows[4].tid, 103);
	cr_assert_eq(rows[5].tid, 104);
	run_put(r);
}

Test(views_timeline, longest_gap_marked_at_its_position)
{
	struct run *r = two_cgroup_run();
	struct run_worker *w = run_worker_by_tid(r, 103);
	w->max_gap_ms = 4500;
	w->max_gap_at_ms = 3200;
	struct tl_row rows[16];
	int n = tl_rows(r, rows, 16);
	int64_t t0, t1;
	tl_extent(r, &t0, &t1);
	cr_assert_eq(t0, 0);
	cr_assert_eq(t1, 8000);
	struct tl_cell cells[6 * 80];
	tl_cells(r, rows, n, t0, t1, 80, cells);
	const struct tl_cell *c = &cells[4 * 80];  /* tid 103 */
	cr_assert_eq(c[31].st, TL_ALIVE, "col 31 (3100 ms) before the gap");
	cr_assert_eq(c[32].st, TL_GAP, "col 32 (3200 ms) starts the gap");
	cr_assert_eq(c[76].st, TL_GAP, "col 76 (7600-7700 ms) still in the gap");
	cr_assert_eq(c[77].st, TL_ALIVE, "col 77 (7700 ms) after the gap");
	cr_assert_eq(c[40].cpu, 1, "gap cell names its CPU");
	cr_assert_eq(cells[1 * 80 + 40].st, TL_ALIVE, "other workers have no gap");
	cr_assert_eq(cells[0].st, TL_NONE, "cgroup header rows stay empty");
	/* Zoomed in on 3000-3500 ms over 50 columns: the gap starts at column 20. */
	tl_cells(r, rows, n, 3000, 3500, 50, cells);
	cr_assert_eq(cells[4 * 50 + 19].st, TL_ALIVE);
	cr_assert_eq(cells[4 * 50 + 20].st, TL_GAP);
	run_put(r);
}

Test(views_timeline, slices_downsample_to_run_and_wait_with_cpu)
{
	struct run *r = two_cgroup_run();
	r->workload_start_ns = 1000000000;  /* slices are guest ns; timeline is ms since start */
	struct run_slice s1 = { 101, 2, 1000000000, 1000000000 + 1000000000LL, 'r' };
	struct run_slice s2 = { 101, 0, 2000000000, 3000000000LL, 'w' };
	struct run_slice s3 = { 999, 0, 1000000000, 2000000000LL, 'r' };  /* not a visible row */
	run_add_slice(r, &s1);
	run_add_slice(r, &s2);
	run_add_slice(r, &s3);
	struct tl_row rows[16];
	int n = tl_rows(r, rows, 16);
	struct tl_cell cells[6 * 80];
	tl_cells(r, rows, n, 0, 8000, 80, cells);
	const struct tl_cell *c = &cells[1 * 80];  /* tid 101 */
	cr_assert_eq(c[0].st, TL_RUN);
	cr_assert_eq(c[0].cpu, 2);
	cr_assert_eq(c[9].st, TL_RUN);
	cr_assert_eq(c[10].st, TL_WAIT);
	cr_assert_eq(c[19].st, TL_WAIT);
	cr_assert_eq(c[20].st, TL_NONE);
	cr_assert_eq(cells[2 * 80].st, TL_NONE, "tid 102 has no slices");
	cr_assert_eq(tl_col(7999, 0, 8000, 80), 79);
	run_put(r);
	/* The guest's form: ns since the workload started. */
	r = two_cgroup_run();
	r->workload_start_ns = 5000000000LL;
	struct run_slice rel = { 102, 3, 500000000, 1500000000, 'r' };
	run_add_slice(r, &rel);
	n = tl_rows(r, rows, 16);
	tl_cells(r, rows, n, 0, 8000, 80, cells);
	cr_assert_eq(cells[2 * 80 + 4].st, TL_NONE);
	cr_assert_eq(cells[2 * 80 + 5].st, TL_RUN, "relative slice at 500 ms lands in column 5");
	cr_assert_eq(cells[2 * 80 + 5].cpu, 3);
	cr_assert_eq(cells[2 * 80 + 15].st, TL_NONE);
	cr_assert_eq(tl_col(8000, 0, 8000, 80), -1);
	cr_assert_eq(tl_col(-1, 0, 8000, 80), -1);
	run_put(r);
}

Test(views_timeline, many_tids_and_slices_cost_one_pass, .timeout = 30)
{
	struct scenario s;
	scn_init_default(&s);
	struct run *r = run_new(&s);
	for (int i = 0; i < 256; i++) {
		struct run_worker *w = run_worker_by_tid(r, 1000 + i);
		snprintf(w->cgroup, sizeof(w->cgroup), "cg%d", i % 8);
		w->wall_ns = 600000ull * 1000000;
	}
	for (int i = 0; i < RUN_TL_SLICES; i++) {
		int64_t t = (int64_t)i * 3000000;  /* 200k slices over 600 s */
		struct run_slice sl = { 1000 + i % 256, i % 4, t, t + 2000000, i % 2 ? 'r' : 'w' };
		run_add_slice(r, &sl);
	}
	r->workload_start_ns = 0;
	struct tl_row rows[300];
	int n = tl_rows(r, rows, 300);
	cr_assert_eq(n, 256 + 8);
	static struct tl_cell cells[40 * 200];
	double t0 = now_ms();
	for (int f = 0; f < 10; f++)
		tl_cells(r, rows, 40, 0, 600000, 200, cells);
	double per = (now_ms() - t0) / 10;
	cr_log_info("timeline frame, 256 tids, 200k slices, 40 rows x 200 cols: %.2f ms", per);
	cr_assert_lt(per, 100.0, "a frame took %.2f ms", per);
	run_put(r);
}

/* ---- verifier ---- */

static struct ring *load_ring(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (run from the project root)", path);
	struct ring *r = ring_new(100000, 1 << 24);
	char line[4096];
	while (fgets(line, sizeof(line), f))
		ring_push(r, line);
	fclose(f);
	return r;
}

Test(views_verifier, seed_log_summary_and_rejection)
{
	struct ring *r = load_ring("tests/fixtures/verifier-seed.log");
	struct verm v;
	verm_init(&v);
	verm_sync(&v, r);
	cr_assert(v.sum.present);
	cr_assert_str_eq(v.sum.rejected, "R1 invalid mem access 'scalar'");
	long at = verm_rejected(&v);
	cr_assert_geq(at, 0);
	cr_assert(!strncmp(verm_line(&v, (size_t)at), "192: (63) *(u32 *)(r1 +0) = r2", 30), "rejected line: %s",
		  verm_line(&v, (size_t)at));
	/* Stepping skips comments and non-instruction lines. */
	long prev = verm_step(&v, at, -1);
	cr_assert(!strncmp(verm_line(&v, (size_t)prev), "191:", 4));
	long first = verm_step(&v, -1, 1);
	cr_assert(!strncmp(verm_line(&v, (size_t)first), "0: (18)", 7), "first insn: %s", verm_line(&v, (size_t)first));
	cr_assert_eq(verm_step(&v, at, 1), -1, "nothing after the rejected insn");
	cr_assert(verifier_is_insn("12: (bf) r1 = r7"));
	cr_assert_not(verifier_is_insn("0: R1=ctx() R10=fp0"));
	cr_assert_not(verifier_is_insn("; if (crash) @ main.bpf.c:423"));
	verm_done(&v);
	ring_free(r);
}

Test(views_verifier, loop_iterations_collapse_and_expand_in_place)
{
	struct ring *r = load_ring("tests/fixtures/verifier-loop.log");
	struct verm v;
	verm_init(&v);
	verm_sync(&v, r);
	size_t collapsed = verm_count(&v);
	cr_assert_lt(collapsed, ring_count(r), "collapsed %zu of %zu", collapsed, ring_count(r));
	long om = -1;
	for (size_t i = 0; i < collapsed && om < 0; i++)
		if (verm_is_omitted(verm_line(&v, i)))
			om = (long)i;
	cr_assert_geq(om, 0, "an omitted-iterations marker exists");
	long rej = verm_rejected(&v);
	const char *rej_text = verm_line(&v, (size_t)rej);
	char want[64];
	snprintf(want, sizeof(want), "%.20s", rej_text);
	long at = verm_toggle(&v, rej);
	cr_assert(v.expanded);
	cr_assert_eq(verm_count(&v), ring_count(r));
	cr_assert(!strncmp(verm_line(&v, (size_t)at), want, strlen(want)), "stays on %s, got %s", want,
		  verm_line(&v, (size_t)at));
	cr_assert_eq(at, verm_rejected(&v), "still the rejected instruction");
	verm_toggle(&v, at);
	cr_assert_not(v.expanded);
	/* The same ring again: nothing rebuilt (pointers stay). */
	const char *p = verm_line(&v, 0);
	verm_sync(&v, r);
	cr_assert_eq(p, verm_line(&v, 0));
	verm_done(&v);
	ring_free(r);
}

Test(views_verifier, empty_log_has_no_rejection)
{
	struct ring *r = ring_new(10, 1024);
	struct verm v;
	verm_init(&v);
	verm_sync(&v, r);
	cr_assert_eq(verm_count(&v), 0);
	cr_assert_eq(verm_rejected(&v), -1);
	cr_assert_eq(verm_step(&v, -1, 1), -1);
	verm_done(&v);
	ring_free(r);
}

/* ---- runs and spread ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(views_runs, scan_lists_runs_newest_first_and_marks_damaged)
{
	char root[256], p[512];
	tenv_mkdtemp(root, sizeof(root), "ktstr-views");
	snprintf(p, sizeof(p), "%s/old", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/old/result.json", root);
	write_file(p, "{\"result\":\"pass\",\"id\":\"old-run\",\"started_unix\":100,"
		   "\"scenario\":{\"topology\":\"1n1l2c1t\",\"scheduler\":\"eevdf\"},"
		   "\"kernel\":{\"version\":\"7.2\"},\"guest\":{\"elapsed_ms\":3000},"
		   "\"checks\":[{\"name\":\"max_gap_ms\",\"ok\":true}]}");
	snprintf(p, sizeof(p), "%s/new", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/new/result.json", root);
	write_file(p, "{\"result\":\"fail\",\"id\":\"new-run\",\"started_unix\":200,"
		   "\"scenario\":{\"topology\":\"2n2l1c1t\",\"scheduler\":\"/x/scx_foo\"},"
		   "\"scheduler\":{\"label\":\"scx_foo\"},"
		   "\"checks\":[{\"name\":\"a\",\"ok\":false},{\"name\":\"b\",\"ok\":false}]}");
	snprintf(p, sizeof(p), "%s/broken", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/broken/result.json", root);
	write_file(p, "{ not json");
	snprintf(p, sizeof(p), "%s/running", root);  /* no result.json: still going or killed */
	mkdir(p, 0755);
	struct runs_entry *e;
	int n;
	char err[256];
	cr_assert_eq(runs_scan(root, &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 3, "entries: %d", n);
	int inew = -1, iold = -1, ibroken = -1;
	for (int i = 0; i < n; i++) {
		if (!strcmp(e[i].id, "new-run"))
			inew = i;
		else if (!strcmp(e[i].id, "old-run"))
			iold = i;
		else if (!strcmp(e[i].id, "broken"))
			ibroken = i;
	}
	cr_assert(inew >= 0 && iold >= 0 && ibroken >= 0);
	cr_assert_lt(inew, iold, "newest first");
	cr_assert_str_eq(e[inew].result, "fail");
	cr_assert_str_eq(e[inew].sched, "scx_foo");
	cr_assert_eq(e[inew].nfailed, 2);
	cr_assert_eq(e[iold].duration_ms, 3000);
	cr_assert_str_eq(e[iold].kernel, "7.2");
	cr_assert_str_eq(e[ibroken].result, "?");
	free(e);
	snprintf(p, sizeof(p), "%s/no/runs", root);
	cr_assert_eq(runs_scan(p, &e, &n, err, sizeof(err)), 0, "a missing root is empty");
	cr_assert_eq(n, 0);
	cr_assert_eq(fs_rm_rf(root), 0);
}

Test(views_runs, runs_root_follows_ktstr_runs_dir)
{
	char buf[4096], err[256];
	setenv("KTSTR_RUNS_DIR", "/x/some-runs", 1);
	cr_assert_eq(runs_root(buf, sizeof(buf), err, sizeof(err)), 0);
	cr_assert_str_eq(buf, "/x/some-runs");
	unsetenv("KTSTR_RUNS_DIR");
	setenv("KTSTR_CACHE_DIR", "/x/some-cache", 1);
	cr_assert_eq(runs_root(buf, sizeof(buf), err, sizeof(err)), 0);
	cr_assert_str_eq(buf, "/x/some-cache/runs");
	unsetenv("KTSTR_CACHE_DIR");
}
