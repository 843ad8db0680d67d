/* The monitor in a run's outputs: the "monitor" check and the reference's header when it
 * is the only failure, the `--- monitor ---` section word for word and in its place, the
 * pass line, result.json's "monitor" object, and a run directory (monitor.tsv plus that
 * object) loaded back into the same model. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/checks.h"
#include "engine/fsutil.h"
#include "engine/monitor/eval.h"
#include "engine/monitor/mreport.h"
#include "engine/report.h"
#include "tests/unit/tenv.h"

static struct run *r;
static char dir[256];

static struct run *new_run(const char *sched)
{
	struct scenario s;
	char err[512], text[512];
	snprintf(text, sizeof(text), "{\"name\":\"two\",\"topology\":\"1n1l2c1t\",\"scheduler\":\"%s\","
		 "\"cgroups\":[{\"name\":\"cg0\",\"workers\":2}]}", sched);
	cr_assert_eq(scn_parse(text, "t.json", &s, err, sizeof(err)), 0, "%s", err);
	struct run *x = run_new(&s);
	scn_free(&s);
	snprintf(x->dir, sizeof(x->dir), "%s", dir);
	snprintf(x->accel, sizeof(x->accel), "tcg");
	return x;
}

static void setup(void)
{
	unsetenv("KTSTR_DIAGNOSTICS");
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-monrep");
	r = new_run("scx_demo");
}

static void teardown(void)
{
	run_put(r);
	cr_assert_eq(fs_rm_rf(dir), 0);
}

TestSuite(monitor_report, .init = setup, .fini = teardown);

static void feed(struct run *x, const char *line)
{
	cr_assert_not_null(run_ingest(x, line), "rejected: %s", line);
}

/* A run whose scenario passes: booted, attached, two workers that made progress. */
static void passing_scenario(struct run *x, double gap_ms)
{
	char l[512];
	feed(x, "{\"t\":\"hello\",\"proto\":1,\"kernel\":\"7.2.13-cloud-amd64\",\"kernel_boot_ms\":1400}");
	x->elapsed_ms = 2300;
	feed(x, "{\"t\":\"sys_rdy\"}");
	feed(x, "{\"t\":\"topo\",\"cpus\":2,\"llcs\":[[0,1]],\"nodes\":[[0,1]]}");
	feed(x, "{\"t\":\"sched\",\"event\":\"attached\",\"ops\":\"demo\"}");
	feed(x, "{\"t\":\"stage\",\"ts_ns\":1000000000,\"stage\":\"running\"}");
	feed(x, "{\"t\":\"log\",\"src\":\"sched\",\"line\":\"sched says hi\"}");
	feed(x, "{\"t\":\"dump\",\"line\":\"sched_ext_dump: a line\"}");
	snprintf(l, sizeof(l), "{\"t\":\"worker\",\"tid\":101,\"cgroup\":\"cg0\",\"work\":\"SpinWait\","
		 "\"cpu_ns\":920000000,\"wall_ns\":1000000000,\"iters\":500,\"max_gap_ms\":%g,"
		 "\"max_gap_cpu\":1,\"max_gap_at_ms\":700,\"cpus\":[0,1],\"migrations\":3}", gap_ms);
	feed(x, l);
	feed(x, "{\"t\":\"worker\",\"tid\":102,\"cgroup\":\"cg0\",\"work\":\"SpinWait\",\"cpu_ns\":900000000,"
	     "\"wall_ns\":1000000000,\"iters\":480,\"max_gap_ms\":30,\"max_gap_cpu\":0,\"max_gap_at_ms\":100,"
	     "\"cpus\":[0],\"migrations\":0}");
	feed(x, "{\"t\":\"done\",\"ok\":true,\"steps_done\":1,\"steps\":1,\"elapsed_ms\":3000}");
}

/* 60 samples 100 ms apart of 2 CPUs with 2 tasks each; cpu1's clock stops for samples
 * 40-49 (9 samples without progress), cpu0's DSQ holds 3 once; a few other events. */
