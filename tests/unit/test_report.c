/* Report: text sections in order and only when relevant, the JSON contract, and a run
 * directory written and loaded back. Runs are built from real control-port lines. */
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
#include "engine/report.h"
#include "tests/unit/tenv.h"

static struct run *r;
static char dir[256];

static void setup(void)
{
	struct scenario s;
	char err[512];
	unsetenv("KTSTR_DIAGNOSTICS");
	cr_assert_eq(scn_parse("{\"name\":\"two\",\"topology\":\"1n1l2c1t\",\"scheduler\":\"scx_demo\","
			       "\"cgroups\":[{\"name\":\"cg0\",\"workers\":2},{\"name\":\"cg1\",\"workers\":1}]}",
			       "t.json", &s, err, sizeof(err)), 0, "%s", err);
	r = run_new(&s);
	scn_free(&s);
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-report");
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	snprintf(r->accel, sizeof(r->accel), "tcg");
}

static void teardown(void)
{
	run_put(r);
	cr_assert_eq(fs_rm_rf(dir), 0);
}

TestSuite(report, .init = setup, .fini = teardown);

static void feed(const char *line)
{
	cr_assert_not_null(run_ingest(r, line), "rejected: %s", line);
}

static void boot_and_run(void)
{
	feed("{\"t\":\"hello\",\"proto\":1,\"kernel\":\"7.2.13-cloud-amd64\",\"kernel_boot_ms\":1400}");
	r->elapsed_ms = 2300;
	feed("{\"t\":\"sys_rdy\"}");
	feed("{\"t\":\"topo\",\"cpus\":2,\"llcs\":[[0,1]],\"nodes\":[[0,1]]}");
	feed("{\"t\":\"sched\",\"event\":\"attached\",\"ops\":\"demo\"}");
	feed("{\"t\":\"stage\",\"ts_ns\":1000000000,\"stage\":\"running\"}");
}

static void workers(double gap0)
{
	char l[512];
	snprintf(l, sizeof(l), "{\"t\":\"worker\",\"tid\":101,\"cgroup\":\"cg0\",\"work\":\"SpinWait\",\"cpu_ns\":920000000,"
		 "\"wall_ns\":1000000000,\"iters\":500,\"max_gap_ms\":%g,\"max_gap_cpu\":1,\"max_gap_at_ms\":700,"
		 "\"cpus\":[0,1],\"migrations\":3}", gap0);
	feed(l);
	feed("{\"t\":\"worker\",\"tid\":102,\"cgroup\":\"cg0\",\"work\":\"SpinWait\",\"cpu_ns\":900000000,"
	     "\"wall_ns\":1000000000,\"iters\":480,\"max_gap_ms\":30,\"max_gap_cpu\":0,\"max_gap_at_ms\":100,"
	     "\"cpus\":[0],\"migrations\":0}");
	feed("{\"t\":\"worker\",\"tid\":103,\"cgroup\":\"cg1\",\"work\":\"SpinWait\",\"cpu_ns\":500000000,"
	     "\"wall_ns\":1000000000,\"iters\":200,\"max_gap_ms\":20,\"max_gap_cpu\":1,\"max_gap_at_ms\":50,"
	     "\"cpus\":[1],\"migrations\":1}");
}

static char *text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_text(r, f);
	fclose(f);
	return buf;
}

/* Sections appear in this order, each at most once. */
static void assert_order(const char *t, const char *const *heads, int n)
{
	const char *prev = t;
	for (int i = 0; i < n; i++) {
		const char *p = strstr(t, heads[i]);
		cr_assert_not_null(p, "missing %s in:\n%s", heads[i], t);
		cr_assert_geq(p, prev, "%s out of order in:\n%s", heads[i], t);
		cr_assert_null(strstr(p + 1, heads[i]), "%s twice", heads[i]);
		prev = p;
	}
}

Test(report, passing_run_prints_a_short_summary)
{
	boot_and_run();
	workers(40);
	feed("{\"t\":\"done\",\"ok\":true,\"steps_done\":1,\"steps\":1,\"elapsed_ms\":3000}");
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_PASS);
	char *t = text();
	cr_assert(strstr(t, "ktstr: 'two' [sched=scx_demo] [topo=1n1l2c1t] passed\n"), "%s", t);
	cr_assert(strstr(t, "boot: accel=tcg sys_rdy_ms=2300 kernel_boot_ms=1400"), "%s", t);
	cr_assert(strstr(t, "cg0: spread=2.0% (8.0-10.0%) 2 workers on 2 cpus"), "%s", t);
	cr_assert(strstr(t, "worst gap: 40ms (tid 101 on cpu1)"), "%s", t);
	cr_assert(strstr(t, "max_gap_ms=6000 max_spread_pct=35 (defaults relaxed for TCG"), "%s", t);
	cr_assert(strstr(t, dir), "run dir is printed");
	cr_assert_null(strstr(t, "--- "), "no failure sections on a pass:\n%s", t);
	free(t);
}

