/* Scenario parser: defaults, every key, and FILE:LINE:COL errors with the seed's words. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/scenario.h"
#include "tests/unit/tenv.h"

#include "tests/unit/tscn.h"

Test(scenario, minimal_file_gets_documented_defaults)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"cg0\"}]}", &s), 0, "%s", err);
	cr_assert_str_eq(s.name, "a");
	cr_assert_eq(s.memory_mb, 512);
	cr_assert_eq(s.duration_ms, 3000);
	cr_assert_eq(s.sched.kind, SCHED_EEVDF);
	cr_assert_eq(s.topo.numa, 1);
	cr_assert_eq(s.topo.llcs, 1);
	cr_assert_eq(s.topo.cores, 2);
	cr_assert_eq(s.topo.threads, 1);
	cr_assert_eq(s.ncgroups, 1);
	cr_assert_eq(s.cgroups[0].workers, 1);
	cr_assert_eq(s.cgroups[0].work, WORK_SPIN_WAIT);
	cr_assert_eq(s.cgroups[0].cpuset[0], 0);
	cr_assert_not(s.checks.has_max_gap_ms);
	cr_assert_not(s.checks.has_max_spread_pct);
	cr_assert_not(s.expect_err);
	scn_free(&s);
}

Test(scenario, every_key_is_parsed)
{
	const char *t = "{\n"
			"  \"name\": \"full\",\n"
			"  \"topology\": {\"numa\": 2, \"llcs\": 2, \"cores\": 2, \"threads\": 2},\n"
			"  \"memory_mb\": 1024,\n"
			"  \"scheduler\": {\"name\": \"scx-ktstr\", \"args\": [\"--slice\", \"5\"]},\n"
			"  \"duration_ms\": 5000,\n"
			"  \"cgroups\": [\n"
			"    {\"name\": \"cg0\", \"workers\": 4, \"work\": \"Mixed\", \"cpuset\": \"0-3\"},\n"
			"    {\"name\": \"cg_1\", \"workers\": 2, \"work\": \"PipeIo\"}\n"
			"  ],\n"
			"  \"checks\": {\"max_gap_ms\": 2500, \"max_spread_pct\": 12.5},\n"
			"  \"expect_err\": true\n"
			"}\n";
	struct scenario s;
	cr_assert_eq(parse(t, &s), 0, "%s", err);
	cr_assert_eq(scn_topo_cpus(&s.topo), 16);
	cr_assert_eq(s.memory_mb, 1024);
	cr_assert_eq(s.sched.kind, SCHED_NAME);
	cr_assert_str_eq(s.sched.spec, "scx-ktstr");
	cr_assert_eq(s.sched.nargs, 2);
	cr_assert_str_eq(s.sched.args[1], "5");
	cr_assert_eq(s.duration_ms, 5000);
	cr_assert_eq(s.ncgroups, 2);
	cr_assert_eq(s.cgroups[0].work, WORK_MIXED);
	cr_assert_str_eq(s.cgroups[0].cpuset, "0-3");
	cr_assert_eq(s.cgroups[1].work, WORK_PIPE_IO);
	cr_assert(s.checks.has_max_gap_ms);
	cr_assert_eq(s.checks.max_gap_ms, 2500);
	cr_assert_float_eq(s.checks.max_spread_pct, 12.5, 1e-9);
	cr_assert(s.expect_err);
	struct scenario c;
	cr_assert_eq(scn_copy(&c, &s), 0);
	cr_assert_neq(c.sched.args[0], s.sched.args[0], "scn_copy must duplicate args");
	cr_assert_str_eq(c.sched.args[0], "--slice");
	scn_free(&s);
	scn_free(&c);
}

Test(scenario, scheduler_string_forms)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"scheduler\":\"eevdf\",\"cgroups\":[{\"name\":\"c\"}]}", &s), 0, "%s", err);
	cr_assert_eq(s.sched.kind, SCHED_EEVDF);
	cr_assert_eq(parse("{\"name\":\"a\",\"scheduler\":{\"path\":\"/opt/x/sched\"},\"cgroups\":[{\"name\":\"c\"}]}", &s), 0,
		     "%s", err);
	cr_assert_eq(s.sched.kind, SCHED_PATH);
	cr_assert_str_eq(s.sched.spec, "/opt/x/sched");
	expect_err("{\"name\":\"a\",\"scheduler\":{\"name\":\"x\",\"path\":\"/y\"},\"cgroups\":[{\"name\":\"c\"}]}",
		   "either \"name\" or \"path\", not both");
	expect_err("{\"name\":\"a\",\"scheduler\":{\"name\":\"x\",\"args\":[1]},\"cgroups\":[{\"name\":\"c\"}]}",
		   "scheduler.args[0]: expected string, got integer");
}

Test(scenario, syntax_error_has_file_line_column)
{
	expect_err("{\n  \"name\": \"a\",\n  \"cgroups\": [}\n", "t.json:3:");
}

Test(scenario, duplicate_key_is_rejected)
{
	expect_err("{\"name\":\"a\",\"name\":\"b\",\"cgroups\":[{\"name\":\"c\"}]}", "t.json:1:");
	expect_err("{\"name\":\"a\",\"name\":\"b\",\"cgroups\":[{\"name\":\"c\"}]}", "duplicate");
}

Test(scenario, unknown_root_key_names_position_and_valid_keys)
{
	expect_err("{\n  \"name\": \"a\",\n  \"nmae\": 1,\n  \"cgroups\": [{\"name\": \"c\"}]\n}",
		   "t.json:3:3: unknown key 'nmae' in scenario; valid keys: name, topology, memory_mb, scheduler, "
		   "duration_ms, cgroups, checks, monitor, expect_err");
}

Test(scenario, unknown_cgroup_key_lists_cgroup_keys)
{
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"wrkers\":2}]}",
		   "t.json:1:36: unknown key 'wrkers' in cgroup cgroups[0]; valid keys: name, workers, work, cpuset");
}

Test(scenario, wrong_type_names_key_expected_and_got_at_the_value)
{
	expect_err("{\"name\":\"a\",\n\"cgroups\":[\n  {\"name\":\"c\", \"workers\": \"4\"}]}",
		   "t.json:3:27: cgroups[0].workers: expected integer, got string");
	expect_err("{\"name\":\"a\",\"expect_err\":1,\"cgroups\":[{\"name\":\"c\"}]}",
		   "expect_err: expected boolean, got integer");
	expect_err("{\"name\":\"a\",\"topology\":[1],\"cgroups\":[{\"name\":\"c\"}]}", "topology: expected object");
}

Test(scenario, unknown_work_lists_valid_names)
{
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"work\":\"CpuSpin\"}]}",
		   "cgroups[0].work: unknown work type 'CpuSpin'; valid: SpinWait, Mixed, Bursty, IoSyncWrite, "
		   "IoRandRead, IoConvoy, YieldHeavy, PipeIo, FutexPingPong, CachePipe, FutexFanOut, FanOutCompute, "
		   "ForkExit, NiceSweep, AffinityChurn, PolicyChurn, PageFaultChurn, MutexContention, "
		   "CachePressure, CacheYield, Sequence");
}

Test(scenario, every_known_work_type_is_implemented_io_ones_too)
{
	char list[1024], impl[1024];
	work_type_list(list, sizeof(list), false);
	work_type_list(impl, sizeof(impl), true);
	cr_expect_str_eq(impl, list);
	for (int w = 0; w < WORK__COUNT; w++)
		cr_expect_eq(work_type_needs_disk(w), !strncmp(work_type_name(w), "Io", 2), "%s",
			     work_type_name(w));
}

Test(scenario, grouped_work_count_uses_seed_words_and_group_index)
{
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"workers\":3,\"work\":\"PipeIo\"}]}",
		   "PipeIo (group 0) requires num_workers divisible by 2, got 3");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"a\"},\n{\"name\":\"b\",\"workers\":5,\"work\":\"FutexPingPong\"}]}",
		   "t.json:2:23: FutexPingPong (group 1) requires num_workers divisible by 2, got 5");
}

Test(scenario, duplicate_and_invalid_cgroup_names)
{
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"cg_0\"},\n{\"name\":\"cg_0\"}]}",
		   "t.json:2:9: cgroup 'cg_0' collides with a cgroup already tracked (declared twice in this "
		   "scenario) — declare it in exactly one place");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"a/b\"}]}", "not a valid cgroup name");
	expect_err("{\"name\":\"a\",\"cgroups\":[]}", "at least one cgroup");
	expect_err("{\"name\":\"a\"}", "missing required key 'cgroups'");
	expect_err("{\"cgroups\":[{\"name\":\"c\"}]}", "t.json:1:1: missing required key 'name'");
}

Test(scenario, vcpu_cap_is_named)
{
	/* A run takes what the VM boots: up to VM_MAX_VCPUS (255). */
	expect_err("{\"name\":\"a\",\"topology\":{\"numa\":2,\"llcs\":2,\"cores\":16,\"threads\":4},"
		   "\"cgroups\":[{\"name\":\"c\"}]}",
		   "t.json:1:24: topology 2n4l16c4t has 256 vCPUs, over the cap of 255 (SCN_MAX_VCPUS, QEMU's -M pc "
		   "limit); use fewer nodes, LLCs, cores or threads");
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"topology\":{\"numa\":2,\"llcs\":2,\"cores\":8,\"threads\":3},"
			   "\"cgroups\":[{\"name\":\"c\"}]}", &s), 0, "96 vCPUs (over 64) must pass: %s", err);
	scn_free(&s);
	cr_assert_eq(parse("{\"name\":\"a\",\"topology\":{\"numa\":1,\"llcs\":15,\"cores\":17,\"threads\":1},"
			   "\"cgroups\":[{\"name\":\"c\"}]}", &s), 0, "exactly 255 vCPUs must pass: %s", err);
	scn_free(&s);
}

