/* A step's "ops": the host's parse (every op kind, FILE:LINE:COL errors for each mistake a
 * user can make), the saved scenario and the wire both carry them unchanged, and the guest's
 * parse reads what the host wrote (a Spawn becomes a spawned entry behind the cgroups). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scenario.h"
#include "engine/scenario_wire.h"
#include "guest/gscn.h"

#define TSCN_FILE "o.json"
#include "tests/unit/tscn.h"

#define HEAD "{\"name\":\"o\",\"topology\":{\"numa\":1,\"llcs\":1,\"cores\":4,\"threads\":1},"

static const char *every_op =
	HEAD "\"cgroups\":[{\"name\":\"a\",\"workers\":2,\"cpuset\":\"0-1\"}],\n"
	"\"steps\":[{\"duration_ms\":2000,\"cgroups\":[{\"name\":\"b\",\"cpuset\":\"2-3\"}],\"ops\":[\n"
	" {\"op\":\"SetCpuset\",\"cgroup\":\"a\",\"cpus\":\"0\",\"at_ms\":100},\n"
	" {\"op\":\"ClearCpuset\",\"cgroup\":\"a\",\"at_ms\":200},\n"
	" {\"op\":\"SwapCpusets\",\"a\":\"a\",\"b\":\"b\",\"at_ms\":300,\"every_ms\":500},\n"
	" {\"op\":\"MoveAllTasks\",\"from\":\"a\",\"to\":\"b\",\"at_ms\":400},\n"
	" {\"op\":\"SetAffinity\",\"cgroup\":\"b\",\"cpus\":\"2\"},\n"
	" {\"op\":\"StopCgroup\",\"cgroup\":\"a\"},\n"
	" {\"op\":\"RemoveCgroup\",\"cgroup\":\"a\"},\n"
	" {\"op\":\"AddCgroup\",\"cgroup\":\"c\",\"cpus\":\"3\"},\n"
	" {\"op\":\"Spawn\",\"cgroup\":\"c\",\"workers\":2,\"work\":\"PipeIo\",\"at_ms\":10},\n"
	" {\"op\":\"SetNice\",\"cgroup\":\"c\",\"nice\":-5},\n"
	" {\"op\":\"SetPolicy\",\"cgroup\":\"c\",\"policy\":\"fifo:10\"},\n"
	" {\"op\":\"FreezeCgroup\",\"cgroup\":\"c\"},\n"
	" {\"op\":\"UnfreezeCgroup\",\"cgroup\":\"c\",\"at_ms\":1500}]}]}";

Test(scenario_ops, every_kind_is_parsed)
{
	struct scenario s;
	cr_assert_eq(parse(every_op, &s), 0, "%s", err);
	cr_assert_eq(s.nops, OP__COUNT);
	for (int i = 0; i < s.nops; i++) {
		cr_assert_eq(s.ops[i].kind, i, "op %d is %s", i, op_kind_name(s.ops[i].kind));
		cr_assert_eq(s.ops[i].step, 1);
	}
	cr_assert_str_eq(s.ops[0].cpus, "0");
	cr_assert_eq(s.ops[0].at_ms, 100);
	cr_assert_str_eq(s.ops[2].cgroup, "a");
	cr_assert_str_eq(s.ops[2].other, "b");
	cr_assert_eq(s.ops[2].every_ms, 500);
	cr_assert_str_eq(s.ops[3].other, "b");
	cr_assert_eq(s.ops[8].workers, 2);
	cr_assert_eq(s.ops[8].work, WORK_PIPE_IO);
	cr_assert_eq(s.ops[9].nice, -5);
	cr_assert_eq(s.ops[10].policy, 1);
	cr_assert_eq(s.ops[10].prio, 10);
	scn_free(&s);
}

Test(scenario_ops, top_level_ops_belong_to_the_one_step)
{
	struct scenario s;
	cr_assert_eq(parse(HEAD "\"duration_ms\":2000,\"cgroups\":[{\"name\":\"a\"}],"
			   "\"ops\":[{\"op\":\"SetCpuset\",\"cgroup\":\"a\",\"cpus\":\"1\",\"at_ms\":1999}]}", &s),
		     0, "%s", err);
	cr_assert_eq(s.nops, 1);
	cr_assert_eq(s.ops[0].step, 1);
	scn_free(&s);
}

Test(scenario_ops, mistakes_are_named_with_their_position)
{
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"SetCpuSet\",\"cgroup\":\"a\"}]}",
		   "o.json:1:104: ops[0].op: unknown op 'SetCpuSet'; ops: SetCpuset, ClearCpuset, SwapCpusets");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"SetCpuset\",\"cgroup\":\"a\"}]}",
		   "ops[0]: missing required key 'cpus'");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"SetCpuset\",\"cgroup\":\"a\",\"cpus\":\"0-9\"}]}",
		   "ops[0].cpus: CPU 9 is outside the topology's 4 vCPUs (0-3)");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"SetCpuset\",\"cgroup\":\"a\",\"cpus\":\"x\"}]}",
		   "ops[0].cpus: 'x' is not a CPU list");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"ClearCpuset\",\"cgroup\":\"a\",\"nice\":1}]}",
		   "ops[0].nice: ClearCpuset takes no 'nice'");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"ClearCpuset\",\"cgroup\":\"a/b\"}]}",
		   "ops[0].cgroup: 'a/b' is not a cgroup name");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"ClearCpuset\",\"cgroup\":\"a\",\"at_ms\":3000}]}",
		   "ops[0].at_ms: 3000 ms is not inside its step, which lasts 3000 ms; give 0..2999");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"ClearCpuset\",\"cgroup\":\"a\",\"every_ms\":10}]}",
		   "ops[0].every_ms: 10 ms is too often; 0 (once) or at least 50 ms");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"Spawn\",\"cgroup\":\"a\",\"workers\":3,\"work\":\"PipeIo\"}]}",
		   "PipeIo (ops[0]) requires num_workers divisible by 2, got 3");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"Spawn\",\"cgroup\":\"a\",\"workers\":1,\"every_ms\":100}]}",
		   "ops[0]: Spawn runs once");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"SetNice\",\"cgroup\":\"a\",\"nice\":20}]}",
		   "ops[0].nice");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"SetPolicy\",\"cgroup\":\"a\",\"policy\":\"fifo\"}]}",
		   "ops[0].policy: 'fifo' is not a policy; give normal, batch, idle, ext, fifo:PRIO or rr:PRIO");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"steps\":[{\"duration_ms\":100}],"
		   "\"ops\":[{\"op\":\"ClearCpuset\",\"cgroup\":\"a\"}]}",
		   "ops: a scenario with steps lists its ops in each step (steps[N].ops)");
	expect_err(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"steps\":[{\"duration_ms\":100},{\"duration_ms\":100,"
		   "\"ops\":[{\"op\":\"ClearCpuset\",\"cgroup\":\"a\",\"at_ms\":100}]}]}",
		   "steps[1].ops[0].at_ms: 100 ms is not inside its step, which lasts 100 ms");
}

/* A cgroup an op names need not be declared: the reference does not pre-validate names,
 * and the guest's cgroup-state snapshot is the diagnostic (tests/vm/test_ops.sh). */
