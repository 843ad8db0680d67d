/* The run's --json object (the contract in docs/json.md), also result.json in the run
 * directory. Guest text is made valid UTF-8 on the way in. */
#include "engine/report.h"
#include "engine/monitor/mreport.h"
#include "engine/report_priv.h"
#include "engine/repro/repro_json.h"
#include "engine/worker_figs.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "guest/work_types.h"

static json_t *jnum(double d)
{
	return json_real(isfinite(d) ? d : 0);
}

static json_t *jmask_list(const struct cpumask *m)
{
	json_t *a = json_array();
	cpumask_for_each(c, m)
		json_array_append_new(a, json_integer(c));
	return a;
}

static json_t *jgroups(const struct cpumask *masks, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n && i < RUN_MAX_CPUS; i++)
		json_array_append_new(a, jmask_list(&masks[i]));
	return a;
}

/* Guest text is cut into fixed buffers and console bytes are raw: never let one invalid
 * UTF-8 sequence drop a field (jansson refuses such strings), replace bad bytes with '?'. */
static json_t *jsafe(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (j)
		return j;
	size_t n = strlen(s);
	char *c = malloc(n + 1);
	if (!c)
		return json_string("");
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		int len = p[i] < 0x80 ? 1 : (p[i] >> 5) == 6 ? 2 : (p[i] >> 4) == 14 ? 3 : (p[i] >> 3) == 30 ? 4 : 0;
		bool ok = len > 0 && i + (size_t)len <= n;
		for (int k = 1; ok && k < len; k++)
			ok = (p[i + k] & 0xC0) == 0x80;
		if (ok && len > 1) {
			/* let jansson judge overlongs/surrogates on the single sequence */
			char tmp[5] = { 0 };
			memcpy(tmp, s + i, (size_t)len);
			json_t *t = json_string(tmp);
			ok = t != NULL;
			json_decref(t);
		}
		if (ok) {
			memcpy(c + i, s + i, (size_t)len);
			i += (size_t)len;
		} else {
			c[i++] = '?';
		}
	}
	c[n] = 0;
	j = json_string(c);
	free(c);
	return j ? j : json_string("");
}

static json_t *jstr_or_null(const char *s)
{
	return s && *s ? jsafe(s) : json_null();
}