Test(scenario, ranges_memory_duration_checks_cpuset)
{
	expect_err("{\"name\":\"a\",\"memory_mb\":64,\"cgroups\":[{\"name\":\"c\"}]}",
		   "memory_mb: 64 is out of range; allowed 128..65536");
	expect_err("{\"name\":\"a\",\"duration_ms\":0,\"cgroups\":[{\"name\":\"c\"}]}", "duration_ms: 0 is out of range");
	expect_err("{\"name\":\"a\",\"checks\":{\"max_spread_pct\":\"x\"},\"cgroups\":[{\"name\":\"c\"}]}",
		   "checks.max_spread_pct: expected number, got string");
	expect_err("{\"name\":\"a\",\"checks\":{\"gap\":1},\"cgroups\":[{\"name\":\"c\"}]}",
		   "valid keys: max_gap_ms, max_spread_pct");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpuset\":\"0-7\"}]}",
		   "cgroups[0].cpuset: CPU 7 is outside the topology's 2 vCPUs (0-1)");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpuset\":\"3-1\"}]}", "is not a CPU list");
}

Test(scenario, topo_parse_both_forms)
{
	struct vm_topology t;
	char buf[64];
	cr_assert_eq(scn_topo_parse("1x2x2x1", &t, err, sizeof(err)), 0, "%s", err);
	cr_assert(t.numa == 1 && t.llcs == 2 && t.cores == 2 && t.threads == 1);
	cr_assert_eq(scn_topo_parse("2n4l4c1t", &t, err, sizeof(err)), 0, "%s", err);
	cr_assert(t.numa == 2 && t.llcs == 2 && t.cores == 4 && t.threads == 1, "LLCs in the label are a total");
	scn_topo_label(&t, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2n4l4c1t");
	cr_assert_eq(scn_topo_parse("2n3l1c1t", &t, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "3 LLCs do not divide evenly over 2 NUMA nodes"), "%s", err);
	cr_assert_eq(scn_topo_parse("1x0x2x1", &t, err, sizeof(err)), -EINVAL);
	cr_assert_eq(scn_topo_parse("1n2l2c", &t, err, sizeof(err)), -EINVAL);
	cr_assert_eq(scn_topo_parse("", &t, err, sizeof(err)), -EINVAL);
	cr_assert_eq(scn_topo_parse("1x2x2x1x", &t, err, sizeof(err)), -EINVAL);
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"topology\":\"1n2l2c1t\",\"cgroups\":[{\"name\":\"c\"}]}", &s), 0, "%s", err);
	cr_assert_eq(scn_topo_cpus(&s.topo), 4);
}

