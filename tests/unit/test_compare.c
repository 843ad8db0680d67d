/* ktstr compare: the metric registry, metrics read from result.json files written here
 * (fixtures in the shape engine/report_json.c writes), the dual gate and polarity,
 * --threshold and --policy, pairing of runs, directories of runs and gauntlets, and
 * broken input named with its file. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/sweep/compare.h"
#include "engine/sweep/metrics.h"
#include "tests/unit/tenv.h"

static char root[256];

static void setup(void)
{
	tenv_mkdtemp(root, sizeof(root), "compare");
}

TestSuite(compare, .init = setup);

static void put(const char *rel, const char *text)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	cr_assert(f, "%s", p);
	fputs(text, f);
	fclose(f);
}

static const char *path(const char *rel)
{
	static char p[4][1024];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", root, rel);
	return p[k];
}

/* A passing run's result.json: one cgroup's figures, optional monitor. */
static void run_json(const char *rel, const char *scenario, const char *result, double spread, double gap,
		     int iters, int dsq)
{
	char buf[4096];
	snprintf(buf, sizeof(buf),
		 "{\"ktstr_result_version\": 1, \"result\": \"%s\", \"error\": null,"
		 " \"checks\": [{\"name\": \"max_gap_ms\", \"ok\": %s, \"message\": \"tid 2 stuck 4500ms on cpu1\"}],"
		 " \"guest\": {\"nodes\": [[0,1]]},"
		 " \"cgroups\": [{\"name\": \"a\", \"workers\": 2, \"spread_pct\": %g, \"max_gap_ms\": %g,"
		 "   \"migrations\": 10, \"iters\": %d, \"wake_samples\": 0, \"mean_run_delay_us\": 300,"
		 "   \"worst_run_delay_us\": 500, \"migration_ratio\": 0.01, \"cross_node_migration_ratio\": 0},"
		 "  {\"name\": \"b\", \"workers\": 4, \"spread_pct\": 1, \"max_gap_ms\": 20, \"migrations\": 5,"
		 "   \"iters\": 4000, \"wake_samples\": 10, \"p99_wake_latency_us\": 80, \"median_wake_latency_us\": 40,"
		 "   \"wake_latency_cv\": 0.5, \"wake_latency_tail_ratio\": 2, \"mean_run_delay_us\": -1,"
		 "   \"worst_run_delay_us\": -1, \"migration_ratio\": 0.00125}],"
		 " \"scenario\": {\"name\": \"%s\", \"topology\": \"1n1l2c1t\", \"scheduler\": \"ktstr_sched\"},"
		 " \"kernel\": {\"key\": \"k\", \"version\": \"7.2.13\"},"
		 " \"monitor\": {\"samples\": 30, \"summary\": {\"evaluated\": true, \"implausible\": false,"
		 "   \"max_imbalance\": 1.5, \"max_dsq_depth\": %d, \"stuck\": 0,"
		 "   \"events\": {\"select_cpu_fallback\": {\"total\": 3}, \"dispatch_keep_last\": {\"total\": 0}}}}}",
		 result, strcmp(result, "pass") ? "false" : "true", spread, gap, iters, scenario, dsq);
	put(rel, buf);
}

static void load(const char *rel, struct cmp_side *s)
{
	char err[4096];
	int rc = cmp_side_load(path(rel), s, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s: %s", rel, err);
}

static void load_err(const char *rel, const char *want)
{
	struct cmp_side s;
	char err[4096] = "";
	cr_assert_neq(cmp_side_load(path(rel), &s, err, sizeof(err)), 0, "%s loaded", rel);
	cr_assert(strstr(err, want), "%s: expected '%s' in: %s", rel, want, err);
}

Test(compare, registry_has_the_reference_metrics)
{
	cr_assert_eq(M__COUNT, 19);
	for (int i = 0; i < M__COUNT; i++) {
		cr_assert_eq(metric_find(metric_defs[i].name), i, "%s", metric_defs[i].name);
		cr_assert(metric_defs[i].abs_gate > 0 && metric_defs[i].rel_gate > 0);
	}
	cr_assert_eq(metric_find("nope"), -1);
	const struct metric_def *d = &metric_defs[metric_find("worst_spread")];
	cr_assert(d->polarity == METRIC_LOWER_BETTER && d->abs_gate == 5.0 && d->rel_gate == 0.25);
	d = &metric_defs[metric_find("total_iterations")];
	cr_assert(d->polarity == METRIC_HIGHER_BETTER && d->abs_gate == 100 && d->rel_gate == 0.10);
	cr_assert_not(metric_defs[M_WORST_PAGE_LOCALITY].recorded);
	json_t *j = metrics_registry_json();
	cr_assert_eq(json_array_size(j), 19);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, M_TOTAL_ITERATIONS), "polarity")),
			 "higher");
	json_decref(j);
}

