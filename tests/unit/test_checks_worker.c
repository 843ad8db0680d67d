/* The reference's worker checks: their words, pass on normal figures, fail on bad ones,
 * silence when not configured; the wake histogram; the "checks" keys in scenario files. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/checks_worker.h"
#include "engine/report.h"
#include "engine/worker_figs.h"
#include "guest/gwake.h"

static struct run *r;

static void setup(void)
{
	struct scenario s;
	scn_init_default(&s);
	s.ncgroups = 1;
	snprintf(s.cgroups[0].name, sizeof(s.cgroups[0].name), "cg0");
	s.cgroups[0].workers = 2;
	r = run_new(&s);
	cr_assert_not_null(r);
}

static void teardown(void)
{
	run_put(r);
}

TestSuite(wchecks, .init = setup, .fini = teardown);

/* A healthy worker: 1 s wall, 0.5 s CPU, 100 iterations, 1e6 work units, 2 migrations
 * (none across nodes), 5 ms of run delay, on CPU 0. */
static struct run_worker *worker(int tid)
{
	struct run_worker *w = run_worker_by_tid(r, tid);
	snprintf(w->cgroup, sizeof(w->cgroup), "cg0");
	w->wall_ns = 1000000000ull;
	w->cpu_ns = 500000000ull;
	w->iters = 100;
	w->units = 1000000;
	w->migrations = 2;
	w->run_delay_ns = 5000000;
	w->run_count = 10;
	w->cpus_mask = (struct cpumask){ { 1 } };
	w->completed = w->reported = true;
	return w;
}

static void wake(struct run_worker *w, uint64_t ns, int count)
{
	w->wake_hist[gwake_bucket(ns)] += (uint32_t)count;
	w->wake_n += (uint64_t)count;
	w->wake_sum_ns += (double)ns * count;
	w->wake_sumsq_us2 += (double)ns * (double)ns / 1e6 * count;
}

static void set(enum scn_worker_check id, double v)
{
	r->scn.checks.has[id] = true;
	r->scn.checks.wc[id] = v;
}

static int count(const char *name, bool ok)
{
	int n = 0;
	for (int i = 0; i < r->nchecks; i++)
		n += !strcmp(r->checks[i].name, name) && r->checks[i].ok == ok;
	return n;
}

static const char *msg(const char *name, bool ok)
{
	for (int i = 0; i < r->nchecks; i++)
		if (!strcmp(r->checks[i].name, name) && r->checks[i].ok == ok)
			return r->checks[i].message;
	return "(none)";
}

Test(wchecks, reference_words)
{
	char b[512];
	check_fmt_isolation(b, sizeof(b), 7, &(struct cpumask){ { (1ull << 2) | (1ull << 3) } });
	cr_assert_str_eq(b, "tid 7 ran on unexpected CPUs {2, 3}");
	check_fmt_p99_wake(b, sizeof(b), 5000, 1000, 42);
	cr_assert_str_eq(b, "p99 wake latency 5000ns exceeds limit 1000ns (42 samples)");
	check_fmt_wake_cv(b, sizeof(b), 0.5, 0.25, 2000);
	cr_assert_str_eq(b, "wake latency CV 0.500 exceeds limit 0.250 (mean=2000ns)");
	check_fmt_iter_rate(b, sizeof(b), 71, 41903.34, 50000000);
	cr_assert_str_eq(b, "worker 71 iteration rate 41903.3/s below floor 50000000.0/s");
	check_fmt_work_rate(b, sizeof(b), 9, 1234.4, 5000);
	cr_assert_str_eq(b, "worker 9 throughput 1234 work/cpu_s below floor 5000");
	check_fmt_throughput_cv(b, sizeof(b), 0.5, 0.25, 2000000);
	cr_assert_str_eq(b, "throughput CV 0.500 exceeds limit 0.250 (mean=2000000 work/cpu_s)");
	check_fmt_migration(b, sizeof(b), 0.1, 0.05, 20, 200);
	cr_assert_str_eq(b, "migration ratio 0.1000 exceeds threshold 0.0500 (20 migrations / 200 iterations)");
	check_fmt_xnode(b, sizeof(b), 0.25, 0.2, 5, 20);
	cr_assert_str_eq(b, "cross-node migration ratio 0.2500 exceeds threshold 0.2000 (5/20 migrations crossed a NUMA node)");
	check_fmt_run_delay(b, sizeof(b), 3, 5000, 1000);
	cr_assert_str_eq(b, "tid 3 waited 5000us runnable (run delay) above limit 1000us");
}

