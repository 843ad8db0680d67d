/* The gauntlet's planning (engine/sweep/): the scenario's flags and constraints keys,
 * flag profiles (power set, requires, names, --profiles), matrix expansion and constraint
 * filtering, the budget's greedy selection and its line, and the shard partition. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sweep/budget.h"
#include "engine/sweep/matrix.h"
#include "engine/sweep/profiles.h"
#include "engine/sweep/shard.h"

#define TSCN_FILE "g.json"
#include "tests/unit/tscn.h"

#define FLAGS3 "\"flags\": [{\"name\": \"b\", \"args\": [\"--b\"], \"requires\": [\"a\"]}," \
	       "{\"name\": \"a\", \"args\": [\"--a\", \"1\"]}, {\"name\": \"c\", \"args\": [\"--c\"]}]"

static void load(struct scenario *s, const char *name, const char *sched_extra, const char *cons)
{
	char text[2048];
	snprintf(text, sizeof(text), "{\"name\": \"%s\", \"duration_ms\": 2000, \"scheduler\": "
		 "{\"name\": \"ktstr_sched\", \"args\": [\"-v\"]%s%s}, %s%s \"cgroups\": [{\"name\": "
		 "\"x\", \"workers\": 1, \"work\": \"SpinWait\"}]}", name, sched_extra ? ", " : "",
		 sched_extra ? sched_extra : "", cons ? cons : "", cons ? "," : "");
	cr_assert_eq(parse(text, s), 0, "%s: %s", text, err);
}

Test(sweep_scenario, flags_and_constraints_parse_and_round_trip)
{
	struct scenario s, b;
	load(&s, "r", FLAGS3, "\"constraints\": {\"min_cpus\": 4, \"max_nodes\": 2, \"smt\": false}");
	cr_assert_eq(s.sched.nflags, 3);
	cr_assert_str_eq(s.sched.flags[0].requires[0], "a");
	cr_assert_str_eq(s.sched.flags[1].args[1], "1");
	cr_assert_eq(s.constraints.min_cpus, 4);
	cr_assert_eq(s.constraints.smt, 0);
	char *text = scn_to_json(&s);
	cr_assert_eq(parse(text, &b), 0, "%s", err);
	free(text);
	cr_assert_eq(b.sched.nflags, 3);
	cr_assert_str_eq(b.sched.flags[0].name, "b");
	cr_assert_eq(b.constraints.max_nodes, 2);
	cr_assert_eq(b.constraints.smt, 0);
	scn_free(&s);
	scn_free(&b);
}

Test(sweep_scenario, bad_flags_and_constraints_are_refused_with_their_place)
{
	expect_err("{\"name\": \"x\", \"scheduler\": {\"name\": \"s\", \"flags\": [{\"name\": \"a\", "
		   "\"requires\": [\"zz\"]}]}, \"cgroups\": [{\"name\": \"c\", \"workers\": 1}]}",
		   "scheduler.flags[0].requires[0]: 'zz' is not a declared flag");
	expect_err("{\"name\": \"x\", \"scheduler\": {\"name\": \"s\", \"flags\": [{\"name\": \"a\"}, "
		   "{\"name\": \"a\"}]}, \"cgroups\": [{\"name\": \"c\", \"workers\": 1}]}",
		   "flag 'a' is declared twice");
	expect_err("{\"name\": \"x\", \"scheduler\": {\"name\": \"s\", \"flags\": [{\"name\": \"a\", "
		   "\"requires\": [\"a\"]}]}, \"cgroups\": [{\"name\": \"c\", \"workers\": 1}]}",
		   "requires itself");
	expect_err("{\"name\": \"x\", \"scheduler\": {\"name\": \"eevdf\", \"flags\": []}, "
		   "\"cgroups\": [{\"name\": \"c\", \"workers\": 1}]}", "eevdf takes no flags");
	expect_err("{\"name\": \"x\", \"constraints\": {\"min_cpus\": 8, \"max_cpus\": 4}, "
		   "\"cgroups\": [{\"name\": \"c\", \"workers\": 1}]}", "constraints.min_cpus: 8 is above max_cpus 4");
	expect_err("{\"name\": \"x\", \"constraints\": {\"cpus\": 8}, "
		   "\"cgroups\": [{\"name\": \"c\", \"workers\": 1}]}", "cpus");
}

Test(sweep_profiles, power_set_respects_requires_and_names_sort)
{
	struct scenario s;
	load(&s, "p", FLAGS3, NULL);
	struct sweep_flagset fs;
	sweep_flagset_from_sched(&s.sched, &fs);
	uint32_t *v;
	int n;
	cr_assert_eq(sweep_profiles_all(&fs, &v, &n), 0);
	/* 8 subsets of {b, a, c}; the 2 with b but not a are out. */
	cr_assert_eq(n, 6);
	char names[6][64];
	for (int i = 0; i < n; i++)
		sweep_profile_name(&fs, v[i], names[i], sizeof(names[i]));
	const char *want[] = { "default", "a", "c", "a+b", "a+c", "a+b+c" };
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(names[i], want[i], "profile %d: %s", i, names[i]);
	free(v);
	/* The reference's example: 6 flags with one dependency give 48 profiles. */
	struct sweep_flagset six = { .n = 6, .names = { "a", "b", "c", "d", "e", "f" } };
	six.requires[1] = 1u << 0;
	cr_assert_eq(sweep_profiles_all(&six, &v, &n), 0);
	cr_assert_eq(n, 48);
	free(v);
	scn_free(&s);
}