Test(compare, both_gates_and_polarity)
{
	int sp = M_WORST_SPREAD; /* lower is better, abs 5, rel 25 % */
	cr_assert_eq(cmp_judge(sp, 5, 0.25, 10, 16), CMP_REGRESSION);
	cr_assert_eq(cmp_judge(sp, 5, 0.25, 10, 15), CMP_REGRESSION, "both gates reached exactly");
	cr_assert_eq(cmp_judge(sp, 5, 0.25, 10, 14), CMP_SAME, "abs gate not reached (+40 %)");
	cr_assert_eq(cmp_judge(sp, 5, 0.25, 40, 46), CMP_SAME, "rel gate not reached (+6 = 15 %)");
	cr_assert_eq(cmp_judge(sp, 5, 0.25, 16, 10), CMP_IMPROVEMENT);
	cr_assert_eq(cmp_judge(sp, 5, 0.25, 0, 6), CMP_REGRESSION, "from 0 the rel gate is crossed");
	cr_assert_eq(cmp_judge(sp, 5, 0.25, 0, 4), CMP_SAME);
	cr_assert_eq(cmp_judge(sp, 5, 0.25, 7, 7), CMP_SAME);
	int it = M_TOTAL_ITERATIONS; /* higher is better, abs 100, rel 10 % */
	cr_assert_eq(cmp_judge(it, 100, 0.10, 2000, 1700), CMP_REGRESSION);
	cr_assert_eq(cmp_judge(it, 100, 0.10, 2000, 2300), CMP_IMPROVEMENT);
	cr_assert_eq(cmp_judge(it, 100, 0.10, 2000, 1850), CMP_SAME, "7.5 %");
	cr_assert_eq(cmp_judge(it, 100, 0.10, 500, 420), CMP_SAME, "16 % but only 80 iterations");
	cr_assert_eq(cmp_judge(M_TOTAL_MIGRATIONS, 10, 0.30, 10, 13), CMP_SAME, "abs gate");
	cr_assert_eq(cmp_judge(M_TOTAL_MIGRATIONS, 10, 0.30, 100, 130), CMP_REGRESSION, "30 %% of 100 = 30");
}

Test(compare, metrics_from_result_json)
{
	run_json("r1/result.json", "s", "pass", 7.5, 120, 1000, 4);
	struct cmp_side s;
	load("r1", &s);
	cr_assert_str_eq(s.kind, "run");
	cr_assert_eq(s.ncells, 1);
	const struct metric_values *m = &s.cells[0].m;
	cr_assert(m->has[M_WORST_SPREAD] && m->v[M_WORST_SPREAD] == 7.5);
	cr_assert(m->has[M_WORST_GAP_MS] && m->v[M_WORST_GAP_MS] == 120);
	cr_assert_eq(m->v[M_TOTAL_MIGRATIONS], 15);
	cr_assert_eq(m->v[M_TOTAL_ITERATIONS], 5000);
	cr_assert_eq(m->v[M_WORST_ITERATIONS_PER_WORKER], 500, "min of 1000/2 and 4000/4");
	cr_assert_eq(m->v[M_WORST_MIGRATION_RATIO], 0.01);
	cr_assert(m->has[M_WORST_P99_WAKE_LATENCY_US] && m->v[M_WORST_P99_WAKE_LATENCY_US] == 80,
		  "only the cgroup with wake samples");
	cr_assert_eq(m->v[M_WORST_WAKE_LATENCY_TAIL_RATIO], 2);
	cr_assert(m->has[M_WORST_MEAN_RUN_DELAY_US] && m->v[M_WORST_MEAN_RUN_DELAY_US] == 300, "-1 is no data");
	cr_assert_eq(m->v[M_WORST_RUN_DELAY_US], 500);
	cr_assert_eq(m->v[M_MAX_DSQ_DEPTH], 4);
	cr_assert_eq(m->v[M_MAX_IMBALANCE_RATIO], 1.5);
	cr_assert_eq(m->v[M_TOTAL_FALLBACK], 3);
	cr_assert(m->has[M_STALL_COUNT] && m->has[M_TOTAL_KEEP_LAST]);
	cr_assert_not(m->has[M_WORST_CROSS_NODE_MIGRATION_RATIO], "one node");
	cr_assert_not(m->has[M_WORST_PAGE_LOCALITY], "not recorded");
	cmp_side_free(&s);
	/* EEVDF: the monitor is not evaluated, its metrics are absent (not 0) */
	put("r2/result.json", "{\"result\": \"pass\", \"cgroups\": [], \"monitor\": {\"samples\": 10, \"summary\": "
			      "{\"evaluated\": false, \"max_dsq_depth\": 0}}}");
	load("r2", &s);
	for (int i = 0; i < M__COUNT; i++)
		cr_assert_not(s.cells[0].m.has[i], "%s", metric_defs[i].name);
	cmp_side_free(&s);
}