Test(wchecks, histogram_percentiles_within_a_bucket)
{
	struct gwake h = { 0 };
	for (int i = 0; i < 98; i++)
		gwake_record(&h, 1000);
	gwake_record(&h, 1000000);
	gwake_record(&h, 1000000);
	uint64_t p50 = gwake_pct(h.b, 50), p99 = gwake_pct(h.b, 99);
	cr_assert(p50 >= 940 && p50 <= 1060, "p50 %llu", (unsigned long long)p50);
	cr_assert(p99 >= 940000 && p99 <= 1060000, "p99 %llu", (unsigned long long)p99);
	cr_assert_eq(h.n, 100);
	/* Small values are exact; huge ones clamp into the last bucket. */
	cr_assert_eq(gwake_bucket_mid(gwake_bucket(5)), 5);
	cr_assert_eq(gwake_bucket(UINT64_MAX), GWAKE_BUCKETS - 1);
	cr_assert_float_eq(gwake_cv(2, 1000 + 3000, 1e6 + 9e6), 0.5, 1e-9);
}

Test(wchecks, nothing_configured_nothing_judged)
{
	struct run_worker *w = worker(1);
	wake(w, 1000000000, 10);
	w->cpus_mask = (struct cpumask){ { 0xff } };
	checks_evaluate(r, false);
	cr_assert_eq(count("isolation", true) + count("isolation", false), 0);
	for (int id = 0; id < SCN_WC__COUNT; id++) {
		const char *k = scn_worker_check_key(id);
		cr_assert_eq(count(k, true) + count(k, false), 0, "%s", k);
	}
}

Test(wchecks, isolation)
{
	r->scn.checks.isolation = true;
	snprintf(r->scn.cgroups[0].cpuset, sizeof(r->scn.cgroups[0].cpuset), "0-1");
	worker(1)->cpus_mask = (struct cpumask){ { 0x3 } };
	worker(2)->cpus_mask = (struct cpumask){ { 0x1 } };
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("isolation", true), "all 2 workers of cgroups with a cpuset ran only on it");
	worker(2)->cpus_mask = (struct cpumask){ { 0xd } };
	checks_evaluate(r, false);
	cr_assert_eq(count("isolation", true), 0);
	cr_assert_str_eq(msg("isolation", false), "tid 2 ran on unexpected CPUs {2, 3}");
}

Test(wchecks, p99_wake_latency)
{
	set(SCN_WC_P99_WAKE, 10000);
	struct run_worker *a = worker(1), *b = worker(2);
	wake(a, 1000, 100);
	wake(b, 1000, 95);
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("max_p99_wake_latency_ns", true), "all 1 cgroups within max_p99_wake_latency_ns=10000");
	wake(b, 2000000, 5); /* 5 of 200 pooled samples at 2 ms: the p99 is there */
	checks_evaluate(r, false);
	char want[256];
	check_fmt_p99_wake(want, sizeof(want), gwake_bucket_mid(gwake_bucket(2000000)), 10000, 200);
	cr_assert_str_eq(msg("max_p99_wake_latency_ns", false), want);
	cr_assert_eq(count("max_p99_wake_latency_ns", true), 0);
}

Test(wchecks, wake_check_without_samples_fails_saying_what_to_use)
{
	set(SCN_WC_P99_WAKE, 10000);
	worker(1);
	checks_evaluate(r, false);
	cr_assert(strstr(msg("max_p99_wake_latency_ns", false),
			 "max_p99_wake_latency_ns is set but no worker measured a wake latency; use a work type"));
}

Test(wchecks, wake_latency_cv)
{
	set(SCN_WC_WAKE_CV, 0.4);
	struct run_worker *a = worker(1);
	wake(a, 2000, 100);
	checks_evaluate(r, false);
	cr_assert_eq(count("max_wake_latency_cv", true), 1);
	struct run_worker *b = worker(2);
	wake(b, 1000, 50);
	wake(b, 3000, 50);
	a->wake_n = 0;
	memset(a->wake_hist, 0, sizeof(a->wake_hist));
	a->wake_sum_ns = a->wake_sumsq_us2 = 0;
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("max_wake_latency_cv", false), "wake latency CV 0.500 exceeds limit 0.400 (mean=2000ns)");
}

