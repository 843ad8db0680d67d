/* Checks: the seed's exact lines, thresholds (defaults, explicit, TCG) and the verdict. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/checks.h"

static struct run *r;

static void setup(void)
{
	struct scenario s;
	scn_init_default(&s);
	s.ncgroups = 1;
	snprintf(s.cgroups[0].name, sizeof(s.cgroups[0].name), "cg0");
	s.cgroups[0].workers = 4;
	r = run_new(&s);
	cr_assert_not_null(r);
}

static void teardown(void)
{
	run_put(r);
}

TestSuite(checks, .init = setup, .fini = teardown);

/* A worker with off-CPU percentage off, gap gap_ms, on cpus mask. */
static struct run_worker *worker(int tid, double off, double gap_ms, uint64_t mask)
{
	struct run_worker *w = run_worker_by_tid(r, tid);
	snprintf(w->cgroup, sizeof(w->cgroup), "cg0");
	w->wall_ns = 1000000000ull;
	w->cpu_ns = (uint64_t)((100.0 - off) * 10000000.0);
	w->iters = 100;
	w->max_gap_ms = gap_ms;
	w->max_gap_cpu = 2;
	w->max_gap_at_ms = 3200;
	w->cpus_mask = (struct cpumask){ { mask } };
	w->completed = true;
	w->reported = true;
	return w;
}

static const struct run_check *find(const char *name, bool ok_wanted, int nth)
{
	for (int i = 0; i < r->nchecks; i++)
		if (!strcmp(r->checks[i].name, name) && r->checks[i].ok == ok_wanted && nth-- == 0)
			return &r->checks[i];
	return NULL;
}

Test(checks, seed_lines_word_for_word)
{
	char b[512];
	check_fmt_gap(b, sizeof(b), 2, 4500, 2, 3200, 3000);
	cr_assert_str_eq(b, "tid 2 stuck 4500ms on cpu2 at +3200ms (threshold 3000ms)");
	check_fmt_spread(b, sizeof(b), 42, 8, 50, 4, 4, 35);
	cr_assert_str_eq(b, "unfair cgroup: spread=42% (8-50%) 4 workers on 4 cpus (threshold 35%)");
	check_fmt_died(b, sizeof(b), 2, 5, 12300);
	cr_assert_str_eq(b, "scheduler process died unexpectedly after completing step 2 of 5 (12.3s into test)");
	check_fmt_died(b, sizeof(b), 0, 5, 1500);
	cr_assert_str_eq(b, "scheduler process died unexpectedly during workload (1.5s into test)");
	check_fmt_died(b, sizeof(b), 5, 5, 20000);
	cr_assert_str_eq(b, "scheduler process died unexpectedly (detected after all 5 steps completed, 20.0s elapsed)");
}

Test(checks, gap_and_spread_failures_under_explicit_thresholds_are_not_relaxed)
{
	r->scn.checks.has_max_gap_ms = true;
	r->scn.checks.max_gap_ms = 3000;
	r->scn.checks.has_max_spread_pct = true;
	r->scn.checks.max_spread_pct = 35;
	worker(2, 8, 4500, 1 << 0);
	worker(3, 50, 10, 1 << 1);
	worker(4, 20, 10, 1 << 2);
	worker(5, 30, 10, 1 << 3);
	checks_evaluate(r, true);
	cr_assert_float_eq(r->gap_threshold_ms, 3000, 1e-9);
	cr_assert_float_eq(r->spread_threshold_pct, 35, 1e-9);
	cr_assert_not(r->tcg_relaxed, "explicit values are never relaxed");
	const struct run_check *g = find("max_gap_ms", false, 0);
	cr_assert_not_null(g);
	cr_assert_str_eq(g->message, "tid 2 stuck 4500ms on cpu2 at +3200ms (threshold 3000ms)");
	cr_assert_null(find("max_gap_ms", false, 1), "one check per failing worker");
	const struct run_check *s = find("max_spread_pct", false, 0);
	cr_assert_not_null(s);
	cr_assert_str_eq(s->message, "unfair cgroup: spread=42% (8-50%) 4 workers on 4 cpus (threshold 35%)");
	cr_assert_eq(r->ncgroups, 1);
	cr_assert_float_eq(r->cgroups[0].spread_pct, 42, 1e-6);
	cr_assert_float_eq(r->cgroups[0].mean_off_pct, 27, 1e-6);
	cr_assert_eq(r->cgroups[0].cpus, 4);
	cr_assert_eq(r->cgroups[0].iters, 400);
}

