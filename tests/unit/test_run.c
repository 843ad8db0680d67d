/* run_ingest: every proto.h message updates the model; malformed lines are counted. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/run.h"
#include "guest/proto.h"

static struct run *r;

static void setup(void)
{
	r = run_new(NULL);
	cr_assert_not_null(r);
}

static void teardown(void)
{
	run_put(r);
}

TestSuite(run, .init = setup, .fini = teardown);

static void ok(const char *line, const char *type)
{
	const char *t = run_ingest(r, line);
	cr_assert_not_null(t, "rejected: %s", line);
	cr_assert_str_eq(t, type, "line %s", line);
}

static void bad(const char *line)
{
	uint64_t before = r->malformed_lines;
	cr_assert_null(run_ingest(r, line), "accepted: %s", line);
	cr_assert_eq(r->malformed_lines, before + 1);
}

Test(run, new_run_has_unknown_markers)
{
	cr_assert_eq(r->sys_rdy_ms, -1);
	cr_assert_eq(r->kernel_boot_ms, -1);
	cr_assert_eq(r->vm_exit_code, -1);
	cr_assert_str_eq(r->sched_label, "eevdf");
	cr_assert_str_eq(run_state_name(RUN_FINISHING), "finishing");
	cr_assert_str_eq(run_result_name(RESULT_ERROR), "error");
}

Test(run, hello_sys_rdy_stage_topo)
{
	ok("{\"t\":\"hello\",\"ts_ns\":1,\"proto\":1,\"kernel\":\"7.2.13-cloud\",\"kernel_boot_ms\":1480}", "hello");
	cr_assert(r->guest_hello);
	cr_assert_eq(r->kernel_boot_ms, 1480);
	cr_assert_str_eq(r->guest_kernel, "7.2.13-cloud");
	r->elapsed_ms = 2100;
	ok("{\"t\":\"sys_rdy\",\"ts_ns\":2}", "sys_rdy");
	cr_assert_eq(r->sys_rdy_ms, 2100);
	ok("{\"t\":\"stage\",\"ts_ns\":5000000000,\"stage\":\"running\"}", "stage");
	cr_assert_str_eq(r->stage, "running");
	cr_assert_eq(r->state, RUN_RUNNING);
	cr_assert_eq(r->workload_start_ns, 5000000000);
	ok("{\"t\":\"topo\",\"ts_ns\":3,\"cpus\":4,\"llcs\":[[0,1],[2,3]],\"nodes\":[[0,1,2,3]]}", "topo");
	cr_assert_eq(r->guest_cpus, 4);
	cr_assert_eq(r->nllcs, 2);
	cr_assert_eq(r->llcs[1].w[0], 0xc);
	cr_assert_eq(r->nnodes, 1);
	cr_assert_eq(r->nodes[0].w[0], 0xf);
	ok("{\"t\":\"hello\",\"ts_ns\":1,\"proto\":99}", "hello");
	cr_assert(strstr(ring_get(r->guestlog, 0), "protocol 99"), "a version mismatch is said");
}

Test(run, logs_go_to_their_rings)
{
	ok("{\"t\":\"log\",\"src\":\"sched\",\"line\":\"hello from sched\"}", "log");
	ok("{\"t\":\"log\",\"src\":\"kernel\",\"line\":\"k\"}", "log");
	ok("{\"t\":\"log\",\"src\":\"guest\",\"line\":\"g\"}", "log");
	ok("{\"t\":\"verifier\",\"line\":\"0: R1=ctx()\"}", "verifier");
	ok("{\"t\":\"dump\",\"line\":\"sched_ext_dump: x\"}", "dump");
	cr_assert_eq(ring_count(r->schedlog), 1);
	cr_assert_str_eq(ring_get(r->schedlog, 0), "hello from sched");
	cr_assert_eq(ring_count(r->guestlog), 2);
	cr_assert_str_eq(ring_get(r->verifier, 0), "0: R1=ctx()");
	cr_assert_str_eq(ring_get(r->dump, 0), "sched_ext_dump: x");
}

Test(run, samples_and_worker_reports_are_keyed_by_tid)
{
	ok("{\"t\":\"sample\",\"elapsed_ms\":200,\"workers\":[{\"tid\":10,\"cpu_ns\":100,\"iters\":5,\"max_gap_ms\":3.5,\"cpu\":0},"
	   "{\"tid\":11,\"cpu_ns\":50,\"iters\":2,\"cpu\":1}]}", "sample");
	ok("{\"t\":\"sample\",\"elapsed_ms\":400,\"workers\":[{\"tid\":10,\"cpu_ns\":300,\"iters\":9,\"max_gap_ms\":1,\"cpu\":1}]}",
	   "sample");
	cr_assert_eq(r->nworkers, 2);
	struct run_worker *w = run_worker_by_tid(r, 10);
	cr_assert_eq(w->iters, 9);
	cr_assert_eq(w->cpu_ns, 300);
	cr_assert_float_eq(w->max_gap_ms, 3.5, 1e-9, "the max gap never shrinks");
	cr_assert_eq(w->cpus_mask.w[0], 3);
	cr_assert_eq(w->migrations, 1);
	cr_assert_eq(r->nsamples, 2);
	cr_assert_eq(r->samples[1].elapsed_ms, 400);
	ok("{\"t\":\"sample\",\"elapsed_ms\":400,\"workers\":[{\"tid\":11,\"cpu\":1}]}", "sample");
	cr_assert_eq(r->nsamples, 2, "a tick split over two lines is one sample");
	cr_assert_eq(r->samples[1].nworkers, 2);
	ok("{\"t\":\"worker\",\"tid\":10,\"cgroup\":\"cg0\",\"work\":\"SpinWait\",\"cpu_ns\":900000000,\"wall_ns\":1000000000,"
	   "\"iters\":77,\"max_gap_ms\":12.0,\"max_gap_cpu\":1,\"max_gap_at_ms\":450,\"cpus\":[0,1,3],\"migrations\":4,"
	   "\"completed\":true}", "worker");
	cr_assert_eq(r->nworkers, 2);
	cr_assert_str_eq(w->cgroup, "cg0");
	cr_assert_eq(w->wall_ns, 1000000000ull);
	cr_assert_eq(w->cpus_mask.w[0], 0xb);
	cr_assert_eq(w->max_gap_at_ms, 450);
	cr_assert_eq(w->migrations, 4);
	cr_assert(w->completed);
	cr_assert(w->reported);
	cr_assert_eq(w->figure, -1, "no figure sent: none");
	ok("{\"t\":\"worker\",\"tid\":11,\"work\":\"ForkExit\",\"figure\":31}", "worker");
	cr_assert_eq(run_worker_by_tid(r, 11)->figure, 31);
	ok("{\"t\":\"sample\",\"elapsed_ms\":600,\"workers\":[{\"tid\":10,\"max_gap_ms\":99,\"cpu\":0}]}", "sample");
	cr_assert_float_eq(w->max_gap_ms, 12.0, 1e-9, "a late sample never overrides the final report");
	cr_assert_eq(w->migrations, 4);
}

Test(run, scheduler_exit_before_attach_is_a_load_failure)
{
	ok("{\"t\":\"sched\",\"event\":\"started\",\"pid\":42}", "sched");
	ok("{\"t\":\"sched\",\"event\":\"exited\",\"pid\":42,\"code\":1}", "sched");
	cr_assert(r->sched_started);
	cr_assert(r->sched_load_failed);
	cr_assert_not(r->sched_died);
	cr_assert_eq(r->sched_exit_code, 1);
}

Test(run, scheduler_death_after_attach_records_time_into_workload)
{
	ok("{\"t\":\"sched\",\"event\":\"attached\",\"ops\":\"ktstr\"}", "sched");
	ok("{\"t\":\"stage\",\"ts_ns\":1000000000,\"stage\":\"running\"}", "stage");
	ok("{\"t\":\"sched\",\"ts_ns\":13300000000,\"event\":\"disabled\",\"reason\":\"runtime error (scx_bpf_error)\"}", "sched");
	ok("{\"t\":\"sched\",\"ts_ns\":14000000000,\"event\":\"exited\",\"code\":-11}", "sched");
	cr_assert(r->sched_died);
	cr_assert_not(r->sched_load_failed);
	cr_assert_eq(r->sched_died_ms, 12300, "the first death counts");
	cr_assert_str_eq(r->sched_ops, "ktstr");
	cr_assert_str_eq(r->sched_exit_reason, "runtime error (scx_bpf_error)");
	cr_assert_eq(r->sched_exit_code, -11);
}

Test(run, steps_done_error_and_timeline)
{
	ok("{\"t\":\"step\",\"done\":2,\"total\":5,\"elapsed_ms\":12300}", "step");
	cr_assert_eq(r->steps_done, 2);
	cr_assert_eq(r->steps, 5);
	cr_assert_eq(r->guest_elapsed_ms, 12300);
	ok("{\"t\":\"error\",\"msg\":\"PipeIo (group 0) requires num_workers divisible by 2, got 3\"}", "error");
	cr_assert_eq(r->nchecks, 1);
	cr_assert_str_eq(r->checks[0].name, "guest");
	cr_assert_not(r->checks[0].ok);
	cr_assert_str_eq(r->checks[0].message, "PipeIo (group 0) requires num_workers divisible by 2, got 3");
	ok("{\"t\":\"tl\",\"tid\":3,\"cpu\":1,\"start_ns\":10,\"end_ns\":20,\"state\":\"run\"}", "tl");
	cr_assert_eq(r->nslices, 1);
	cr_assert_eq(run_slice_at(r, 0)->state, 'r');
	ok("{\"t\":\"done\",\"ok\":true,\"steps_done\":5,\"steps\":5,\"elapsed_ms\":15000,\"malformed\":2}", "done");
	cr_assert(r->guest_done && r->guest_ok);
	cr_assert_eq(r->guest_malformed, 2);
	cr_assert_eq(r->state, RUN_FINISHING);
}

Test(run, slices_ring_keeps_the_newest)
{
	char line[200];
	for (int i = 0; i < RUN_TL_SLICES + 5; i++) {
		struct run_slice s = { i, 0, i, i + 1, 'w' };
		run_add_slice(r, &s);
	}
	cr_assert_eq(r->nslices, RUN_TL_SLICES);
	cr_assert_eq(run_slice_at(r, 0)->tid, 5);
	cr_assert_eq(run_slice_at(r, RUN_TL_SLICES - 1)->tid, RUN_TL_SLICES + 4);
	cr_assert_null(run_slice_at(r, RUN_TL_SLICES));
	snprintf(line, sizeof(line), "{\"t\":\"tl\",\"tid\":1,\"cpu\":0,\"start_ns\":5,\"end_ns\":6,\"state\":\"wait\"}");
	ok(line, "tl");
	cr_assert_eq(run_slice_at(r, RUN_TL_SLICES - 1)->state, 'w');
}

Test(run, malformed_lines_are_counted_and_change_nothing)
{
	bad("");
	bad("not json");
	bad("[1,2]");
	bad("{\"ts_ns\":1}");
	bad("{\"t\":5}");
	bad("{\"t\":\"log\"}");
	bad("{\"t\":\"topo\",\"cpus\":\"four\"}");
	bad("{\"t\":\"topo\",\"cpus\":4,\"llcs\":[[0,256]]}");
	bad("{\"t\":\"sample\",\"elapsed_ms\":1,\"workers\":[{\"tid\":1},{\"tid\":\"x\"}]}");
	bad("{\"t\":\"tl\",\"tid\":1,\"cpu\":0,\"start_ns\":9,\"end_ns\":3,\"state\":\"run\"}");
	bad("{\"t\":\"tl\",\"tid\":1,\"cpu\":0,\"start_ns\":1,\"end_ns\":3,\"state\":\"zzz\"}");
	bad("{\"t\":\"done\"}");
	bad("{\"t\":\"worker\",\"tid\":-4}");
	bad("{\"t\":\"stage\",\"stage\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}");
	cr_assert_eq(r->nworkers, 0, "a half-valid sample adds no worker");
	cr_assert_eq(r->guest_cpus, 0);
	static char huge[KTSTR_LINE_MAX + 100];
	memset(huge, ' ', sizeof(huge) - 1);
	memcpy(huge, "{\"t\":\"log\",\"line\":\"x\"}", 22);
	bad(huge);
	cr_assert_eq(r->malformed_lines, 15);
	/* An unknown type from a newer guest is not malformed. */
	ok("{\"t\":\"future_thing\",\"x\":1}", "unknown");
	cr_assert_eq(r->malformed_lines, 15);
}