Test(report, failed_run_has_sections_in_the_seed_order)
{
	boot_and_run();
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"tick\"}");
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"tock\"}");
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"tick\"}");
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"tock\"}");
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"tick\"}");
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"tock\"}");
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"crash: bad dispatch\"}");
	feed("{\"t\":\"step\",\"done\":2,\"total\":5,\"elapsed_ms\":12000}");
	feed("{\"t\":\"sched\",\"ts_ns\":13300000000,\"event\":\"disabled\",\"reason\":\"runtime error (bad dispatch)\"}");
	feed("{\"t\":\"dump\",\"line\":\"sched_ext_dump: cpu0 nr_run=3\"}");
	workers(9000);
	for (int i = 0; i < 30; i++) {
		char l[64];
		snprintf(l, sizeof(l), "[ %d.0] console %d", i, i);
		ring_push(r->console, l);
	}
	r->vm_exit_code = 0;
	checks_finalize(r);
	char *t = text();
	static const char *const heads[] = {
		"ktstr: 'two' [sched=scx_demo] [topo=1n1l2c1t] failed:\n",
		("  scheduler process died unexpectedly after completing step 2 of 5 (12.3s into test)\n"
		 "  runtime error (bad dispatch)\n"),
		"  no test result received from guest",
		"--- scheduler log ---\ntick\ntock\n  [previous 2 lines repeated 2 times]\ncrash: bad dispatch\n",
		"--- diagnostics ---\nstage: payload started but produced no test result\n",
		"exit_code=0\n",
		"console (30 lines, truncated):\n  [ 10.0] console 10\n",
		"--- sched_ext dump ---\nsched_ext_dump: cpu0 nr_run=3\n",
		"--- timeline ---\nkernel: 7.2.13-cloud-amd64  topology: 1n1l2c1t (2 cpus)  scheduler: scx_demo  scenario: two  duration: 12.0s\n",
		"  tid 101  cg0  SpinWait  gap=9000ms@cpu1 at +700ms",
		"--- stats ---\n3 workers, 2 cpus, 4 migrations, worst_spread=2.0%, worst_gap=9000ms\n",
		"  cg0: workers=2 cpus=2 spread=2.0% gap=9000ms migrations=3 iter=980\n",
		"  cg1: workers=1 cpus=1 spread=n/a gap=20ms migrations=1 iter=200\n",
	};
	assert_order(t, heads, sizeof(heads) / sizeof(heads[0]));
	cr_assert_null(strstr(t, "console 9\n"), "only the last 20 console lines");
	cr_assert_null(strstr(t, "stuck"), "no verdict on numbers when no result arrived");
	cr_assert_null(strstr(t, "verifier stats"), "no verifier log, no verifier section");
	free(t);
}

Test(report, verifier_rejection_shows_not_attached_stats_and_log)
{
	feed("{\"t\":\"hello\",\"proto\":1,\"kernel\":\"7.2\",\"kernel_boot_ms\":1400}");
	feed("{\"t\":\"stage\",\"stage\":\"scheduler\"}");
	feed("{\"t\":\"sched\",\"event\":\"started\"}");
	FILE *f = fopen("tests/fixtures/verifier-seed.log", "r");
	cr_assert_not_null(f);
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		json_t *o = json_pack("{s:s, s:s}", "t", "verifier", "line", line);
		char *s = json_dumps(o, JSON_COMPACT);
		feed(s);
		free(s);
		json_decref(o);
	}
	fclose(f);
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"Error: Failed to load BPF program\"}");
	feed("{\"t\":\"sched\",\"event\":\"exited\",\"code\":1}");
	checks_finalize(r);
	char *t = text();
	static const char *const heads[] = {
		"  scheduler did not turn on — scheduler process exited during BPF load/startup\n",
		"  scheduler: NOT ATTACHED — scheduler process exited during BPF load/startup\n",
		("--- verifier stats ---\n  processed=186  states=7/7\n"
		 "  summary: Global function ktstr_dispatch() doesn't return scalar. Only those are supported.\n"
		 "  rejected: R1 invalid mem access 'scalar'\n"),
		"  source: ; *p = (int)acc; @ main.bpf.c:464\n",
		("--- scheduler log ---\nError: Failed to load BPF program\n"
		 "Global function ktstr_dispatch() doesn't return scalar. Only those are supported.\n"),
		"--- diagnostics ---\nstage: init started but payload never ran (cgroup/scheduler setup failed)\n",
	};
	assert_order(t, heads, sizeof(heads) / sizeof(heads[0]));
	cr_assert_null(strstr(t, "--- stats ---"), "no workers, no stats");
	free(t);
}

