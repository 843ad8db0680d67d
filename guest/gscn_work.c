/* A cgroup's "work" on the wire (guest/scenario_wire.h): a name, or an object with the
 * type, its non-default parameters and Sequence's phases. Defaults and ranges come from
 * guest/work_params.h, the host's table. No side effects: host tests link it. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "guest/gscn.h"
#include "guest/scenario_wire.h"

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

static int parse_phases(json_t *a, const char *cg, struct work_seq *seq, char *err, size_t errlen)
{
	size_t i;
	json_t *ph;
	if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > WORK_PHASES_MAX)
		FAIL("cgroup '%s': Sequence phases must be a list of 1..%d phases", cg, WORK_PHASES_MAX);
	json_array_foreach(a, i, ph) {
		const char *k = json_is_object(ph) && json_object_size(ph) == 1 ?
				json_object_iter_key(json_object_iter(ph)) : NULL;
		int kind = k ? work_phase_from_key(k) : -1;
		json_t *v = k ? json_object_get(ph, k) : NULL;
		if (kind < 0 || kind == WORK_PHASE_IO || !json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > WORK_PHASE_MS_MAX)
			FAIL("cgroup '%s': Sequence phase %zu must be one of {\"spin_ms\": N}, {\"sleep_ms\": N}, "
			     "{\"yield_ms\": N} with N in 1..%d", cg, i, WORK_PHASE_MS_MAX);
		seq->p[i] = (struct work_phase){ kind, (int)json_integer_value(v) };
	}
	seq->n = (int)json_array_size(a);
	return 0;
}

int gscn_parse_work(json_t *wk, const char *cg, int *work, int64_t params[WORK_PARAMS_MAX],
		    struct work_seq *seq, char *err, size_t errlen)
{
	json_t *t = json_is_object(wk) ? json_object_get(wk, KTSTR_SCN_WORK_TYPE) : wk;
	const char *wn = t ? json_string_value(t) : KTSTR_SCN_CG_WORK_DEFAULT;
	memset(seq, 0, sizeof(*seq));
	if (!wn)
		FAIL("cgroup '%s': work must be a type name or an object with \"%s\"", cg, KTSTR_SCN_WORK_TYPE);
	*work = work_type_from_name(wn);
	if (*work < 0 || !work_type_implemented(*work)) {
		char list[512];
		work_type_list(list, sizeof(list), true);
		FAIL("cgroup '%s': work type '%.64s' is %s by this guest; implemented: %s", cg, wn,
		     *work < 0 ? "unknown" : "not implemented", list);
	}
	work_params_default(*work, params);
	const char *k;
	json_t *v;
	if (json_is_object(wk))
		json_object_foreach(wk, k, v) {
			if (!strcmp(k, KTSTR_SCN_WORK_TYPE))
				continue;
			if (*work == WORK_SEQUENCE && !strcmp(k, KTSTR_SCN_WORK_PHASES)) {
				if (parse_phases(v, cg, seq, err, errlen))
					return -EINVAL;
				continue;
			}
			int i = work_param_index(*work, k);
			const struct work_param *p = work_param_at(*work, i);
			if (!p)
				FAIL("cgroup '%s': %s has no parameter '%.64s'", cg, wn, k);
			if (!json_is_integer(v) || json_integer_value(v) < p->min || json_integer_value(v) > p->max)
				FAIL("cgroup '%s': %s.%s must be an integer in %lld..%lld", cg, wn, k,
				     (long long)p->min, (long long)p->max);
			params[i] = json_integer_value(v);
		}
	if (*work == WORK_SEQUENCE && !seq->n)
		FAIL("cgroup '%s': Sequence needs its phases", cg);
	return 0;
}
