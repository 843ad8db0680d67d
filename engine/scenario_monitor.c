/* The scenario's "monitor" block: the host-side monitor's thresholds (docs/monitor.md),
 * read with the scenario's checked reads, and written back by scenario_save.c. */
#include <errno.h>
#include <math.h>

#include "engine/scenario_priv.h"

/* o[k] as a finite number >= lo (> lo when above: a rate of 0 would fail every run). */
static int num(struct scn_pctx *c, json_t *o, const char *k, double lo, bool above, double *out)
{
	json_t *y = json_object_get(o, k);
	char path[64];
	snprintf(path, sizeof(path), "monitor.%s", k);
	if (!y)
		return 0;
	double d;
	if (scn_get_num(c, y, path, &d))
		return -EINVAL;
	if (!isfinite(d) || d < lo || (above && d <= lo))
		return scn_perr(c, path, false, "%s: %g is out of range; allowed %s %g", path, d,
				above ? "more than" : "at least", lo);
	*out = d;
	return 0;
}

static int integer(struct scn_pctx *c, json_t *o, const char *k, long lo, long hi, int *out)
{
	json_t *y = json_object_get(o, k);
	char path[64];
	long n;
	snprintf(path, sizeof(path), "monitor.%s", k);
	if (!y)
		return 0;
	if (scn_get_int(c, y, path, lo, hi, &n))
		return -EINVAL;
	*out = (int)n;
	return 0;
}

static int boolean(struct scn_pctx *c, json_t *o, const char *k, bool *out)
{
	json_t *y = json_object_get(o, k);
	char path[64];
	snprintf(path, sizeof(path), "monitor.%s", k);
	if (!y)
		return 0;
	if (scn_want(c, y, path, JSON_TRUE, "boolean"))
		return -EINVAL;
	*out = json_is_true(y);
	return 0;
}

int scn_parse_monitor(struct scn_pctx *c, json_t *x, struct mon_thresholds *t)
{
	static const char *const keys[] = { "max_imbalance_ratio", "max_local_dsq_depth",
					    "fail_on_stall", "sustained_samples",
					    "max_fallback_rate", "max_keep_last_rate", "enforce",
					    NULL };
	if (scn_want_object(c, x, "monitor", "monitor", keys) ||
	    num(c, x, "max_imbalance_ratio", 1.0, false, &t->max_imbalance_ratio) ||
	    integer(c, x, "max_local_dsq_depth", 1, 1000000, &t->max_local_dsq_depth) ||
	    boolean(c, x, "fail_on_stall", &t->fail_on_stall) ||
	    integer(c, x, "sustained_samples", 1, 1000, &t->sustained_samples) ||
	    num(c, x, "max_fallback_rate", 0.0, true, &t->max_fallback_rate) ||
	    num(c, x, "max_keep_last_rate", 0.0, true, &t->max_keep_last_rate) ||
	    boolean(c, x, "enforce", &t->enforce))
		return -EINVAL;
	return 0;
}

json_t *scn_monitor_json(const struct mon_thresholds *t)
{
	struct mon_thresholds d;
	mon_thresholds_default(&d);
	json_t *o = json_object();
	if (t->max_imbalance_ratio != d.max_imbalance_ratio)
		json_object_set_new(o, "max_imbalance_ratio", json_real(t->max_imbalance_ratio));
	if (t->max_local_dsq_depth != d.max_local_dsq_depth)
		json_object_set_new(o, "max_local_dsq_depth", json_integer(t->max_local_dsq_depth));
	if (t->fail_on_stall != d.fail_on_stall)
		json_object_set_new(o, "fail_on_stall", json_boolean(t->fail_on_stall));
	if (t->sustained_samples != d.sustained_samples)
		json_object_set_new(o, "sustained_samples", json_integer(t->sustained_samples));
	if (t->max_fallback_rate != d.max_fallback_rate)
		json_object_set_new(o, "max_fallback_rate", json_real(t->max_fallback_rate));
	if (t->max_keep_last_rate != d.max_keep_last_rate)
		json_object_set_new(o, "max_keep_last_rate", json_real(t->max_keep_last_rate));
	if (t->enforce != d.enforce)
		json_object_set_new(o, "enforce", json_boolean(t->enforce));
	if (!json_object_size(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}