Test(scenario, work_table)
{
	cr_assert_eq(work_type_group(WORK_PIPE_IO), 2);
	cr_assert_eq(work_type_group(WORK_FUTEX_FAN_OUT), 5);
	cr_assert_eq(work_type_group(WORK_SPIN_WAIT), 1);
	cr_assert_eq(work_type_from_name("FanOutCompute"), WORK_FAN_OUT_COMPUTE);
	cr_assert_eq(work_type_from_name("spinwait"), -1, "names are case-sensitive");
	cr_assert(work_type_implemented(WORK_FUTEX_PING_PONG));
	cr_assert(work_type_implemented(WORK_CACHE_PIPE));
	cr_assert(work_type_implemented(WORK_IO_CONVOY));
	cr_assert_str_eq(work_type_figure(WORK_IO_SYNC_WRITE), "fsyncs");
	cr_assert_eq(work_type_group(WORK_MUTEX_CONTENTION), 4);
	cr_assert_str_eq(work_type_figure(WORK_FORK_EXIT), "forks");
	cr_assert_null(work_type_figure(WORK_SPIN_WAIT));
}

Test(scenario, load_reads_a_real_file_and_reports_missing_ones)
{
	char dir[256], path[300];
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-scn");
	snprintf(path, sizeof(path), "%s/s.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\"name\": \"file\",\n \"cgroups\": [{\"name\": \"c\", \"workers\": true}]}\n", f);
	fclose(f);
	struct scenario s;
	cr_assert_eq(scn_load(path, &s, err, sizeof(err)), -EINVAL);
	char want[600];
	snprintf(want, sizeof(want), "%s:2:39: cgroups[0].workers: expected integer, got boolean", path);
	cr_assert_str_eq(err, want);
	f = fopen(path, "w");
	fputs("{\"name\": \"file\", \"cgroups\": [{\"name\": \"c\"}]}", f);
	fclose(f);
	cr_assert_eq(scn_load(path, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(s.path, path);
	unlink(path);
	cr_assert_eq(scn_load(path, &s, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "cannot open scenario"), "%s", err);
	cr_assert_eq(scn_load(dir, &s, err, sizeof(err)), -EINVAL, "a directory is not a scenario");
	rmdir(dir);
}

Test(scenario, validate_without_positions)
{
	struct scenario s;
	scn_init_default(&s);
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "at least one cgroup"), "%s", err);
	s.ncgroups = 1;
	snprintf(s.cgroups[0].name, sizeof(s.cgroups[0].name), "c");
	s.cgroups[0].workers = 5;
	s.cgroups[0].work = WORK_FAN_OUT_COMPUTE;
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), 0, "5 fan-out workers are one group: %s", err);
	s.cgroups[0].workers = 7;
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "FanOutCompute (group 0) requires num_workers divisible by 5, got 7");
	s.topo.cores = 256;
	s.cgroups[0].workers = 5;
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "cap of 255"), "%s", err);
}