Test(wchecks, iteration_and_work_rate_floors)
{
	set(SCN_WC_ITER_RATE, 50);
	set(SCN_WC_WORK_RATE, 1000000);
	worker(1);
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("min_iteration_rate", true), "all 1 workers at or above 50.0 iterations/s");
	cr_assert_str_eq(msg("min_work_rate", true), "all 1 workers at or above 1000000 work/cpu_s");
	set(SCN_WC_ITER_RATE, 200);
	set(SCN_WC_WORK_RATE, 3000000);
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("min_iteration_rate", false), "worker 1 iteration rate 100.0/s below floor 200.0/s");
	cr_assert_str_eq(msg("min_work_rate", false), "worker 1 throughput 2000000 work/cpu_s below floor 3000000");
}

Test(wchecks, throughput_cv_needs_two_workers)
{
	set(SCN_WC_THROUGHPUT_CV, 0.25);
	worker(1)->units = 500000; /* 1e6 work/cpu_s */
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("max_throughput_cv", true), "all 0 cgroups within max_throughput_cv=0.25");
	worker(2)->units = 1500000; /* 3e6 */
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("max_throughput_cv", false),
			 "throughput CV 0.500 exceeds limit 0.250 (mean=2000000 work/cpu_s)");
}

Test(wchecks, migration_and_cross_node_ratios)
{
	set(SCN_WC_MIGRATION_RATIO, 0.05);
	set(SCN_WC_XNODE_RATIO, 0.2);
	worker(1);
	worker(2);
	checks_evaluate(r, false); /* 4 / 200 = 0.02, none across nodes */
	cr_assert_eq(count("max_migration_ratio", true), 1);
	cr_assert_eq(count("max_cross_node_migration_ratio", true), 1);
	r->workers[0].migrations = r->workers[1].migrations = 10;
	r->workers[0].xnode_migrations = 5;
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("max_migration_ratio", false),
			 "migration ratio 0.1000 exceeds threshold 0.0500 (20 migrations / 200 iterations)");
	cr_assert_str_eq(msg("max_cross_node_migration_ratio", false),
			 "cross-node migration ratio 0.2500 exceeds threshold 0.2000 (5/20 migrations crossed a NUMA node)");
}

Test(wchecks, run_delay_skips_workers_without_schedstat)
{
	set(SCN_WC_RUN_DELAY, 1000);
	worker(1)->run_delay_ns = 500000;
	worker(2)->run_delay_ns = -1;
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("max_run_delay_us", true), "all 2 workers within 1000us of run delay");
	cr_assert_float_eq(r->cgroups[0].mean_run_delay_us, 500, 1e-9);
	r->workers[0].run_delay_ns = 5000000;
	checks_evaluate(r, false);
	cr_assert_str_eq(msg("max_run_delay_us", false), "tid 1 waited 5000us runnable (run delay) above limit 1000us");
}

Test(wchecks, worker_figures_read_back_and_refuse_garbage)
{
	struct run_worker *w = worker(1);
	json_t *o = json_loads("{\"units\":7,\"run_delay_ns\":9,\"run_count\":3,\"cross_node_migrations\":2,"
			       "\"wake_samples\":3,\"wake_sum_ns\":3000,\"wake_sumsq_us2\":3,\"wake_hist\":[[10,3]]}",
			       0, NULL);
	cr_assert(wfigs_read(w, o));
	cr_assert_eq(w->units, 7);
	cr_assert_eq(w->run_delay_ns, 9);
	cr_assert_eq(w->wake_hist[10], 3);
	json_decref(o);
	o = json_loads("{\"wake_hist\":[[100000,3]]}", 0, NULL);
	cr_assert_not(wfigs_read(w, o), "a bucket past the histogram is malformed");
	json_decref(o);
	o = json_loads("{\"units\":-1}", 0, NULL);
	cr_assert_not(wfigs_read(w, o));
	json_decref(o);
}

static char err[1024];

