/* The monitor's checks on series built here: each check fires on a series made to break
 * it, with the reference's wording, and stays quiet one sample short of sustained; the
 * first 20 samples are ignored; implausible data; EEVDF; monitor.tsv round trip. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/monitor/eval.h"
#include "engine/monitor/tsv.h"
#include "tests/unit/tenv.h"

#define NCPU 2

/* n samples 100 ms apart of 2 calm CPUs: 2 tasks each, clocks moving, empty DSQs. */
static struct mon_series *calm(int n)
{
	struct mon_series *s = mon_series_new(NCPU);
	s->have_ev = true;
	for (int i = 0; i < n; i++) {
		struct mon_cpu c[NCPU] = {
			{ 2, 2, 0, 0, 1000000ull * (uint64_t)i + 7 },
			{ 2, 2, 0, 0, 1000000ull * (uint64_t)i + 9 },
		};
		int64_t ev[MON_NEV] = { 0 };
		ev[MON_EV_SELECT_CPU_FALLBACK] = i;     /* 10/s */
		ev[MON_EV_DISPATCH_KEEP_LAST] = 2 * i;  /* 20/s */
		mon_series_push(s, 3000 + 100 * i, c, ev, NULL);
	}
	return s;
}

static struct mon_cpu *cpu(struct mon_series *s, size_t i)
{
	return (struct mon_cpu *)mon_cpu_at(s, i);
}

static int64_t *ev(struct mon_series *s, size_t i)
{
	return (int64_t *)mon_ev_at(s, i);
}

static struct mon_summary eval(const struct mon_series *s, bool eevdf)
{
	struct mon_thresholds t;
	struct mon_summary o;
	mon_thresholds_default(&t);
	mon_eval(s, &t, eevdf, &o);
	return o;
}

Test(monitor_eval, calm_series_is_ok_with_its_figures)
{
	struct mon_series *s = calm(60);
	struct mon_summary o = eval(s, false);
	cr_expect_str_eq(o.verdict, "monitor OK");
	cr_expect(o.evaluated && !o.failed && o.nviol == 0);
	cr_expect_eq(o.samples, 60);
	cr_expect_float_eq(o.max_imbalance, 1.0, 1e-9);
	cr_expect_float_eq(o.avg_nr_running, 2.0, 1e-9);
	cr_expect_eq(o.ev_total[MON_EV_SELECT_CPU_FALLBACK], 59);
	cr_expect_float_eq(o.ev_rate[MON_EV_DISPATCH_KEEP_LAST], 20.0, 1e-6);
	mon_series_free(s);
}

Test(monitor_eval, imbalance_sustained_fires_once_with_the_reference_wording)
{
	struct mon_series *s = calm(60);
	for (int i = 30; i < 36; i++)  /* 6 samples: 9 vs 1 */
		cpu(s, i)[0].nr_running = 9, cpu(s, i)[1].nr_running = 1;
	struct mon_summary o = eval(s, false);
	cr_expect_eq(o.nviol, 1);
	cr_expect_str_eq(o.viol[0], "imbalance ratio 9.0 exceeded threshold 4.0 for 6 consecutive "
			 "samples (ending at sample 35)");
	cr_expect(o.failed);
	cr_expect_str_eq(o.verdict, "monitor FAILED: 1 violation(s): imbalance ratio 9.0 exceeded "
			 "threshold 4.0 for 6 consecutive samples (ending at sample 35)");
	mon_series_free(s);
}

Test(monitor_eval, four_samples_are_not_sustained)
{
	struct mon_series *s = calm(60);
	for (int i = 30; i < 34; i++)
		cpu(s, i)[1].dsq_depth = 80;
	cr_expect_str_eq(eval(s, false).verdict, "monitor OK");
	cpu(s, 34)[1].dsq_depth = 80;
	struct mon_summary o = eval(s, false);
	cr_expect_str_eq(o.viol[0], "local DSQ depth 80 on cpu1 exceeded threshold 50 for 5 "
			 "consecutive samples (ending at sample 34)");
	cr_expect_eq(o.max_dsq_depth, 80);
	cr_expect_eq(o.max_dsq_cpu, 1);
	mon_series_free(s);
}