Test(sweep_profiles, parse_names_unknown_and_missing_requires)
{
	struct scenario s;
	load(&s, "p", FLAGS3, NULL);
	struct sweep_flagset fs;
	sweep_flagset_from_sched(&s.sched, &fs);
	uint32_t m;
	const char *unk;
	char e[256];
	cr_assert_eq(sweep_profile_parse(&fs, "c+a", &m, &unk, e, sizeof(e)), 0);
	cr_assert_eq(m, (1u << 1) | (1u << 2));
	cr_assert_eq(sweep_profile_parse(&fs, "default", &m, &unk, e, sizeof(e)), 0);
	cr_assert_eq(m, 0);
	cr_assert_eq(sweep_profile_parse(&fs, "a+zz", &m, &unk, e, sizeof(e)), -ENOENT);
	cr_assert_str_eq(unk, "zz");
	cr_assert_eq(sweep_profile_parse(&fs, "b", &m, &unk, e, sizeof(e)), -EINVAL);
	cr_assert(strstr(e, "flag 'b' requires 'a'"), "%s", e);
	cr_assert_eq(sweep_profile_parse(&fs, "a+a", &m, &unk, e, sizeof(e)), -EINVAL);
	cr_assert_eq(sweep_profile_parse(&fs, "a+", &m, &unk, e, sizeof(e)), -EINVAL);
	scn_free(&s);
}

static const struct sweep_kernel K1[] = { { "", "kernel_7_2_13" } };
static const struct sweep_kernel K2[] = { { "a", "kernel_6_14_2" }, { "b", "kernel_7_2_13" } };

