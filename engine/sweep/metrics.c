/* The metric registry and its extraction from result.json (engine/sweep/metrics.h).
 * Gates and polarities are the reference's defaults; "worst" is the largest value over the
 * run's cgroups for a lower-is-better metric and the smallest for a higher-is-better one. */
#include "engine/sweep/metrics.h"

#include <math.h>
#include <string.h>

#define CG "cgroups[]."
#define MS "monitor.summary."

const struct metric_def metric_defs[M__COUNT] = {
	[M_WORST_SPREAD] = { "worst_spread", METRIC_LOWER_BETTER, 5.0, 0.25, "%", true, CG "spread_pct (max)" },
	[M_WORST_GAP_MS] = { "worst_gap_ms", METRIC_LOWER_BETTER, 500, 0.50, "ms", true, CG "max_gap_ms (max)" },
	[M_TOTAL_MIGRATIONS] = { "total_migrations", METRIC_LOWER_BETTER, 10, 0.30, "", true, CG "migrations (sum)" },
	[M_WORST_MIGRATION_RATIO] = { "worst_migration_ratio", METRIC_LOWER_BETTER, 0.05, 0.20, "", true,
				      CG "migration_ratio (max)" },
	[M_MAX_IMBALANCE_RATIO] = { "max_imbalance_ratio", METRIC_LOWER_BETTER, 1.0, 0.25, "x", true,
				    MS "max_imbalance (sampled, sched_ext runs)" },
	[M_MAX_DSQ_DEPTH] = { "max_dsq_depth", METRIC_LOWER_BETTER, 10, 0.50, "", true, MS "max_dsq_depth" },
	[M_STALL_COUNT] = { "stall_count", METRIC_LOWER_BETTER, 1, 0.50, "", true, MS "stuck (CPUs with an rq clock stall)" },
	[M_TOTAL_FALLBACK] = { "total_fallback", METRIC_LOWER_BETTER, 5, 0.30, "", true,
			       MS "events.select_cpu_fallback.total" },
	[M_TOTAL_KEEP_LAST] = { "total_keep_last", METRIC_LOWER_BETTER, 5, 0.30, "", true,
				MS "events.dispatch_keep_last.total" },
	[M_WORST_P99_WAKE_LATENCY_US] = { "worst_p99_wake_latency_us", METRIC_LOWER_BETTER, 50, 0.25, "us", true,
					  CG "p99_wake_latency_us (max, cgroups with wake samples)" },
	[M_WORST_MEDIAN_WAKE_LATENCY_US] = { "worst_median_wake_latency_us", METRIC_LOWER_BETTER, 20, 0.25, "us",
					     true, CG "median_wake_latency_us (max)" },
	[M_WORST_WAKE_LATENCY_CV] = { "worst_wake_latency_cv", METRIC_LOWER_BETTER, 0.10, 0.25, "", true,
				      CG "wake_latency_cv (max)" },
	[M_TOTAL_ITERATIONS] = { "total_iterations", METRIC_HIGHER_BETTER, 100, 0.10, "", true, CG "iters (sum)" },
	[M_WORST_MEAN_RUN_DELAY_US] = { "worst_mean_run_delay_us", METRIC_LOWER_BETTER, 50, 0.25, "us", true,
					CG "mean_run_delay_us (max, schedstat)" },
	[M_WORST_RUN_DELAY_US] = { "worst_run_delay_us", METRIC_LOWER_BETTER, 100, 0.50, "us", true,
				   CG "worst_run_delay_us (max, schedstat)" },
	[M_WORST_WAKE_LATENCY_TAIL_RATIO] = { "worst_wake_latency_tail_ratio", METRIC_LOWER_BETTER, 0.5, 0.25, "x",
					      true, CG "wake_latency_tail_ratio (max)" },
	[M_WORST_ITERATIONS_PER_WORKER] = { "worst_iterations_per_worker", METRIC_HIGHER_BETTER, 10, 0.10, "", true,
					    CG "iters / workers (min)" },
	[M_WORST_PAGE_LOCALITY] = { "worst_page_locality", METRIC_HIGHER_BETTER, 0.05, 0.10, "", false,
				    "not recorded: workers report no NUMA page placement" },
	[M_WORST_CROSS_NODE_MIGRATION_RATIO] = { "worst_cross_node_migration_ratio", METRIC_LOWER_BETTER, 0.05,
						 0.20, "", true,
						 CG "cross_node_migration_ratio (max, runs with > 1 node)" },
};

int metric_find(const char *name)
{
	for (int i = 0; i < M__COUNT; i++)
		if (!strcmp(metric_defs[i].name, name))
			return i;
	return -1;
}

const char *metric_polarity_name(enum metric_polarity p)
{
	return p == METRIC_HIGHER_BETTER ? "higher" : "lower";
}

/* o[k] as a finite number; false when absent, null or of another type. */
static bool fnum(const json_t *o, const char *k, double *out)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_number(v))
		return false;
	double d = json_number_value(v);
	if (!isfinite(d))
		return false;
	*out = d;
	return true;
}

static void put_max(struct metric_values *m, int id, double d)
{
	if (!m->has[id] || d > m->v[id])
		m->v[id] = d;
	m->has[id] = true;
}