/* ---- CpusetSpec and cgroup knobs ---------------------------------------------------- */

static struct vm_topology topo(const char *label)
{
	struct vm_topology t;
	cr_assert_eq(scn_topo_parse(label, &t, err, sizeof(err)), 0, "%s", err);
	return t;
}

/* Resolves sp on the topology; returns the list, or "ERR: message". */
static const char *resolve(const char *label, struct scn_cpuset_spec sp, const char *cg)
{
	static char out[256];
	struct vm_topology t = topo(label);
	char list[128];
	if (scn_cpuset_resolve(&t, &sp, cg, list, sizeof(list), err, sizeof(err)))
		snprintf(out, sizeof(out), "ERR: %s", err);
	else
		snprintf(out, sizeof(out), "%s", list);
	return out;
}

Test(cpuset_spec, usable_cpus_keep_the_last_cpu_when_more_than_two)
{
	int c[SCN_MAX_VCPUS];
	struct vm_topology t = topo("1n1l8c1t");
	cr_assert_eq(scn_usable_cpus(&t, c, SCN_MAX_VCPUS), 7, "8 CPUs -> usable 0-6");
	cr_assert_eq(c[6], 6);
	t = topo("1n1l3c1t");
	cr_assert_eq(scn_usable_cpus(&t, c, SCN_MAX_VCPUS), 2);
	t = topo("1n1l2c1t");
	cr_assert_eq(scn_usable_cpus(&t, c, SCN_MAX_VCPUS), 2, "2 CPUs: nothing reserved");
	t = topo("1n1l1c1t");
	cr_assert_eq(scn_usable_cpus(&t, c, SCN_MAX_VCPUS), 1);
}

Test(cpuset_spec, llc_and_numa_take_all_their_cpus)
{
	cr_assert_str_eq(resolve("1n2l1c1t", (struct scn_cpuset_spec){ .kind = CPUSET_LLC, .index = 1 }, "c"), "1");
	cr_assert_str_eq(resolve("2n4l2c1t", (struct scn_cpuset_spec){ .kind = CPUSET_LLC, .index = 3 }, "c"), "6-7",
			 "the last LLC keeps the CPU usable_cpus() reserves");
	cr_assert_str_eq(resolve("2n4l2c1t", (struct scn_cpuset_spec){ .kind = CPUSET_NUMA, .index = 1 }, "c"), "4-7");
	cr_assert_str_eq(resolve("1n2l2c2t", (struct scn_cpuset_spec){ .kind = CPUSET_LLC, .index = 0 }, "c"), "0-3");
	cr_assert_str_eq(resolve("1n2l1c1t", (struct scn_cpuset_spec){ .kind = CPUSET_LLC, .index = 2 }, "cg_3"),
			 "ERR: cgroup 'cg_3': CpusetSpec validation failed: llc 2 is out of range: the topology has 2 LLCs (0-1)");
	cr_assert_str_eq(resolve("2n2l1c1t", (struct scn_cpuset_spec){ .kind = CPUSET_NUMA, .index = 2 }, "c"),
			 "ERR: cgroup 'c': CpusetSpec validation failed: numa node 2 is out of range: the topology has 2 NUMA nodes (0-1)");
}

Test(cpuset_spec, disjoint_splits_usable_cpus_and_the_last_takes_the_rest)
{
	/* 8 CPUs: usable 0-6, chunks of 2. */
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_DISJOINT, .index = 0, .of = 3 }, "c"), "0-1");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_DISJOINT, .index = 1, .of = 3 }, "c"), "2-3");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_DISJOINT, .index = 2, .of = 3 }, "c"), "4-6");
	cr_assert_str_eq(resolve("1n1l2c1t", (struct scn_cpuset_spec){ .kind = CPUSET_DISJOINT, .index = 1, .of = 2 }, "c"), "1");
}