Test(sweep_matrix, expansion_order_names_args_and_constraints)
{
	struct scenario s[2];
	load(&s[0], "one", FLAGS3, "\"constraints\": {\"min_llcs\": 2}");
	load(&s[1], "two", NULL, NULL);
	struct sweep_matrix m;
	char e[1024];
	cr_assert_eq(sweep_matrix_build(&m, s, 2, "tiny-1llc,tiny-2llc", "default,a+b", K2, 2, e,
					sizeof(e)), 0, "%s", e);
	/* one: tiny-1llc left out (1 LLC), tiny-2llc x 2 profiles x 2 kernels; two: only
	 * "default" applies (it declares no flags) x 2 presets x 2 kernels. */
	cr_assert_eq(m.ncells, 4 + 4, "%d cells", m.ncells);
	cr_assert_eq(m.nleft, 4, "%d left out", m.nleft); /* one's 1llc cells */
	cr_assert_str_eq(m.cells[0].name, "gauntlet/one/tiny-2llc/default/kernel_6_14_2");
	cr_assert_str_eq(m.cells[3].name, "gauntlet/one/tiny-2llc/a+b/kernel_7_2_13");
	cr_assert_str_eq(m.left[0].name, "gauntlet/one/tiny-1llc/default/kernel_6_14_2");
	cr_assert_str_eq(m.left[0].reason, "constraint: needs >= 2 LLCs (min_llcs), preset has 1");
	const char *argv[16];
	int n = sweep_cell_sched_args(&s[0], m.cells[3].profile, argv, 16);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(argv[0], "-v");
	cr_assert_str_eq(argv[1], "--b"); /* declared order: b, then a */
	cr_assert_str_eq(argv[2], "--a");
	cr_assert_str_eq(argv[3], "1");
	char d[600];
	sweep_cell_dirname(m.cells[3].name, d, sizeof(d));
	cr_assert_str_eq(d, "gauntlet__one__tiny-2llc__a+b__kernel_7_2_13");
	sweep_matrix_free(&m);
	/* One kernel: no kernel part in the name. */
	cr_assert_eq(sweep_matrix_build(&m, s, 2, "tiny-2llc", NULL, K1, 1, e, sizeof(e)), 0, "%s", e);
	cr_assert_eq(m.ncells, 6 + 1);
	cr_assert_str_eq(m.cells[6].name, "gauntlet/two/tiny-2llc/default");
	cr_assert_eq(m.nprofiles, 6);
	sweep_matrix_free(&m);
	scn_free(&s[0]);
	scn_free(&s[1]);
}

Test(sweep_matrix, bad_presets_and_profiles_are_input_errors)
{
	struct scenario s;
	load(&s, "one", FLAGS3, NULL);
	struct sweep_matrix m;
	char e[2048];
	cr_assert_eq(sweep_matrix_build(&m, &s, 1, "tiny-1llc,nope", NULL, K1, 1, e, sizeof(e)), -EINVAL);
	cr_assert(strstr(e, "nope") && strstr(e, "tiny-2llc"), "%s", e);
	cr_assert_eq(sweep_matrix_build(&m, &s, 1, "tiny-1llc,tiny-1llc", NULL, K1, 1, e, sizeof(e)), -EINVAL);
	cr_assert_eq(sweep_matrix_build(&m, &s, 1, "tiny-1llc", "zz", K1, 1, e, sizeof(e)), -EINVAL);
	cr_assert(strstr(e, "declared flags: b, a, c"), "%s", e);
	cr_assert_eq(sweep_matrix_build(&m, &s, 1, "tiny-1llc", "b", K1, 1, e, sizeof(e)), -EINVAL);
	cr_assert(strstr(e, "requires 'a'"), "%s", e);
	scn_free(&s);
}

Test(sweep_matrix, constraint_defaults_are_the_references)
{
	struct scn_constraints k = { .smt = -1 };
	char why[192];
	struct vm_topology numa2 = { 2, 2, 4, 1 }, big = { 1, 8, 16, 2 }, smt = { 1, 2, 2, 2 };
	cr_assert(sweep_constraint_fails(&k, &numa2, why, sizeof(why)));
	cr_assert_str_eq(why, "constraint: needs <= 1 NUMA nodes (max_nodes), preset has 2");
	k.min_nodes = 2; /* a minimum above the default maximum raises it */
	cr_assert_not(sweep_constraint_fails(&k, &numa2, why, sizeof(why)), "%s", why);
	k = (struct scn_constraints){ .smt = -1 };
	cr_assert(sweep_constraint_fails(&k, &big, why, sizeof(why)));
	cr_assert_str_eq(why, "constraint: needs <= 192 CPUs (max_cpus), preset has 256");
	k.max_cpus = 256;
	cr_assert_not(sweep_constraint_fails(&k, &big, why, sizeof(why)), "%s", why);
	k.smt = 0;
	cr_assert(sweep_constraint_fails(&k, &smt, why, sizeof(why)));
	k.smt = 1;
	cr_assert_not(sweep_constraint_fails(&k, &smt, why, sizeof(why)));
	cr_assert(sweep_constraint_fails(&k, &numa2, why, sizeof(why)));
}

