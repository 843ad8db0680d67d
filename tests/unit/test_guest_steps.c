/* Scenario steps end to end without a VM: the host's normalized scenario carries the backdrop
 * and each step's cgroups, and the guest's parser splits them, checks collisions among
 * cgroups live at the same time and insists the step durations add up. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/scenario_wire.h"
#include "engine/report.h"
#include "engine/scenario.h"
#include "engine/fsutil.h"
#include "guest/gscn.h"
#include "tests/unit/tenv.h"

Test(guest_steps, host_steps_reach_the_guest_parser)
{
	static struct scenario s;
	static struct gscn g;
	char err[1024];
	const char *t = "{\"name\":\"st\",\"cgroups\":[{\"name\":\"bg\",\"workers\":1}],\"steps\":["
			"{\"name\":\"one\",\"duration_ms\":1200,\"cgroups\":[{\"name\":\"s1\",\"workers\":2,"
			"\"cpu_max\":\"50000 100000\"}]},"
			"{\"duration_ms\":800,\"cgroups\":[{\"name\":\"s1\",\"workers\":2,\"work\":\"PipeIo\"},"
			"{\"name\":\"s2\",\"cpuset\":{\"llc\":0}}]},"
			"{\"duration_ms\":500}]}";
	cr_assert_eq(scn_parse(t, "t.json", &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(scn_resolve(&s, err, sizeof(err)), 0, "%s", err);
	char *text = scn_wire_json(&s, false);
	cr_assert(text);
	cr_assert_eq(gscn_parse(text, &g, err, sizeof(err)), 0, "%s\n%s", err, text);
	free(text);
	cr_assert_eq(g.duration_ms, 2500);
	cr_assert_eq(g.steps, 3);
	cr_assert_eq(g.nstep, 3);
	cr_assert_eq(g.ncg, 4);
	cr_assert_str_eq(g.cg[0].name, "bg");
	cr_assert_eq(g.cg[0].step, 0);
	cr_assert_str_eq(g.step[0].name, "one");
	cr_assert_eq(g.step[0].duration_ms, 1200);
	cr_assert_eq(g.step[0].first, 1);
	cr_assert_eq(g.step[0].ncg, 1);
	cr_assert_str_eq(g.cg[1].cpu_max, "50000 100000");
	cr_assert_eq(g.cg[1].step, 1);
	cr_assert_eq(g.step[1].first, 2);
	cr_assert_eq(g.step[1].ncg, 2);
	cr_assert_eq(g.cg[2].work, WORK_PIPE_IO);
	cr_assert_eq(g.cg[2].step, 2);
	cr_assert_str_eq(g.cg[3].cpuset, "0-1");
	cr_assert_eq(g.step[2].ncg, 0);
	cr_assert_eq(g.step[2].duration_ms, 500);
	scn_free(&s);
}

Test(guest_steps, no_steps_keeps_the_integer_form)
{
	static struct scenario s;
	static struct gscn g;
	char err[1024];
	cr_assert_eq(scn_parse("{\"name\":\"a\",\"duration_ms\":700,\"cgroups\":[{\"name\":\"c\"}]}", "t.json", &s,
			       err, sizeof(err)), 0, "%s", err);
	char *text = scn_wire_json(&s, false);
	cr_assert(strstr(text, "\"steps\":1"), "%s", text);
	cr_assert_eq(gscn_parse(text, &g, err, sizeof(err)), 0, "%s", err);
	free(text);
	cr_assert_eq(g.steps, 1);
	cr_assert_eq(g.nstep, 0);
	cr_assert_eq(g.ncg, 1);
	cr_assert_eq(g.duration_ms, 700);
	scn_free(&s);
}

static int gparse(const char *t, char *err, size_t len)
{
	static struct gscn g;
	err[0] = 0;
	return gscn_parse(t, &g, err, len);
}

Test(guest_steps, collisions_among_live_cgroups_are_refused)
{
	char err[1024];
	cr_assert_eq(gparse("{\"duration_ms\":10,\"cgroups\":[{\"name\":\"cg_0\"}],"
			    "\"steps\":[{\"duration_ms\":10,\"cgroups\":[{\"name\":\"cg_0\"}]}]}", err, sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "cgroup 'cg_0' collides with a cgroup already tracked (by a Backdrop cgroup, which "
			 "lives for the whole run) — declare it in exactly one place; use a fresh name for the "
			 "step-local cgroup");
	cr_assert_eq(gparse("{\"duration_ms\":10,\"steps\":[{\"duration_ms\":10,\"cgroups\":[{\"name\":\"x\"},"
			    "{\"name\":\"x\"}]}]}", err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "(by an earlier cgroup of the same step)"), "%s", err);
	/* Different steps never overlap: the same name is fine. */
	cr_assert_eq(gparse("{\"duration_ms\":20,\"steps\":[{\"duration_ms\":10,\"cgroups\":[{\"name\":\"x\"}]},"
			    "{\"duration_ms\":10,\"cgroups\":[{\"name\":\"x\"}]}]}", err, sizeof(err)), 0, "%s", err);
}