Test(cpuset_spec, range_and_overlap_slice_usable_cpus)
{
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_RANGE, .start_frac = 0.5,
									.end_frac = 1.0 }, "c"), "3-6");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_RANGE, .start_frac = 0,
									.end_frac = 0.5 }, "c"), "0-2");
	/* usable 7, chunk 3, overlap 1 CPU each side */
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_OVERLAP, .index = 0, .of = 2,
									.frac = 0.5 }, "c"), "0-3");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_OVERLAP, .index = 1, .of = 2,
									.frac = 0.5 }, "c"), "2-6");
	cr_assert_str_eq(resolve("1n1l2c1t", (struct scn_cpuset_spec){ .kind = CPUSET_RANGE, .start_frac = 0,
									.end_frac = 0.4 }, "c"),
			 "ERR: cgroup 'c': CpusetSpec validation failed: Range start_frac=0, end_frac=0.4 holds no CPU "
			 "of the 2 usable CPUs; widen the range");
}

Test(cpuset_spec, seed_errors_word_for_word)
{
	cr_assert_str_eq(resolve("1n1l5c1t", (struct scn_cpuset_spec){ .kind = CPUSET_DISJOINT, .index = 0, .of = 8 }, "cg_0"),
			 "ERR: cgroup 'cg_0': CpusetSpec validation failed: not enough usable CPUs (4) for 8 partitions");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_DISJOINT, .index = 3, .of = 3 }, "cg_1"),
			 "ERR: cgroup 'cg_1': CpusetSpec validation failed: index 3 >= partition count 3");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_RANGE, .start_frac = -1,
									.end_frac = 0.5 }, "cg_2"),
			 "ERR: cgroup 'cg_2': CpusetSpec validation failed: Range fracs must lie in [0.0, 1.0]: start_frac=-1, end_frac=0.5");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_RANGE, .start_frac = 0.5,
									.end_frac = 0.5 }, "c"),
			 "ERR: cgroup 'c': CpusetSpec validation failed: Range needs start_frac < end_frac: start_frac=0.5, end_frac=0.5");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_OVERLAP, .index = 0, .of = 2,
									.frac = 1.5 }, "c"),
			 "ERR: cgroup 'c': CpusetSpec validation failed: overlap frac=1.5 must lie in [0.0, 1.0]");
	cr_assert_str_eq(resolve("1n1l8c1t", (struct scn_cpuset_spec){ .kind = CPUSET_DISJOINT, .index = 0, .of = 0 }, "c"),
			 "ERR: cgroup 'c': CpusetSpec validation failed: partition count must be at least 1, got 0");
}

Test(cpuset_spec, numbers_print_like_rust_display)
{
	static const struct { double v; const char *s; } c[] = {
		{ -1, "-1" }, { 0.5, "0.5" }, { 0.1, "0.1" }, { 0, "0" }, { -0.0, "-0" }, { 1, "1" },
		{ 123.456, "123.456" }, { 1e-7, "0.0000001" }, { 2.5e-5, "0.000025" },
		{ 1e21, "1000000000000000000000" }, { 1.0 / 3, "0.3333333333333333" }, { 100, "100" },
	};
	char buf[64];
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		scn_fmt_f64(c[i].v, buf, sizeof(buf));
		cr_assert_str_eq(buf, c[i].s, "%.17g", c[i].v);
	}
}

Test(cpuset_spec, topology_independent_errors_come_from_the_parser_with_positions)
{
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"cg_0\"},{\"name\":\"cg_1\",\n"
		   " \"cpuset\":{\"disjoint\":{\"index\":3,\"of\":3}}}]}",
		   "t.json:2:11: cgroup 'cg_1': CpusetSpec validation failed: index 3 >= partition count 3");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"cg_2\",\"cpuset\":{\"range\":{\"start_frac\":-1,"
		   "\"end_frac\":0.5}}}]}",
		   "cgroup 'cg_2': CpusetSpec validation failed: Range fracs must lie in [0.0, 1.0]: start_frac=-1, end_frac=0.5");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpuset\":{\"llc\":0,\"numa\":0}}]}",
		   "give exactly one of llc, numa, disjoint, range, overlap");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpuset\":{\"lcc\":0}}]}",
		   "unknown key 'lcc' in cgroups[0].cpuset (a CpusetSpec); valid keys: llc, numa, disjoint, range, overlap");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpuset\":{\"disjoint\":{\"index\":0}}}]}",
		   "cgroups[0].cpuset.disjoint: missing key 'of'");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpuset\":{\"range\":{\"start_frac\":\"0\",\"end_frac\":1}}}]}",
		   "cgroups[0].cpuset.range.start_frac: expected number, got string");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpuset\":3}]}",
		   "cgroups[0].cpuset: expected a CPU list string or a CpusetSpec object");
}

