/* scn_to_json: what a run directory keeps as scenario.json parses back to the same
 * scenario (every key the format has), so `ktstr repro RUN_DIR` reruns exactly it. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scenario.h"

static void round_trip(const char *text, struct scenario *a, struct scenario *b)
{
	char err[1024] = "";
	cr_assert_eq(scn_parse(text, "in.json", a, err, sizeof(err)), 0, "%s", err);
	char *saved = scn_to_json(a);
	cr_assert_not_null(saved);
	cr_assert_eq(scn_parse(saved, "scenario.json", b, err, sizeof(err)), 0, "%s\nsaved:\n%s", err, saved);
	free(saved);
}

Test(scenario_save, every_key_survives_a_round_trip)
{
	struct scenario a, b;
	round_trip("{\"name\":\"full\",\"topology\":{\"numa\":2,\"llcs\":1,\"cores\":2,\"threads\":1},"
		   "\"memory_mb\":768,\"scheduler\":{\"name\":\"ktstr_sched\",\"args\":[\"--error-after-ms\",\"900\"]},"
		   "\"duration_ms\":2500,\"checks\":{\"max_gap_ms\":400,\"max_spread_pct\":12.5},"
		   "\"expect_err\":true,\"cgroups\":[{\"name\":\"a\",\"workers\":2,\"work\":\"Bursty\","
		   "\"cpuset\":\"0-1\",\"cpu_max\":\"50000 100000\",\"memory_max\":268435456},"
		   "{\"name\":\"b\",\"cpuset\":{\"numa\":1},\"cpuset_mems\":\"1\"},"
		   "{\"name\":\"c\",\"cpuset\":{\"overlap\":{\"index\":0,\"of\":2,\"frac\":0.5}}}]}",
		   &a, &b);
	cr_assert_str_eq(b.name, "full");
	cr_assert_eq(memcmp(&a.topo, &b.topo, sizeof(a.topo)), 0);
	cr_assert_eq(b.memory_mb, 768);
	cr_assert_eq(b.sched.kind, SCHED_NAME);
	cr_assert_str_eq(b.sched.spec, "ktstr_sched");
	cr_assert_eq(b.sched.nargs, 2);
	cr_assert_str_eq(b.sched.args[1], "900");
	cr_assert_eq(b.duration_ms, 2500);
	cr_assert(b.checks.has_max_gap_ms && b.checks.max_gap_ms == 400);
	cr_assert(b.checks.has_max_spread_pct && b.checks.max_spread_pct == 12.5);
	cr_assert(b.expect_err);
	cr_assert_eq(b.ncgroups, 3);
	cr_assert_eq(b.cgroups[0].workers, 2);
	cr_assert_eq(b.cgroups[0].work, a.cgroups[0].work);
	cr_assert_str_eq(b.cgroups[0].cpuset, "0-1");
	cr_assert_str_eq(b.cgroups[0].cpu_max, "50000 100000");
	cr_assert_str_eq(b.cgroups[0].memory_max, "268435456");
	cr_assert_eq(b.cgroups[1].cpuset_spec.kind, CPUSET_NUMA);
	cr_assert_eq(b.cgroups[1].cpuset_spec.index, 1);
	cr_assert_str_eq(b.cgroups[1].cpuset_mems, "1");
	cr_assert_eq(b.cgroups[2].cpuset_spec.kind, CPUSET_OVERLAP);
	cr_assert_eq(b.cgroups[2].cpuset_spec.frac, 0.5);
	scn_free(&a);
	scn_free(&b);
}

Test(scenario_save, steps_and_a_path_scheduler_survive)
{
	struct scenario a, b;
	round_trip("{\"name\":\"st\",\"scheduler\":{\"path\":\"/opt/s/bin\"},\"duration_ms\":300,"
		   "\"cgroups\":[{\"name\":\"bg\"}],\"steps\":[{\"name\":\"one\",\"duration_ms\":100,"
		   "\"cgroups\":[{\"name\":\"x\",\"workers\":3}]},{\"duration_ms\":200,\"cgroups\":"
		   "[{\"name\":\"y\"},{\"name\":\"z\"}]}]}", &a, &b);
	cr_assert_eq(b.sched.kind, SCHED_PATH);
	cr_assert_str_eq(b.sched.spec, "/opt/s/bin");
	cr_assert_eq(b.nsteps, 2);
	cr_assert_str_eq(b.steps[0].name, "one");
	cr_assert_eq(b.steps[1].duration_ms, 200);
	cr_assert_eq(b.steps[1].ncgroups, 2);
	cr_assert_eq(b.ncgroups, 4);
	cr_assert_str_eq(b.cgroups[0].name, "bg");
	cr_assert_eq(b.cgroups[1].workers, 3);
	cr_assert_eq(b.cgroups[3].step, 2);
	scn_free(&a);
	scn_free(&b);
}

Test(scenario_save, eevdf_stays_eevdf)
{
	struct scenario a, b;
	round_trip("{\"name\":\"e\",\"cgroups\":[{\"name\":\"g\"}]}", &a, &b);
	cr_assert_eq(b.sched.kind, SCHED_EEVDF);
	scn_free(&a);
	scn_free(&b);
}
