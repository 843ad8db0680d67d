/* Work-type parameters and Sequence: the host's object form with FILE:LINE:COL errors, the
 * group size that follows fan_out/contenders, the guest's parse of the wire form with the
 * same table's defaults, and the wire and save round trips. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scenario.h"
#include "engine/scenario_wire.h"
#include "guest/gscn.h"

#include "tests/unit/tscn.h"

Test(work_params, string_form_gets_the_defaults)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":\"Bursty\"}]}", &s), 0, "%s", err);
	cr_expect_eq(s.cgroups[0].params[0], 50);
	cr_expect_eq(s.cgroups[0].params[1], 100);
	cr_expect_eq(work_param_get(WORK_BURSTY, s.cgroups[0].params, "sleep_ms"), 100);
}

Test(work_params, object_form_sets_parameters)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"Bursty\",\"burst_ms\":20,"
			   "\"sleep_ms\":80}},{\"name\":\"d\",\"workers\":4,\"work\":{\"type\":\"MutexContention\","
			   "\"hold_iters\":7}}]}", &s), 0, "%s", err);
	cr_expect_eq(s.cgroups[0].work, WORK_BURSTY);
	cr_expect_eq(work_param_get(WORK_BURSTY, s.cgroups[0].params, "burst_ms"), 20);
	cr_expect_eq(work_param_get(WORK_BURSTY, s.cgroups[0].params, "sleep_ms"), 80);
	cr_expect_eq(work_param_get(WORK_MUTEX_CONTENTION, s.cgroups[1].params, "hold_iters"), 7);
	cr_expect_eq(work_param_get(WORK_MUTEX_CONTENTION, s.cgroups[1].params, "work_iters"), 1024);
}

Test(work_params, unknown_parameter_is_placed_and_lists_the_types_parameters)
{
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\n\"work\":{\"type\":\"Bursty\", \"burst\":20}}]}",
		   "t.json:2:26: cgroups[0].work.burst: Bursty has no parameter 'burst'; its parameters: "
		   "burst_ms, sleep_ms");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"SpinWait\",\"x\":1}}]}",
		   "SpinWait has no parameter 'x'; its parameters: none");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"burst_ms\":1}}]}",
		   "cgroups[0].work: missing required key 'type'");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"Nope\"}}]}",
		   "cgroups[0].work.type: unknown work type 'Nope'");
}

Test(work_params, out_of_range_names_the_range)
{
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\n\"work\":{\"type\":\"Bursty\",\"burst_ms\":0}}]}",
		   "t.json:2:36: cgroups[0].work.burst_ms: 0 is out of range; allowed 1..60000");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"CachePressure\",\"stride\":\"x\"}}]}",
		   "cgroups[0].work.stride: expected integer, got string");
}

Test(work_params, group_size_follows_fan_out_and_contenders)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"workers\":6,\"work\":{\"type\":\"FutexFanOut\","
			   "\"fan_out\":2}}]}", &s), 0, "%s", err);
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"workers\":5,\"work\":{\"type\":\"FutexFanOut\","
		   "\"fan_out\":2}}]}", "FutexFanOut (group 0) requires num_workers divisible by 3, got 5");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"workers\":4,\"work\":{\"type\":\"MutexContention\","
		   "\"contenders\":3}}]}", "MutexContention (group 0) requires num_workers divisible by 3, got 4");
	int64_t v[WORK_PARAMS_MAX];
	work_params_default(WORK_FAN_OUT_COMPUTE, v);
	cr_expect_eq(work_group_size(WORK_FAN_OUT_COMPUTE, v), work_type_group(WORK_FAN_OUT_COMPUTE));
	cr_expect_eq(work_group_size(WORK_MUTEX_CONTENTION, NULL), work_type_group(WORK_MUTEX_CONTENTION));
}

Test(work_params, every_type_fits_the_parameter_array)
{
	for (int w = 0; w < WORK__COUNT; w++)
		cr_expect_leq(work_param_count(w), WORK_PARAMS_MAX, "%s", work_type_name(w));
	int n;
	const struct work_param *t = work_param_table(&n);
	for (int i = 0; i < n; i++)
		cr_expect(t[i].min <= t[i].def && t[i].def <= t[i].max, "%s.%s", work_type_name(t[i].work), t[i].key);
}

Test(work_params, sequence_phases_and_their_errors)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"Sequence\",\"phases\":"
			   "[{\"spin_ms\":20},{\"sleep_ms\":10},{\"yield_ms\":5}]}}]}", &s), 0, "%s", err);
	const struct work_seq *q = &s.cgroups[0].seq;
	cr_assert_eq(q->n, 3);
	cr_expect_eq(q->p[0].kind, WORK_PHASE_SPIN);
	cr_expect_eq(q->p[1].kind, WORK_PHASE_SLEEP);
	cr_expect_eq(q->p[1].ms, 10);
	cr_expect_eq(q->p[2].kind, WORK_PHASE_YIELD);
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":\"Sequence\"}]}", "Sequence needs its phases");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"Sequence\",\"phases\":"
		   "[{\"spin_ms\":20},\n{\"io_ms\":10}]}}]}",
		   "t.json:2:2: cgroups[0].work.phases[1].io_ms: Io phases are not supported yet");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"Sequence\",\"phases\":"
		   "[{\"run_ms\":20}]}}]}", "unknown phase 'run_ms'; valid: spin_ms, sleep_ms, yield_ms");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"Sequence\",\"phases\":"
		   "[{\"spin_ms\":0}]}}]}", "phases[0].spin_ms: 0 is out of range; allowed 1..60000");
	expect_err("{\"name\":\"a\",\"steps\":[{\"duration_ms\":100,\"ops\":[{\"op\":\"Spawn\",\"cgroup\":\"c\","
		   "\"workers\":1,\"work\":\"Sequence\"}]}],\"cgroups\":[{\"name\":\"c\"}]}",
		   "Spawn takes a work type name with default parameters");
}

/* Host parse -> wire -> guest parse: the guest gets what the host parsed. */
Test(work_params, wire_round_trip_sends_non_defaults_and_guest_applies_defaults)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"b\",\"work\":{\"type\":\"Bursty\",\"sleep_ms\":7}},"
			   "{\"name\":\"f\",\"workers\":3,\"work\":{\"type\":\"FanOutCompute\",\"fan_out\":2,\"operations\":9}},"
			   "{\"name\":\"q\",\"work\":{\"type\":\"Sequence\",\"phases\":[{\"sleep_ms\":30},{\"spin_ms\":2}]}},"
			   "{\"name\":\"p\",\"workers\":2,\"work\":\"PipeIo\"}]}", &s), 0, "%s", err);
	char *text = scn_wire_json(&s, false);
	cr_assert_not_null(text);
	cr_expect_null(strstr(text, "burst_ms"), "a default was sent:\n%s", text);
	cr_expect(strstr(text, "\"work\":\"PipeIo\""), "defaults only: the name alone\n%s", text);
	struct gscn g;
	cr_assert_eq(gscn_parse(text, &g, err, sizeof(err)), 0, "%s\n%s", err, text);
	cr_assert_eq(g.ncg, 4);
	for (int i = 0; i < 4; i++) {
		cr_expect_eq(g.cg[i].work, (int)s.cgroups[i].work);
		for (int k = 0; k < WORK_PARAMS_MAX; k++)
			cr_expect_eq(g.cg[i].params[k], s.cgroups[i].params[k], "%s param %d\n%s", g.cg[i].name, k, text);
	}
	cr_expect_eq(work_param_get(WORK_BURSTY, g.cg[0].params, "burst_ms"), 50);
	cr_expect_eq(work_group_size(g.cg[1].work, g.cg[1].params), 3);
	cr_assert_eq(g.cg[2].seq.n, 2);
	cr_expect_eq(g.cg[2].seq.p[0].kind, WORK_PHASE_SLEEP);
	cr_expect_eq(g.cg[2].seq.p[0].ms, 30);
	cr_expect_eq(g.cg[2].seq.p[1].ms, 2);
	free(text);
}