Test(checks, tcg_relaxes_only_defaults)
{
	worker(2, 10, 5000, 1);
	worker(3, 40, 10, 2);
	checks_evaluate(r, true);
	cr_assert(r->tcg_relaxed);
	cr_assert_float_eq(r->gap_threshold_ms, CHECK_DEFAULT_GAP_MS * CHECK_TCG_GAP_FACTOR, 1e-9);
	cr_assert_float_eq(r->spread_threshold_pct, CHECK_TCG_SPREAD_PCT, 1e-9);
	cr_assert_null(find("max_gap_ms", false, 0), "5000ms is within 6000ms under TCG");
	cr_assert_not_null(find("max_gap_ms", true, 0), "one passing summary check");
	cr_assert_not_null(find("max_spread_pct", true, 0), "30%% is within 35%% under TCG");

	checks_evaluate(r, false);
	cr_assert_not(r->tcg_relaxed);
	cr_assert_float_eq(r->gap_threshold_ms, 2000, 1e-9);
	const struct run_check *g = find("max_gap_ms", false, 0);
	cr_assert_not_null(g);
	cr_assert_str_eq(g->message, "tid 2 stuck 5000ms on cpu2 at +3200ms (threshold 2000ms)");
	cr_assert_not_null(find("max_spread_pct", false, 0));
	cr_assert_null(find("max_gap_ms", true, 0), "re-evaluation replaces, never duplicates");
}

Test(checks, no_progress_and_single_worker_cgroups)
{
	struct run_worker *w = worker(7, 10, 1, 1);
	w->iters = 0;
	w->completed = false; /* killed at the stop: still judged, it reported */
	checks_evaluate(r, false);
	const struct run_check *p = find("progress", false, 0);
	cr_assert_not_null(p);
	cr_assert_str_eq(p->message, "tid 7 made no progress (0 work units)");
	cr_assert_null(find("max_spread_pct", false, 0), "spread needs >= 2 workers");
	cr_assert_null(find("max_spread_pct", true, 0));
}

Test(checks, finalize_not_attached)
{
	r->scn.sched.kind = SCHED_NAME;
	r->sched_started = true;
	r->sched_load_failed = true;
	snprintf(r->accel, sizeof(r->accel), "tcg");
	checks_finalize(r);
	const struct run_check *c = find("scheduler", false, 0);
	cr_assert_not_null(c);
	cr_assert_str_eq(c->message, "scheduler did not turn on — scheduler process exited during BPF load/startup");
	cr_assert_not_null(find("result", false, 0));
	cr_assert_str_eq(find("result", false, 0)->message,
			 "no test result received from guest (no result arrived on the control port; check kernel log "
			 "and scheduler exit status)");
	cr_assert_eq(r->result, RESULT_FAIL);
	cr_assert_eq(r->exit_code, 1);
}