Test(cpuset_spec, topology_dependent_errors_wait_for_the_final_topology)
{
	struct scenario s;
	/* The file's default topology has 1 LLC; --topo 1n2l1c1t makes {"llc": 1} valid. */
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"cg_0\",\"cpuset\":{\"llc\":1}}]}", &s), 0, "%s", err);
	cr_assert_eq(s.cgroups[0].cpuset_spec.kind, CPUSET_LLC);
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "cgroup 'cg_0': CpusetSpec validation failed: llc 1 is out of range: the topology has 1 LLCs (0-0)");
	s.topo = topo("1n2l1c1t");
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.cgroups[0].cpuset[0], 0, "validate does not write");
	cr_assert_eq(scn_resolve(&s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(s.cgroups[0].cpuset, "1");
	/* And the other way: a topology shrunk below the partition count. */
	cr_assert_eq(parse("{\"name\":\"a\",\"topology\":\"1n1l8c1t\",\"cgroups\":[{\"name\":\"cg_0\","
			   "\"cpuset\":{\"disjoint\":{\"index\":0,\"of\":8}}}]}", &s), 0, "%s", err);
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "cgroup 'cg_0': CpusetSpec validation failed: not enough usable CPUs (7) for 8 partitions");
	s.topo = topo("1n1l5c1t");
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "cgroup 'cg_0': CpusetSpec validation failed: not enough usable CPUs (4) for 8 partitions");
	cr_assert_eq(scn_resolve(&s, err, sizeof(err)), -EINVAL);
}

Test(cgroup_knobs, shapes_are_parsed_and_kept_verbatim)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"topology\":\"2n2l1c1t\",\"cgroups\":[{\"name\":\"c\",\"cpu_max\":\"50000 100000\","
			   "\"memory_max\":4294967296,\"memory_swap_max\":\"max\",\"cpuset_mems\":\"0-1\"},"
			   "{\"name\":\"d\",\"cpu_max\":\"max 100000\",\"memory_max\":\"max\"},{\"name\":\"e\",\"cpu_max\":\"max\"}]}",
			   &s), 0, "%s", err);
	cr_assert_str_eq(s.cgroups[0].cpu_max, "50000 100000");
	cr_assert_str_eq(s.cgroups[0].memory_max, "4294967296");
	cr_assert_str_eq(s.cgroups[0].memory_swap_max, "max");
	cr_assert_str_eq(s.cgroups[0].cpuset_mems, "0-1");
	cr_assert_str_eq(s.cgroups[1].cpu_max, "max 100000");
	cr_assert_str_eq(s.cgroups[1].memory_max, "max");
	cr_assert_str_eq(s.cgroups[2].cpu_max, "max");
	cr_assert_eq(s.cgroups[2].memory_max[0], 0, "unset stays empty");
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), 0, "%s", err);
	s.topo = topo("1n2l1c1t");
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL, "node 1 is gone on a 1-node topology");
	cr_assert_str_eq(err, "cgroups[0].cpuset_mems: node 1 is outside the topology's 1 NUMA node (0-0)");
}

Test(cgroup_knobs, bad_shapes_name_the_key_and_the_form)
{
	static const char *const bad_cpu_max[] = { "50000 100000 1", "half", "500 100000", "50000 100",
						   "50000 2000000", "50000  100000", "", "max 0", "-1 100000" };
	char t[256];
	for (size_t i = 0; i < sizeof(bad_cpu_max) / sizeof(bad_cpu_max[0]); i++) {
		snprintf(t, sizeof(t), "{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpu_max\":\"%s\"}]}", bad_cpu_max[i]);
		expect_err(t, "cgroups[0].cpu_max: '");
		cr_assert(strstr(err, "is not a cpu.max value; write \"QUOTA PERIOD\" in microseconds"), "%s", err);
	}
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpu_max\":50000}]}",
		   "t.json:1:46: cgroups[0].cpu_max: expected string, got integer");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"memory_max\":\"4G\"}]}",
		   "cgroups[0].memory_max: expected a byte count (integer >= 0) or \"max\", got '4G'");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"memory_swap_max\":-1}]}",
		   "cgroups[0].memory_swap_max: expected a byte count (integer >= 0) or \"max\", got integer");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"cpuset_mems\":\"0-\"}]}",
		   "cgroups[0].cpuset_mems: '0-' is not a NUMA node list");
}

/* ---- steps ----------------------------------------------------------------------- */

static const char *steps_scn =
	"{\"name\":\"st\",\n"
	" \"cgroups\":[{\"name\":\"bg\",\"workers\":1}],\n"
	" \"steps\":[\n"
	"  {\"name\":\"one\",\"duration_ms\":1200,\"cgroups\":[{\"name\":\"s1\",\"workers\":2}]},\n"
	"  {\"duration_ms\":800,\"cgroups\":[{\"name\":\"s1\",\"workers\":2,\"work\":\"PipeIo\"},"
	"{\"name\":\"s2\",\"cpuset\":{\"llc\":0}}]},\n"
	"  {\"duration_ms\":500}\n"
	" ]}";

