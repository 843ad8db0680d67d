/* Host-side verdict over a run: per-cgroup statistics, the gap / spread / progress checks
 * with their TCG-aware thresholds, and the scheduler-lifecycle checks. This file is the
 * source of truth for those messages' words (the seed's). */
#include "engine/checks.h"
#include "engine/monitor/eval.h"
#include "engine/checks_worker.h"
#include "engine/worker_figs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int check_fmt_gap(char *buf, size_t len, int tid, double gap_ms, int cpu, int64_t at_ms, double threshold_ms)
{
	return snprintf(buf, len, "tid %d stuck %lldms on cpu%d at +%lldms (threshold %lldms)", tid,
			(long long)llround(gap_ms), cpu, (long long)at_ms, (long long)llround(threshold_ms));
}

int check_fmt_spread(char *buf, size_t len, double spread, double lo, double hi, int workers, int cpus,
		     double threshold)
{
	return snprintf(buf, len, "unfair cgroup: spread=%.0f%% (%.0f-%.0f%%) %d workers on %d cpus (threshold %.0f%%)",
			spread, lo, hi, workers, cpus, threshold);
}

int check_fmt_died(char *buf, size_t len, int steps_done, int steps, int64_t died_ms)
{
	double s = (double)died_ms / 1000.0;
	if (steps > 0 && steps_done >= steps)
		return snprintf(buf, len, "scheduler process died unexpectedly (detected after all %d steps "
				"completed, %.1fs elapsed)", steps, s);
	if (steps > 0 && steps_done > 0)
		return snprintf(buf, len, "scheduler process died unexpectedly after completing step %d of %d "
				"(%.1fs into test)", steps_done, steps, s);
	return snprintf(buf, len, "scheduler process died unexpectedly during workload (%.1fs into test)", s);
}

double checks_share_pct(const struct run_worker *w)
{
	if (!w->wall_ns)
		return 0;
	double p = 100.0 * (double)w->cpu_ns / (double)w->wall_ns;
	return p > 100.0 ? 100.0 : p < 0 ? 0 : p;
}

static double off_pct(const struct run_worker *w)
{
	if (!w->wall_ns)
		return 0;
	double cpu = (double)(w->cpu_ns > w->wall_ns ? w->wall_ns : w->cpu_ns);
	return 100.0 * ((double)w->wall_ns - cpu) / (double)w->wall_ns;
}

/* Workers the guest reported without a cgroup are grouped under one visible name. */
static const char *cg_of(const struct run_worker *w)
{
	return w->cgroup[0] ? w->cgroup : "(none)";
}