Test(report, diagnostics_only_when_relevant_or_forced)
{
	boot_and_run();
	workers(9000);
	feed("{\"t\":\"done\",\"ok\":true}");
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_FAIL);
	char *t = text();
	cr_assert_null(strstr(t, "--- diagnostics ---"), "a plain check failure has no diagnostics:\n%s", t);
	free(t);
	setenv("KTSTR_DIAGNOSTICS", "1", 1);
	t = text();
	cr_assert_not_null(strstr(t, "--- diagnostics ---\nstage: payload completed and reported a result\n"), "%s", t);
	free(t);
	unsetenv("KTSTR_DIAGNOSTICS");
}

Test(report, no_init_at_all)
{
	snprintf(r->error, sizeof(r->error), "QEMU exited with status 1 before the guest spoke");
	r->vm_exit_code = 1;
	checks_finalize(r);
	char *t = text();
	cr_assert(strstr(t, "ktstr: 'two' [sched=scx_demo] [topo=1n1l2c1t] error: QEMU exited"), "%s", t);
	cr_assert(strstr(t, "stage: init script never started (kernel or mount failure)"), "%s", t);
	free(t);
}

Test(report, json_contract)
{
	boot_and_run();
	workers(9000);
	feed("{\"t\":\"done\",\"ok\":true,\"elapsed_ms\":3000}");
	checks_finalize(r);
	char *s = report_json(r);
	cr_assert_not_null(s);
	json_error_t je;
	json_t *o = json_loads(s, 0, &je);
	cr_assert_not_null(o, "invalid JSON: %s", je.text);
	cr_assert_str_eq(json_string_value(json_object_get(o, "result")), "fail");
	cr_assert_eq(json_integer_value(json_object_get(o, "exit_code")), 1);
	json_t *c = json_array_get(json_object_get(o, "checks"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(c, "name")), "max_gap_ms");
	cr_assert(json_is_false(json_object_get(c, "ok")));
	cr_assert_str_eq(json_string_value(json_object_get(c, "message")),
			 "tid 101 stuck 9000ms on cpu1 at +700ms (threshold 6000ms)");
	json_t *b = json_object_get(o, "boot");
	cr_assert_str_eq(json_string_value(json_object_get(b, "accel")), "tcg");
	cr_assert_eq(json_integer_value(json_object_get(b, "sys_rdy_ms")), 2300);
	cr_assert_eq(json_integer_value(json_object_get(b, "kernel_boot_ms")), 1400);
	cr_assert(json_is_true(json_object_get(b, "tcg_relaxed")));
	json_t *g = json_object_get(o, "guest");
	cr_assert_eq(json_integer_value(json_object_get(g, "cpus")), 2);
	cr_assert_eq(json_integer_value(json_array_get(json_array_get(json_object_get(g, "llcs"), 0), 1)), 1);
	json_t *w = json_array_get(json_object_get(o, "workers"), 0);
	cr_assert_eq(json_integer_value(json_object_get(w, "tid")), 101);
	cr_assert_float_eq(json_number_value(json_object_get(w, "cpu_ms")), 920, 1e-6);
	cr_assert_eq(json_array_size(json_object_get(w, "cpus")), 2);
	json_t *cg = json_array_get(json_object_get(o, "cgroups"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(cg, "name")), "cg0");
	cr_assert_float_eq(json_number_value(json_object_get(cg, "spread_pct")), 2, 1e-6);
	json_t *th = json_object_get(o, "thresholds");
	cr_assert_float_eq(json_number_value(json_object_get(th, "max_gap_ms")), 6000, 1e-9);
	json_t *sc = json_object_get(o, "scenario");
	cr_assert_str_eq(json_string_value(json_object_get(sc, "topology")), "1n1l2c1t");
	cr_assert_str_eq(json_string_value(json_object_get(sc, "scheduler")), "scx_demo");
	json_t *sch = json_object_get(o, "scheduler");
	cr_assert(json_is_true(json_object_get(sch, "attached")));
	cr_assert(json_is_null(json_object_get(sch, "exit_reason")));
	json_t *secs = json_object_get(o, "sections");
	cr_assert(json_is_null(json_object_get(secs, "scheduler_log")));
	cr_assert(json_is_null(json_object_get(secs, "diagnostics")));
	cr_assert(json_is_null(json_object_get(secs, "verifier_stats")));
	cr_assert(json_is_string(json_object_get(secs, "stats")));
	cr_assert(json_is_string(json_object_get(secs, "timeline")));
	cr_assert_str_eq(json_string_value(json_object_get(o, "run_dir")), dir);
	json_t *kt = json_object_get(o, "ktstr");
	cr_assert(json_is_object(kt) && json_is_null(json_object_get(kt, "qemu")),
		  "\"ktstr\" is always there; unknown facts are null");
	json_decref(o);
	free(s);
}