Test(checks, finalize_died_and_passes_and_expect_err)
{
	r->scn.sched.kind = SCHED_NAME;
	r->sched_attached = true;
	r->sched_died = true;
	r->sched_died_ms = 12300;
	r->steps_done = 2;
	r->steps = 5;
	r->guest_done = true;
	r->guest_ok = false;
	worker(2, 10, 10, 1);
	checks_finalize(r);
	cr_assert_str_eq(find("scheduler", false, 0)->message,
			 "scheduler process died unexpectedly after completing step 2 of 5 (12.3s into test)");
	cr_assert_eq(r->exit_code, 1);
	cr_assert_null(find("max_gap_ms", true, 0), "no worker verdict after the scheduler died");
	checks_finalize(r);
	cr_assert_null(find("scheduler", false, 1), "finalize is idempotent");

	r->scn.expect_err = true;
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_PASS, "expect_err turns the failure into a pass");
	cr_assert_not_null(find("expect_err", true, 0));

	r->sched_died = false;
	r->guest_ok = true;
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_FAIL, "expect_err turns a clean pass into a failure");
	cr_assert_not_null(find("expect_err", false, 0));

	r->scn.expect_err = false;
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_PASS);
	cr_assert_eq(r->exit_code, 0);
	cr_assert_float_eq(r->gap_threshold_ms, 2000, 1e-9, "accel unknown: not TCG");

	snprintf(r->error, sizeof(r->error), "QEMU died");
	checks_finalize(r);
	cr_assert_eq(r->result, RESULT_ERROR);
	cr_assert_eq(r->exit_code, 3);
}

Test(checks, eevdf_has_no_scheduler_checks)
{
	r->sched_load_failed = true;
	r->guest_done = true;
	r->guest_ok = true;
	worker(2, 10, 10, 1);
	checks_finalize(r);
	cr_assert_null(find("scheduler", false, 0));
	cr_assert_not_null(find("max_gap_ms", true, 0), "worker checks still run under EEVDF");
	cr_assert_eq(r->result, RESULT_PASS);
}

Test(checks, workers_without_a_cgroup_are_grouped_visibly)
{
	struct run_worker *a = worker(8, 10, 1, 1), *b = worker(9, 90, 1, 2);
	a->cgroup[0] = 0;
	b->cgroup[0] = 0;
	checks_evaluate(r, false);
	cr_assert_eq(r->ncgroups, 2, "cg0 from the scenario, then the unnamed group");
	cr_assert_str_eq(r->cgroups[1].name, "(none)");
	cr_assert_eq(r->cgroups[1].workers, 2);
	cr_assert_eq(r->cgroups[0].workers, 0);
	cr_assert_not_null(find("max_spread_pct", false, 0), "80%% spread among them is judged");
}

Test(checks, stats_alone_adds_no_checks)
{
	worker(2, 10, 9000, 1);
	worker(3, 60, 10, 2);
	checks_stats(r, false);
	cr_assert_eq(r->nchecks, 0);
	cr_assert_float_eq(r->cgroups[0].spread_pct, 50, 1e-6);
	cr_assert_float_eq(r->gap_threshold_ms, 2000, 1e-9);
}

Test(checks, not_attached_names_another_cause_when_the_guest_gives_one)
{
	r->scn.sched.kind = SCHED_NAME;
	cr_assert_not_null(run_ingest(r, "{\"t\":\"sched\",\"event\":\"started\"}"));
	cr_assert_not_null(run_ingest(r, "{\"t\":\"sched\",\"event\":\"not_attached\",\"reason\":\"timeout: sched_ext not "
				      "enabled after 10000 ms\"}"));
	checks_finalize(r);
	cr_assert_str_eq(find("scheduler", false, 0)->message,
			 "scheduler did not turn on — timeout: sched_ext not enabled after 10000 ms");
	run_put(r);
	setup();
	r->scn.sched.kind = SCHED_NAME;
	cr_assert_not_null(run_ingest(r, "{\"t\":\"sched\",\"event\":\"not_attached\",\"code\":1,"
				      "\"reason\":\"scheduler process exited during BPF load/startup\"}"));
	checks_finalize(r);
	cr_assert_eq(r->sched_exit_code, 1);
	cr_assert_str_eq(find("scheduler", false, 0)->message,
			 "scheduler did not turn on — scheduler process exited during BPF load/startup");
}

Test(checks, share_is_cpu_over_wall_clamped)
{
	struct run_worker w = { .cpu_ns = 250, .wall_ns = 1000 };
	cr_assert_float_eq(checks_share_pct(&w), 25.0, 1e-9);
	w.cpu_ns = 2000;
	cr_assert_float_eq(checks_share_pct(&w), 100.0, 1e-9);
	w.wall_ns = 0;
	cr_assert_float_eq(checks_share_pct(&w), 0.0, 1e-9);
}