Test(run, worker_table_is_bounded)
{
	char line[128];
	for (int i = 0; i < SCN_MAX_WORKERS + 10; i++) {
		snprintf(line, sizeof(line), "{\"t\":\"worker\",\"tid\":%d,\"iters\":1}", i + 1);
		ok(line, "worker");
	}
	cr_assert_eq(r->nworkers, SCN_MAX_WORKERS);
	cr_assert_null(run_worker_by_tid(r, 999999));
}

Test(run, checks_and_refs)
{
	run_add_check(r, "a", true, "x %d", 1);
	run_add_check(r, "b", false, "y");
	run_add_check(r, "a", false, "z");
	run_drop_checks(r, "a");
	cr_assert_eq(r->nchecks, 1);
	cr_assert_str_eq(r->checks[0].name, "b");
	for (int i = 0; i < RUN_MAX_CHECKS + 5; i++)
		run_add_check(r, "many", true, "%d", i);
	cr_assert_eq(r->nchecks, RUN_MAX_CHECKS);
	struct run *x = run_get(r);
	cr_assert_eq(r->refs, 2);
	run_put(x);
	cr_assert_eq(r->refs, 1);
}

Test(run, scenario_is_deep_copied)
{
	struct scenario s;
	scn_init_default(&s);
	s.sched.kind = SCHED_PATH;
	snprintf(s.sched.spec, sizeof(s.sched.spec), "/opt/bin/scx_foo");
	s.sched.args[0] = strdup("--x");
	s.sched.nargs = 1;
	struct run *q = run_new(&s);
	scn_free(&s);
	cr_assert_str_eq(q->scn.sched.args[0], "--x");
	cr_assert_str_eq(q->sched_label, "scx_foo");
	run_put(q);
}
