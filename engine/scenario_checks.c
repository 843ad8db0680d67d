/* The "checks" block's worker-check keys (SCN_WORKER_CHECKS and "isolation"): parsing,
 * and writing them back for scenario_save.c. The gap and spread keys stay in scenario.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "engine/scenario_priv.h"

static const struct { const char *key; double lo, hi; } table[SCN_WC__COUNT] = {
#define X(id, key, lo, hi) [id] = { key, lo, hi },
	SCN_WORKER_CHECKS(X)
#undef X
};

const char *scn_worker_check_key(enum scn_worker_check id)
{
	return id >= 0 && id < SCN_WC__COUNT ? table[id].key : "?";
}

int scn_parse_worker_checks(struct scn_pctx *c, json_t *x, struct scn_checks *ck)
{
	json_t *y;
	if ((y = json_object_get(x, "isolation"))) {
		if (scn_want(c, y, "checks.isolation", JSON_TRUE, "boolean"))
			return -EINVAL;
		ck->isolation = json_is_true(y);
	}
	for (int i = 0; i < SCN_WC__COUNT; i++) {
		char path[96];
		double d;
		if (!(y = json_object_get(x, table[i].key)))
			continue;
		snprintf(path, sizeof(path), "checks.%s", table[i].key);
		if (scn_get_num(c, y, path, &d))
			return -EINVAL;
		if (!(d >= table[i].lo && d <= table[i].hi))
			return scn_perr(c, path, false, "%s: %g is out of range; allowed %g..%g", path, d,
					table[i].lo, table[i].hi);
		ck->has[i] = true;
		ck->wc[i] = d;
	}
	return 0;
}

bool scn_worker_checks_set(const struct scn_checks *ck)
{
	for (int i = 0; i < SCN_WC__COUNT; i++)
		if (ck->has[i])
			return true;
	return ck->isolation;
}

void scn_worker_checks_json(const struct scn_checks *ck, json_t *o)
{
	if (ck->isolation)
		json_object_set_new(o, "isolation", json_true());
	for (int i = 0; i < SCN_WC__COUNT; i++) {
		if (!ck->has[i])
			continue;
		double v = ck->wc[i];
		json_object_set_new(o, table[i].key, v == floor(v) && fabs(v) < 9e15 ?
				    json_integer((json_int_t)v) : json_real(v));
	}
}
