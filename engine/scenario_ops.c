/* A step's "ops" (guest/op_kinds.h; docs/scenario.md "ops"): parsed with FILE:LINE:COL
 * errors, written back for the guest and for a saved scenario (the same keys), and the
 * rules that depend on the topology and the step's length. Cgroup names are not checked
 * against the scenario's: the reference does not pre-validate them, and a typo surfaces in
 * the guest as the seed's cgroup-state snapshot when the op runs. */
#include "engine/scenario_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/scenario_wire.h"

static int op_name(struct scn_pctx *c, json_t *o, const char *base, const char *key, char *dst)
{
	char path[128];
	snprintf(path, sizeof(path), "%s.%s", base, key);
	json_t *v = json_object_get(o, key);
	if (!v)
		return scn_perr(c, base, false, "%s: missing required key '%s' (a cgroup name)", base, key);
	if (scn_want(c, v, path, JSON_STRING, "string"))
		return -EINVAL;
	const char *n = json_string_value(v);
	if (!scn_valid_ident(n, 64))
		return scn_perr(c, path, false, "%s: '%s' is not a cgroup name (1-63 characters of "
				"[A-Za-z0-9_-])", path, n);
	snprintf(dst, 64, "%s", n);
	return 0;
}

static int parse_one(struct scn_pctx *c, json_t *o, const char *base, struct ktstr_op *op)
{
	static const char *const keys[] = { KTSTR_SCN_OP_KIND, KTSTR_SCN_OP_AT_MS, KTSTR_SCN_OP_EVERY_MS,
					    KTSTR_SCN_OP_CGROUP, KTSTR_SCN_OP_A, KTSTR_SCN_OP_B,
					    KTSTR_SCN_OP_FROM, KTSTR_SCN_OP_TO, KTSTR_SCN_OP_CPUS,
					    KTSTR_SCN_OP_WORKERS, KTSTR_SCN_OP_WORK, KTSTR_SCN_OP_NICE,
					    KTSTR_SCN_OP_POLICY, NULL };
	char path[128], list[512];
	long n;
	if (scn_want_object(c, o, base, "an op", keys))
		return -EINVAL;
	json_t *v = json_object_get(o, KTSTR_SCN_OP_KIND);
	snprintf(path, sizeof(path), "%s.op", base);
	op_kind_list(list, sizeof(list));
	if (!v)
		return scn_perr(c, base, false, "%s: missing required key 'op' (one of %s)", base, list);
	if (scn_want(c, v, path, JSON_STRING, "string"))
		return -EINVAL;
	if ((op->kind = op_kind_from_name(json_string_value(v))) < 0)
		return scn_perr(c, path, false, "%s: unknown op '%s'; ops: %s", path, json_string_value(v), list);
	int need = op_kind_info(op->kind)->keys;
	/* A key the op does not take is a mistake worth naming, not something to ignore. */
	static const struct { const char *key; int flags; } owners[] = {
		{ KTSTR_SCN_OP_CGROUP, OPF_CGROUP }, { KTSTR_SCN_OP_A, OPF_AB }, { KTSTR_SCN_OP_B, OPF_AB },
		{ KTSTR_SCN_OP_FROM, OPF_FROM_TO }, { KTSTR_SCN_OP_TO, OPF_FROM_TO },
		{ KTSTR_SCN_OP_CPUS, OPF_CPUS | OPF_CPUS_OPT }, { KTSTR_SCN_OP_WORKERS, OPF_SPAWN },
		{ KTSTR_SCN_OP_WORK, OPF_SPAWN }, { KTSTR_SCN_OP_NICE, OPF_NICE },
		{ KTSTR_SCN_OP_POLICY, OPF_POLICY },
	};
	for (size_t i = 0; i < sizeof(owners) / sizeof(owners[0]); i++)
		if (json_object_get(o, owners[i].key) && !(need & owners[i].flags)) {
			snprintf(path, sizeof(path), "%s.%s", base, owners[i].key);
			return scn_perr(c, path, true, "%s: %s takes no '%s'", path, op_kind_name(op->kind),
					owners[i].key);
		}
	if ((v = json_object_get(o, KTSTR_SCN_OP_AT_MS))) {
		snprintf(path, sizeof(path), "%s.at_ms", base);
		if (scn_get_int(c, v, path, 0, SCN_MAX_DURATION_MS, &n))
			return -EINVAL;
		op->at_ms = (int)n;
	}
	if ((v = json_object_get(o, KTSTR_SCN_OP_EVERY_MS))) {
		snprintf(path, sizeof(path), "%s.every_ms", base);
		if (scn_get_int(c, v, path, 0, SCN_MAX_DURATION_MS, &n))
			return -EINVAL;
		if (n && n < OP_MIN_EVERY_MS)
			return scn_perr(c, path, false, "%s: %ld ms is too often; 0 (once) or at least %d ms "
					"(the guest checks its ops every 50 ms)", path, n, OP_MIN_EVERY_MS);
		op->every_ms = (int)n;
	}
	if ((need & OPF_CGROUP) && op_name(c, o, base, KTSTR_SCN_OP_CGROUP, op->cgroup))
		return -EINVAL;
	if ((need & OPF_AB) && (op_name(c, o, base, KTSTR_SCN_OP_A, op->cgroup) ||
				op_name(c, o, base, KTSTR_SCN_OP_B, op->other)))
		return -EINVAL;
	if ((need & OPF_FROM_TO) && (op_name(c, o, base, KTSTR_SCN_OP_FROM, op->cgroup) ||
				     op_name(c, o, base, KTSTR_SCN_OP_TO, op->other)))
		return -EINVAL;
	v = json_object_get(o, KTSTR_SCN_OP_CPUS);
	snprintf(path, sizeof(path), "%s.cpus", base);
	if ((need & OPF_CPUS) && !v)
		return scn_perr(c, base, false, "%s: missing required key 'cpus' (a CPU list like \"0-1\")", base);
	if (v) {
		if (scn_want(c, v, path, JSON_STRING, "string"))
			return -EINVAL;
		const char *cv = json_string_value(v);
		if (strlen(cv) >= sizeof(op->cpus) || scn_cpulist_max(cv) < 0)
			return scn_perr(c, path, false, "%s: '%s' is not a CPU list; write it like \"0-3\" or "
					"\"0,2-3\"", path, cv);
		snprintf(op->cpus, sizeof(op->cpus), "%s", cv);
	}
	if (need & OPF_SPAWN) {
		snprintf(path, sizeof(path), "%s.workers", base);
		if (!(v = json_object_get(o, KTSTR_SCN_OP_WORKERS)))
			return scn_perr(c, base, false, "%s: missing required key 'workers' (1..%d)", base,
					SCN_MAX_WORKERS);
		if (scn_get_int(c, v, path, 1, SCN_MAX_WORKERS, &n))
			return -EINVAL;
		op->workers = (int)n;
		op->work = WORK_SPIN_WAIT;
		snprintf(path, sizeof(path), "%s.work", base);
		if ((v = json_object_get(o, KTSTR_SCN_OP_WORK))) {
			if (scn_want(c, v, path, JSON_STRING, "string"))
				return -EINVAL;
			op->work = work_type_from_name(json_string_value(v));
			if (op->work == WORK_SEQUENCE)
				return scn_perr(c, path, false, "%s: Spawn takes a work type name with default "
						"parameters, and Sequence needs its phases; run the Sequence in a "
						"step's cgroup instead", path);
			if (op->work < 0 || !work_type_implemented(op->work)) {
				work_type_list(list, sizeof(list), true);
				return scn_perr(c, path, false, "%s: work type '%s' is %s; implemented: %s", path,
						json_string_value(v), op->work < 0 ? "unknown" : "not implemented yet",
						list);
			}
		}
		int grp = work_type_group(op->work);
		if (op->workers % grp)
			return scn_perr(c, base, false, "%s (%s) requires num_workers divisible by %d, got %d",
					work_type_name(op->work), base, grp, op->workers);
		if (op->every_ms)
			return scn_perr(c, base, false, "%s: Spawn runs once: leave every_ms out (each Spawn's "
					"workers get their result slots before the run starts)", base);
	}
	if (need & OPF_NICE) {
		snprintf(path, sizeof(path), "%s.nice", base);
		if (!(v = json_object_get(o, KTSTR_SCN_OP_NICE)))
			return scn_perr(c, base, false, "%s: missing required key 'nice' (-20..19)", base);
		if (scn_get_int(c, v, path, -20, 19, &n))
			return -EINVAL;
		op->nice = (int)n;
	}
	if (need & OPF_POLICY) {
		snprintf(path, sizeof(path), "%s.policy", base);
		if (!(v = json_object_get(o, KTSTR_SCN_OP_POLICY)))
			return scn_perr(c, base, false, "%s: missing required key 'policy'", base);
		if (scn_want(c, v, path, JSON_STRING, "string"))
			return -EINVAL;
		const char *pv = json_string_value(v);
		if (strlen(pv) >= sizeof(op->policy_text) || !op_policy_parse(pv, &op->policy, &op->prio))
			return scn_perr(c, path, false, "%s: '%s' is not a policy; give normal, batch, idle, "
					"ext, fifo:PRIO or rr:PRIO (PRIO 1..99)", path, pv);
		snprintf(op->policy_text, sizeof(op->policy_text), "%s", pv);
	}
	return 0;
}

