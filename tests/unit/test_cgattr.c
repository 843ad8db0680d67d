/* Per-cgroup scheduling settings: the host's parser and its FILE:LINE:COL refusals, the
 * affinity kinds resolved against topologies, the rules against the final topology, the
 * round trip through the guest's wire (scn_wire_json -> gscn_parse), the saved file, the
 * guest's apply and read-back in a real process, and the host's read of a worker line. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/run.h"
#include "engine/scenario.h"
#include "engine/scenario_priv.h"
#include "engine/scenario_wire.h"
#include "engine/wattr.h"
#include "guest/gcgattr.h"
#include "guest/gscn.h"

static char err[1024];

/* One cgroup with the given extra keys on topology topo. */
static int parse_cg(const char *topo, const char *keys, struct scenario *s)
{
	char text[2048];
	snprintf(text, sizeof(text), "{\"name\": \"t\", \"topology\": \"%s\",\n \"cgroups\": [{\"name\": \"c\", %s}]}",
		 topo, keys);
	err[0] = 0;
	int rc = scn_parse(text, "t.json", s, err, sizeof(err));
	if (!rc)
		rc = scn_validate(s, err, sizeof(err));
	return rc;
}

static void expect_refused(const char *topo, const char *keys, const char *want)
{
	struct scenario s;
	int rc = parse_cg(topo, keys, &s);
	if (!rc)
		scn_free(&s);
	cr_assert_eq(rc, -EINVAL, "accepted %s", keys);
	cr_assert(strstr(err, want), "error was:\n  %s\nexpected it to contain:\n  %s", err, want);
}

static void expect_affinity(const char *topo, const char *keys, const char *want, int want_count)
{
	struct scenario s;
	char cpus[128], e[256];
	int count;
	cr_assert_eq(parse_cg(topo, keys, &s), 0, "%s: %s", keys, err);
	cr_assert_eq(scn_cgattr_resolve(&s.topo, &s.cgroups[0], cpus, sizeof(cpus), &count, e, sizeof(e)), 0,
		     "%s", e);
	cr_assert_str_eq(cpus, want, "%s on %s", keys, topo);
	cr_assert_eq(count, want_count, "%s: count", keys);
	scn_free(&s);
}

Test(cgattr, defaults_ask_for_nothing)
{
	struct scenario s;
	cr_assert_eq(parse_cg("1x1x2x1", "\"workers\": 1", &s), 0, "%s", err);
	const struct scn_cgattr *a = &s.cgroups[0].attr;
	cr_assert_not(a->has_policy);
	cr_assert_not(a->has_nice);
	cr_assert_eq(a->aff, SCN_AFF_INHERIT);
	cr_assert_not(a->has_mpol);
	char *w = scn_wire_json(&s, false);
	cr_assert(w && !strstr(w, "\"policy\"") && !strstr(w, "\"affinity\"") && !strstr(w, "mempolicy"), "%s", w);
	free(w);
	scn_free(&s);
}