Test(scenario_steps, backdrop_and_steps_are_parsed_and_duration_is_their_sum)
{
	struct scenario s;
	cr_assert_eq(parse(steps_scn, &s), 0, "%s", err);
	cr_assert_eq(s.nsteps, 3);
	cr_assert_eq(s.duration_ms, 2500);
	cr_assert_eq(s.ncgroups, 4);
	cr_assert_str_eq(s.cgroups[0].name, "bg");
	cr_assert_eq(s.cgroups[0].step, 0);
	cr_assert_str_eq(s.steps[0].name, "one");
	cr_assert_eq(s.steps[0].duration_ms, 1200);
	cr_assert_eq(s.steps[0].first_cgroup, 1);
	cr_assert_eq(s.steps[0].ncgroups, 1);
	cr_assert_eq(s.cgroups[1].step, 1);
	cr_assert_eq(s.steps[1].first_cgroup, 2);
	cr_assert_eq(s.steps[1].ncgroups, 2);
	/* A later step may reuse a name: the earlier step's cgroup is gone by then. */
	cr_assert_str_eq(s.cgroups[2].name, "s1");
	cr_assert_eq(s.cgroups[2].work, WORK_PIPE_IO);
	cr_assert_eq(s.cgroups[3].step, 2);
	cr_assert_eq(s.cgroups[3].cpuset_spec.kind, CPUSET_LLC);
	cr_assert_eq(s.steps[2].ncgroups, 0);
	cr_assert_str_eq(s.steps[2].name, "");
	cr_assert_eq(scn_resolve(&s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(s.cgroups[3].cpuset, "0-1");
	scn_free(&s);
}

Test(scenario_steps, no_steps_is_one_implicit_step)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"duration_ms\":700,\"cgroups\":[{\"name\":\"cg0\"}]}", &s), 0, "%s", err);
	cr_assert_eq(s.nsteps, 0);
	cr_assert_eq(s.duration_ms, 700);
	cr_assert_eq(s.cgroups[0].step, 0);
	scn_free(&s);
}

Test(scenario_steps, backdrop_may_be_empty_or_absent_with_steps)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"steps\":[{\"duration_ms\":5,\"cgroups\":[{\"name\":\"x\"}]}]}", &s), 0,
		     "%s", err);
	cr_assert_eq(s.ncgroups, 1);
	cr_assert_eq(s.duration_ms, 5);
	scn_free(&s);
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[],\"steps\":[{\"duration_ms\":5,\"cgroups\":[{\"name\":\"x\"}]}]}",
			   &s), 0, "%s", err);
	scn_free(&s);
	/* ...but some cgroup must exist somewhere. */
	expect_err("{\"name\":\"a\",\"steps\":[{\"duration_ms\":5}]}", "at least one cgroup is required");
}

Test(scenario_steps, duration_must_equal_the_sum_when_given)
{
	struct scenario s;
	cr_assert_eq(parse("{\"name\":\"a\",\"duration_ms\":30,\"cgroups\":[{\"name\":\"c\"}],"
			   "\"steps\":[{\"duration_ms\":10},{\"duration_ms\":20}]}", &s), 0, "%s", err);
	scn_free(&s);
	expect_err("{\"name\":\"a\",\n\"duration_ms\":3000,\"cgroups\":[{\"name\":\"c\"}],"
		   "\"steps\":[{\"duration_ms\":10},{\"duration_ms\":20}]}",
		   "t.json:2:15: duration_ms: 3000 ms is not the sum of the steps' durations (30 ms); "
		   "with steps the run lasts their sum: leave duration_ms (and --duration) out or make it 30");
	/* A command-line override (--duration) meets the same rule without a position. */
	cr_assert_eq(parse("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\"}],\"steps\":[{\"duration_ms\":10}]}", &s), 0);
	s.duration_ms = 99;
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "duration_ms: 99 ms is not the sum of the steps' durations (10 ms)"), "%s", err);
	scn_free(&s);
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\"}],\"steps\":[{\"duration_ms\":400000},"
		   "{\"duration_ms\":400000}]}", "steps: the steps last 800000 ms in all, over the cap of 600000 ms");
}

Test(scenario_steps, step_cgroup_colliding_with_a_live_one_uses_the_seed_words)
{
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"cg_0\"}],\n"
		   "\"steps\":[{\"duration_ms\":5,\"cgroups\":[{\"name\":\"cg_0\"}]}]}",
		   "t.json:2:46: cgroup 'cg_0' collides with a cgroup already tracked (by a Backdrop cgroup, "
		   "which lives for the whole run) — declare it in exactly one place; use a fresh name for "
		   "the step-local cgroup");
	expect_err("{\"name\":\"a\",\"cgroups\":[{\"name\":\"bg\"}],"
		   "\"steps\":[{\"duration_ms\":5,\"cgroups\":[{\"name\":\"x\"},{\"name\":\"x\"}]}]}",
		   "cgroup 'x' collides with a cgroup already tracked (by an earlier cgroup of the same step)");
}

