/* The guest's parse of a step's "ops" (guest/op_kinds.h): the host validated them with
 * file positions; here only what keeps the guest safe. No side effects: host tests link it. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "guest/gcpu.h"
#include "guest/gscn.h"
#include "guest/scenario_wire.h"

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

/* A cgroup name: one path component of [A-Za-z0-9_.-], as gscn.c's cgroups. */
static bool name_ok(const char *s)
{
	if (!s || !*s || *s == '.' || strlen(s) >= 64)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == strlen(s);
}

static int get_name(json_t *o, const char *key, char *dst, const char *where, size_t i, char *err,
		    size_t errlen)
{
	const char *v = json_string_value(json_object_get(o, key));
	if (!name_ok(v))
		FAIL("scenario.json: %s[%zu].%s must be a cgroup name of 1-63 characters of [A-Za-z0-9_.-]",
		     where, i, key);
	snprintf(dst, 64, "%s", v);
	return 0;
}

static int get_int(json_t *o, const char *key, long lo, long hi, long dflt, long *out,
		   const char *where, size_t i, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		FAIL("scenario.json: %s[%zu].%s must be an integer in %ld..%ld", where, i, key, lo, hi);
	*out = (long)json_integer_value(v);
	return 0;
}

int gscn_parse_ops(struct gscn *s, json_t *ops, const char *where, int step, int step_ms,
		   int *total, char *err, size_t errlen)
{
	size_t i;
	json_t *o;
	long n;
	if (ops && !json_is_array(ops))
		FAIL("scenario.json: %s must be an array", where);
	json_array_foreach(ops, i, o) {
		if (s->nop >= GSCN_MAX_OPS)
			FAIL("scenario.json: more than %d ops", GSCN_MAX_OPS);
		struct ktstr_op *op = &s->op[s->nop];
		memset(op, 0, sizeof(*op));
		op->cg_index = -1;
		op->step = step;
		if (!json_is_object(o))
			FAIL("scenario.json: %s[%zu] must be an object", where, i);
		const char *kn = json_string_value(json_object_get(o, KTSTR_SCN_OP_KIND));
		if ((op->kind = op_kind_from_name(kn)) < 0) {
			char list[512];
			op_kind_list(list, sizeof(list));
			FAIL("scenario.json: %s[%zu].op '%.64s' is unknown; ops: %s", where, i, kn ? kn : "",
			     list);
		}
		int keys = op_kind_info(op->kind)->keys;
		if (get_int(o, KTSTR_SCN_OP_AT_MS, 0, step_ms - 1, 0, &n, where, i, err, errlen))
			return -EINVAL;
		op->at_ms = (int)n;
		if (get_int(o, KTSTR_SCN_OP_EVERY_MS, 0, GSCN_MAX_DURATION_MS, 0, &n, where, i, err, errlen))
			return -EINVAL;
		if (n && n < OP_MIN_EVERY_MS)
			FAIL("scenario.json: %s[%zu].every_ms must be 0 or at least %d", where, i, OP_MIN_EVERY_MS);
		op->every_ms = (int)n;
		if ((keys & OPF_CGROUP) &&
		    get_name(o, KTSTR_SCN_OP_CGROUP, op->cgroup, where, i, err, errlen))
			return -EINVAL;
		if ((keys & OPF_AB) && (get_name(o, KTSTR_SCN_OP_A, op->cgroup, where, i, err, errlen) ||
					get_name(o, KTSTR_SCN_OP_B, op->other, where, i, err, errlen)))
			return -EINVAL;
		if ((keys & OPF_FROM_TO) &&
		    (get_name(o, KTSTR_SCN_OP_FROM, op->cgroup, where, i, err, errlen) ||
		     get_name(o, KTSTR_SCN_OP_TO, op->other, where, i, err, errlen)))
			return -EINVAL;
		if (keys & (OPF_CPUS | OPF_CPUS_OPT)) {
			json_t *c = json_object_get(o, KTSTR_SCN_OP_CPUS);
			uint64_t m[GCPU_WORDS];
			const char *cv = json_string_value(c);
			if ((c || (keys & OPF_CPUS)) &&
			    (!cv || strlen(cv) >= sizeof(op->cpus) || gcpu_parse(cv, m) <= 0))
				FAIL("scenario.json: %s[%zu].cpus must be a CPU list like \"0-3\"", where, i);
			snprintf(op->cpus, sizeof(op->cpus), "%s", cv ? cv : "");
		}
		if (keys & OPF_NICE) {
			if (!json_object_get(o, KTSTR_SCN_OP_NICE))
				FAIL("scenario.json: %s[%zu].nice is required (-20..19)", where, i);
			if (get_int(o, KTSTR_SCN_OP_NICE, -20, 19, 0, &n, where, i, err, errlen))
				return -EINVAL;
			op->nice = (int)n;
		}
		if (keys & OPF_POLICY) {
			const char *pv = json_string_value(json_object_get(o, KTSTR_SCN_OP_POLICY));
			if (!op_policy_parse(pv, &op->policy, &op->prio))
				FAIL("scenario.json: %s[%zu].policy must be normal, batch, idle, ext, fifo:PRIO or "
				     "rr:PRIO (PRIO 1..99)", where, i);
			snprintf(op->policy_text, sizeof(op->policy_text), "%s", pv);
		}
		if (keys & OPF_SPAWN) {
			if (get_int(o, KTSTR_SCN_OP_WORKERS, 1, GSCN_MAX_WORKERS, 0, &n, where, i, err, errlen))
				return -EINVAL;
			if (!n)
				FAIL("scenario.json: %s[%zu].workers is required (1..%d)", where, i, GSCN_MAX_WORKERS);
			op->workers = (int)n;
			json_t *w = json_object_get(o, KTSTR_SCN_OP_WORK);
			const char *wn = w ? json_string_value(w) : KTSTR_SCN_CG_WORK_DEFAULT;
			op->work = work_type_from_name(wn);
			if (op->work < 0 || !work_type_implemented(op->work) || op->work == WORK_SEQUENCE)
				FAIL("scenario.json: %s[%zu].work '%.64s' is not a work type this guest implements",
				     where, i, wn ? wn : "");
			if (op->workers % work_type_group(op->work))
				FAIL("%s (op %zu) requires num_workers divisible by %d, got %d",
				     work_type_name(op->work), i, work_type_group(op->work), op->workers);
			if (op->every_ms)
				FAIL("scenario.json: %s[%zu]: Spawn runs once (no every_ms): its workers get "
				     "their result slots up front", where, i);
			if (s->ncg >= GSCN_MAX_CGROUPS)
				FAIL("scenario.json: more than %d cgroups and Spawn ops", GSCN_MAX_CGROUPS);
			*total += op->workers;
			if (*total > GSCN_MAX_WORKERS)
				FAIL("scenario.json: %d workers in all, at most %d", *total, GSCN_MAX_WORKERS);
			struct gscn_cgroup *g = &s->cg[s->ncg];
			memset(g, 0, sizeof(*g));
			memcpy(g->name, op->cgroup, sizeof(g->name)); /* both 64, NUL-terminated */
			g->workers = op->workers;
			g->work = op->work;
			work_params_default(g->work, g->params); /* Spawn takes a name: defaults */
			g->step = step;
			g->spawned = true;
			op->cg_index = s->ncg++;
		}
		s->nop++;
	}
	return 0;
}