static void compare_ok(const char *a, const char *b, const struct cmp_gates *g, const char *filter,
		       struct cmp_side *sa, struct cmp_side *sb, struct cmp_result *r)
{
	char err[4096];
	load(a, sa);
	load(b, sb);
	cr_assert_eq(cmp_compare(sa, sb, g, filter, r, err, sizeof(err)), 0, "%s", err);
}

static enum cmp_verdict verdict_of(const struct cmp_pair *p, int metric)
{
	for (int i = 0; i < p->nrows; i++)
		if (p->rows[i].metric == metric)
			return p->rows[i].verdict;
	cr_assert_fail("%s not in the pair", metric_defs[metric].name);
	return CMP_SAME;
}

Test(compare, two_runs_pair_and_threshold_replaces_rel_gates)
{
	run_json("a/result.json", "base", "pass", 10, 100, 1000, 2);
	run_json("b/result.json", "other-name", "pass", 11, 900, 1000, 20);
	struct cmp_side sa, sb;
	struct cmp_result r;
	struct cmp_gates g;
	cmp_gates_default(&g);
	compare_ok("a", "b", &g, NULL, &sa, &sb, &r);
	cr_assert_eq(r.npairs, 1, "two plain runs are the one pair, whatever their names");
	cr_assert(r.sliced[0], "scenario name sliced");
	cr_assert_eq(verdict_of(&r.pairs[0], M_WORST_GAP_MS), CMP_REGRESSION);
	cr_assert_eq(verdict_of(&r.pairs[0], M_MAX_DSQ_DEPTH), CMP_REGRESSION);
	cr_assert_eq(verdict_of(&r.pairs[0], M_WORST_SPREAD), CMP_SAME, "+1 < abs gate 5");
	cr_assert_eq(r.regressions, 2);
	cr_assert_eq(cmp_exit_code(&r), 1);
	json_t *j = cmp_result_json(&sa, &sb, &g, &r);
	cr_assert_eq(json_integer_value(json_object_get(j, "exit_code")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "summary"), "regressions")), 2);
	json_decref(j);
	cmp_result_free(&r);
	/* --threshold 1000: no rel gate is reached any more */
	cmp_gates_threshold(&g, 1000);
	cr_assert_eq(cmp_compare(&sa, &sb, &g, NULL, &r, (char[64]){ 0 }, 64), 0);
	cr_assert_eq(r.regressions, 0);
	cr_assert_eq(cmp_exit_code(&r), 0);
	cmp_result_free(&r);
	cmp_side_free(&sa);
	cmp_side_free(&sb);
}