Test(scenario_steps, step_cgroups_are_validated_like_the_backdrop_with_their_path)
{
	const char *pre = "{\"name\":\"a\",\"cgroups\":[{\"name\":\"bg\"}],\"steps\":[{\"duration_ms\":5},"
			  "{\"duration_ms\":5,\"cgroups\":[{\"name\":\"p\"},";
	char t[1024];
	snprintf(t, sizeof(t), "%s{\"name\":\"q\",\"workers\":3,\"work\":\"PipeIo\"}]}]}", pre);
	expect_err(t, "PipeIo (group 1) requires num_workers divisible by 2, got 3");
	snprintf(t, sizeof(t), "%s{\"name\":\"q\",\"work\":\"Nope\"}]}]}", pre);
	expect_err(t, "steps[1].cgroups[1].work: unknown work type 'Nope'");
	snprintf(t, sizeof(t), "%s{\"name\":\"q\",\"cpuset\":\"0-7\"}]}]}", pre);
	expect_err(t, "steps[1].cgroups[1].cpuset: CPU 7 is outside the topology's 2 vCPUs (0-1)");
	snprintf(t, sizeof(t), "%s{\"name\":\"q\",\"cpu_max\":\"5 5\"}]}]}", pre);
	expect_err(t, "steps[1].cgroups[1].cpu_max: '5 5' is not a cpu.max value");
	snprintf(t, sizeof(t), "%s{\"name\":\"q\",\"bogus\":1}]}]}", pre);
	expect_err(t, "unknown key 'bogus' in cgroup steps[1].cgroups[1]");
	/* A CpusetSpec that needs the final topology fails in scn_validate, named by cgroup. */
	struct scenario s;
	snprintf(t, sizeof(t), "%s{\"name\":\"q\",\"cpuset\":{\"llc\":3}}]}]}", pre);
	cr_assert_eq(parse(t, &s), 0, "%s", err);
	cr_assert_eq(scn_validate(&s, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "cgroup 'q': CpusetSpec validation failed: llc 3 is out of range"), "%s", err);
	cr_assert_eq(scn_resolve(&s, err, sizeof(err)), -EINVAL);
	scn_free(&s);
}

Test(scenario_steps, step_shapes_and_caps)
{
	const char *c = "\"cgroups\":[{\"name\":\"c\"}]";
	char t[8192];
	snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":[]}", c);
	expect_err(t, "steps: give at least one step");
	snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":{}}", c);
	expect_err(t, "steps: expected array, got object");
	snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":[{}]}", c);
	expect_err(t, "steps[0]: missing required key 'duration_ms'");
	snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":[{\"duration_ms\":0}]}", c);
	expect_err(t, "steps[0].duration_ms: 0 is out of range; allowed 1..600000");
	snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":[{\"duration_ms\":1,\"hold\":2}]}", c);
	expect_err(t, "unknown key 'hold' in step steps[0]; valid keys: name, duration_ms, cgroups");
	snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":[{\"duration_ms\":1,\"name\":\"\"}]}", c);
	expect_err(t, "steps[0].name: must be 1-63 characters");
	snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":[{\"duration_ms\":1,\"cgroups\":5}]}", c);
	expect_err(t, "steps[0].cgroups: expected array, got integer");
	size_t o = (size_t)snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":[", c);
	for (int i = 0; i < SCN_MAX_STEPS + 1; i++)
		o += (size_t)snprintf(t + o, sizeof(t) - o, "%s{\"duration_ms\":1}", i ? "," : "");
	snprintf(t + o, sizeof(t) - o, "]}");
	expect_err(t, "steps: 33 steps, at most 32");
	/* 64 cgroups in all: the backdrop and the steps share the cap. */
	o = (size_t)snprintf(t, sizeof(t), "{\"name\":\"a\",%s,\"steps\":[{\"duration_ms\":1,\"cgroups\":[", c);
	for (int i = 0; i < SCN_MAX_CGROUPS; i++)
		o += (size_t)snprintf(t + o, sizeof(t) - o, "%s{\"name\":\"s%d\"}", i ? "," : "", i);
	snprintf(t + o, sizeof(t) - o, "]}]}");
	expect_err(t, "steps[0].cgroups[63]: more than 64 cgroups in the backdrop and all steps together");
	/* The worker cap counts every step's workers. */
	snprintf(t, sizeof(t), "{\"name\":\"a\",\"cgroups\":[{\"name\":\"c\",\"workers\":1000}],\"steps\":["
		 "{\"duration_ms\":1,\"cgroups\":[{\"name\":\"s\",\"workers\":30}]}]}");
	expect_err(t, "cgroups: 1030 workers in total (backdrop and all steps), over the cap of 1024");
}