Test(sweep_matrix, estimate_and_kernel_label)
{
	struct scenario s;
	load(&s, "e", NULL, NULL);
	struct vm_topology t4 = { 1, 1, 4, 1 }, t36 = { 1, 2, 18, 1 };
	cr_assert_float_eq(sweep_estimate_s(&s, &t4), 14.0, 1e-9); /* 10 + 0 + 2 + 2 */
	cr_assert_float_eq(sweep_estimate_s(&s, &t36), 16.0, 1e-9); /* + (36-16)/10 */
	s.performance_mode = true;
	cr_assert_float_eq(sweep_estimate_s(&s, &t4), 17.0, 1e-9);
	char l[96];
	sweep_kernel_label("7.2.13+deb14-cloud-amd64", l, sizeof(l));
	cr_assert_str_eq(l, "kernel_7_2_13");
	sweep_kernel_label("6.15-rc3", l, sizeof(l));
	cr_assert_str_eq(l, "kernel_6_15_rc3");
	sweep_kernel_label("", l, sizeof(l));
	cr_assert_str_eq(l, "kernel_unknown");
	scn_free(&s);
}

/* Cells with hand-made features: the budget takes coverage per second first. */
static void cell(struct sweep_cell *c, double est, int n, const int *f)
{
	memset(c, 0, sizeof(*c));
	c->est_s = est;
	c->nfeat = n;
	memcpy(c->feat, f, (size_t)n * sizeof(int));
}

Test(sweep_budget, greedy_coverage_per_second)
{
	struct sweep_cell c[4];
	cell(&c[0], 10, 2, (int[]){ 0, 1 });       /* 0.2 new per s */
	cell(&c[1], 5, 2, (int[]){ 0, 2 });        /* 0.4: first */
	cell(&c[2], 20, 3, (int[]){ 1, 3, 4 });    /* after c1: 3 new / 20 = 0.15 vs c0 1/10 */
	cell(&c[3], 100, 1, (int[]){ 5 });
	bool keep[4];
	struct sweep_budget b;
	cr_assert_eq(sweep_budget_select(c, 4, 6, 30, keep, &b), 0);
	cr_assert(keep[1] && keep[2] && !keep[3]);
	cr_assert_not(keep[0], "c0 (10 s) no longer fits after 25 s");
	cr_assert_eq(b.kept, 2);
	cr_assert_eq(b.covered, 5);
	cr_assert_eq(b.features, 6);
	char line[256];
	sweep_budget_line(&b, line, sizeof(line));
	cr_assert_str_eq(line, "ktstr budget: 2/4 tests, 25/30s used, 5/6 configurations covered");
	/* A budget for everything keeps everything. */
	cr_assert_eq(sweep_budget_select(c, 4, 6, 1000, keep, &b), 0);
	cr_assert_eq(b.kept, 4);
	cr_assert_eq(b.covered, 6);
	/* A budget below every estimate keeps nothing. */
	cr_assert_eq(sweep_budget_select(c, 4, 6, 1, keep, &b), 0);
	cr_assert_eq(b.kept, 0);
}

Test(sweep_shard, parse_and_every_cell_in_exactly_one_shard)
{
	int k, n;
	char e[256];
	cr_assert_eq(sweep_shard_parse("2/3", &k, &n, e, sizeof(e)), 0);
	cr_assert(k == 2 && n == 3);
	const char *bad[] = { "0/2", "3/2", "2", "1/0", "a/b", "1/2x", "-1/2", "1/99999", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(sweep_shard_parse(bad[i], &k, &n, e, sizeof(e)), -EINVAL, "%s", bad[i]);
	for (int shards = 1; shards <= 7; shards++) {
		int sizes[8] = { 0 };
		for (int i = 0; i < 101; i++) {
			int owners = 0;
			for (int s = 1; s <= shards; s++)
				if (sweep_shard_has(i, s, shards)) {
					owners++;
					sizes[s]++;
				}
			cr_assert_eq(owners, 1, "cell %d of %d shards has %d owners", i, shards, owners);
		}
		for (int s = 1; s <= shards; s++) /* round robin: balanced within one cell */
			cr_assert(sizes[s] >= 101 / shards && sizes[s] <= 101 / shards + 1);
	}
}
