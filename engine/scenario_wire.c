/* The normalized scenario for the guest (see scenario_wire.h): backdrop cgroups, steps with
 * their own cgroups, and the scheduler, every key spelled through guest/scenario_wire.h. */
#include <jansson.h>
#include <stddef.h>

#include "engine/scenario_priv.h"
#include "engine/scenario_wire.h"
#include "guest/proto.h"
#include "guest/scenario_wire.h"

static json_t *wire_cgroup(const struct scenario *scn, const struct scn_cgroup *c)
{
	json_t *cg = json_object();
	json_object_set_new(cg, KTSTR_SCN_CG_NAME, json_string(c->name));
	json_object_set_new(cg, KTSTR_SCN_CG_WORKERS, json_integer(c->workers));
	/* The name alone with default parameters; the guest applies the same table's defaults. */
	json_object_set_new(cg, KTSTR_SCN_CG_WORK, scn_work_json(c));
	/* A CpusetSpec is resolved by scn_resolve; resolve here too for a caller that
	 * skipped it (nothing is sent when it does not resolve). */
	char list[sizeof(c->cpuset)], e[256];
	const char *cpus = c->cpuset;
	if (!cpus[0] && c->cpuset_spec.kind > CPUSET_LIST &&
	    !scn_cpuset_resolve(&scn->topo, &c->cpuset_spec, c->name, list, sizeof(list), e, sizeof(e)))
		cpus = list;
	if (cpus[0])
		json_object_set_new(cg, KTSTR_SCN_CG_CPUSET, json_string(cpus));
	static const struct { const char *key; size_t off; } knobs[] = {
#define X(member, key) { key, offsetof(struct scn_cgroup, member) },
		KTSTR_SCN_CG_KNOBS(X)
#undef X
	};
	for (size_t k = 0; k < sizeof(knobs) / sizeof(knobs[0]); k++) {
		const char *val = (const char *)c + knobs[k].off;
		if (val[0])
			json_object_set_new(cg, knobs[k].key, json_string(val));
	}
	scn_cgattr_wire(scn, c, cg);
	return cg;
}

char *scn_wire_json(const struct scenario *scn, bool has_sched)
{
	json_t *o = json_object();
	json_object_set_new(o, KTSTR_SCN_NAME, json_string(scn->name));
	json_object_set_new(o, KTSTR_SCN_DURATION_MS, json_integer(scn->duration_ms));
	/* No steps: the count 1 (one implicit step of duration_ms), as before steps existed.
	 * With steps: the list; its length is the step count the guest reports. */
	if (!scn->nsteps) {
		json_object_set_new(o, KTSTR_SCN_STEPS, json_integer(1));
		json_t *ops = scn_ops_json(scn, 1);
		if (ops)
			json_object_set_new(o, KTSTR_SCN_OPS, ops);
	} else {
		json_t *steps = json_array();
		for (int k = 0; k < scn->nsteps && k < SCN_MAX_STEPS; k++) {
			const struct scn_step *sp = &scn->steps[k];
			json_t *st = json_object(), *scgs = json_array();
			if (sp->name[0])
				json_object_set_new(st, KTSTR_SCN_STEP_NAME, json_string(sp->name));
			json_object_set_new(st, KTSTR_SCN_STEP_DURATION_MS, json_integer(sp->duration_ms));
			for (int i = sp->first_cgroup; i < sp->first_cgroup + sp->ncgroups && i < scn->ncgroups; i++)
				json_array_append_new(scgs, wire_cgroup(scn, &scn->cgroups[i]));
			json_object_set_new(st, KTSTR_SCN_STEP_CGROUPS, scgs);
			json_t *ops = scn_ops_json(scn, k + 1);
			if (ops)
				json_object_set_new(st, KTSTR_SCN_OPS, ops);
			json_array_append_new(steps, st);
		}
		json_object_set_new(o, KTSTR_SCN_STEPS, steps);
	}
	json_t *cgs = json_array();
	for (int i = 0; i < scn->ncgroups; i++)
		if (!scn->cgroups[i].step)
			json_array_append_new(cgs, wire_cgroup(scn, &scn->cgroups[i]));
	json_object_set_new(o, KTSTR_SCN_CGROUPS, cgs);
	if (has_sched) {
		json_t *s = json_object();
		json_object_set_new(s, KTSTR_SCN_SCHED_PATH, json_string(KTSTR_GUEST_SCHED_BIN));
		json_object_set_new(s, KTSTR_SCN_SCHED_NAME, json_string(scn->sched.spec));
		json_t *args = json_array();
		for (int i = 0; i < scn->sched.nargs; i++)
			json_array_append_new(args, json_string(scn->sched.args[i]));
		json_object_set_new(s, KTSTR_SCN_SCHED_ARGS, args);
		json_object_set_new(o, KTSTR_SCN_SCHEDULER, s);
	} else {
		json_object_set_new(o, KTSTR_SCN_SCHEDULER, json_null());
	}
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}