static struct mon_series *stalled_series(void)
{
	struct mon_series *s = mon_series_new(2);
	s->have_ev = true;
	s->nglob = 1;
	snprintf(s->glob_name[0], sizeof(s->glob_name[0]), "bss.nr_dispatched");
	for (int i = 0; i < 60; i++) {
		struct mon_cpu c[2] = {
			{ 2, 2, i == 25 ? 3 : 0, 1, 1000000ull * (uint64_t)i + 7 },
			{ 2, 2, 0, 0, i >= 40 && i < 50 ? 777 : 1000000ull * (uint64_t)i + 9 },
		};
		int64_t ev[MON_NEV] = { 0 }, g[MON_MAX_GLOBALS] = { 10 * i };
		ev[MON_EV_SELECT_CPU_FALLBACK] = i;
		ev[MON_EV_DISPATCH_KEEP_LAST] = 2 * i;
		ev[MON_EV_REENQ_IMMED] = i == 59 ? 7 : 0;
		ev[MON_EV_BYPASS_DISPATCH] = i >= 58 ? 3 : 0;
		cr_assert_eq(mon_series_push(s, 3000 + 100 * i, c, ev, g), 0);
	}
	snprintf(s->status, sizeof(s->status), "monitor: example status");
	s->sampler_cpu_ns = 12000000;
	s->guest_silence_max_ms = 2500;
	s->tree[0] = (struct mon_tree_line){ 0, "bss", "" };
	s->tree[1] = (struct mon_tree_line){ 1, "nr_dispatched", "590" };
	s->ntree = 2;
	return s;
}

/* Not inlined: gcc then takes the memstream's buffer for the local that held its address
 * (-Wdangling-pointer). */
__attribute__((noinline)) static char *capture_text(struct run *x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_text(x, f);
	fclose(f);
	return buf;
}

__attribute__((noinline)) static char *capture_section(const struct run *x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	mon_report_section(x, f);
	fclose(f);
	return buf;
}

static const struct run_check *monitor_check(const struct run *x)
{
	for (int i = 0; i < x->nchecks; i++)
		if (!strcmp(x->checks[i].name, "monitor"))
			return &x->checks[i];
	return NULL;
}

/* Where needle starts in t, -1 when it is not there. */
static long at(const char *t, const char *needle)
{
	const char *p = strstr(t, needle);
	return p ? (long)(p - t) : -1;
}

static const char *stall_line = "rq_clock stall on cpu1 for 9 consecutive samples (ending at "
				"sample 49, clock=777)";

Test(monitor_report, only_the_monitor_failing_gives_the_reference_header_and_section)
{
	passing_scenario(r, 40);
	r->mon = stalled_series();
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_FAIL);
	cr_assert_eq(r->exit_code, 1);
	const struct run_check *c = monitor_check(r);
	cr_assert_not_null(c, "no monitor check");
	cr_expect_not(c->ok);
	char want[512];
	snprintf(want, sizeof(want), "monitor FAILED: 1 violation(s): %s", stall_line);
	cr_expect_str_eq(c->message, want);

	char *t = capture_text(r);
	cr_expect(strstr(t, "ktstr: 'two' [sched=scx_demo] [topo=1n1l2c1t] passed scenario but "
			 "monitor failed:\n  monitor FAILED: 1 violation(s): rq_clock stall on cpu1"),
		  "%s", t);
	long sl = at(t, "--- scheduler log ---\n"), m = at(t, "--- monitor ---\n"),
	     d = at(t, "--- sched_ext dump ---\n");
	cr_assert(sl >= 0 && sl < m && m < d, "section order:\n%s", t);
	free(t);

	char *sec = capture_section(r);
	snprintf(want, sizeof(want),
		 "status: monitor: example status\n"
		 "samples=60 max_imbalance=1.00 max_dsq_depth=3 stuck=1\n"
		 "avg: imbalance=1.00 nr_running/cpu=2.0 dsq/cpu=0.0\n"
		 "events: fallback=59 (10.0/s) keep_last=118 (20.0/s) offline=0\n"
		 "events+: reenq_immed=7 bypass_dispatch=3\n"
		 "stuck cpus: cpu1\n"
		 "sampler: 12.0 ms of host CPU over 5.9 s (0.203%% of one core); the guest was "
		 "silent for up to 2.5 s while it sampled\n"
		 "verdict: monitor FAILED: 1 violation(s): %s\n", stall_line);
	cr_expect_str_eq(sec, want);
	free(sec);
}

Test(monitor_report, another_failure_keeps_the_plain_header)
{
	passing_scenario(r, 9000);  /* over the gap threshold too */
	r->mon = stalled_series();
	checks_finalize(r);
	char *t = capture_text(r);
	cr_expect(strstr(t, "ktstr: 'two' [sched=scx_demo] [topo=1n1l2c1t] failed:\n"), "%s", t);
	cr_expect_null(strstr(t, "passed scenario"), "%s", t);
	cr_expect(strstr(t, stall_line), "%s", t);
	free(t);
}