Test(work_params, guest_refuses_what_the_table_forbids)
{
	struct gscn g;
	cr_expect_eq(gscn_parse("{\"name\":\"a\",\"duration_ms\":100,\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"Bursty\",\"sleep_ms\":-1}}]}",
				&g, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "Bursty.sleep_ms must be an integer in 0..60000"), "%s", err);
	cr_expect_eq(gscn_parse("{\"name\":\"a\",\"duration_ms\":100,\"cgroups\":[{\"name\":\"c\",\"workers\":4,\"work\":{\"type\":\"FutexFanOut\","
				"\"fan_out\":2}}]}", &g, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "divisible by 3"), "%s", err);
	cr_expect_eq(gscn_parse("{\"name\":\"a\",\"duration_ms\":100,\"cgroups\":[{\"name\":\"c\",\"work\":{\"type\":\"Sequence\",\"phases\":"
				"[{\"io_ms\":3}]}}]}", &g, err, sizeof(err)), -EINVAL);
}

Test(work_params, save_round_trip_keeps_parameters_and_phases)
{
	struct scenario a, b;
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"b\",\"work\":{\"type\":\"CacheYield\",\"size_kib\":64}},"
			   "{\"name\":\"q\",\"work\":{\"type\":\"Sequence\",\"phases\":[{\"yield_ms\":3}]}},"
			   "{\"name\":\"s\",\"work\":\"Mixed\"}]}", &a), 0, "%s", err);
	char *saved = scn_to_json(&a);
	cr_assert_not_null(saved);
	cr_assert_eq(scn_parse(saved, "scenario.json", &b, err, sizeof(err)), 0, "%s\n%s", err, saved);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(b.cgroups[i].work, a.cgroups[i].work);
		cr_expect_eq(memcmp(b.cgroups[i].params, a.cgroups[i].params, sizeof(a.cgroups[i].params)), 0, "%s", saved);
		cr_expect_eq(memcmp(&b.cgroups[i].seq, &a.cgroups[i].seq, sizeof(a.cgroups[i].seq)), 0, "%s", saved);
	}
	cr_expect_eq(work_param_get(WORK_CACHE_YIELD, b.cgroups[0].params, "size_kib"), 64);
	free(saved);
}
