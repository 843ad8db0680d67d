/* A cgroup's "work": a type name (its parameters at their defaults) or an object
 * {"type": "Bursty", "burst_ms": 20, ...} with the parameters of guest/work_params.h, or
 * {"type": "Sequence", "phases": [{"spin_ms": 20}, {"sleep_ms": 10}]}. FILE:LINE:COL errors. */
#include "engine/scenario_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/json_util.h"

static int parse_type(struct scn_pctx *c, json_t *x, const char *path, int *work)
{
	char list[512];
	if (scn_want(c, x, path, JSON_STRING, "string"))
		return -EINVAL;
	int w = work_type_from_name(json_string_value(x));
	if (w < 0) {
		work_type_list(list, sizeof(list), false);
		return scn_perr(c, path, false, "%s: unknown work type '%s'; valid: %s", path,
				json_string_value(x), list);
	}
	if (!work_type_implemented(w)) {
		work_type_list(list, sizeof(list), true);
		return scn_perr(c, path, false, "%s: work type '%s' is not implemented by the guest yet; "
				"implemented: %s", path, json_string_value(x), list);
	}
	*work = w;
	return 0;
}

/* [{"spin_ms": 20}, {"sleep_ms": 10}, ...]: one key per phase. */
static int parse_phases(struct scn_pctx *c, json_t *x, const char *path, struct work_seq *seq)
{
	char sub[192], sub2[224];
	if (scn_want(c, x, path, JSON_ARRAY, "array"))
		return -EINVAL;
	size_t n = json_array_size(x);
	if (n < 1 || n > WORK_PHASES_MAX)
		return scn_perr(c, path, false, "%s: give 1..%d phases, got %zu", path, WORK_PHASES_MAX, n);
	for (size_t i = 0; i < n; i++) {
		json_t *ph = json_array_get(x, i);
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (scn_want(c, ph, sub, JSON_OBJECT, "object"))
			return -EINVAL;
		if (json_object_size(ph) != 1)
			return scn_perr(c, sub, false, "%s: a phase is one of {\"spin_ms\": N}, {\"sleep_ms\": N}, "
					"{\"yield_ms\": N}", sub);
		const char *k = json_object_iter_key(json_object_iter(ph));
		int kind = work_phase_from_key(k);
		snprintf(sub2, sizeof(sub2), "%s.%s", sub, k);
		if (kind < 0)
			return scn_perr(c, sub2, true, "%s: unknown phase '%s'; valid: spin_ms, sleep_ms, "
					"yield_ms", sub2, k);
		if (kind == WORK_PHASE_IO)
			return scn_perr(c, sub2, true, "%s: Io phases are not supported yet (a Sequence gets no "
					"disk); use IoSyncWrite, IoRandRead or IoConvoy in a cgroup of its own",
					sub2);
		long ms;
		if (scn_get_int(c, json_object_get(ph, k), sub2, 1, WORK_PHASE_MS_MAX, &ms))
			return -EINVAL;
		seq->p[i] = (struct work_phase){ kind, (int)ms };
	}
	seq->n = (int)n;
	return 0;
}

int scn_parse_work(struct scn_pctx *c, json_t *x, const char *path, int *work,
		   int64_t params[WORK_PARAMS_MAX], uint32_t *set, struct work_seq *seq)
{
	char sub[192], list[256];
	memset(seq, 0, sizeof(*seq));
	*set = 0;
	if (!json_is_object(x)) {
		if (!json_is_string(x))
			return scn_perr(c, path, false, "%s: expected a work type name or an object "
					"{\"type\": NAME, PARAM: VALUE...}, got %s", path, ju_type_name(x));
		if (parse_type(c, x, path, work))
			return -EINVAL;
		work_params_default(*work, params);
		if (*work == WORK_SEQUENCE)
			return scn_perr(c, path, false, "%s: Sequence needs its phases: write {\"type\": \"Sequence\", "
					"\"phases\": [{\"spin_ms\": 20}, {\"sleep_ms\": 10}]}", path);
		return 0;
	}
	json_t *t = json_object_get(x, "type");
	snprintf(sub, sizeof(sub), "%s.type", path);
	if (!t)
		return scn_perr(c, path, false, "%s: missing required key 'type' (the work type's name)", path);
	if (parse_type(c, t, sub, work))
		return -EINVAL;
	work_params_default(*work, params);
	const char *k;
	json_t *v;
	json_object_foreach(x, k, v) {
		snprintf(sub, sizeof(sub), "%s.%s", path, k);
		if (!strcmp(k, "type"))
			continue;
		if (*work == WORK_SEQUENCE && !strcmp(k, "phases")) {
			if (parse_phases(c, v, sub, seq))
				return -EINVAL;
			continue;
		}
		int i = work_param_index(*work, k);
		if (i < 0) {
			if (*work == WORK_SEQUENCE)
				snprintf(list, sizeof(list), "phases");
			else
				work_param_list(*work, list, sizeof(list));
			return scn_perr(c, sub, true, "%s: %s has no parameter '%s'; its parameters: %s", sub,
					work_type_name(*work), k, list);
		}
		const struct work_param *p = work_param_at(*work, i);
		long n;
		if (scn_get_int(c, v, sub, (long)p->min, (long)p->max, &n))
			return -EINVAL;
		params[i] = n;
		*set |= 1u << i;
	}
	if (*work == WORK_SEQUENCE && !seq->n)
		return scn_perr(c, path, false, "%s: Sequence needs \"phases\": [{\"spin_ms\": 20}, "
				"{\"sleep_ms\": 10}, ...]", path);
	return 0;
}

json_t *scn_work_json(const struct scn_cgroup *g)
{
	int work = (int)g->work;
	const struct work_seq *seq = &g->seq;
	int64_t params[WORK_PARAMS_MAX];
	work_params_resolve(work, g->params, g->params_set, params);
	json_t *o = json_object();
	const struct work_param *p;
	for (int i = 0; (p = work_param_at(work, i)); i++)
		if (params[i] != p->def)
			json_object_set_new(o, p->key, json_integer(params[i]));
	if (work == WORK_SEQUENCE && seq->n) {
		json_t *a = json_array();
		for (int i = 0; i < seq->n; i++)
			json_array_append_new(a, json_pack("{s:i}", work_phase_key(seq->p[i].kind), seq->p[i].ms));
		json_object_set_new(o, "phases", a);
	}
	if (!json_object_size(o)) {
		json_decref(o);
		return json_string(work_type_name(work));
	}
	json_object_set_new(o, "type", json_string(work_type_name(work)));
	return o;
}