Test(report, invalid_utf8_from_the_guest_never_drops_a_field)
{
	boot_and_run();
	workers(10);
	ring_push(r->schedlog, "bad \xff\xfe bytes");
	run_add_check(r, "guest", false, "cut \xe2\x80");
	char *s = report_json(r);
	json_t *o = json_loads(s, 0, NULL);
	cr_assert_not_null(o);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "sections"), "scheduler_log")),
			 "bad ?? bytes\n");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(o, "checks"), 0), "message")),
			 "cut ??");
	json_decref(o);
	free(s);
}

Test(report, run_dir_round_trip)
{
	boot_and_run();
	workers(9000);
	/* A type with a figure of its own: named in result.json, read back. */
	snprintf(r->workers[1].work, sizeof(r->workers[1].work), "ForkExit");
	r->workers[1].figure = 31;
	feed("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"sched says hi\"}");
	feed("{\"t\":\"verifier\",\"line\":\"0: (b7) r1 = 0\"}");
	feed("{\"t\":\"dump\",\"line\":\"dump line\"}");
	feed("{\"t\":\"log\",\"src\":\"kernel\",\"line\":\"kernel line\"}");
	feed("{\"t\":\"done\",\"ok\":true}");
	checks_finalize(r);
	snprintf(r->tool.version, sizeof(r->tool.version), "0.1.0");
	snprintf(r->tool.commit, sizeof(r->tool.commit), "abc1234-dirty");
	snprintf(r->tool.libbpf, sizeof(r->tool.libbpf), "1.1.2");
	snprintf(r->tool.qemu, sizeof(r->tool.qemu), "7.2.22 (Debian)");
	snprintf(r->tool.qemu_path, sizeof(r->tool.qemu_path), "/usr/bin/qemu-system-x86_64");
	char err[512], path[256];
	snprintf(path, sizeof(path), "%s/console.log", dir);
	FILE *f = fopen(path, "w");
	fputs("console one\nconsole two\n", f);
	fclose(f);
	cr_assert_eq(report_write_dir(r, err, sizeof(err)), 0, "%s", err);
	static const char *const files[] = { "result.json", "report.txt", "sched.log", "verifier.log", "dump.log",
					     "guest.log" };
	struct stat st;
	for (size_t i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		cr_assert_eq(stat(path, &st), 0, "%s missing", path);
	}
	struct run *l;
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(l->result, RESULT_FAIL);
	cr_assert_eq(l->exit_code, 1);
	cr_assert_str_eq(l->scn.name, "two");
	cr_assert_eq(scn_topo_cpus(&l->scn.topo), 2);
	cr_assert_eq(l->scn.sched.kind, SCHED_NAME);
	cr_assert_eq(l->scn.ncgroups, 2);
	cr_assert_eq(l->nworkers, 3);
	cr_assert_eq(l->workers[0].cpus_mask.w[0], 3);
	cr_assert_eq(l->workers[0].wall_ns, 1000000000ull);
	cr_assert_eq(l->workers[0].figure, -1, "SpinWait has no figure");
	cr_assert_eq(l->workers[1].figure, 31);
	cr_assert_eq(l->ncgroups, 2);
	cr_assert_eq(l->nchecks, r->nchecks);
	cr_assert_str_eq(l->checks[0].message, r->checks[0].message);
	cr_assert_str_eq(ring_get(l->console, 1), "console two");
	cr_assert_str_eq(ring_get(l->schedlog, 0), "sched says hi");
	cr_assert_str_eq(ring_get(l->verifier, 0), "0: (b7) r1 = 0");
	cr_assert_str_eq(ring_get(l->dump, 0), "dump line");
	cr_assert_str_eq(ring_get(l->guestlog, 0), "kernel line");
	cr_assert_eq(l->kernel_boot_ms, 1400);
	cr_assert_eq(l->nllcs, 1);
	cr_assert(l->tcg_relaxed);
	/* The loaded model reports the same way as the live one. */
	char *a = report_json(r), *b = report_json(l);
	json_t *ja = json_loads(a, 0, NULL), *jb = json_loads(b, 0, NULL);
	cr_assert(json_equal(json_object_get(ja, "workers"), json_object_get(jb, "workers")));
	json_t *w1 = json_array_get(json_object_get(ja, "workers"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(w1, "figure_name")), "forks");
	cr_assert_eq(json_integer_value(json_object_get(w1, "figure")), 31);
	cr_assert_null(json_object_get(json_array_get(json_object_get(ja, "workers"), 0), "figure"));
	cr_assert(json_equal(json_object_get(ja, "checks"), json_object_get(jb, "checks")));
	cr_assert(json_equal(json_object_get(ja, "cgroups"), json_object_get(jb, "cgroups")));
	cr_assert(json_equal(json_object_get(ja, "ktstr"), json_object_get(jb, "ktstr")));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(jb, "ktstr"), "commit")), "abc1234-dirty");
	cr_assert_str_eq(l->tool.qemu_path, "/usr/bin/qemu-system-x86_64");
	json_decref(ja);
	json_decref(jb);
	free(a);
	free(b);
	run_put(l);
}