Test(compare, policy_file)
{
	struct cmp_gates g;
	char err[4096];
	cmp_gates_default(&g);
	put("p.json", "{\"default_percent\": 5, \"per_metric_percent\": {\"worst_gap_ms\": 200}}");
	cr_assert_eq(cmp_gates_policy(&g, path("p.json"), err, sizeof(err)), 0, "%s", err);
	cr_assert_float_eq(g.rel[M_WORST_SPREAD], 0.05, 1e-12);
	cr_assert_float_eq(g.rel[M_WORST_GAP_MS], 2.0, 1e-12);
	cr_assert_eq(g.abs[M_WORST_GAP_MS], 500, "abs gates stay");
	put("bad1.json", "{\"default_percent\": 5, \"per_metric_percnt\": {}}");
	cr_assert_neq(cmp_gates_policy(&g, path("bad1.json"), err, sizeof(err)), 0);
	cr_assert(strstr(err, "unknown key 'per_metric_percnt'") && strstr(err, "bad1.json"), "%s", err);
	put("bad2.json", "{\"per_metric_percent\": {\"worst_gapms\": 10}}");
	cr_assert_neq(cmp_gates_policy(&g, path("bad2.json"), err, sizeof(err)), 0);
	cr_assert(strstr(err, "unknown metric 'worst_gapms'"), "%s", err);
	put("bad3.json", "{\"default_percent\": \"ten\"}");
	cr_assert_neq(cmp_gates_policy(&g, path("bad3.json"), err, sizeof(err)), 0);
	cr_assert(strstr(err, "\"default_percent\" must be a number"), "%s", err);
	put("bad4.json", "{\"default_percent\": ");
	cr_assert_neq(cmp_gates_policy(&g, path("bad4.json"), err, sizeof(err)), 0);
	cr_assert(strstr(err, "bad4.json") && strstr(err, "line 1"), "%s", err);
	cr_assert_neq(cmp_gates_policy(&g, path("absent.json"), err, sizeof(err)), 0);
	cr_assert(strstr(err, "absent.json"), "%s", err);
}

static void gauntlet(const char *dir, const char *kernel, const char *cells_json)
{
	char rel[256], buf[4096];
	snprintf(rel, sizeof(rel), "%s/gauntlet.json", dir);
	snprintf(buf, sizeof(buf), "{\"kind\": \"gauntlet\", \"version\": 1, \"axes\": {\"kernels\": [\"%s\"]},"
		 " \"cells\": [%s]}", kernel, cells_json);
	put(rel, buf);
}

#define CELL(scn, preset, kernel, status, dir)                                                              \
	"{\"name\": \"gauntlet/" scn "/" preset "/default/" kernel "\", \"scenario\": \"" scn "\", \"preset\": \"" \
	preset "\", \"profile\": \"default\", \"kernel\": \"" kernel "\", \"status\": \"" status "\", \"dir\": " dir \
	", \"reason\": \"\"}"

Test(compare, gauntlets_pair_by_cell_and_list_the_rest)
{
	gauntlet("ga", "k1", CELL("x", "tiny", "k1", "pass", "\"cells/x\"") ","
		 CELL("y", "tiny", "k1", "pass", "\"cells/y\"") "," CELL("z", "tiny", "k1", "pass", "\"cells/z\""));
	run_json("ga/cells/x/result.json", "x", "pass", 5, 100, 1000, 1);
	run_json("ga/cells/y/result.json", "y", "pass", 5, 100, 1000, 1);
	run_json("ga/cells/z/result.json", "z", "pass", 5, 100, 1000, 1);
	gauntlet("gb", "k2", CELL("x", "tiny", "k2", "pass", "\"cells/x\"") ","
		 CELL("y", "tiny", "k2", "fail", "\"cells/y\"") "," CELL("w", "tiny", "k2", "skip", "null"));
	run_json("gb/cells/x/result.json", "x", "pass", 5, 100, 500, 1);
	run_json("gb/cells/y/result.json", "y", "fail", 5, 100, 1000, 1);
	struct cmp_side sa, sb;
	struct cmp_result r;
	struct cmp_gates g;
	cmp_gates_default(&g);
	compare_ok("ga", "gb", &g, NULL, &sa, &sb, &r);
	cr_assert_str_eq(sa.kind, "gauntlet");
	cr_assert(r.sliced[3] && !r.sliced[0], "one kernel per side, different: compared across kernels");
	cr_assert_eq(r.npairs, 2);
	cr_assert_eq(r.compared, 1);
	cr_assert_eq(r.excluded, 1, "the failed cell is not compared");
	cr_assert_eq(r.pairs[1].status_change, 1, "passed in A, failed in B");
	cr_assert(strstr(r.pairs[1].excluded, "B fail"), "%s", r.pairs[1].excluded);
	cr_assert_eq(verdict_of(&r.pairs[0], M_TOTAL_ITERATIONS), CMP_REGRESSION);
	cr_assert_eq(r.nonly_a, 1);
	cr_assert_str_eq(r.only_a[0]->dim[0], "z");
	cr_assert_eq(r.nonly_b, 1);
	cr_assert_str_eq(r.only_b[0]->status, "skip");
	cr_assert_eq(cmp_exit_code(&r), 1);
	cmp_result_free(&r);
	/* -E keeps the cells whose name contains it */
	cr_assert_eq(cmp_compare(&sa, &sb, &g, "/y/", &r, (char[64]){ 0 }, 64), 0);
	cr_assert_eq(r.npairs, 1);
	cr_assert_eq(r.nonly_a + r.nonly_b, 0);
	cmp_result_free(&r);
	cmp_side_free(&sa);
	cmp_side_free(&sb);
}