static void put_min(struct metric_values *m, int id, double d)
{
	if (!m->has[id] || d < m->v[id])
		m->v[id] = d;
	m->has[id] = true;
}

static void put_sum(struct metric_values *m, int id, double d)
{
	m->v[id] = (m->has[id] ? m->v[id] : 0) + d;
	m->has[id] = true;
}

static void cgroup_metrics(const json_t *cg, bool multi_node, struct metric_values *m)
{
	double d, workers = 0, iters = 0, migr = 0;
	if (!fnum(cg, "workers", &workers) || workers <= 0)
		return; /* a cgroup no worker reported into has nothing to measure */
	if (fnum(cg, "spread_pct", &d))
		put_max(m, M_WORST_SPREAD, d);
	if (fnum(cg, "max_gap_ms", &d))
		put_max(m, M_WORST_GAP_MS, d);
	bool have_migr = fnum(cg, "migrations", &migr), have_iters = fnum(cg, "iters", &iters);
	if (have_migr)
		put_sum(m, M_TOTAL_MIGRATIONS, migr);
	if (have_iters) {
		put_sum(m, M_TOTAL_ITERATIONS, iters);
		put_min(m, M_WORST_ITERATIONS_PER_WORKER, iters / workers);
	}
	if (fnum(cg, "migration_ratio", &d))
		put_max(m, M_WORST_MIGRATION_RATIO, d);
	else if (have_migr && have_iters && iters > 0) /* written before the ratio was */
		put_max(m, M_WORST_MIGRATION_RATIO, migr / iters);
	double ws = 0;
	if (fnum(cg, "wake_samples", &ws) && ws > 0) {
		if (fnum(cg, "p99_wake_latency_us", &d))
			put_max(m, M_WORST_P99_WAKE_LATENCY_US, d);
		if (fnum(cg, "median_wake_latency_us", &d))
			put_max(m, M_WORST_MEDIAN_WAKE_LATENCY_US, d);
		if (fnum(cg, "wake_latency_cv", &d))
			put_max(m, M_WORST_WAKE_LATENCY_CV, d);
		if (fnum(cg, "wake_latency_tail_ratio", &d))
			put_max(m, M_WORST_WAKE_LATENCY_TAIL_RATIO, d);
	}
	/* -1: no worker of the cgroup had schedstat */
	if (fnum(cg, "mean_run_delay_us", &d) && d >= 0)
		put_max(m, M_WORST_MEAN_RUN_DELAY_US, d);
	if (fnum(cg, "worst_run_delay_us", &d) && d >= 0)
		put_max(m, M_WORST_RUN_DELAY_US, d);
	if (multi_node && fnum(cg, "cross_node_migration_ratio", &d))
		put_max(m, M_WORST_CROSS_NODE_MIGRATION_RATIO, d);
}

static void monitor_metrics(const json_t *mon, struct metric_values *m)
{
	const json_t *s = json_object_get(mon, "summary");
	double samples = 0, d;
	/* EEVDF runs are not evaluated; an implausible series is not data */
	if (!json_is_object(s) || !json_is_true(json_object_get(s, "evaluated")) ||
	    json_is_true(json_object_get(s, "implausible")) || !fnum(mon, "samples", &samples) || samples <= 0)
		return;
	if (fnum(s, "max_imbalance", &d))
		put_max(m, M_MAX_IMBALANCE_RATIO, d);
	if (fnum(s, "max_dsq_depth", &d))
		put_max(m, M_MAX_DSQ_DEPTH, d);
	if (fnum(s, "stuck", &d))
		put_max(m, M_STALL_COUNT, d);
	const json_t *ev = json_object_get(s, "events");
	if (fnum(json_object_get(ev, "select_cpu_fallback"), "total", &d))
		put_max(m, M_TOTAL_FALLBACK, d);
	if (fnum(json_object_get(ev, "dispatch_keep_last"), "total", &d))
		put_max(m, M_TOTAL_KEEP_LAST, d);
}

void metrics_extract(const json_t *result, struct metric_values *out)
{
	memset(out, 0, sizeof(*out));
	const json_t *nodes = json_object_get(json_object_get(result, "guest"), "nodes");
	bool multi_node = json_is_array(nodes) && json_array_size(nodes) > 1;
	const json_t *cgs = json_object_get(result, "cgroups"), *cg;
	size_t i;
	if (json_is_array(cgs))
		json_array_foreach(cgs, i, cg)
			if (json_is_object(cg))
				cgroup_metrics(cg, multi_node, out);
	const json_t *mon = json_object_get(result, "monitor");
	if (json_is_object(mon))
		monitor_metrics(mon, out);
}

json_t *metrics_registry_json(void)
{
	json_t *a = json_array();
	for (int i = 0; i < M__COUNT; i++) {
		const struct metric_def *d = &metric_defs[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:f, s:s, s:b, s:s}", "name", d->name, "polarity",
						   metric_polarity_name(d->polarity), "abs", d->abs_gate, "rel",
						   d->rel_gate, "unit", d->unit, "recorded", d->recorded, "source",
						   d->source));
	}
	return a;
}