Test(wchecks, scenario_keys_parse_save_and_refuse)
{
	struct scenario s, b;
	const char *ok = "{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\"}],\"checks\":{\"isolation\":true,"
			 "\"max_p99_wake_latency_ns\":50000,\"min_iteration_rate\":2.5,\"max_migration_ratio\":0}}";
	cr_assert_eq(scn_parse(ok, "t.json", &s, err, sizeof(err)), 0, "%s", err);
	cr_assert(s.checks.isolation);
	cr_assert(s.checks.has[SCN_WC_P99_WAKE] && s.checks.wc[SCN_WC_P99_WAKE] == 50000);
	cr_assert(s.checks.has[SCN_WC_ITER_RATE] && s.checks.wc[SCN_WC_ITER_RATE] == 2.5);
	cr_assert(s.checks.has[SCN_WC_MIGRATION_RATIO] && s.checks.wc[SCN_WC_MIGRATION_RATIO] == 0);
	cr_assert_not(s.checks.has[SCN_WC_WAKE_CV]);
	char *txt = scn_to_json(&s);
	cr_assert_eq(scn_parse(txt, "t2.json", &b, err, sizeof(err)), 0, "%s\n%s", err, txt);
	cr_assert(b.checks.isolation && b.checks.has[SCN_WC_ITER_RATE] && b.checks.wc[SCN_WC_ITER_RATE] == 2.5);
	cr_assert(b.checks.has[SCN_WC_MIGRATION_RATIO] && !b.checks.has[SCN_WC_RUN_DELAY]);
	free(txt);
	scn_free(&s);
	scn_free(&b);
	cr_assert_neq(scn_parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\"}],\"checks\":{\"isolation\":1}}",
				"t.json", &s, err, sizeof(err)), 0);
	cr_assert(strstr(err, "checks.isolation: expected boolean"), "%s", err);
	cr_assert_neq(scn_parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\"}],"
				"\"checks\":{\"max_cross_node_migration_ratio\":2}}", "t.json", &s, err, sizeof(err)), 0);
	cr_assert(strstr(err, "checks.max_cross_node_migration_ratio: 2 is out of range; allowed 0..1"), "%s", err);
	cr_assert_neq(scn_parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\"}],\"checks\":{\"p99\":1}}",
				"t.json", &s, err, sizeof(err)), 0);
	cr_assert(strstr(err, "max_p99_wake_latency_ns"), "the valid keys are listed: %s", err);
}

Test(wchecks, result_json_carries_figures_and_thresholds_back)
{
	set(SCN_WC_P99_WAKE, 10000);
	r->scn.checks.isolation = true;
	struct run_worker *a = worker(1);
	wake(a, 1000, 90);
	wake(a, 50000, 10);
	a->xnode_migrations = 1;
	checks_evaluate(r, false);
	char *s = report_json(r);
	json_t *o = json_loads(s, 0, NULL);
	cr_assert_not_null(o);
	json_t *cg = json_array_get(json_object_get(o, "cgroups"), 0), *wo = json_array_get(json_object_get(o, "workers"), 0);
	cr_assert_eq(json_integer_value(json_object_get(cg, "wake_samples")), 100);
	cr_assert_float_eq(json_number_value(json_object_get(cg, "migration_ratio")), 0.02, 1e-9);
	cr_assert_float_eq(json_number_value(json_object_get(cg, "mean_run_delay_us")), 5000, 1e-9);
	cr_assert_eq(json_integer_value(json_object_get(wo, "wake_p99_ns")), (json_int_t)gwake_bucket_mid(gwake_bucket(50000)));
	/* Read back as a loaded run directory does. */
	struct run_worker w2;
	memset(&w2, 0, sizeof(w2));
	w2.run_delay_ns = -1;
	cr_assert(wfigs_read(&w2, wo));
	cr_assert_eq(w2.wake_n, 100);
	cr_assert_eq(w2.xnode_migrations, 1);
	cr_assert_eq(memcmp(w2.wake_hist, a->wake_hist, sizeof(a->wake_hist)), 0);
	cr_assert_float_eq(wfigs_wake_cv(&w2), wfigs_wake_cv(a), 1e-9);
	struct run_cgroup c2;
	memset(&c2, 0, sizeof(c2));
	wfigs_cgroup_read(&c2, cg);
	cr_assert_eq(c2.wake_p99_ns, r->cgroups[0].wake_p99_ns);
	struct scn_checks k;
	memset(&k, 0, sizeof(k));
	wfigs_thresholds_read(&k, json_object_get(json_object_get(o, "thresholds"), "worker"));
	cr_assert(k.isolation && k.has[SCN_WC_P99_WAKE] && k.wc[SCN_WC_P99_WAKE] == 10000 && !k.has[SCN_WC_WAKE_CV]);
	json_decref(o);
	free(s);
}