Test(compare, directories_of_runs_pair_by_scenario)
{
	run_json("ra/run1/result.json", "alpha", "pass", 5, 100, 1000, 1);
	run_json("ra/run2/result.json", "beta", "pass", 5, 100, 1000, 1);
	run_json("rb/run9/result.json", "beta", "pass", 5, 100, 1000, 1);
	run_json("rb/run8/result.json", "alpha", "pass", 30, 100, 1000, 1);
	run_json("rb/run7/result.json", "gamma", "error", 5, 100, 1000, 1);
	put("rb/partial/console.log", "no result yet\n");
	struct cmp_side sa, sb;
	struct cmp_result r;
	struct cmp_gates g;
	cmp_gates_default(&g);
	compare_ok("ra", "rb", &g, NULL, &sa, &sb, &r);
	cr_assert_str_eq(sb.kind, "runs");
	cr_assert_eq(sb.ncells, 3, "the directory without result.json is skipped");
	cr_assert_eq(r.npairs, 2);
	cr_assert_str_eq(r.pairs[0].b->dim[0], "alpha");
	cr_assert_eq(verdict_of(&r.pairs[0], M_WORST_SPREAD), CMP_REGRESSION);
	cr_assert_eq(r.regressions, 1);
	cr_assert_eq(r.nonly_b, 1);
	cr_assert_str_eq(r.only_b[0]->status, "error");
	cmp_result_free(&r);
	cmp_side_free(&sa);
	cmp_side_free(&sb);
	/* the same scenario twice in one side cannot pair */
	run_json("rc/one/result.json", "alpha", "pass", 5, 100, 1000, 1);
	run_json("rc/two/result.json", "alpha", "pass", 5, 100, 1000, 1);
	load("ra", &sa);
	load("rc", &sb);
	char err[4096];
	cr_assert_neq(cmp_compare(&sa, &sb, &g, NULL, &r, err, sizeof(err)), 0);
	cr_assert(strstr(err, "duplicate pairing key"), "%s", err);
	cmp_side_free(&sa);
	cmp_side_free(&sb);
}

Test(compare, broken_input_names_the_file)
{
	load_err("nowhere", "nowhere: no such directory");
	put("empty/readme", "x");
	load_err("empty", "not a run (no result.json)");
	put("trunc/result.json", "{\"result\": \"pass\", \"cgroups\": [");
	load_err("trunc", "trunc/result.json: not valid JSON at line");
	put("arr/result.json", "[1, 2]");
	load_err("arr", "arr/result.json: expected a JSON object");
	put("nores/result.json", "{\"cgroups\": []}");
	load_err("nores", "nores/result.json: \"result\" is missing");
	put("badcg/result.json", "{\"result\": \"pass\", \"cgroups\": 3}");
	load_err("badcg", "\"cgroups\" is not an array");
	gauntlet("gnodir", "k", CELL("x", "tiny", "k", "pass", "null"));
	load_err("gnodir", "cell 'gauntlet/x/tiny/default/k' passed but has no \"dir\"");
	gauntlet("gmiss", "k", CELL("x", "tiny", "k", "pass", "\"cells/x\""));
	load_err("gmiss", "gmiss/cells/x/result.json");
	gauntlet("gesc", "k", CELL("x", "tiny", "k", "pass", "\"../x\""));
	load_err("gesc", "must be relative");
	put("gkind/gauntlet.json", "{\"kind\": \"verifier\", \"cells\": []}");
	load_err("gkind", "\"kind\" is not \"gauntlet\"");
	put("v/verifier.json", "{}");
	load_err("v", "a verifier sweep");
	put("f.txt", "x");
	load_err("f.txt", "a file; pass a run directory");
	/* result.json itself stands for its directory */
	run_json("rj/result.json", "s", "pass", 5, 100, 1000, 1);
	struct cmp_side s;
	load("rj/result.json", &s);
	cr_assert_eq(s.ncells, 1);
	cmp_side_free(&s);
}
