/* Scenario steps end to end without a VM: the host's normalized scenario carries the backdrop
 * and each step's cgroups, and the guest's parser splits them, checks collisions among
 * cgroups live at the same time and insists the step durations add up. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_prepare.h"
#include "engine/scenario.h"
#include "guest/gscn.h"

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
	char *text = engine_guest_scenario(&s, false);
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
	cr_assert_eq(g.cg[2].work, GW_PIPE_IO);
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
	char *text = engine_guest_scenario(&s, false);
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
		"{\"duration_ms\":10,\"steps\":[{\"duration_ms\":10,\"cgroups\":[{\"name\":\"p\",\"workers\":3,"
		"\"work\":\"PipeIo\"}]}]}",
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
