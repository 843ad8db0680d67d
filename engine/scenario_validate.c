/* Scenario rules across fields (topology cap, cgroup names, worker groups, cpusets
 * against the topology), shared by the parser and command-line overrides, and the
 * resolution of CpusetSpecs into CPU lists for the guest. */
#include "engine/scenario_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Where cgroup i was written: "cgroups[2]" for the backdrop, "steps[1].cgroups[0]" for a
 * step's own; *idx = its position in that list (the "group N" of the seed's message). */
static void cg_where(const struct scenario *s, int i, char *buf, size_t len, int *idx)
{
	int k = s->cgroups[i].step;
	if (k >= 1 && k <= s->nsteps && k <= SCN_MAX_STEPS) {
		*idx = i - s->steps[k - 1].first_cgroup;
		snprintf(buf, len, "steps[%d].cgroups[%d]", k - 1, *idx);
	} else {
		*idx = i;
		snprintf(buf, len, "cgroups[%d]", i);
	}
}

int scn_validate_core(const struct scenario *s, bool final, char *path, size_t plen, char *msg,
		      size_t mlen)
{
	const struct vm_topology *t = &s->topo;
	int cpus;
	char where[48];
	int gi;
	if (t->numa < 1 || t->llcs < 1 || t->cores < 1 || t->threads < 1) {
		snprintf(path, plen, "topology");
		snprintf(msg, mlen, "topology: numa, llcs, cores and threads must all be >= 1");
		return -EINVAL;
	}
	cpus = scn_topo_cpus(t);
	if (cpus > SCN_MAX_VCPUS) {
		char l[64];
		scn_topo_label(t, l, sizeof(l));
		snprintf(path, plen, "topology");
		snprintf(msg, mlen, "topology %s has %d vCPUs, over the cap of %d (SCN_MAX_VCPUS, QEMU's "
			 "-M pc limit); use fewer nodes, LLCs, cores or threads", l, cpus, SCN_MAX_VCPUS);
		return -EINVAL;
	}
	if (s->ncgroups < 1) {
		snprintf(path, plen, "cgroups");
		snprintf(msg, mlen, "cgroups: at least one cgroup is required, e.g. "
			 "[{\"name\": \"cg0\", \"workers\": 2}]");
		return -EINVAL;
	}
	if (s->nsteps < 0 || s->nsteps > SCN_MAX_STEPS) {
		snprintf(path, plen, "steps");
		snprintf(msg, mlen, "steps: %d steps, at most %d", s->nsteps, SCN_MAX_STEPS);
		return -EINVAL;
	}
	if (s->nsteps) {
		long sum = 0;
		for (int k = 0; k < s->nsteps; k++)
			sum += s->steps[k].duration_ms;
		if (sum > SCN_MAX_DURATION_MS) {
			snprintf(path, plen, "steps");
			snprintf(msg, mlen, "steps: the steps last %ld ms in all, over the cap of %d ms; "
				 "shorten them", sum, SCN_MAX_DURATION_MS);
			return -EINVAL;
		}
		if (sum != s->duration_ms) {
			snprintf(path, plen, "duration_ms");
			snprintf(msg, mlen, "duration_ms: %d ms is not the sum of the steps' durations (%ld ms); "
				 "with steps the run lasts their sum: leave duration_ms (and --duration) out or make it %ld",
				 s->duration_ms, sum, sum);
			return -EINVAL;
		}
	}
	int total = 0;
	for (int i = 0; i < s->ncgroups; i++) {
		const struct scn_cgroup *g = &s->cgroups[i];
		cg_where(s, i, where, sizeof(where), &gi);
		for (int j = 0; j < i; j++) {
			const struct scn_cgroup *o = &s->cgroups[j];
			/* Live at the same time: both backdrop, or a backdrop and a step's, or
			 * two of one step. Steps do not overlap, so they may reuse names. */
			if (strcmp(o->name, g->name) || (o->step && g->step && o->step != g->step))
				continue;
			snprintf(path, plen, "%s.name", where);
			if (!g->step)
				snprintf(msg, mlen, "cgroup '%s' collides with a cgroup already tracked (declared twice in this scenario) — declare it in exactly one place",
					 g->name);
			else
				snprintf(msg, mlen, "cgroup '%s' collides with a cgroup already tracked (by %s) — declare it in exactly one place; use a fresh name for the step-local cgroup",
					 g->name, o->step ? "an earlier cgroup of the same step" : "a Backdrop cgroup, which lives for the whole run");
			return -EINVAL;
		}
		if (g->work == WORK_SEQUENCE && !g->seq.n) {
			snprintf(path, plen, "%s.work", where);
			snprintf(msg, mlen, "%s.work: Sequence needs its phases", where);
			return -EINVAL;
		}
		int64_t pv[WORK_PARAMS_MAX];
		work_params_resolve(g->work, g->params, g->params_set, pv);
		int grp = work_group_size(g->work, pv);
		if (g->workers % grp) {
			snprintf(path, plen, "%s.workers", where);
			snprintf(msg, mlen, "%s (group %d) requires num_workers divisible by %d, got %d",
				 work_type_name(g->work), gi, grp, g->workers);
			return -EINVAL;
		}
		if (g->cpuset_spec.kind > CPUSET_LIST) {
			/* Topology-dependent rules wait for the final topology (--topo). */
			char list[128];
			int rc = final ? scn_cpuset_resolve(t, &g->cpuset_spec, g->name, list, sizeof(list), msg, mlen)
				       : scn_spec_check_shape(&g->cpuset_spec, g->name, msg, mlen);
			if (rc) {
				snprintf(path, plen, "%s.cpuset", where);
				return rc;
			}
		} else if (g->cpuset[0]) {
			int max = scn_cpulist_max(g->cpuset);
			if (max < 0) {
				snprintf(path, plen, "%s.cpuset", where);
				snprintf(msg, mlen, "%s.cpuset: '%s' is not a CPU list; write it like \"0-3\" or \"0,2-3\"",
					 where, g->cpuset);
				return -EINVAL;
			}
			if (max >= cpus) {
				snprintf(path, plen, "%s.cpuset", where);
				snprintf(msg, mlen, "%s.cpuset: CPU %d is outside the topology's %d vCPUs (0-%d)",
					 where, max, cpus, cpus - 1);
				return -EINVAL;
			}
		}
		if (final && g->cpuset_mems[0] && scn_cpulist_max(g->cpuset_mems) >= t->numa) {
			snprintf(path, plen, "%s.cpuset_mems", where);
			snprintf(msg, mlen, "%s.cpuset_mems: node %d is outside the topology's %d NUMA "
				 "node%s (0-%d)", where, scn_cpulist_max(g->cpuset_mems), t->numa, t->numa == 1 ? "" : "s",
				 t->numa - 1);
			return -EINVAL;
		}
		if (final && scn_cgattr_validate(s, g, where, path, plen, msg, mlen))
			return -EINVAL;
		total += g->workers;
	}
	for (int i = 0; i < s->nops; i++) {
		const struct ktstr_op *op = &s->ops[i];
		int step_ms = s->nsteps && op->step >= 1 && op->step <= s->nsteps ?
			      s->steps[op->step - 1].duration_ms : s->duration_ms;
		scn_op_where(s, i, where, sizeof(where));
		if (op->at_ms >= step_ms) {
			snprintf(path, plen, "%s.at_ms", where);
			snprintf(msg, mlen, "%s.at_ms: %d ms is not inside its step, which lasts %d ms; "
				 "give 0..%d", where, op->at_ms, step_ms, step_ms - 1);
			return -EINVAL;
		}
		if (op->cpus[0] && scn_cpulist_max(op->cpus) >= cpus) {
			snprintf(path, plen, "%s.cpus", where);
			snprintf(msg, mlen, "%s.cpus: CPU %d is outside the topology's %d vCPUs (0-%d)", where,
				 scn_cpulist_max(op->cpus), cpus, cpus - 1);
			return -EINVAL;
		}
		total += op->kind == OP_SPAWN ? op->workers : 0;
	}
	if (total > SCN_MAX_WORKERS) {
		snprintf(path, plen, "cgroups");
		snprintf(msg, mlen, "cgroups: %d workers in total%s, over the cap of %d", total,
			 s->nsteps ? " (backdrop and all steps)" : "", SCN_MAX_WORKERS);
		return -EINVAL;
	}
	return 0;
}

int scn_validate(const struct scenario *s, char *err, size_t errlen)
{
	char path[160];
	return scn_validate_core(s, true, path, sizeof(path), err, errlen);
}

int scn_resolve(struct scenario *s, char *err, size_t errlen)
{
	int rc = 0;
	for (int i = 0; !rc && i < s->ncgroups && i < SCN_MAX_CGROUPS; i++) {
		struct scn_cgroup *g = &s->cgroups[i];
		if (g->cpuset_spec.kind > CPUSET_LIST)
			rc = scn_cpuset_resolve(&s->topo, &g->cpuset_spec, g->name, g->cpuset,
						sizeof(g->cpuset), err, errlen);
	}
	return rc;
}
