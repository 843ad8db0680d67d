/* Cgroup knobs end to end without a VM: the host's normalized scenario carries the resolved
 * cpuset and the knobs to the guest's parser, and the guest's failure wording is the seed's,
 * word for word (the snapshot reads a real directory). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/scenario_wire.h"
#include "engine/scenario.h"
#include "guest/gscn.h"
#include "tests/unit/tenv.h"

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert(f, "cannot write %s", p);
	fputs(text, f);
	fclose(f);
}

Test(cgroup_knobs, host_scenario_reaches_the_guest_parser_resolved)
{
	static struct scenario s;
	static struct gscn g;
	char err[1024];
	cr_assert_eq(scn_parse("{\"name\":\"k\",\"topology\":\"1n2l1c1t\",\"cgroups\":["
			       "{\"name\":\"limited\",\"workers\":2,\"cpu_max\":\"50000 100000\",\"cpuset\":{\"llc\":1},"
			       "\"memory_max\":4294967296,\"memory_swap_max\":\"max\",\"cpuset_mems\":\"0\"},"
			       "{\"name\":\"free\",\"workers\":2}]}", "k.json", &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(scn_resolve(&s, err, sizeof(err)), 0, "%s", err);
	char *text = scn_wire_json(&s, false);
	cr_assert(text);
	cr_assert_eq(gscn_parse(text, &g, err, sizeof(err)), 0, "%s\n%s", err, text);
	cr_assert_eq(g.ncg, 2);
	cr_assert_str_eq(g.cg[0].cpuset, "1");
	cr_assert_str_eq(g.cg[0].cpu_max, "50000 100000");
	cr_assert_str_eq(g.cg[0].memory_max, "4294967296");
	cr_assert_str_eq(g.cg[0].memory_swap_max, "max");
	cr_assert_str_eq(g.cg[0].cpuset_mems, "0");
	for (int k = 0; k < GSCN_KNOB__COUNT; k++)
		cr_assert_eq(gscn_knob_value(&g.cg[1], k)[0], 0, "free cgroup has no %s", gscn_knob_file(k));
	cr_assert_null(strstr(text, "\"cpuset\":{"), "the guest gets a CPU list, not a spec: %s", text);
	free(text);
	scn_free(&s);
}

Test(cgroup_knobs, unresolved_spec_is_resolved_when_the_guest_scenario_is_built)
{
	static struct scenario s;
	char err[1024];
	cr_assert_eq(scn_parse("{\"name\":\"k\",\"topology\":\"1n1l8c1t\",\"cgroups\":[{\"name\":\"a\","
			       "\"cpuset\":{\"range\":{\"start_frac\":0.5,\"end_frac\":1}}}]}", "k.json", &s, err,
			       sizeof(err)), 0, "%s", err);
	char *text = scn_wire_json(&s, false);
	cr_assert(text && strstr(text, "\"cpuset\":\"3-6\""), "%s", text ? text : "(null)");
	free(text);
}

Test(cgroup_knobs, wrapped_write_errors_are_the_seeds)
{
	char b[512];
	gscn_knob_error(b, sizeof(b), "cg_0", GSCN_KNOB_CPU_MAX, "100000 100000", ENOENT);
	cr_assert_str_eq(b, "cgroup 'cg_0': set cpu.max='100000 100000' (requires +cpu in parent cgroup.subtree_control): No such file or directory (os error 2)");
	gscn_knob_error(b, sizeof(b), "cg_0", GSCN_KNOB_MEMORY_MAX, "4294967296", ENOENT);
	cr_assert_str_eq(b, "cgroup 'cg_0': set memory.max='4294967296' (requires +memory in parent cgroup.subtree_control): No such file or directory (os error 2)");
	gscn_knob_error(b, sizeof(b), "cg_0", GSCN_KNOB_MEMORY_SWAP_MAX, "1073741824", ENOENT);
	cr_assert_str_eq(b, "cgroup 'cg_0': set memory.swap.max='1073741824' (requires +memory in parent cgroup.subtree_control; file absent on CONFIG_SWAP=n kernels): No such file or directory (os error 2)");
	gscn_knob_error(b, sizeof(b), "cg_0", GSCN_KNOB_CPUSET_MEMS, "0-1", ENOENT);
	cr_assert_str_eq(b, "cgroup 'cg_0': set cpuset.mems='0-1' (requires +cpuset in parent cgroup.subtree_control): No such file or directory (os error 2)");
	gscn_knob_error(b, sizeof(b), "cg_0", GSCN_KNOB_CPUSET_CPUS, "0-1", ENOENT);
	cr_assert_str_eq(b, "cgroup 'cg_0': set cpuset.cpus='0-1' (requires +cpuset in parent cgroup.subtree_control): No such file or directory (os error 2)");
	/* A rejected value is not a missing controller: no +cpu hint then. */
	gscn_knob_error(b, sizeof(b), "cg_0", GSCN_KNOB_CPU_MAX, "max 5", EINVAL);
	cr_assert_str_eq(b, "cgroup 'cg_0': set cpu.max='max 5': Invalid argument (os error 22) (the kernel rejected the value; cpu.max is \"QUOTA PERIOD\" in microseconds)");
	cr_assert_str_eq(gscn_knob_controller(GSCN_KNOB_MEMORY_SWAP_MAX), "memory");
	cr_assert_str_eq(gscn_knob_controller(GSCN_KNOB_CPUSET_MEMS), "cpuset");
	cr_assert_str_eq(gscn_knob_controller(GSCN_KNOB_CPU_MAX), "cpu");
}