Test(monitor_report, not_enforced_passes_and_says_so_on_the_pass_line)
{
	passing_scenario(r, 40);
	r->mon = stalled_series();
	r->scn.monitor.enforce = false;
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_PASS);
	const struct run_check *c = monitor_check(r);
	cr_assert_not_null(c);
	cr_expect(c->ok, "reported, not failed");
	cr_expect(!strncmp(c->message, "monitor FAILED: 1 violation(s): ", 32), "%s", c->message);
	char *t = capture_text(r), want[512];
	snprintf(want, sizeof(want), "  monitor: monitor FAILED: 1 violation(s): %s (60 samples, max "
		 "imbalance 1.00, max local DSQ depth 3)\n", stall_line);
	cr_expect(strstr(t, want), "%s", t);
	cr_expect_null(strstr(t, "--- monitor ---"), "%s", t);
	free(t);
}

Test(monitor_report, eevdf_is_not_judged)
{
	run_put(r);
	r = new_run("eevdf");
	passing_scenario(r, 40);
	r->mon = stalled_series();
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_PASS);
	cr_expect_str_eq(r->monsum.verdict, "not evaluated (EEVDF)");
	cr_expect_not(r->monsum.evaluated);
	cr_expect(monitor_check(r) && monitor_check(r)->ok);
}

Test(monitor_report, a_calm_run_has_a_passing_monitor_check_and_no_run_without_a_sampler)
{
	passing_scenario(r, 40);
	checks_finalize(r);
	cr_expect_null(monitor_check(r), "no sampler, no monitor check");
	r->mon = stalled_series();
	for (int i = 40; i < 50; i++)  /* the clock moves again */
		((struct mon_cpu *)mon_cpu_at(r->mon, (size_t)i))[1].clock = 1000000ull * (uint64_t)i + 9;
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_PASS);
	const struct run_check *c = monitor_check(r);
	cr_assert_not_null(c);
	cr_expect(c->ok);
	cr_expect_str_eq(c->message, "monitor OK");
	int n = 0;
	for (int i = 0; i < r->nchecks; i++)
		n += !strcmp(r->checks[i].name, "monitor");
	cr_expect_eq(n, 1, "finalizing again replaces the check");
}

Test(monitor_report, a_run_without_samples_says_why)
{
	r->mon = mon_series_new(2);
	snprintf(r->mon->status, sizeof(r->mon->status),
		 "monitor: no scx event stats layout in this kernel's BTF");
	mon_eval(r->mon, &r->scn.monitor, false, &r->monsum);
	char *sec = capture_section(r);
	cr_expect_str_eq(sec, "no monitor samples: monitor: no scx event stats layout in this "
			 "kernel's BTF\n");
	free(sec);
	json_t *o = mon_report_json(r);
	cr_expect_eq(json_integer_value(json_object_get(o, "samples")), 0);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(o, "summary"), "verdict")),
			 "no monitor samples");
	json_decref(o);
	run_put(r);
	r = new_run("scx_demo");
	o = mon_report_json(r);
	cr_expect(json_is_null(o), "no series: monitor is null");
	json_decref(o);
}

static json_t *get(json_t *o, const char *path)
{
	char buf[256], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(k)) : json_object_get(o, k);
	cr_assert_not_null(o, "no %s", path);
	return o;
}