Test(report, load_errors_are_clear)
{
	char err[512];
	struct run *l;
	char gone[300];
	snprintf(gone, sizeof(gone), "%s/no/run", dir);
	cr_assert_lt(report_load_dir(gone, &l, err, sizeof(err)), 0);
	cr_assert(strstr(err, "not a directory"), "%s", err);
	cr_assert_lt(report_load_dir(dir, &l, err, sizeof(err)), 0);
	cr_assert(strstr(err, "no result.json"), "%s", err);
	char path[256];
	snprintf(path, sizeof(path), "%s/result.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\"result\": \"pass\",\n  oops}", f);
	fclose(f);
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "/result.json:2:"), "%s", err);
	f = fopen(path, "w");
	fputs("{\"x\": 1}", f);
	fclose(f);
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "not a ktstr result"), "%s", err);
	/* Wrong types inside a well-formed result load with defaults, never crash. */
	f = fopen(path, "w");
	fputs("{\"result\":\"fail\",\"scenario\":{\"name\":5,\"topology\":\"zz\"},\"workers\":[1,{\"tid\":\"x\"}],"
	      "\"checks\":{},\"guest\":{\"llcs\":[[99,-1,\"a\"]]}}", f);
	fclose(f);
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(l->result, RESULT_FAIL);
	cr_assert_str_eq(l->tool.version, "", "a result.json from before \"ktstr\" loads with it empty");
	run_put(l);
	cr_assert_eq(report_write_dir(r, err, sizeof(err)), 0, "%s", err);
	r->dir[0] = 0;
	cr_assert_eq(report_write_dir(r, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "has no run directory"), "%s", err);
}

Test(report, scheduler_log_folds_verifier_loops_even_when_libbpf_printed_them)
{
	feed("{\"t\":\"sched\",\"event\":\"started\"}");
	FILE *f = fopen("tests/fixtures/verifier-loop.log", "r");
	cr_assert_not_null(f);
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		/* the same lines in both rings, as when libbpf echoes the log to stderr */
		json_t *o = json_pack("{s:s, s:s}", "t", "verifier", "line", line);
		json_t *p = json_pack("{s:s, s:s, s:s}", "t", "log", "src", "sched", "line", line);
		char *a = json_dumps(o, JSON_COMPACT), *b = json_dumps(p, JSON_COMPACT);
		feed(a);
		feed(b);
		free(a);
		free(b);
		json_decref(o);
		json_decref(p);
	}
	fclose(f);
	feed("{\"t\":\"sched\",\"event\":\"exited\",\"code\":1}");
	checks_finalize(r);
	char *t = text();
	static const char *const heads[] = {
		"--- verifier stats ---\n  processed=52  states=9/12\n",
		"--- scheduler log ---\nGlobal function ktstr_verify_loop()",
		"--- 7 identical iterations omitted ---\n; *p = acc; @ main.bpf.c:506\n",
		"= r6\nR1 invalid mem access 'scalar'\n",
		"--- diagnostics ---\n",
	};
	assert_order(t, heads, sizeof(heads) / sizeof(heads[0]));
	free(t);
}