static struct run_cgroup *cgroup_slot(struct run *r, const char *name)
{
	for (int i = 0; i < r->ncgroups; i++)
		if (!strcmp(r->cgroups[i].name, name))
			return &r->cgroups[i];
	if (r->ncgroups >= SCN_MAX_CGROUPS)
		return NULL;
	struct run_cgroup *c = &r->cgroups[r->ncgroups++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

static void thresholds(struct run *r, bool tcg)
{
	const struct scn_checks *c = &r->scn.checks;
	r->tcg_relaxed = false;
	if (c->has_max_gap_ms) {
		r->gap_threshold_ms = (double)c->max_gap_ms;
	} else {
		r->gap_threshold_ms = CHECK_DEFAULT_GAP_MS * (tcg ? CHECK_TCG_GAP_FACTOR : 1);
		r->tcg_relaxed |= tcg;
	}
	if (c->has_max_spread_pct) {
		r->spread_threshold_pct = c->max_spread_pct;
	} else {
		r->spread_threshold_pct = tcg ? CHECK_TCG_SPREAD_PCT : CHECK_DEFAULT_SPREAD_PCT;
		r->tcg_relaxed |= tcg;
	}
}

/* r->cgroups from r->workers: the scenario's cgroups first, in order, then any other
 * name the guest reported. */
static void cgroup_stats(struct run *r)
{
	struct cpumask masks[SCN_MAX_CGROUPS] = { { { 0 } } };
	int nwall[SCN_MAX_CGROUPS] = { 0 };
	double sum[SCN_MAX_CGROUPS] = { 0 };
	r->ncgroups = 0;
	for (int i = 0; i < r->scn.ncgroups; i++)
		cgroup_slot(r, r->scn.cgroups[i].name);
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		struct run_cgroup *c = cgroup_slot(r, cg_of(w));
		if (!c)
			continue;
		int ci = (int)(c - r->cgroups);
		c->workers++;
		cpumask_or(&masks[ci], &w->cpus_mask);
		c->migrations += w->migrations;
		c->iters += w->iters;
		if (w->max_gap_ms > c->max_gap_ms)
			c->max_gap_ms = w->max_gap_ms;
		if (!w->wall_ns)
			continue;
		double off = off_pct(w);
		if (!nwall[ci] || off < c->min_off_pct)
			c->min_off_pct = off;
		if (!nwall[ci] || off > c->max_off_pct)
			c->max_off_pct = off;
		sum[ci] += off;
		nwall[ci]++;
	}
	for (int i = 0; i < r->ncgroups; i++) {
		struct run_cgroup *c = &r->cgroups[i];
		c->cpus = cpumask_weight(&masks[i]);
		c->mean_off_pct = nwall[i] ? sum[i] / nwall[i] : 0;
		c->spread_pct = nwall[i] >= 2 ? c->max_off_pct - c->min_off_pct : 0;
	}
	wfigs_cgroups(r);
}

static void worker_checks(struct run *r)
{
	char msg[512];
	int bad = 0, worst = -1;
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		if (w->reported && w->iters == 0)
			run_add_check(r, "progress", false, "tid %d made no progress (0 work units)", w->tid);
		if (worst < 0 || w->max_gap_ms > r->workers[worst].max_gap_ms)
			worst = i;
		if (w->max_gap_ms > r->gap_threshold_ms) {
			check_fmt_gap(msg, sizeof(msg), w->tid, w->max_gap_ms, w->max_gap_cpu, w->max_gap_at_ms,
				      r->gap_threshold_ms);
			run_add_check(r, "max_gap_ms", false, "%s", msg);
			bad++;
		}
	}
	if (!bad && worst >= 0)
		run_add_check(r, "max_gap_ms", true, "all %d workers within %.0fms (worst %.0fms, tid %d)",
			      r->nworkers, r->gap_threshold_ms, r->workers[worst].max_gap_ms, r->workers[worst].tid);

	bad = 0;
	int checked = 0;
	double worst_spread = 0;
	for (int i = 0; i < r->ncgroups; i++) {
		const struct run_cgroup *c = &r->cgroups[i];
		int nwall = 0;
		for (int j = 0; j < r->nworkers; j++)
			nwall += r->workers[j].wall_ns && !strcmp(cg_of(&r->workers[j]), c->name);
		if (nwall < 2)
			continue;
		checked++;
		if (c->spread_pct > worst_spread)
			worst_spread = c->spread_pct;
		if (c->spread_pct > r->spread_threshold_pct) {
			check_fmt_spread(msg, sizeof(msg), c->spread_pct, c->min_off_pct, c->max_off_pct, c->workers,
					 c->cpus, r->spread_threshold_pct);
			run_add_check(r, "max_spread_pct", false, "%s", msg);
			bad++;
		}
	}
	if (!bad && checked)
		run_add_check(r, "max_spread_pct", true, "all %d cgroups within %.0f%% (worst spread %.1f%%)", checked,
			      r->spread_threshold_pct, worst_spread);
}

void checks_stats(struct run *r, bool tcg)
{
	thresholds(r, tcg);
	cgroup_stats(r);
}

void checks_evaluate(struct run *r, bool tcg)
{
	thresholds(r, tcg);
	cgroup_stats(r);
	run_drop_checks(r, "progress");
	run_drop_checks(r, "max_gap_ms");
	run_drop_checks(r, "max_spread_pct");
	worker_checks(r);
	checks_worker_eval(r);
}