Test(monitor_eval, rq_clock_stall_names_the_cpu_and_its_clock)
{
	struct mon_series *s = calm(60);
	for (int i = 40; i < 50; i++)
		cpu(s, i)[1].clock = 777;
	struct mon_summary o = eval(s, false);
	cr_expect_eq(o.nviol, 1);
	cr_expect_str_eq(o.viol[0], "rq_clock stall on cpu1 for 9 consecutive samples (ending at "
			 "sample 49, clock=777)");
	cr_expect_eq(o.stuck, 1);
	cr_expect_eq(o.stuck_cpus.w[0], 2u);
	cr_expect(cpumask_weight(&o.stuck_cpus) == 1);
	mon_series_free(s);
}

Test(monitor_eval, an_idle_cpu_with_a_still_clock_is_not_stuck)
{
	struct mon_series *s = calm(60);
	for (int i = 40; i < 50; i++)
		cpu(s, i)[1].clock = 777, cpu(s, i)[1].nr_running = 0;
	cr_expect_str_eq(eval(s, false).verdict, "monitor OK");
	mon_series_free(s);
}

Test(monitor_eval, fallback_and_keep_last_rates)
{
	struct mon_series *s = calm(60);
	for (int i = 25; i < 60; i++) {
		ev(s, i)[MON_EV_SELECT_CPU_FALLBACK] += 30 * (i - 24);  /* +30 per 100 ms: 310/s */
		ev(s, i)[MON_EV_DISPATCH_KEEP_LAST] += 20 * (i - 24);   /* 220/s */
	}
	struct mon_summary o = eval(s, false);
	cr_expect_eq(o.nviol, 2);
	cr_expect_str_eq(o.viol[0], "fallback rate 310.0/s exceeded threshold 200.0/s for 35 "
			 "consecutive intervals (ending at sample 59)");
	cr_expect_str_eq(o.viol[1], "keep_last rate 220.0/s exceeded threshold 100.0/s for 35 "
			 "consecutive intervals (ending at sample 59)");
	mon_series_free(s);
}

Test(monitor_eval, a_counter_that_restarts_is_no_negative_rate)
{
	struct mon_series *s = calm(60);
	for (int i = 50; i < 60; i++)
		ev(s, i)[MON_EV_SELECT_CPU_FALLBACK] = 0; /* the scheduler went away */
	struct mon_summary o = eval(s, false);
	cr_expect_str_eq(o.verdict, "monitor OK");
	cr_expect_eq(o.ev_total[MON_EV_SELECT_CPU_FALLBACK], 49);
	mon_series_free(s);
}

Test(monitor_eval, the_first_20_samples_are_not_evaluated)
{
	struct mon_series *s = calm(60);
	for (int i = 0; i < 20; i++)
		cpu(s, i)[0].nr_running = 40;
	cr_expect_str_eq(eval(s, false).verdict, "monitor OK");
	mon_series_free(s);
}

Test(monitor_eval, implausible_and_empty)
{
	struct mon_series *s = calm(40);
	for (int i = 0; i < 40; i++)
		cpu(s, i)[1].clock = cpu(s, i)[0].clock; /* every clock equal */
	struct mon_summary o = eval(s, false);
	cr_expect_str_eq(o.verdict, "monitor data not yet initialized");
	cr_expect(o.implausible && !o.failed);
	cpu(s, 30)[1].clock = 5;
	cpu(s, 30)[0].dsq_depth = 20000; /* over 10000: still implausible */
	cr_expect_str_eq(eval(s, false).verdict, "monitor data not yet initialized");
	mon_series_free(s);
	struct mon_summary none = eval(NULL, false);
	cr_expect_str_eq(none.verdict, "no monitor samples");
}

Test(monitor_eval, eevdf_is_summarised_not_judged)
{
	struct mon_series *s = calm(60);
	for (int i = 30; i < 40; i++)
		cpu(s, i)[0].nr_running = 30;
	struct mon_summary o = eval(s, true);
	cr_expect(!o.evaluated && !o.failed && o.nviol == 0);
	cr_expect_str_eq(o.verdict, "not evaluated (EEVDF)");
	cr_expect_float_eq(o.max_imbalance, 15.0, 1e-9);
	mon_series_free(s);
}