Test(guest_steps, bad_step_lists_are_refused_with_a_message)
{
	char err[1024];
	const char *bad[] = {
		"{\"duration_ms\":10,\"steps\":[]}",
		"{\"duration_ms\":10,\"steps\":[5]}",
		"{\"duration_ms\":10,\"steps\":[{}]}",
		"{\"duration_ms\":10,\"steps\":[{\"duration_ms\":0}]}",
		"{\"duration_ms\":10,\"steps\":[{\"duration_ms\":10,\"name\":3}]}",
		"{\"duration_ms\":10,\"steps\":[{\"duration_ms\":10,\"cgroups\":{}}]}",
		"{\"duration_ms\":10,\"steps\":[{\"duration_ms\":10,\"cgroups\":[{\"name\":\"../x\"}]}]}",
		("{\"duration_ms\":10,\"steps\":[{\"duration_ms\":10,\"cgroups\":[{\"name\":\"p\",\"workers\":3,"
		 "\"work\":\"PipeIo\"}]}]}"),
		"{\"duration_ms\":10,\"steps\":\"x\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(gparse(bad[i], err, sizeof(err)), -EINVAL, "accepted: %s", bad[i]);
		cr_assert(err[0], "no message for: %s", bad[i]);
	}
	cr_assert_eq(gparse("{\"duration_ms\":25,\"steps\":[{\"duration_ms\":10},{\"duration_ms\":10}]}", err,
			    sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "scenario.json: duration_ms 25 is not the sum of the steps' durations (20)");
	cr_assert_eq(gparse("{\"duration_ms\":10,\"steps\":[{\"duration_ms\":10,\"cgroups\":[{\"name\":\"p\","
			    "\"workers\":3,\"work\":\"PipeIo\"}]}]}", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "PipeIo (group 0) requires num_workers divisible by 2, got 3");
}

/* The host's side of a death mid-run: the guest's step lines, then the scheduler's death and
 * done with the steps completed so far; the header names the step, and the run directory
 * keeps the step list. */
Test(guest_steps, death_in_step_two_reads_after_completing_step_one_of_three)
{
	static struct scenario s;
	char err[1024];
	cr_assert_eq(scn_parse("{\"name\":\"st\",\"scheduler\":\"scx_demo\",\"cgroups\":[{\"name\":\"bg\"}],"
			       "\"steps\":[{\"name\":\"a\",\"duration_ms\":1200,\"cgroups\":[{\"name\":\"s1\"}]},"
			       "{\"duration_ms\":1200,\"cgroups\":[{\"name\":\"s2\",\"workers\":2}]},"
			       "{\"duration_ms\":1200}]}", "t.json", &s, err, sizeof(err)), 0, "%s", err);
	struct run *r = run_new(&s);
	scn_free(&s);
	char dir[256];
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-steps");
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	snprintf(r->accel, sizeof(r->accel), "tcg");
	static const char *const lines[] = {
		"{\"t\":\"hello\",\"proto\":1,\"kernel\":\"7.2.13\",\"kernel_boot_ms\":1400}",
		"{\"t\":\"sys_rdy\"}",
		"{\"t\":\"sched\",\"event\":\"attached\",\"ops\":\"demo\"}",
		"{\"t\":\"stage\",\"ts_ns\":1000000000,\"stage\":\"running\"}",
		"{\"t\":\"step\",\"done\":1,\"total\":3,\"elapsed_ms\":1210}",
		"{\"t\":\"sched\",\"ts_ns\":2900000000,\"event\":\"exited\",\"code\":1,\"reason\":\"boom\"}",
		"{\"t\":\"done\",\"ok\":false,\"steps_done\":1,\"steps\":3,\"elapsed_ms\":1950}",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		cr_assert_not_null(run_ingest(r, lines[i]), "rejected: %s", lines[i]);
	checks_finalize(r);
	bool found = false;
	for (int i = 0; i < r->nchecks; i++)
		found |= !strcmp(r->checks[i].message,
				 "scheduler process died unexpectedly after completing step 1 of 3 (1.9s into test)");
	cr_assert(found, "no death check naming step 1 of 3 (first check: %s)", r->nchecks ? r->checks[0].message : "-");
	cr_assert_eq(report_write_dir(r, err, sizeof(err)), 0, "%s", err);
	struct run *l;
	cr_assert_eq(report_load_dir(dir, &l, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(l->scn.nsteps, 3);
	cr_assert_str_eq(l->scn.steps[0].name, "a");
	cr_assert_eq(l->scn.steps[1].duration_ms, 1200);
	cr_assert_eq(l->scn.steps[1].first_cgroup, 2);
	cr_assert_eq(l->scn.steps[1].ncgroups, 1);
	cr_assert_eq(l->scn.cgroups[0].step, 0);
	cr_assert_eq(l->scn.cgroups[2].step, 2);
	cr_assert_eq(l->steps_done, 1);
	cr_assert_eq(l->steps, 3);
	run_put(l);
	run_put(r);
	cr_assert_eq(fs_rm_rf(dir), 0);
}
