/* CPU sets past 64: the cpumask helpers (engine/cpumask.h), and a run on 128 vCPUs whose
 * workers ran on CPUs >= 64, through ingest, the checks, the report, result.json and a
 * run directory loaded back, plus a 128-CPU monitor series through eval and monitor.tsv. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/cpumask.h"
#include "engine/fsutil.h"
#include "engine/monitor/eval.h"
#include "engine/monitor/mreport.h"
#include "engine/monitor/tsv.h"
#include "engine/report.h"
#include "tests/unit/tenv.h"

static struct cpumask of(const int *ids, int n)
{
	struct cpumask m = { { 0 } };
	for (int i = 0; i < n; i++)
		cpumask_set(&m, ids[i]);
	return m;
}

Test(cpumask, set_test_and_bounds)
{
	struct cpumask m = { { 0 } };
	cr_assert(cpumask_empty(&m));
	cpumask_set(&m, 0), cpumask_set(&m, 63), cpumask_set(&m, 64), cpumask_set(&m, 255);
	cpumask_set(&m, -1), cpumask_set(&m, 256), cpumask_set(&m, 100000); /* ignored */
	cr_assert_eq(cpumask_weight(&m), 4);
	cr_assert(cpumask_test(&m, 0) && cpumask_test(&m, 63) && cpumask_test(&m, 64) && cpumask_test(&m, 255));
	cr_assert(!cpumask_test(&m, 1) && !cpumask_test(&m, 65) && !cpumask_test(&m, -1) && !cpumask_test(&m, 256));
	cr_assert_eq(m.w[0], 1ull | 1ull << 63);
	cr_assert_eq(m.w[1], 1ull);
	cr_assert_eq(m.w[3], 1ull << 63);
	cr_assert(!cpumask_empty(&m));
}

Test(cpumask, next_and_for_each_walk_every_word)
{
	static const int ids[] = { 3, 64, 70, 127, 128, 200, 255 };
	struct cpumask m = of(ids, 7);
	cr_assert_eq(cpumask_next(&m, 0), 3);
	cr_assert_eq(cpumask_next(&m, 4), 64);
	cr_assert_eq(cpumask_next(&m, 129), 200);
	cr_assert_eq(cpumask_next(&m, 256), CPUMASK_BITS);
	struct cpumask e = { { 0 } };
	cr_assert_eq(cpumask_next(&e, 0), CPUMASK_BITS);
	int seen[8], n = 0;
	cpumask_for_each(c, &m)
		seen[n++] = c;
	cr_assert_eq(n, 7);
	cr_assert_arr_eq(seen, ids, sizeof(ids));
}

Test(cpumask, set_algebra)
{
	static const int a_ids[] = { 1, 70, 127 }, b_ids[] = { 70, 200 };
	struct cpumask a = of(a_ids, 3), b = of(b_ids, 2), d;
	cr_assert(cpumask_and(&d, &a, &b));
	cr_assert_eq(cpumask_weight(&d), 1);
	cr_assert(cpumask_test(&d, 70));
	cr_assert(cpumask_andnot(&d, &a, &b));
	cr_assert(cpumask_test(&d, 1) && cpumask_test(&d, 127) && !cpumask_test(&d, 70));
	cr_assert(!cpumask_andnot(&d, &b, &b), "x & ~x is empty");
	cr_assert(cpumask_empty(&d));
	cpumask_or(&a, &b);
	cr_assert_eq(cpumask_weight(&a), 4);
	struct cpumask r = { { 0 } };
	cpumask_set_range(&r, 60, 70);
	cr_assert_eq(cpumask_weight(&r), 10);
	cr_assert(cpumask_test(&r, 60) && cpumask_test(&r, 69) && !cpumask_test(&r, 70));
}