Test(cgattr, policies_parse_in_both_forms)
{
	static const struct { const char *v; int pol, prio; } ok[] = {
		{ "\"normal\"", 0, 0 }, { "\"other\"", 0, 0 }, { "\"batch\"", 3, 0 }, { "\"idle\"", 5, 0 },
		{ "\"ext\"", 7, 0 }, { "\"fifo:10\"", 1, 10 }, { "\"rr:99\"", 2, 99 }, { "{\"fifo\": 1}", 1, 1 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct scenario s;
		char k[64];
		snprintf(k, sizeof(k), "\"policy\": %s", ok[i].v);
		cr_assert_eq(parse_cg("1x1x2x1", k, &s), 0, "%s: %s", k, err);
		cr_assert(s.cgroups[0].attr.has_policy);
		cr_assert_eq(s.cgroups[0].attr.policy, ok[i].pol, "%s", k);
		cr_assert_eq(s.cgroups[0].attr.priority, ok[i].prio, "%s", k);
		scn_free(&s);
	}
}

Test(cgattr, bad_values_are_refused_at_their_position)
{
	expect_refused("1x1x2x1", "\"policy\": \"fifo\"",
		       "t.json:2:38: cgroups[0].policy: policy 'fifo' needs a priority 1..99: write \"fifo:10\"");
	expect_refused("1x1x2x1", "\"policy\": \"rr:0\"", "cgroups[0].policy: 'rr:0': the priority must be 1..99");
	expect_refused("1x1x2x1", "\"policy\": \"batch:3\"", "policy 'batch' takes no priority");
	expect_refused("1x1x2x1", "\"policy\": {\"fifo\": 100}", "t.json:2:47: cgroups[0].policy.fifo:");
	expect_refused("1x1x2x1", "\"policy\": \"fast\"", "unknown policy 'fast'; valid: normal (or other)");
	expect_refused("1x1x2x1", "\"policy\": \"deadline\"", "deadline needs its parameters: write {\"deadline\": ");
	expect_refused("1x1x2x1", "\"policy\": {\"deadline\": {\"runtime_us\": 1, \"deadline_us\": 100, \"period_us\": 100}}",
		       "cgroups[0].policy.deadline.runtime_us: 1 is out of range; allowed 2..4000000");
	expect_refused("1x1x2x1", "\"policy\": {\"deadline\": {\"runtime_us\": 10, \"period_us\": 100}}",
		       "cgroups[0].policy.deadline: missing key 'deadline_us'");
	expect_refused("1x1x2x1", "\"policy\": {\"deadline\": {\"runtime_us\": 10, \"deadline_us\": 200, \"period_us\": 100}}",
		       "needs runtime_us <= deadline_us <= period_us, got 10, 200, 100");
	expect_refused("1x1x2x1", "\"affinity\": \"single_cpu\", \"policy\": {\"deadline\": {\"runtime_us\": 10, "
		       "\"deadline_us\": 100, \"period_us\": 100}}", "drop the cgroup's affinity");
	expect_refused("1x1x2x1", "\"nice\": -21", "t.json:2:36: cgroups[0].nice:");
	expect_refused("1x1x2x1", "\"nice\": \"5\"", "cgroups[0].nice: expected integer, got string");
	expect_refused("1x1x2x1", "\"affinity\": \"llc\"", "unknown affinity 'llc'; valid: inherit, random_subset");
	expect_refused("1x1x2x1", "\"affinity\": {\"exact\": \"\"}", "cgroups[0].affinity.exact: expected a CPU list");
	expect_refused("1x1x2x1", "\"affinity\": {\"exact\": []}", "the CPU set is empty");
	expect_refused("1x1x2x1", "\"affinity\": {\"exact\": \"0\", \"random_subset\": {}}", "give exactly one of exact");
	expect_refused("1x1x2x1", "\"affinity\": {\"random_subset\": {\"count\": 0}}", "random_subset.count");
	expect_refused("1x1x2x1", "\"affinity\": {\"pinned\": \"0\"}", "unknown key 'pinned'");
	expect_refused("1x1x2x1", "\"mem_policy\": \"bind\"", "'bind' needs nodes: write {\"bind\": \"0-1\"}");
	expect_refused("1x1x2x1", "\"mem_policy\": {\"local\": 0}", "'local' takes no nodes");
	expect_refused("1x1x2x1", "\"mem_policy\": {\"preferred\": [0]}", "mem_policy.preferred: expected integer");
	expect_refused("1x1x2x1", "\"mem_policy\": \"spread\"", "unknown memory policy 'spread'");
	expect_refused("1x1x2x1", "\"mpol_flags\": [\"static_nodes\"]", "flags need a memory policy with nodes");
	expect_refused("1x1x2x1", "\"mem_policy\": {\"bind\": \"0\"}, \"mpol_flags\": [\"fast\"]",
		       "mpol_flags: entry 0 is not a flag");
}

Test(cgattr, affinity_kinds_resolve_against_the_topology)
{
	/* 2 nodes x 2 LLCs x 2 cores x 2 threads: LLC k = CPUs 4k..4k+3, siblings (2c, 2c+1). */
	expect_affinity("2x2x2x2", "\"affinity\": \"inherit\"", "", 0);
	expect_affinity("2x2x2x2", "\"affinity\": \"cross_cgroup\", \"cpuset\": \"4-7\"", "0-15", 0);
	expect_affinity("2x2x2x2", "\"affinity\": \"single_cpu\"", "0", 0);
	expect_affinity("2x2x2x2", "\"affinity\": \"single_cpu\", \"cpuset\": {\"llc\": 2}", "8", 0);
	expect_affinity("2x2x2x2", "\"affinity\": \"llc_aligned\"", "0-3", 0);
	expect_affinity("2x2x2x2", "\"affinity\": \"llc_aligned\", \"cpuset\": \"3-9\"", "4-7", 0);
	expect_affinity("2x2x2x2", "\"affinity\": \"smt_sibling_pair\", \"cpuset\": \"3-6\"", "4-5", 0);
	expect_affinity("2x2x2x2", "\"affinity\": {\"exact\": [1, 9]}, \"cpuset\": \"8-15\"", "9", 0);
	expect_affinity("2x2x2x2", "\"affinity\": \"random_subset\", \"cpuset\": \"0-5\"", "0-5", 3);
	expect_affinity("2x2x2x2", "\"affinity\": {\"random_subset\": {\"from\": \"2-5\", \"count\": 1}}", "2-5", 1);
	expect_affinity("1x1x1x1", "\"affinity\": \"random_subset\"", "0", 1);
}

Test(cgattr, rules_against_the_final_topology)
{
	expect_refused("1x1x4x1", "\"affinity\": {\"exact\": \"4-5\"}",
		       "cgroups[0].affinity: cgroup 'c': affinity exact: CPU 4-5 outside the topology's 4 vCPUs (0-3)");
	expect_refused("1x1x4x1", "\"cpuset\": \"0-1\", \"affinity\": {\"exact\": \"3\"}",
		       "affinity exact: CPUs 3 have none in the cgroup's cpuset 0-1");
	expect_refused("1x1x4x1", "\"affinity\": {\"random_subset\": {\"from\": \"0-1\", \"count\": 3}}",
		       "count 3 is more than the 2 CPUs of its pool");
	expect_refused("1x2x2x1", "\"affinity\": \"smt_sibling_pair\"", "no core has two SMT siblings");
	expect_refused("1x1x2x1", "\"mem_policy\": {\"bind\": \"1\"}",
		       "cgroups[0].mem_policy: cgroup 'c': node 1 is outside the topology's 1 NUMA node (0-0)");
	expect_refused("2x1x2x1", "\"cpuset\": {\"numa\": 0}, \"mem_policy\": {\"interleave\": [0, 1]}",
		       "node 1 is not reachable from the cgroup's cpuset (its CPUs are on node 0)");
	/* static_nodes: any node that exists; relative_nodes: the kernel remaps. */
	struct scenario s;
	cr_assert_eq(parse_cg("2x1x2x1", "\"cpuset\": \"0-1\", \"mem_policy\": {\"bind\": \"1\"}, "
			      "\"mpol_flags\": [\"static_nodes\"]", &s), 0, "%s", err);
	scn_free(&s);
	cr_assert_eq(parse_cg("2x1x2x1", "\"cpuset\": \"0-1\", \"mem_policy\": {\"bind\": \"1\"}, "
			      "\"mpol_flags\": [\"relative_nodes\"]", &s), 0, "%s", err);
	scn_free(&s);
}

Test(cgattr, settings_reach_the_guest_and_the_saved_file)
{
	struct scenario s;
	struct gscn g;
	cr_assert_eq(parse_cg("2x1x2x1", "\"workers\": 2, \"policy\": \"rr:7\", \"nice\": -3, \"cpuset\": \"2-3\", "
			      "\"affinity\": \"random_subset\", \"mem_policy\": {\"preferred_many\": \"1\"}, "
			      "\"mpol_flags\": [\"numa_balancing\"]", &s), 0, "%s", err);
	char *w = scn_wire_json(&s, false);
	cr_assert_eq(gscn_parse(w, &g, err, sizeof(err)), 0, "%s\n%s", err, w);
	const struct gcgattr *a = &g.cg[0].attr;
	cr_assert(a->has_policy && a->policy == 2 && a->priority == 7, "%s", w);
	cr_assert(a->has_nice && a->nice == -3, "%s", w);
	cr_assert_str_eq(a->affinity, "2-3");
	cr_assert_eq(a->aff_count, 1);
	cr_assert(a->has_mpol && a->mpol == 5 && a->mpol_flags == 1 << 13, "%s", w);
	cr_assert_str_eq(a->mpol_nodes, "1");
	free(w);
	scn_free(&s);
	/* Deadline's parameters travel too. */
	cr_assert_eq(parse_cg("1x1x2x1", "\"policy\": {\"deadline\": {\"runtime_us\": 300, \"deadline_us\": 800, "
			      "\"period_us\": 1000}}", &s), 0, "%s", err);
	w = scn_wire_json(&s, false);
	cr_assert_eq(gscn_parse(w, &g, err, sizeof(err)), 0, "%s\n%s", err, w);
	cr_assert(g.cg[0].attr.policy == 6 && g.cg[0].attr.dl_us[0] == 300 && g.cg[0].attr.dl_us[1] == 800 &&
		  g.cg[0].attr.dl_us[2] == 1000, "%s", w);
	free(w);
	char *dsaved = scn_to_json(&s);
	struct scenario s3;
	cr_assert_eq(scn_parse(dsaved, "saved.json", &s3, err, sizeof(err)), 0, "%s\n%s", err, dsaved);
	cr_assert_eq(memcmp(&s3.cgroups[0].attr, &s.cgroups[0].attr, sizeof(s.cgroups[0].attr)), 0, "%s", dsaved);
	free(dsaved);
	scn_free(&s3);
	scn_free(&s);
	cr_assert_eq(parse_cg("2x1x2x1", "\"workers\": 2, \"policy\": \"rr:7\", \"nice\": -3, \"cpuset\": \"2-3\", "
			      "\"affinity\": \"random_subset\", \"mem_policy\": {\"preferred_many\": \"1\"}, "
			      "\"mpol_flags\": [\"numa_balancing\"]", &s), 0, "%s", err);
	/* The saved scenario reads back to the same settings. */
	char *saved = scn_to_json(&s);
	struct scenario s2;
	cr_assert_eq(scn_parse(saved, "saved.json", &s2, err, sizeof(err)), 0, "%s\n%s", err, saved);
	cr_assert_eq(memcmp(&s2.cgroups[0].attr, &s.cgroups[0].attr, sizeof(s.cgroups[0].attr)), 0, "%s", saved);
	free(saved);
	scn_free(&s2);
	scn_free(&s);
}

Test(cgattr, the_guest_refuses_a_broken_wire)
{
	struct gscn g;
	static const char *const bad[] = {
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"policy\":4}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"policy\":6}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"policy\":6,\"deadline_us\":[1,2]}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"nice\":20}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"affinity\":\"x\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"mempolicy\":2}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"mempolicy\":0,\"mempolicy_flags\":1}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(gscn_parse(bad[i], &g, err, sizeof(err)), -EINVAL, "accepted: %s", bad[i]);
		cr_assert(strstr(err, "cgroup 'a'"), "%s", err);
	}
}

/* A real process takes nice, batch and affinity and reads them back on its line. */
Test(cgattr, apply_and_read_back_in_a_child)
{
	cr_assert_eq(gcgattr_init(1), 0);
	struct gcgattr a = { .has_policy = true, .policy = 3, .has_nice = true, .nice = 7 };
	cpu_set_t set;
	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	int cpu = -1;
	for (int c = 0; c < CPU_SETSIZE && cpu < 0; c++)
		if (CPU_ISSET(c, &set))
			cpu = c;
	snprintf(a.affinity, sizeof(a.affinity), "%d", cpu);
	pid_t p = fork();
	if (!p)
		_exit(gcgattr_apply(&a, "cg", 0) ? 1 : 0);
	int st;
	waitpid(p, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	struct gjson j;
	gjson_begin(&j, "worker", 1);
	gcgattr_report(&j, 0);
	cr_assert_eq(gjson_end(&j), 0);
	json_t *o = json_loads(j.buf, 0, NULL);
	cr_assert(o, "%s", j.buf);
	struct wattr w;
	cr_assert(wattr_from_json(o, &w), "%s", j.buf);
	cr_assert(w.have);
	cr_assert_str_eq(w.policy, "batch");
	cr_assert_eq(w.nice, 7);
	char want[16];
	snprintf(want, sizeof(want), "%d", cpu);
	cr_assert_str_eq(w.affinity, want);
	cr_assert_str_eq(w.mempolicy, "default");
	char sum[256];
	wattr_summary(&w, sum, sizeof(sum));
	cr_assert_str_eq(sum, "policy=batch nice=7");
	char why[512];
	cr_assert_not(gcgattr_failure(why, sizeof(why)));
	json_decref(o);
}

/* A refused setting leaves a message naming the cgroup and the setting for init. */
Test(cgattr, a_refused_setting_is_named)
{
	cr_assert_eq(gcgattr_init(1), 0);
	struct gcgattr a = { .has_mpol = true, .mpol = 3, .mpol_flags = 1 << 13 };
	snprintf(a.mpol_nodes, sizeof(a.mpol_nodes), "0");
	pid_t p = fork();
	if (!p)
		_exit(gcgattr_apply(&a, "cg_x", 0) ? 1 : 0);
	int st;
	waitpid(p, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	char why[512];
	cr_assert(gcgattr_failure(why, sizeof(why)));
	cr_assert(strstr(why, "cgroup 'cg_x': set mem_policy interleave|numa_balancing 0 (set_mempolicy): "), "%s", why);
	cr_assert_not(gcgattr_failure(why, sizeof(why)), "sent once");
}

Test(cgattr, host_reads_a_worker_line_strictly)
{
	struct wattr w;
	json_t *o = json_loads("{\"policy\":\"ext\",\"priority\":0,\"nice\":0,\"affinity\":\"0-1\","
			       "\"mempolicy\":\"default\",\"mempolicy_nodes\":\"\",\"ext_state\":\"disabled\"}", 0, NULL);
	cr_assert(wattr_from_json(o, &w));
	char sum[256];
	wattr_summary(&w, sum, sizeof(sum));
	cr_assert_str_eq(sum, "policy=ext (sched_ext disabled: runs in the fair class)");
	json_t *back = json_object();
	wattr_to_json(&w, back);
	cr_assert_str_eq(json_string_value(json_object_get(back, "ext_state")), "disabled");
	json_decref(back);
	json_decref(o);
	o = json_loads("{\"policy\":\"fifo\",\"nice\":40}", 0, NULL);
	cr_assert_not(wattr_from_json(o, &w), "nice 40 is not a nice");
	json_decref(o);
	o = json_loads("{\"policy\":7}", 0, NULL);
	cr_assert_not(wattr_from_json(o, &w), "a number is not a policy name");
	json_decref(o);
}

/* SCHED_EXT on the machine running the tests: a kernel without the class gets the message
 * naming the fix; one with it reads back "ext". */
Test(cgattr, ext_is_taken_or_refused_with_the_fix)
{
	cr_assert_eq(gcgattr_init(1), 0);
	struct gcgattr a = { .has_policy = true, .policy = 7 };
	pid_t p = fork();
	if (!p)
		_exit(gcgattr_apply(&a, "cg_ext", 0) ? 1 : 0);
	int st;
	waitpid(p, &st, 0);
	char why[512];
	if (access("/sys/kernel/sched_ext", F_OK)) {
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "this kernel has no sched_ext: must be refused");
		cr_assert(gcgattr_failure(why, sizeof(why)));
		cr_assert(strstr(why, "cgroup 'cg_ext': set policy ext (sched_setscheduler SCHED_EXT=7): Invalid "
				 "argument (os error 22): this kernel has no sched_ext class; boot one built with "
				 "CONFIG_SCHED_CLASS_EXT=y"), "%s", why);
	} else {
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		struct gjson j;
		gjson_begin(&j, "worker", 1);
		gcgattr_report(&j, 0);
		cr_assert_eq(gjson_end(&j), 0);
		cr_assert(strstr(j.buf, "\"policy\":\"ext\""), "%s", j.buf);
	}
}