Test(scenario_ops, undeclared_cgroup_names_are_accepted)
{
	struct scenario s;
	cr_assert_eq(parse(HEAD "\"cgroups\":[{\"name\":\"a\"}],\"ops\":[{\"op\":\"SetCpuset\","
			   "\"cgroup\":\"nonexistent\",\"cpus\":\"0\"}]}", &s), 0, "%s", err);
	scn_free(&s);
}

Test(scenario_ops, save_and_wire_carry_them_and_the_guest_reads_them)
{
	struct scenario s, back;
	cr_assert_eq(parse(every_op, &s), 0, "%s", err);
	char *saved = scn_to_json(&s);
	cr_assert(saved);
	cr_assert_eq(scn_parse(saved, "saved.json", &back, err, sizeof(err)), 0, "%s\n%s", err, saved);
	cr_assert_eq(back.nops, s.nops);
	cr_assert_eq(memcmp(back.ops, s.ops, sizeof(s.ops[0]) * (size_t)s.nops), 0, "%s", saved);
	free(saved);

	char *wire = scn_wire_json(&s, false);
	cr_assert(wire);
	static struct gscn g;
	cr_assert_eq(gscn_parse(wire, &g, err, sizeof(err)), 0, "%s\n%s", err, wire);
	cr_assert_eq(g.nop, s.nops, "%s", wire);
	for (int i = 0; i < g.nop; i++) {
		struct ktstr_op h = s.ops[i];
		h.cg_index = g.op[i].cg_index;
		cr_assert_eq(memcmp(&h, &g.op[i], sizeof(h)), 0, "op %d (%s) differs\n%s", i,
			     op_kind_name(h.kind), wire);
	}
	/* The Spawn's workers: an entry behind the two declared cgroups, in step 1. */
	int sp = g.op[8].cg_index;
	cr_assert_eq(sp, 2, "%s", wire);
	cr_assert(g.cg[sp].spawned);
	cr_assert_str_eq(g.cg[sp].name, "c");
	cr_assert_eq(g.cg[sp].workers, 2);
	cr_assert_eq(g.cg[sp].work, WORK_PIPE_IO);
	cr_assert_eq(g.cg[sp].step, 1);
	cr_assert_eq(g.step[0].ncg, 1, "the step's own cgroups do not include the Spawn's");
	free(wire);
	scn_free(&s);
	scn_free(&back);
}

Test(scenario_ops, guest_refuses_what_it_cannot_run)
{
	static struct gscn g;
	cr_assert_eq(gscn_parse("{\"duration_ms\":1000,\"cgroups\":[],\"ops\":[{\"op\":\"Nope\"}]}", &g, err,
				sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "ops[0].op 'Nope' is unknown"), "%s", err);
	cr_assert_eq(gscn_parse("{\"duration_ms\":1000,\"cgroups\":[],\"ops\":[{\"op\":\"ClearCpuset\","
				"\"cgroup\":\"a\",\"at_ms\":1000}]}", &g, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "ops[0].at_ms must be an integer in 0..999"), "%s", err);
}