Test(cpumask, parse_and_format_round_trip)
{
	struct cpumask m;
	char buf[256];
	cr_assert_eq(cpumask_parse("0-3,5,64-66,100,254-255\n", &m), 0);
	cr_assert_eq(cpumask_weight(&m), 11);
	cr_assert_eq(cpumask_format(&m, buf, sizeof(buf)), strlen("0-3,5,64-66,100,254-255"));
	cr_assert_str_eq(buf, "0-3,5,64-66,100,254-255");
	cr_assert_eq(cpumask_parse("", &m), 0);
	cr_assert(cpumask_empty(&m));
	cr_assert_eq(cpumask_format(&m, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "");
	/* Malformed or past the end: refused, m untouched. */
	static const char *const bad[] = { "256", "0-256", "3-1", "a", "1,", ",1", "1-", "-1", "1 2", "1,,2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = (struct cpumask){ { 7 } };
		cr_assert_eq(cpumask_parse(bad[i], &m), -1, "accepted '%s'", bad[i]);
		cr_assert_eq(m.w[0], 7u, "'%s' changed the mask", bad[i]);
	}
}

Test(cpumask, format_cuts_at_a_whole_item)
{
	struct cpumask m = { { 0 } };
	for (int c = 0; c < CPUMASK_BITS; c += 2)
		cpumask_set(&m, c);
	char buf[16];
	size_t n = cpumask_format(&m, buf, sizeof(buf));
	cr_assert_eq(n, strlen(buf));
	cr_assert_str_eq(buf, "0,2,4,6,8,...");
	char big[1024];
	cpumask_format(&m, big, sizeof(big));
	cr_assert(strstr(big, ",252,254") && !strstr(big, "..."), "%s", big);
}

/* ---- a run on 128 vCPUs ------------------------------------------------------------ */

static struct run *r;
static char dir[256];

static void setup(void)
{
	struct scenario s;
	char err[512];
	unsetenv("KTSTR_DIAGNOSTICS");
	cr_assert_eq(scn_parse("{\"name\":\"wide\",\"topology\":\"large-4llc\",\"memory_mb\":2048,"
			       "\"checks\":{\"isolation\":true},\"cgroups\":[{\"name\":\"hi\",\"workers\":2,"
			       "\"cpuset\":\"64-127\"},{\"name\":\"free\",\"workers\":1}]}",
			       "t.json", &s, err, sizeof(err)), 0, "%s", err);
	r = run_new(&s);
	scn_free(&s);
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-wide");
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	snprintf(r->accel, sizeof(r->accel), "tcg");
}

static void teardown(void)
{
	run_put(r);
	cr_assert_eq(fs_rm_rf(dir), 0);
}

TestSuite(wide_run, .init = setup, .fini = teardown);

static void feed(const char *line)
{
	cr_assert_not_null(run_ingest(r, line), "rejected: %s", line);
}

/* The guest's topo line: LLCs of 32 CPUs, one node of 128. */
static void topo(void)
{
	char l[4096];
	int o = snprintf(l, sizeof(l), "{\"t\":\"topo\",\"cpus\":128,\"llcs\":[");
	for (int g = 0; g < 4; g++)
		for (int c = 0; c < 32; c++)
			o += snprintf(l + o, sizeof(l) - (size_t)o, "%s%d%s", c ? "," : g ? ",[" : "[", g * 32 + c,
				      c == 31 ? "]" : "");
	o += snprintf(l + o, sizeof(l) - (size_t)o, "],\"nodes\":[[");
	for (int c = 0; c < 128; c++)
		o += snprintf(l + o, sizeof(l) - (size_t)o, "%s%d", c ? "," : "", c);
	snprintf(l + o, sizeof(l) - (size_t)o, "]]}");
	feed(l);
}

static void wide_workers(void)
{
	feed("{\"t\":\"hello\",\"proto\":1,\"kernel\":\"7.2.13-cloud-amd64\",\"kernel_boot_ms\":1400}");
	topo();
	feed("{\"t\":\"stage\",\"ts_ns\":1000000000,\"stage\":\"running\"}");
	feed("{\"t\":\"sample\",\"elapsed_ms\":200,\"workers\":[{\"tid\":201,\"cgroup\":\"hi\",\"cpu\":100},"
	     "{\"tid\":202,\"cgroup\":\"hi\",\"cpu\":127}]}");
	feed("{\"t\":\"worker\",\"tid\":201,\"cgroup\":\"hi\",\"work\":\"SpinWait\",\"cpu_ns\":900000000,"
	     "\"wall_ns\":1000000000,\"iters\":100,\"max_gap_ms\":5,\"max_gap_cpu\":100,\"max_gap_at_ms\":10,"
	     "\"cpus\":[100,101],\"migrations\":1}");
	feed("{\"t\":\"worker\",\"tid\":202,\"cgroup\":\"hi\",\"work\":\"SpinWait\",\"cpu_ns\":900000000,"
	     "\"wall_ns\":1000000000,\"iters\":100,\"max_gap_ms\":5,\"max_gap_cpu\":127,\"max_gap_at_ms\":10,"
	     "\"cpus\":[0,70,127],\"migrations\":2}");
	feed("{\"t\":\"worker\",\"tid\":203,\"cgroup\":\"free\",\"work\":\"SpinWait\",\"cpu_ns\":900000000,"
	     "\"wall_ns\":1000000000,\"iters\":100,\"max_gap_ms\":5,\"max_gap_cpu\":3,\"max_gap_at_ms\":10,"
	     "\"cpus\":[3],\"migrations\":0}");
	feed("{\"t\":\"done\",\"ok\":true}");
}

static const struct run_check *check(const struct run *x, const char *name, bool ok)
{
	for (int i = 0; i < x->nchecks; i++)
		if (!strcmp(x->checks[i].name, name) && x->checks[i].ok == ok)
			return &x->checks[i];
	return NULL;
}

static const int worker_ids[] = { 0, 70, 127 };

Test(wide_run, ingest_keeps_cpus_past_64)
{
	wide_workers();
	cr_assert_eq(r->guest_cpus, 128);
	cr_assert_eq(r->nllcs, 4);
	cr_assert_eq(cpumask_weight(&r->llcs[3]), 32);
	cr_assert(cpumask_test(&r->llcs[3], 96) && cpumask_test(&r->llcs[3], 127));
	cr_assert_eq(cpumask_weight(&r->nodes[0]), 128);
	struct run_worker *w = run_worker_by_tid(r, 202);
	struct cpumask want = of(worker_ids, 3);
	cr_assert(!memcmp(&w->cpus_mask, &want, sizeof(want)), "cpus [0, 70, 127] kept whole");
	cr_assert_eq(run_worker_by_tid(r, 201)->cpu, 100, "the sample's cpu >= 64 kept");
	/* Ids the host cannot hold are malformed, not silently cut. */
	cr_assert_null(run_ingest(r, "{\"t\":\"worker\",\"tid\":9,\"cpus\":[256]}"));
	cr_assert_null(run_ingest(r, "{\"t\":\"sample\",\"elapsed_ms\":1,\"workers\":[{\"tid\":9,\"cpu\":256}]}"));
}

Test(wide_run, checks_judge_cpus_past_64)
{
	wide_workers();
	checks_finalize(r);
	const struct run_check *c = check(r, "isolation", false);
	cr_assert_not_null(c, "a worker of the 64-127 cpuset ran on cpu0");
	cr_assert_str_eq(c->message, "tid 202 ran on unexpected CPUs {0}");
	cr_assert_eq(r->ncgroups, 2);
	cr_assert_str_eq(r->cgroups[0].name, "hi");
	cr_assert_eq(r->cgroups[0].cpus, 5, "distinct CPUs 0,70,100,101,127");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_text(r, f);
	fclose(f);
	cr_assert(strstr(buf, "cpus=0,70,127"), "%s", buf);
	cr_assert(strstr(buf, "cpus=100-101"), "%s", buf);
	cr_assert(strstr(buf, "3 workers, 6 cpus"), "%s", buf);
	free(buf);
}

Test(wide_run, result_json_and_run_dir_round_trip)
{
	wide_workers();
	checks_finalize(r);
	char err[512];
	char *js = report_json(r);
	json_t *o = json_loads(js, 0, NULL);
	free(js);
	cr_assert_not_null(o);
	json_t *ws = json_object_get(o, "workers"), *cpus = NULL;
	size_t i;
	json_t *w;
	json_array_foreach(ws, i, w)
		if (json_integer_value(json_object_get(w, "tid")) == 202)
			cpus = json_object_get(w, "cpus");
	cr_assert_eq(json_array_size(cpus), 3);
	for (size_t k = 0; k < 3; k++)
		cr_assert_eq(json_integer_value(json_array_get(cpus, k)), worker_ids[k]);
	json_decref(o);

	cr_assert_eq(report_write_dir(r, err, sizeof(err)), 0, "%s", err);
	struct run *l;
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(scn_topo_cpus(&l->scn.topo), 128);
	struct run_worker *lw = run_worker_by_tid(l, 202);
	cr_assert(!memcmp(&lw->cpus_mask, &run_worker_by_tid(r, 202)->cpus_mask, sizeof(struct cpumask)));
	cr_assert_eq(l->nllcs, 4);
	cr_assert(!memcmp(l->llcs, r->llcs, 4 * sizeof(struct cpumask)));
	cr_assert_not_null(check(l, "isolation", false));
	cr_assert_eq(l->cgroups[0].cpus, 5);
	run_put(l);
}

/* A 128-CPU series: cpu100's clock stops for 9 samples while it has tasks. */
Test(wide_run, monitor_on_128_cpus)
{
	struct mon_series *s = mon_series_new(128);
	cr_assert_eq(s->ncpus, 128);
	s->have_ev = true;
	for (int i = 0; i < 60; i++) {
		struct mon_cpu c[128];
		for (int k = 0; k < 128; k++)
			c[k] = (struct mon_cpu){ 1, 1, 0, 0, 1000000ull * (uint64_t)i + (uint64_t)k };
		if (i >= 40 && i < 50)
			c[100].clock = 777;
		int64_t ev[MON_NEV] = { 0 };
		cr_assert_eq(mon_series_push(s, 3000 + 100 * i, c, ev, NULL), 0);
	}
	struct mon_thresholds t;
	struct mon_summary o;
	mon_thresholds_default(&t);
	mon_eval(s, &t, false, &o);
	cr_assert(o.evaluated);
	cr_assert_eq(o.stuck, 1);
	cr_assert(cpumask_test(&o.stuck_cpus, 100) && cpumask_weight(&o.stuck_cpus) == 1);
	cr_assert_str_eq(o.viol[0], "rq_clock stall on cpu100 for 9 consecutive samples (ending at "
			 "sample 49, clock=777)");

	/* monitor.tsv keeps all 640 per-CPU columns and loads back. */
	size_t len;
	char *txt = mon_tsv_text(s, &len), path[300], err[512];
	cr_assert(strstr(txt, "\tcpu127.flags"));
	snprintf(path, sizeof(path), "%s/monitor.tsv", dir);
	FILE *f = fopen(path, "w");
	fwrite(txt, 1, len, f);
	fclose(f);
	free(txt);
	struct mon_series *l;
	cr_assert_eq(mon_tsv_load(path, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(l->ncpus, 128);
	cr_assert_eq(mon_series_len(l), 60);
	cr_assert_eq(mon_cpu_at(l, 45)[100].clock, 777);
	cr_assert_eq(mon_cpu_at(l, 45)[127].clock, 45000127);
	struct mon_summary lo;
	mon_eval(l, &t, false, &lo);
	cr_assert(!memcmp(&lo.stuck_cpus, &o.stuck_cpus, sizeof(o.stuck_cpus)));
	mon_series_free(l);

	/* result.json's monitor object lists cpu100 as stuck and says 128 CPUs. */
	r->mon = s;
	r->monsum = o;
	json_t *j = mon_report_json(r);
	cr_assert_eq(json_integer_value(json_object_get(j, "ncpus")), 128);
	json_t *st = json_object_get(json_object_get(j, "summary"), "stuck_cpus");
	cr_assert_eq(json_array_size(st), 1);
	cr_assert_eq(json_integer_value(json_array_get(st, 0)), 100);
	cr_assert_eq(json_array_size(json_object_get(j, "cpus")), 128);
	json_decref(j);
}
