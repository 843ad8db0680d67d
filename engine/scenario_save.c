/* A scenario back to the file format scn_parse reads (docs/scenario.md), so a run
 * directory holds the exact scenario it ran: `ktstr repro RUN_DIR` reruns it from there.
 * CpusetSpecs are kept as specs (the same topology resolves them the same way). */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scenario.h"
#include "engine/scenario_priv.h"

static json_t *cpuset_json(const struct scn_cgroup *g)
{
	const struct scn_cpuset_spec *sp = &g->cpuset_spec;
	switch (sp->kind) {
	case CPUSET_LLC: return json_pack("{s:I}", "llc", (json_int_t)sp->index);
	case CPUSET_NUMA: return json_pack("{s:I}", "numa", (json_int_t)sp->index);
	case CPUSET_DISJOINT:
		return json_pack("{s:{s:I, s:I}}", "disjoint", "index", (json_int_t)sp->index, "of",
				 (json_int_t)sp->of);
	case CPUSET_RANGE:
		return json_pack("{s:{s:f, s:f}}", "range", "start_frac", sp->start_frac, "end_frac",
				 sp->end_frac);
	case CPUSET_OVERLAP:
		return json_pack("{s:{s:I, s:I, s:f}}", "overlap", "index", (json_int_t)sp->index, "of",
				 (json_int_t)sp->of, "frac", sp->frac);
	case CPUSET_LIST:
	case CPUSET_NONE:
		break;
	}
	return g->cpuset[0] ? json_string(g->cpuset) : NULL;
}

static json_t *cgroup_json(const struct scn_cgroup *g)
{
	json_t *o = json_pack("{s:s, s:i, s:o}", "name", g->name, "workers", g->workers, "work",
			      scn_work_json(g));
	if (!o)
		return NULL;
	json_t *cs = cpuset_json(g);
	if (cs)
		json_object_set_new(o, "cpuset", cs);
	const struct { const char *key, *val; } knobs[] = {
		{ "cpu_max", g->cpu_max }, { "memory_max", g->memory_max },
		{ "memory_swap_max", g->memory_swap_max }, { "cpuset_mems", g->cpuset_mems },
	};
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const char *v = knobs[i].val;
		if (!v[0])
			continue;
		/* Byte counts are integers in the file; "max" and the other knobs are strings. */
		bool bytes = !strncmp(knobs[i].key, "memory_", 7) && strspn(v, "0123456789") == strlen(v);
		json_object_set_new(o, knobs[i].key, bytes ? json_integer((json_int_t)strtoll(v, NULL, 10))
						      : json_string(v));
	}
	scn_cgattr_save(&g->attr, o);
	return o;
}

char *scn_to_json(const struct scenario *s)
{
	json_t *o = json_pack("{s:s, s:{s:i, s:i, s:i, s:i}, s:i, s:i}", "name", s->name, "topology",
			      "numa", s->topo.numa, "llcs", s->topo.llcs, "cores", s->topo.cores,
			      "threads", s->topo.threads, "memory_mb", s->memory_mb, "duration_ms",
			      s->duration_ms);
	if (!o)
		return NULL;
	if (s->sched.kind == SCHED_EEVDF) {
		json_object_set_new(o, "scheduler", json_string("eevdf"));
	} else {
		json_t *args = json_array();
		for (int i = 0; i < s->sched.nargs; i++)
			json_array_append_new(args, json_string(s->sched.args[i] ? s->sched.args[i] : ""));
		json_t *so = json_pack("{s:s, s:o}", s->sched.kind == SCHED_PATH ? "path" : "name",
				       s->sched.spec, "args", args);
		json_t *fl = scn_flags_json(&s->sched);
		if (so && fl)
			json_object_set_new(so, "flags", fl);
		json_object_set_new(o, "scheduler", so);
	}
	json_t *cons = scn_constraints_json(&s->constraints);
	if (cons)
		json_object_set_new(o, "constraints", cons);
	json_t *top = json_array(), *steps = json_array();
	for (int k = 0; k < s->nsteps; k++) {
		json_t *cgs = json_array();
		const struct scn_step *st = &s->steps[k];
		for (int c = st->first_cgroup; c < st->first_cgroup + st->ncgroups && c < s->ncgroups; c++)
			json_array_append_new(cgs, cgroup_json(&s->cgroups[c]));
		json_t *so = json_pack("{s:i, s:o}", "duration_ms", st->duration_ms, "cgroups", cgs);
		if (st->name[0])
			json_object_set_new(so, "name", json_string(st->name));
		json_t *ops = scn_ops_json(s, k + 1);
		if (ops)
			json_object_set_new(so, "ops", ops);
		json_array_append_new(steps, so);
	}
	for (int c = 0; c < s->ncgroups; c++)
		if (s->cgroups[c].step == 0)
			json_array_append_new(top, cgroup_json(&s->cgroups[c]));
	json_object_set_new(o, "cgroups", top);
	if (s->nsteps) {
		json_object_set_new(o, "steps", steps);
	} else {
		json_decref(steps);
		json_t *ops = scn_ops_json(s, 1);
		if (ops)
			json_object_set_new(o, "ops", ops);
	}
	if (s->checks.has_max_gap_ms || s->checks.has_max_spread_pct || scn_worker_checks_set(&s->checks)) {
		json_t *ck = json_object();
		if (s->checks.has_max_gap_ms)
			json_object_set_new(ck, "max_gap_ms", json_integer((json_int_t)s->checks.max_gap_ms));
		if (s->checks.has_max_spread_pct)
			json_object_set_new(ck, "max_spread_pct", json_real(s->checks.max_spread_pct));
		scn_worker_checks_json(&s->checks, ck);
		json_object_set_new(o, "checks", ck);
	}
	json_t *mon = scn_monitor_json(&s->monitor);
	if (mon)
		json_object_set_new(o, "monitor", mon);
	if (s->expect_err)
		json_object_set_new(o, "expect_err", json_true());
	if (s->performance_mode)
		json_object_set_new(o, "performance_mode", json_true());
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}