static json_t *build_json(struct run *r)
{
	json_t *o = json_object(), *a;
	char topo[64];
	scn_topo_label(&r->scn.topo, topo, sizeof(topo));

	json_object_set_new(o, "ktstr_result_version", json_integer(1));
	json_object_set_new(o, "result", json_string(run_result_name(r->result)));
	json_object_set_new(o, "exit_code", json_integer(r->exit_code));
	json_object_set_new(o, "error", jstr_or_null(r->error));
	json_object_set_new(o, "id", jsafe(r->id));
	json_object_set_new(o, "run_dir", jstr_or_null(r->dir));
	json_object_set_new(o, "warning", r->warning[0] ? json_string(r->warning) : json_null());
	json_object_set_new(o, "started_unix", json_integer(r->started_unix));
	json_object_set_new(o, "ktstr", json_pack("{s:o, s:o, s:o, s:o, s:o}", "version",
						  jstr_or_null(r->tool.version), "commit", jstr_or_null(r->tool.commit),
						  "libbpf", jstr_or_null(r->tool.libbpf), "qemu",
						  jstr_or_null(r->tool.qemu), "qemu_path", jstr_or_null(r->tool.qemu_path)));

	a = json_array();
	for (int i = 0; i < r->nchecks; i++)
		json_array_append_new(a, json_pack("{s:o, s:b, s:o}", "name", jsafe(r->checks[i].name), "ok",
						   r->checks[i].ok, "message", jsafe(r->checks[i].message)));
	json_object_set_new(o, "checks", a);

	json_object_set_new(o, "boot", json_pack("{s:o, s:I, s:I, s:I, s:i, s:b, s:b}", "accel", jsafe(r->accel),
						 "sys_rdy_ms", (json_int_t)r->sys_rdy_ms, "workload_start_ms",
						 (json_int_t)r->workload_start_ms, "kernel_boot_ms",
						 (json_int_t)r->kernel_boot_ms, "budget_ms", r->boot_budget_ms,
						 "budget_missed", r->boot_budget_missed, "tcg_relaxed", r->tcg_relaxed));
	/* Snapshot boot (docs/snapshot.md). */
	json_t *boot = json_object_get(o, "boot");
	json_object_set_new(boot, "restored", json_boolean(r->restored));
	json_object_set_new(boot, "restore_ms", json_integer(r->restore_ms));
	json_object_set_new(boot, "snapshot_save_ms", json_integer(r->snapshot_save_ms));
	json_object_set_new(o, "guest", json_pack("{s:i, s:o, s:o, s:o, s:i, s:b, s:b, s:o, s:i, s:i, s:I, s:I}",
						  "cpus", r->guest_cpus, "llcs", jgroups(r->llcs, r->nllcs),
						  "nodes", jgroups(r->nodes, r->nnodes), "kernel", jsafe(r->guest_kernel),
						  "proto", r->guest_proto, "hello", r->guest_hello, "done", r->guest_done,
						  "stage", jsafe(r->stage), "steps_done", r->steps_done, "steps", r->steps,
						  "elapsed_ms", (json_int_t)r->guest_elapsed_ms,
						  "malformed_lines", (json_int_t)r->malformed_lines));
	json_object_set_new(json_object_get(o, "guest"), "ok", json_boolean(r->guest_ok));

	a = json_array();
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		json_array_append_new(a, json_pack("{s:i, s:o, s:o, s:f, s:f, s:I, s:o, s:i, s:I, s:o, s:i, s:b, s:b}",
						   "tid", w->tid, "cgroup", jsafe(w->cgroup), "work", jsafe(w->work),
						   "cpu_ms", (double)w->cpu_ns / 1e6, "wall_ms", (double)w->wall_ns / 1e6,
						   "iters", (json_int_t)w->iters, "max_gap_ms", jnum(w->max_gap_ms),
						   "max_gap_cpu", w->max_gap_cpu, "max_gap_at_ms",
						   (json_int_t)w->max_gap_at_ms, "cpus", jmask_list(&w->cpus_mask),
						   "migrations", w->migrations, "completed", w->completed,
						   "reported", w->reported));
		wfigs_worker_json(w, json_array_get(a, json_array_size(a) - 1));
		/* The type's own figure ("forks": ...), named by the work table. */
		const char *fname = work_type_figure(work_type_from_name(w->work));
		if (fname && w->figure >= 0) {
			json_t *wo = json_array_get(a, json_array_size(a) - 1);
			json_object_set_new(wo, "figure_name", json_string(fname));
			json_object_set_new(wo, "figure", json_integer((json_int_t)w->figure));
		}
		wattr_to_json(&w->attr, json_array_get(a, json_array_size(a) - 1));
	}
	json_object_set_new(o, "workers", a);

	a = json_array();
	for (int i = 0; i < r->ncgroups; i++) {
		const struct run_cgroup *c = &r->cgroups[i];
		json_array_append_new(a, json_pack("{s:o, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:i, s:I}", "name", jsafe(c->name),
						   "workers", c->workers, "cpus", c->cpus, "spread_pct",
						   jnum(c->spread_pct), "min_off_pct", jnum(c->min_off_pct),
						   "max_off_pct", jnum(c->max_off_pct), "mean_off_pct",
						   jnum(c->mean_off_pct), "max_gap_ms", jnum(c->max_gap_ms),
						   "migrations", c->migrations, "iters", (json_int_t)c->iters));
		wfigs_cgroup_json(c, json_array_get(a, json_array_size(a) - 1));
	}
	json_object_set_new(o, "cgroups", a);

	json_object_set_new(o, "thresholds", json_pack("{s:o, s:o, s:b}", "max_gap_ms", jnum(r->gap_threshold_ms),
						       "max_spread_pct", jnum(r->spread_threshold_pct),
						       "tcg_relaxed", r->tcg_relaxed));
	json_object_set_new(json_object_get(o, "thresholds"), "worker", wfigs_thresholds_json(&r->scn.checks));

	json_t *sc = json_pack("{s:o, s:s, s:o, s:s, s:i, s:i, s:b, s:b}", "name", jsafe(r->scn.name), "topology", topo,
			       "scheduler", jsafe(r->scn.sched.kind == SCHED_EEVDF ? "eevdf" : r->scn.sched.spec),
			       "scheduler_kind", r->scn.sched.kind == SCHED_PATH ? "path" :
			       r->scn.sched.kind == SCHED_NAME ? "name" : "eevdf",
			       "duration_ms", r->scn.duration_ms, "memory_mb", r->scn.memory_mb,
			       "expect_err", r->scn.expect_err, "performance_mode", r->scn.performance_mode);
	a = json_array();
	for (int i = 0; i < r->scn.ncgroups; i++) {
		const struct scn_cgroup *g = &r->scn.cgroups[i];
		json_t *cg = json_pack("{s:o, s:i, s:s}", "name", jsafe(g->name), "workers", g->workers, "work",
				       work_type_name(g->work));
		if (g->cpuset[0])
			json_object_set_new(cg, "cpuset", json_string(g->cpuset));
		if (g->step > 0) /* a step's own cgroup (1-based step); absent: the backdrop */
			json_object_set_new(cg, "step", json_integer(g->step));
		json_array_append_new(a, cg);
	}
	json_object_set_new(sc, "cgroups", a);
	if (r->scn.nsteps > 0) {
		a = json_array();
		for (int k = 0; k < r->scn.nsteps && k < SCN_MAX_STEPS; k++)
			json_array_append_new(a, json_pack("{s:o, s:i}", "name", jsafe(r->scn.steps[k].name),
							   "duration_ms", r->scn.steps[k].duration_ms));
		json_object_set_new(sc, "steps", a);
	}
	if (r->scn.nops > 0) { /* what ran mid-run, for a reader of the results */
		a = json_array();
		for (int i = 0; i < r->scn.nops && i < SCN_MAX_OPS; i++) {
			const struct ktstr_op *op = &r->scn.ops[i];
			json_t *oj = json_pack("{s:s, s:i, s:i, s:i, s:o}", "op", op_kind_name(op->kind), "step",
					       op->step, "at_ms", op->at_ms, "every_ms", op->every_ms, "cgroup",
					       jsafe(op->cgroup));
			if (op->other[0])
				json_object_set_new(oj, "other", jsafe(op->other));
			json_array_append_new(a, oj);
		}
		json_object_set_new(sc, "ops", a);
	}
	json_object_set_new(o, "scenario", sc);

	json_object_set_new(o, "kernel", json_pack("{s:o, s:o, s:o}", "key", jsafe(r->kernel_key), "path",
						   jsafe(r->kernel_path), "version", jsafe(r->kernel_version)));
	json_object_set_new(o, "scheduler", json_pack("{s:o, s:o, s:b, s:b, s:b, s:b, s:o, s:i, s:I}", "label",
						      jsafe(r->sched_label), "ops", jsafe(r->sched_ops), "started", r->sched_started,
						      "attached", r->sched_attached, "load_failed",
						      r->sched_load_failed, "died", r->sched_died, "exit_reason",
						      jstr_or_null(r->sched_exit_reason), "exit_code",
						      r->sched_exit_code, "died_ms", (json_int_t)r->sched_died_ms));
	/* The scheduler's programs as the kernel held them once attached (verifier sweep). */
	json_t *progs = json_array();
	for (int i = 0; i < r->nprogs; i++)
		json_array_append_new(progs, json_pack("{s:o, s:o, s:I}", "name", jsafe(r->progs[i].name),
						       "type", jsafe(r->progs[i].type), "verified_insns",
						       (json_int_t)r->progs[i].verified_insns));
	json_object_set_new(o, "bpf_progs", progs);
	json_object_set_new(o, "vm_exit_code", json_integer(r->vm_exit_code));
	json_object_set_new(o, "shell", !r->shell ? json_null() :
			    json_pack("{s:b, s:o, s:I, s:o}", "exec", r->exec, "exec_status",
				      r->exec_status >= 0 ? json_integer(r->exec_status) : json_null(),
				      "exec_bytes", (json_int_t)r->exec_bytes, "ended", jsafe(r->vm_end)));

	json_object_set_new(o, "auto_repro", r->repro ? repro_to_json(r->repro) : json_null());
	json_object_set_new(o, "monitor", mon_report_json(r));

	json_t *secs = json_object();
	for (int s = 0; s < REPORT_NSECTIONS; s++) {
		char *body = report_section_relevant(r, s) ? report_section_body(r, s) : NULL;
		json_object_set_new(secs, report_section_key(s), body ? jsafe(body) : json_null());
		free(body);
	}
	json_object_set_new(o, "sections", secs);
	return o;
}

char *report_json(struct run *r)
{
	json_t *o = build_json(r);
	if (!o)
		return NULL;
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}