const char *checks_not_attached_why(const struct run *r)
{
	static const char std[] = "scheduler process exited during BPF load/startup";
	const char *why = r->sched_exit_reason;
	/* The guest names other causes (no sched_ext in the kernel, an attach timeout);
	 * a process that exited gets the seed's words. */
	if (!why[0] || strstr(why, "exited during") || r->sched_exit_code)
		return std;
	return why;
}

void checks_finalize(struct run *r)
{
	if (r->result == RESULT_SKIP && !r->error[0]) { /* never booted, on purpose */
		r->exit_code = 0;
		return;
	}
	if (r->shell) { /* no scenario ran: the only verdict is whether the VM ended normally */
		r->result = r->error[0] ? RESULT_ERROR : RESULT_PASS;
		r->exit_code = r->error[0] ? 3 : 0;
		return;
	}
	bool tcg = !strcmp(r->accel, "tcg");
	char msg[512];
	run_drop_checks(r, "scheduler");
	run_drop_checks(r, "result");
	run_drop_checks(r, "expect_err");

	if (r->scn.sched.kind != SCHED_EEVDF) {
		if (r->sched_load_failed && !r->sched_attached)
			run_add_check(r, "scheduler", false, "scheduler did not turn on — %s",
				      checks_not_attached_why(r));
		if (r->sched_died) {
			check_fmt_died(msg, sizeof(msg), r->steps_done, r->steps, r->sched_died_ms);
			run_add_check(r, "scheduler", false, "%s", msg);
		}
	}
	if (!r->guest_done && !r->error[0])
		run_add_check(r, "result", false, "%s", CHECK_MSG_NO_RESULT);
	bool loaded = r->scn.sched.kind == SCHED_EEVDF || !r->sched_load_failed;
	/* A dead scheduler is the failure; workers that fell back to another scheduler
	 * afterwards would only add noise to the header. */
	if (r->guest_done && loaded && !r->sched_died) {
		checks_evaluate(r, tcg);
	} else {
		/* No verdict on numbers from a run that never ran as declared; the report
		 * still shows them. */
		thresholds(r, tcg);
		cgroup_stats(r);
	}
	/* The monitor's verdict (engine/monitor/eval.c) for every sampled run; it fails only
	 * enforced violations, and EEVDF runs are summarised, not judged. */
	run_drop_checks(r, "monitor");
	if (r->mon) {
		mon_eval(r->mon, &r->scn.monitor, r->scn.sched.kind == SCHED_EEVDF, &r->monsum);
		run_add_check(r, "monitor", !r->monsum.failed, "%s", r->monsum.verdict);
	}
	bool failed = false;
	for (int i = 0; i < r->nchecks; i++)
		failed |= !r->checks[i].ok;
	if (r->guest_done && !r->guest_ok && !failed) {
		run_add_check(r, "guest", false, "guest reported a failure without a message; "
			      "see --- diagnostics --- and the guest log");
		failed = true;
	}
	/* Under EEVDF nothing of the user's can explain a silent guest: that is our
	 * infrastructure failing (kernel, init, QEMU). With a scheduler it is a test failure. */
	bool silent_eevdf = !r->guest_done && r->scn.sched.kind == SCHED_EEVDF;
	if (r->error[0] || silent_eevdf) {
		r->result = RESULT_ERROR;
		r->exit_code = 3;
		return;
	}
	if (r->scn.expect_err) {
		if (failed)
			run_add_check(r, "expect_err", true, "failure expected (expect_err) and observed");
		else
			run_add_check(r, "expect_err", false, "expect_err is set but the scenario passed; "
				      "the scheduler was expected to fail");
		failed = !failed;
	}
	r->result = failed ? RESULT_FAIL : RESULT_PASS;
	r->exit_code = failed ? 1 : 0;
}
