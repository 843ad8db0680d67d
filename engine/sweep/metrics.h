/* The regression metric registry (the reference's names, polarity, abs and rel gates,
 * unit) and the extraction of each metric from one run's result.json. `ktstr compare`
 * (engine/sweep/compare.c) judges deltas with it. */
#ifndef KTSTR_SWEEP_METRICS_H
#define KTSTR_SWEEP_METRICS_H

#include <jansson.h>
#include <stdbool.h>

enum metric_polarity { METRIC_LOWER_BETTER, METRIC_HIGHER_BETTER };

enum metric_id {
	M_WORST_SPREAD,
	M_WORST_GAP_MS,
	M_TOTAL_MIGRATIONS,
	M_WORST_MIGRATION_RATIO,
	M_MAX_IMBALANCE_RATIO,
	M_MAX_DSQ_DEPTH,
	M_STALL_COUNT,
	M_TOTAL_FALLBACK,
	M_TOTAL_KEEP_LAST,
	M_WORST_P99_WAKE_LATENCY_US,
	M_WORST_MEDIAN_WAKE_LATENCY_US,
	M_WORST_WAKE_LATENCY_CV,
	M_TOTAL_ITERATIONS,
	M_WORST_MEAN_RUN_DELAY_US,
	M_WORST_RUN_DELAY_US,
	M_WORST_WAKE_LATENCY_TAIL_RATIO,
	M_WORST_ITERATIONS_PER_WORKER,
	M_WORST_PAGE_LOCALITY,
	M_WORST_CROSS_NODE_MIGRATION_RATIO,
	M__COUNT
};

struct metric_def {
	const char *name;
	enum metric_polarity polarity;
	double abs_gate;  /* |B - A| must reach this, in the metric's unit */
	double rel_gate;  /* and |B - A| / |A| this (0.25 = 25 %) */
	const char *unit; /* "" when it has none */
	bool recorded;    /* false: result.json does not hold what it needs ("not recorded") */
	const char *source; /* where in result.json it comes from, for --list-metrics */
};

extern const struct metric_def metric_defs[M__COUNT];

/* The id of a metric name, or -1. */
int metric_find(const char *name);
/* "lower" / "higher" (which direction is better). */
const char *metric_polarity_name(enum metric_polarity p);

/* One run's metrics: has[i] false when the run cannot give metric i (absent, not 0). */
struct metric_values {
	bool has[M__COUNT];
	double v[M__COUNT];
};

/* The metrics of a parsed result.json object. Never fails: a missing or mistyped field
 * leaves its metric absent. */
void metrics_extract(const json_t *result, struct metric_values *out);

/* The registry as a JSON array of {"name", "polarity", "abs", "rel", "unit", "recorded",
 * "source"}. */
json_t *metrics_registry_json(void);

#endif
