/* The scenario's "monitor" block: the reference's defaults when it is absent, every key
 * read, each range refused at its FILE:LINE:COL, and only what differs from the defaults
 * saved back (scenario.json). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scenario.h"

static char err[1024];

static int parse(const char *text, struct scenario *s)
{
	err[0] = 0;
	return scn_parse(text, "t.json", s, err, sizeof(err));
}

/* A scenario whose third line is `"monitor": BLOCK`. */
static int parse_block(const char *block, struct scenario *s)
{
	char text[1024];
	snprintf(text, sizeof(text), "{\n  \"name\": \"m\",\n  \"monitor\": %s,\n"
		 "  \"cgroups\": [{\"name\": \"cg0\"}]\n}", block);
	return parse(text, s);
}

static void expect_err(const char *block, const char *want)
{
	struct scenario s;
	int rc = parse_block(block, &s);
	cr_assert_eq(rc, -EINVAL, "parse returned %d for %s", rc, block);
	cr_assert_str_eq(err, want, "for %s", block);
}

Test(scenario_monitor, absent_block_gets_the_reference_defaults)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"cg0\"}]}", &s), 0, "%s", err);
	cr_expect_float_eq(s.monitor.max_imbalance_ratio, 4.0, 1e-12);
	cr_expect_eq(s.monitor.max_local_dsq_depth, 50);
	cr_expect(s.monitor.fail_on_stall);
	cr_expect_eq(s.monitor.sustained_samples, 5);
	cr_expect_float_eq(s.monitor.max_fallback_rate, 200.0, 1e-12);
	cr_expect_float_eq(s.monitor.max_keep_last_rate, 100.0, 1e-12);
	cr_expect(s.monitor.enforce);
	char *saved = scn_to_json(&s);
	cr_expect_null(strstr(saved, "\"monitor\""), "defaults are not written out:\n%s", saved);
	free(saved);
	scn_free(&s);

	/* The built-in default scenario (ktstr shell, a loaded run directory) has them too. */
	scn_init_default(&s);
	cr_expect_eq(s.monitor.sustained_samples, 5);
	cr_expect(s.monitor.enforce);
	scn_free(&s);
}

Test(scenario_monitor, every_key_is_read_and_a_partial_block_keeps_the_rest)
{
	struct scenario s;
	cr_assert_eq(parse_block("{\"max_imbalance_ratio\": 2.5, \"max_local_dsq_depth\": 8, "
				 "\"fail_on_stall\": false, \"sustained_samples\": 3, "
				 "\"max_fallback_rate\": 50, \"max_keep_last_rate\": 12.5, "
				 "\"enforce\": false}", &s), 0, "%s", err);
	cr_expect_float_eq(s.monitor.max_imbalance_ratio, 2.5, 1e-12);
	cr_expect_eq(s.monitor.max_local_dsq_depth, 8);
	cr_expect_not(s.monitor.fail_on_stall);
	cr_expect_eq(s.monitor.sustained_samples, 3);
	cr_expect_float_eq(s.monitor.max_fallback_rate, 50.0, 1e-12);
	cr_expect_float_eq(s.monitor.max_keep_last_rate, 12.5, 1e-12);
	cr_expect_not(s.monitor.enforce);
	scn_free(&s);

	cr_assert_eq(parse_block("{\"sustained_samples\": 10}", &s), 0, "%s", err);
	cr_expect_eq(s.monitor.sustained_samples, 10);
	cr_expect_float_eq(s.monitor.max_imbalance_ratio, 4.0, 1e-12);
	cr_expect_eq(s.monitor.max_local_dsq_depth, 50);
	cr_expect(s.monitor.enforce);
	scn_free(&s);
}

Test(scenario_monitor, ranges_and_types_are_refused_at_the_value)
{
	expect_err("{\"max_imbalance_ratio\": 0.5}",
		   "t.json:3:38: monitor.max_imbalance_ratio: 0.5 is out of range; allowed at least 1");
	expect_err("{\"max_local_dsq_depth\": 0}",
		   "t.json:3:38: monitor.max_local_dsq_depth: 0 is out of range; allowed 1..1000000");
	expect_err("{\"sustained_samples\": 1001}",
		   "t.json:3:36: monitor.sustained_samples: 1001 is out of range; allowed 1..1000");
	expect_err("{\"sustained_samples\": 0}",
		   "t.json:3:36: monitor.sustained_samples: 0 is out of range; allowed 1..1000");
	expect_err("{\"max_fallback_rate\": 0}",
		   "t.json:3:36: monitor.max_fallback_rate: 0 is out of range; allowed more than 0");
	expect_err("{\"max_keep_last_rate\": -3}",
		   "t.json:3:37: monitor.max_keep_last_rate: -3 is out of range; allowed more than 0");
	expect_err("{\"fail_on_stall\": 1}",
		   "t.json:3:32: monitor.fail_on_stall: expected boolean, got integer");
	expect_err("{\"max_fallback_rate\": \"fast\"}",
		   "t.json:3:36: monitor.max_fallback_rate: expected number, got string");
	expect_err("[]", "t.json:3:14: monitor: expected object, got array");
}

Test(scenario_monitor, an_unknown_key_lists_the_valid_ones)
{
	struct scenario s;
	cr_assert_eq(parse_block("{\"max_imbalance\": 2}", &s), -EINVAL);
	cr_assert(strstr(err, "t.json:3:15: unknown key 'max_imbalance' in monitor; valid keys: "
			 "max_imbalance_ratio, max_local_dsq_depth, fail_on_stall, sustained_samples, "
			 "max_fallback_rate, max_keep_last_rate, enforce"), "%s", err);
}

Test(scenario_monitor, a_changed_block_survives_a_save)
{
	struct scenario a, b;
	cr_assert_eq(parse_block("{\"max_imbalance_ratio\": 6, \"fail_on_stall\": false, "
				 "\"max_keep_last_rate\": 0.5, \"enforce\": false}", &a), 0, "%s", err);
	char *saved = scn_to_json(&a);
	cr_assert_not_null(saved);
	cr_assert_eq(scn_parse(saved, "scenario.json", &b, err, sizeof(err)), 0, "%s\n%s", err, saved);
	const struct mon_thresholds *x = &a.monitor, *y = &b.monitor;
	cr_expect(x->max_imbalance_ratio == y->max_imbalance_ratio &&
		  x->max_local_dsq_depth == y->max_local_dsq_depth &&
		  x->fail_on_stall == y->fail_on_stall && x->sustained_samples == y->sustained_samples &&
		  x->max_fallback_rate == y->max_fallback_rate &&
		  x->max_keep_last_rate == y->max_keep_last_rate && x->enforce == y->enforce,
		  "saved:\n%s", saved);
	cr_expect(!y->fail_on_stall && !y->enforce && y->max_keep_last_rate == 0.5);
	cr_expect_null(strstr(saved, "max_local_dsq_depth"), "only changed keys are saved:\n%s", saved);
	free(saved);
	scn_free(&a);
	scn_free(&b);
}