Test(monitor_eval, not_enforced_reports_without_failing)
{
	struct mon_series *s = calm(60);
	for (int i = 30; i < 40; i++)
		cpu(s, i)[0].nr_running = 30;
	struct mon_thresholds t;
	struct mon_summary o;
	mon_thresholds_default(&t);
	t.enforce = false;
	mon_eval(s, &t, false, &o);
	cr_expect(o.nviol == 1 && !o.failed);
	mon_series_free(s);
}

Test(monitor_eval, the_ring_keeps_the_newest_samples)
{
	struct mon_series *s = mon_series_new(1);
	struct mon_cpu c = { 1, 1, 0, 0, 0 };
	for (int i = 0; i < MON_MAX_SAMPLES + 10; i++) {
		c.clock = (uint64_t)i;
		cr_assert_eq(mon_series_push(s, i, &c, NULL, NULL), 0);
	}
	cr_expect_eq(mon_series_len(s), MON_MAX_SAMPLES);
	cr_expect_eq(mon_t(s, 0), 10);
	cr_expect_eq(mon_cpu_at(s, MON_MAX_SAMPLES - 1)->clock, MON_MAX_SAMPLES + 9);
	mon_series_free(s);
}

Test(monitor_tsv, round_trip_and_a_damaged_file)
{
	struct mon_series *s = calm(25);
	s->nglob = 1;
	snprintf(s->glob_name[0], sizeof(s->glob_name[0]), "nr_dispatched");
	snprintf(s->status, sizeof(s->status), "monitor: example");
	cpu(s, 3)[1].clock = 18446744073709551000ull;
	size_t len;
	char *text = mon_tsv_text(s, &len);
	char dir[256], path[300];
	tenv_mkdtemp(dir, sizeof(dir), "montsv");
	snprintf(path, sizeof(path), "%s/monitor.tsv", dir);
	FILE *f = fopen(path, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	struct mon_series *b;
	char err[512];
	cr_assert_eq(mon_tsv_load(path, &b, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(mon_series_len(b), 25);
	cr_expect(b->have_ev);
	cr_expect_str_eq(b->status, "monitor: example");
	cr_expect_str_eq(b->glob_name[0], "nr_dispatched");
	cr_expect_eq(mon_cpu_at(b, 3)[1].clock, 18446744073709551000ull);
	cr_expect_eq(mon_ev_at(b, 24)[MON_EV_DISPATCH_KEEP_LAST], 48);
	cr_expect_eq(mon_t(b, 24), 3000 + 2400);
	mon_series_free(b);
	/* A cut row: the file and line named, the fix said. */
	f = fopen(path, "w");
	fwrite(text, 1, len - 7, f);
	fputs("x\n", f);
	fclose(f);
	cr_expect_eq(mon_tsv_load(path, &b, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "monitor.tsv:28: malformed sample row") && strstr(err, "remove"), "%s", err);
	snprintf(path, sizeof(path), "%s/none.tsv", dir);
	cr_expect_eq(mon_tsv_load(path, &b, err, sizeof(err)), -ENOENT);
	free(text);
	mon_series_free(s);
}

Test(monitor_eval, a_run_no_longer_than_the_settle_samples_has_nothing_judged)
{
	struct mon_series *s = calm(MON_SKIP_SAMPLES);
	for (int i = 0; i < MON_SKIP_SAMPLES; i++)
		cpu(s, i)[0].nr_running = 40;
	struct mon_summary o = eval(s, false);
	cr_expect_str_eq(o.verdict, "no monitor samples");
	cr_expect(!o.failed && o.nviol == 0);
	cr_expect_eq(o.samples, MON_SKIP_SAMPLES);
	mon_series_free(s);
}

Test(monitor_eval, an_implausible_sample_breaks_a_streak)
{
	struct mon_series *s = calm(60);
	for (int i = 30; i < 38; i++)
		cpu(s, i)[0].dsq_depth = 70;
	cpu(s, 33)[1].dsq_depth = 50000;  /* 30-32 and 34-37: 3 and 4 samples, neither 5 */
	struct mon_summary o = eval(s, false);
	cr_expect_str_eq(o.verdict, "monitor OK");
	cr_expect(o.implausible);
	cr_expect_eq(o.max_dsq_depth, 70, "the implausible depth is not a maximum");
	mon_series_free(s);
}

/* Writes text to dir/name and loads it; returns the loader's code, err its message. */
static int load_text(const char *dir, const char *text, struct mon_series **out, char *err,
		     size_t errlen)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/monitor.tsv", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return mon_tsv_load(path, out, err, errlen);
}

Test(monitor_tsv, strict_about_what_it_reads)
{
	char dir[256], err[512];
	struct mon_series *b;
	tenv_mkdtemp(dir, sizeof(dir), "montsv");
	const char *hdr = "# ktstr monitor v1 ncpus=1 interval_ms=100\n# status: \n"
			  "t_ms\tcpu0.nr_running\tcpu0.scx_nr_running\tcpu0.dsq_depth\tcpu0.clock\tcpu0.flags\n";
	static const struct { const char *rows, *what; int line; } bad[] = {
		{ "100\t-1\t0\t0\t5\t0\n", "malformed sample row", 4 },           /* negative count */
		{ "100\t4294967296\t0\t0\t5\t0\n", "malformed sample row", 4 },   /* over u32 */
		{ "100\t1\t1\t0\t5\n", "malformed sample row", 4 },               /* a column short */
		{ "100\t1\t1\t0\t5\t0\t9\n", "malformed sample row", 4 },         /* one too many */
		{ "100\t1\t1\t0\t5\t0\nt_ms\tcpu0.nr_running\n", "malformed sample row", 5 },
	};
	char text[1024];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", hdr, bad[i].rows);
		cr_expect_eq(load_text(dir, text, &b, err, sizeof(err)), -EINVAL, "accepted %s", bad[i].rows);
		char want[128];
		snprintf(want, sizeof(want), "monitor.tsv:%d: %s;", bad[i].line, bad[i].what);
		cr_expect(strstr(err, want), "for %s: %s", bad[i].rows, err);
	}
	cr_expect_eq(load_text(dir, "# ktstr monitor v1 ncpus=2 interval_ms=100\n"
				    "100\t1\t1\t0\t5\t0\n", &b, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "monitor.tsv:2: header row does not match"), "%s", err);
	cr_expect_eq(load_text(dir, "# ktstr monitor v1 ncpus=1 interval_ms=100\n", &b, err,
			       sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "monitor.tsv:1: no header row"), "%s", err);
	cr_expect_eq(load_text(dir, "", &b, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "monitor.tsv:0: empty file"), "%s", err);
	cr_expect_eq(load_text(dir, "time\tvalue\n", &b, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "monitor.tsv:1: not a ktstr monitor.tsv (first line)"), "%s", err);
	/* The last row may lack its newline; a header with no rows is an empty series. */
	snprintf(text, sizeof(text), "%s100\t1\t1\t0\t5\t0", hdr);
	cr_assert_eq(load_text(dir, text, &b, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(mon_series_len(b), 1);
	cr_expect(!b->have_ev);
	mon_series_free(b);
	cr_assert_eq(load_text(dir, hdr, &b, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(mon_series_len(b), 0);
	mon_series_free(b);
}

Test(monitor_tsv, a_global_name_from_the_guest_cannot_shift_the_columns)
{
	struct mon_series *s = calm(3);
	s->nglob = 2;
	snprintf(s->glob_name[0], sizeof(s->glob_name[0]), "bss.a\tb\nc");
	snprintf(s->glob_name[1], sizeof(s->glob_name[1]), "bss.d");
	snprintf(s->status, sizeof(s->status), "two\nlines");
	int64_t g[MON_MAX_GLOBALS] = { 11, 22 };
	mon_series_push(s, 9000, mon_cpu_at(s, 2), mon_ev_at(s, 2), g);
	size_t len;
	char *text = mon_tsv_text(s, &len);
	char dir[256], path[300], err[512];
	tenv_mkdtemp(dir, sizeof(dir), "montsv");
	snprintf(path, sizeof(path), "%s/monitor.tsv", dir);
	FILE *f = fopen(path, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	struct mon_series *b;
	cr_assert_eq(mon_tsv_load(path, &b, err, sizeof(err)), 0, "%s\n%s", err, text);
	cr_expect_eq(b->nglob, 2);
	cr_expect_str_eq(b->glob_name[0], "bss.a b c");
	cr_expect_str_eq(b->status, "two lines");
	cr_expect_eq(mon_glob_at(b, 3)[1], 22);
	free(text);
	mon_series_free(b);
	mon_series_free(s);
}