int scn_parse_ops(struct scn_pctx *c, json_t *ops, const char *base, int step, struct scenario *s)
{
	char ob[96];
	size_t i;
	json_t *o;
	if (scn_want(c, ops, base, JSON_ARRAY, "array"))
		return -EINVAL;
	json_array_foreach(ops, i, o) {
		snprintf(ob, sizeof(ob), "%s[%zu]", base, i);
		if (s->nops >= SCN_MAX_OPS)
			return scn_perr(c, ob, false, "%s: more than %d ops in the scenario", ob, SCN_MAX_OPS);
		struct ktstr_op *op = &s->ops[s->nops];
		memset(op, 0, sizeof(*op));
		op->step = step;
		op->cg_index = -1;
		if (parse_one(c, o, ob, op))
			return -EINVAL;
		s->nops++;
	}
	return 0;
}

void scn_op_where(const struct scenario *s, int i, char *buf, size_t len)
{
	int pos = 0;
	for (int j = 0; j < i; j++)
		pos += s->ops[j].step == s->ops[i].step;
	if (s->nsteps)
		snprintf(buf, len, "steps[%d].ops[%d]", s->ops[i].step - 1, pos);
	else
		snprintf(buf, len, "ops[%d]", pos);
}

json_t *scn_ops_json(const struct scenario *s, int step)
{
	json_t *a = NULL;
	for (int i = 0; i < s->nops; i++) {
		const struct ktstr_op *op = &s->ops[i];
		if (op->step != step)
			continue;
		int need = op_kind_info(op->kind)->keys;
		json_t *o = json_object();
		json_object_set_new(o, KTSTR_SCN_OP_KIND, json_string(op_kind_name(op->kind)));
		if (need & OPF_CGROUP)
			json_object_set_new(o, KTSTR_SCN_OP_CGROUP, json_string(op->cgroup));
		if (need & (OPF_AB | OPF_FROM_TO)) {
			json_object_set_new(o, need & OPF_AB ? KTSTR_SCN_OP_A : KTSTR_SCN_OP_FROM,
					    json_string(op->cgroup));
			json_object_set_new(o, need & OPF_AB ? KTSTR_SCN_OP_B : KTSTR_SCN_OP_TO,
					    json_string(op->other));
		}
		if (op->cpus[0])
			json_object_set_new(o, KTSTR_SCN_OP_CPUS, json_string(op->cpus));
		if (need & OPF_SPAWN) {
			json_object_set_new(o, KTSTR_SCN_OP_WORKERS, json_integer(op->workers));
			json_object_set_new(o, KTSTR_SCN_OP_WORK, json_string(work_type_name(op->work)));
		}
		if (need & OPF_NICE)
			json_object_set_new(o, KTSTR_SCN_OP_NICE, json_integer(op->nice));
		if (need & OPF_POLICY)
			json_object_set_new(o, KTSTR_SCN_OP_POLICY, json_string(op->policy_text));
		if (op->at_ms)
			json_object_set_new(o, KTSTR_SCN_OP_AT_MS, json_integer(op->at_ms));
		if (op->every_ms)
			json_object_set_new(o, KTSTR_SCN_OP_EVERY_MS, json_integer(op->every_ms));
		if (!a)
			a = json_array();
		json_array_append_new(a, o);
	}
	return a;
}