Test(monitor_report, the_json_object)
{
	passing_scenario(r, 40);
	r->mon = stalled_series();
	checks_finalize(r);
	json_t *o = mon_report_json(r);
	cr_expect_str_eq(json_string_value(get(o, "status")), "monitor: example status");
	cr_expect_eq(json_integer_value(get(o, "interval_ms")), 100);
	cr_expect_eq(json_integer_value(get(o, "ncpus")), 2);
	cr_expect_eq(json_integer_value(get(o, "samples")), 60);
	cr_expect_float_eq(json_real_value(get(o, "thresholds.max_imbalance_ratio")), 4.0, 1e-12);
	cr_expect_eq(json_integer_value(get(o, "thresholds.sustained_samples")), 5);
	cr_expect(json_is_true(get(o, "thresholds.enforce")));
	cr_expect(json_is_true(get(o, "summary.evaluated")));
	cr_expect(json_is_true(get(o, "summary.failed")));
	cr_expect_eq(json_integer_value(get(o, "summary.stuck")), 1);
	cr_expect_eq(json_integer_value(get(o, "summary.stuck_cpus.0")), 1);
	cr_expect_eq(json_integer_value(get(o, "summary.max_dsq_depth")), 3);
	cr_expect_eq(json_integer_value(get(o, "summary.max_dsq_cpu")), 0);
	cr_expect_eq(json_integer_value(get(o, "summary.events.select_cpu_fallback.total")), 59);
	cr_expect_float_eq(json_real_value(get(o, "summary.events.dispatch_keep_last.rate")), 20.0, 1e-9);
	cr_expect_str_eq(json_string_value(get(o, "summary.violations.0")), stall_line);
	cr_expect_str_eq(json_string_value(get(o, "globals.1.name")), "nr_dispatched");
	cr_expect_eq(json_integer_value(get(o, "globals.1.depth")), 1);
	cr_expect_eq(json_array_size(get(o, "t_ms")), 60);
	cr_expect_eq(json_integer_value(get(o, "t_ms.59")), 8900);
	cr_expect_eq(json_integer_value(get(o, "cpus.1.cpu")), 1);
	cr_expect_eq(json_integer_value(get(o, "cpus.1.clock.45")), 777);
	cr_expect_eq(json_integer_value(get(o, "cpus.0.dsq_depth.25")), 3);
	json_decref(o);
	/* And in result.json, with the section's text under "sections". */
	char *js = report_json(r);
	json_t *full = json_loads(js, 0, NULL);
	cr_expect_eq(json_integer_value(get(full, "monitor.samples")), 60);
	cr_expect(strstr(json_string_value(get(full, "sections.monitor")), "stuck cpus: cpu1"));
	json_decref(full);
	free(js);
}

Test(monitor_report, a_run_directory_loads_back_the_same_monitor)
{
	passing_scenario(r, 40);
	r->mon = stalled_series();
	r->scn.monitor.sustained_samples = 4;  /* thresholds come back from result.json */
	checks_finalize(r);
	char err[512], path[300];
	cr_assert_eq(report_write_dir(r, err, sizeof(err)), 0, "%s", err);
	struct stat st;
	snprintf(path, sizeof(path), "%s/monitor.tsv", dir);
	cr_assert_eq(stat(path, &st), 0, "no monitor.tsv");
	struct run *l;
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(l->mon);
	cr_expect_str_eq(l->warning, "");
	cr_expect_eq(mon_series_len(l->mon), 60);
	cr_expect_eq(l->scn.monitor.sustained_samples, 4);
	cr_expect_str_eq(l->monsum.verdict, r->monsum.verdict);
	cr_expect(!memcmp(&l->monsum.stuck_cpus, &r->monsum.stuck_cpus, sizeof(struct cpumask)));
	cr_expect_eq(l->mon->ntree, 2);
	cr_expect_str_eq(l->mon->tree[1].value, "590");
	cr_expect_eq(mon_glob_at(l->mon, 59)[0], 590);
	json_t *a = mon_report_json(r), *b = mon_report_json(l);
	char *da = json_dumps(a, JSON_SORT_KEYS), *db = json_dumps(b, JSON_SORT_KEYS);
	cr_expect_str_eq(db, da);
	free(da), free(db);
	json_decref(a), json_decref(b);
	char *ta = capture_text(r), *tb = capture_text(l);
	cr_expect_str_eq(tb, ta);
	free(ta), free(tb);
	run_put(l);

	/* A damaged monitor.tsv is an error naming its line and the way out (exit 2 in the
	 * callers); once removed, the run opens without its series. */
	FILE *f = fopen(path, "w");
	fputs("# ktstr monitor v1 ncpus=2 interval_ms=100\nnot a header\n", f);
	fclose(f);
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), -EINVAL);
	char want[1024];
	snprintf(want, sizeof(want), "%s:2: header row does not match ncpus and the known columns; "
		 "the run directory is damaged: remove %s to open the run without its monitor data",
		 path, path);
	cr_expect_str_eq(err, want);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), 0, "%s", err);
	cr_expect_null(l->mon);
	cr_expect_eq(l->result, RESULT_FAIL);
	run_put(l);
}

Test(monitor_report, no_series_writes_no_monitor_tsv)
{
	passing_scenario(r, 40);
	checks_finalize(r);
	char err[512], path[300];
	cr_assert_eq(report_write_dir(r, err, sizeof(err)), 0, "%s", err);
	struct stat st;
	snprintf(path, sizeof(path), "%s/monitor.tsv", dir);
	cr_expect_neq(stat(path, &st), 0);
	struct run *l;
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), 0, "%s", err);
	cr_expect_null(l->mon);
	run_put(l);
}