Test(cgroup_knobs, snapshot_of_a_missing_cgroup_is_the_seeds_line)
{
	char dir[256], b[2048], want[2048];
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-cgsnap");
	put(dir, "cgroup.controllers", "cpuset cpu memory io pids\n");
	put(dir, "cgroup.subtree_control", "cpuset cpu memory\n");
	gscn_cgroup_snapshot(b, sizeof(b), dir, "nonexistent", ENOENT);
	snprintf(want, sizeof(want), "cgroup-state-snapshot: parent=%s name=nonexistent parent.cgroup.controllers=\"cpuset cpu memory io pids\" parent.cgroup.subtree_control=\"cpuset cpu memory\" child.cgroup.controllers=\"<read failed: No such file or directory (os error 2)>\" child.cpuset.cpus.exists=false child.listing=<read_dir failed: No such file or directory (os error 2)>: No such file or directory (os error 2)", dir);
	cr_assert_str_eq(b, want);

	/* An existing cgroup lists its knob files instead: the tell the seed describes. */
	char child[600];
	snprintf(child, sizeof(child), "%s/cg_0", dir);
	cr_assert_eq(mkdir(child, 0755), 0);
	put(child, "cpuset.cpus", "");
	put(child, "cgroup.controllers", "cpuset cpu\n");
	gscn_cgroup_snapshot(b, sizeof(b), dir, "cg_0", EINVAL);
	cr_assert(strstr(b, " child.cgroup.controllers=\"cpuset cpu\" child.cpuset.cpus.exists=true "
			    "child.listing=[cgroup.controllers,cpuset.cpus]: Invalid argument (os error 22)"), "%s", b);
	unlink(strcat(strcpy(want, child), "/cpuset.cpus"));
	unlink(strcat(strcpy(want, child), "/cgroup.controllers"));
	rmdir(child);
	unlink(strcat(strcpy(want, dir), "/cgroup.controllers"));
	unlink(strcat(strcpy(want, dir), "/cgroup.subtree_control"));
	rmdir(dir);
}

Test(cgroup_knobs, guest_parser_takes_knobs_and_refuses_unsafe_text)
{
	static struct gscn g;
	char err[512];
	cr_assert_eq(gscn_parse("{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"cpu_max\":\"max 100000\","
				"\"memory_max\":1048576,\"cpuset_mems\":null}]}", &g, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(g.cg[0].cpu_max, "max 100000");
	cr_assert_str_eq(g.cg[0].memory_max, "1048576", "an integer is written as its decimal text");
	cr_assert_eq(g.cg[0].cpuset_mems[0], 0);
	static const char *const bad[] = {
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"cpu_max\":\"1\\n2\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"memory_max\":\"\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"memory_max\":-5}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"cpuset_mems\":\"../x\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"memory_swap_max\":\"99999999999999999999999999999\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"cpu_max\":[1]}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		cr_assert_eq(gscn_parse(bad[i], &g, err, sizeof(err)), -EINVAL, "accepted: %s", bad[i]);
		cr_assert(strstr(err, "must be a string of digits"), "%s", err);
	}
}

Test(cgroup_knobs, guest_duplicate_uses_the_seed_phrase)
{
	static struct gscn g;
	char err[512];
	cr_assert_eq(gscn_parse("{\"duration_ms\":10,\"cgroups\":[{\"name\":\"cg_0\"},{\"name\":\"cg_0\"}]}", &g, err,
				sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "cgroup 'cg_0' collides with a cgroup already tracked (declared twice in this scenario) — declare it in exactly one place");
}
