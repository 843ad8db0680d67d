/* Auto-repro backtrace parsing on real console captures (tests/fixtures/repro/, from
 * `ktstr run examples/ktstr-sched.json --scheduler ktstr_sched --topo 1x1x1x1 --accel tcg
 * -- --error-after-ms 1500`, and `--duration-ms 8000 -- --stall-after-ms 500`, on the
 * 7.2.13 test kernel). What they show: the kernel prints the exit backtrace to the console
 * and in the dump's "Backtrace:" block, never to the scheduler log; an scx_bpf_error from
 * dispatch leaves ktstr_dispatch <- do_pick_task_scx once generic frames go; a stall's
 * backtrace is the watchdog's kworker, all generic. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/repro/backtrace.h"

static char *fixture(const char *name)
{
	char path[256], *buf;
	size_t len;
	snprintf(path, sizeof(path), "tests/fixtures/repro/%s", name);
	cr_assert_eq(fs_read_file(path, 1 << 20, &buf, &len), 0, "%s", path);
	return buf;
}

static struct bt_funcs parse(const char *name, bool dump)
{
	struct bt_funcs b = { 0 };
	char *t = fixture(name);
	if (dump)
		bt_parse_dump(t, &b);
	else
		bt_parse(t, &b);
	free(t);
	return b;
}

static void expect_error_chain(const struct bt_funcs *b)
{
	cr_assert_eq(b->n, 2, "got %d frames, first %s", b->n, b->n ? b->f[0].name : "-");
	cr_expect_str_eq(b->f[0].name, "ktstr_dispatch");
	cr_expect(b->f[0].bpf);
	cr_expect_str_eq(b->f[0].op, "dispatch");
	cr_expect_str_eq(b->f[1].name, "do_pick_task_scx");
	cr_expect_not(b->f[1].bpf);
	cr_expect_str_eq(b->f[1].op, "");
}

Test(repro_backtrace, error_console_keeps_the_callback_and_its_kernel_caller)
{
	struct bt_funcs b = parse("error-console.log", false);
	expect_error_chain(&b);
	/* __scx_exit scx_bpf_error_bstr bpf__sched_ext_ops_dispatch __schedule schedule
	 * schedule_hrtimeout_range_clock poll_schedule_timeout do_sys_poll __x64_sys_poll
	 * do_syscall_64 entry_SYSCALL_64_after_hwframe */
	cr_expect_eq(b.generic, 11);
}

Test(repro_backtrace, error_dump_backtrace_block_gives_the_same_chain)
{
	struct bt_funcs b = parse("error-dump.log", true);
	expect_error_chain(&b);
	cr_expect_eq(b.generic, 11, "only the exiting task's block, not the other tasks' stacks");
}

Test(repro_backtrace, scheduler_log_has_no_backtrace)
{
	cr_expect_eq(parse("error-sched.log", false).n, 0);
	cr_expect_eq(parse("stall-sched.log", false).n, 0);
}

Test(repro_backtrace, stall_backtrace_is_the_watchdog_and_all_generic)
{
	struct bt_funcs c = parse("stall-console.log", false), d = parse("stall-dump.log", true);
	cr_expect_eq(c.n, 0, "first %s", c.n ? c.f[0].name : "-");
	cr_expect_eq(c.generic, 7);
	cr_expect_eq(d.n, 0);
	cr_expect_eq(d.generic, 7);
	/* The whole dump has other tasks' stacks; the Backtrace block alone is the exiter's. */
	struct bt_funcs all = parse("stall-dump.log", false);
	cr_expect_gt(all.n + all.generic, d.generic);
}

/* Formats the captures above do not hold: an oops-style Call Trace with <TASK> markers,
 * unreliable `? ` frames, a RIP line, module and compiler suffixes, the DESIGN.md chain of
 * a scheduler inserting into a DSQ it never created; and trace_pipe's dump lines. */
Test(repro_backtrace, call_trace_block_rip_unreliable_frames_and_suffixes)
{
	const char *t = "[    4.1] RIP: 0010:find_dsq_for_dispatch+0x5c/0x120\n"
			"[    4.1] Call Trace:\n"
			"[    4.1]  <TASK>\n"
			"[    4.1]  ? show_regs+0x6c/0x80\n"
			"[    4.1]  ? __scx_exit+0x1a/0x30\n"
			"[    4.1]  find_dsq_for_dispatch+0x5c/0x120\n"
			"[    4.1]  do_enqueue_task.isra.0+0x1f0/0x3c0 [foo]\n"
			"[    4.1]  bpf_prog_6f2b3c4d5e6f7a8b_ktstr_enqueue+0x44/0x9a\n"
			"[    4.1]  bpf_trampoline_6442468102+0x4f/0x1000\n"
			"[    4.1]  enqueue_task_scx+0x8d/0x1b0\n"
			"[    4.1]  _raw_spin_lock_irqsave+0x20/0x40\n"
			"[    4.1]  </TASK>\n";
	struct bt_funcs b = { 0 };
	bt_parse(t, &b);
	cr_assert_eq(b.n, 4);
	cr_expect_str_eq(b.f[0].name, "find_dsq_for_dispatch"); /* deduped with the RIP line */
	cr_expect_str_eq(b.f[1].name, "do_enqueue_task");
	cr_expect_str_eq(b.f[2].name, "ktstr_enqueue");
	cr_expect_str_eq(b.f[2].op, "enqueue");
	cr_expect_str_eq(b.f[3].name, "enqueue_task_scx");
	cr_expect_eq(b.generic, 4);
}

Test(repro_backtrace, trace_pipe_dump_lines)
{
	const char *t = "  ktstr_sched-93  [000] d..1  4.2: sched_ext_dump: Backtrace:\n"
			"  ktstr_sched-93  [000] d..1  4.2: sched_ext_dump:   __scx_exit+0x4f/0x70\n"
			"  ktstr_sched-93  [000] d..1  4.2: sched_ext_dump:   bpf_prog_7edc1821cd4b4ab9_ktstr_select_cpu+0xb0/0xe1\n"
			"  ktstr_sched-93  [000] d..1  4.2: sched_ext_dump:   select_task_rq_scx+0x10/0x80\n"
			"  ktstr_sched-93  [000] d..1  4.2: sched_ext_dump: \n"
			"  ktstr_sched-93  [000] d..1  4.2: sched_ext_dump:   other_task_frame+0x1/0x2\n";
	struct bt_funcs b = { 0 };
	bt_parse_dump(t, &b);
	cr_assert_eq(b.n, 2);
	cr_expect_str_eq(b.f[0].name, "ktstr_select_cpu");
	cr_expect_str_eq(b.f[0].op, "select_cpu");
	cr_expect_str_eq(b.f[1].name, "select_task_rq_scx");
}

Test(repro_backtrace, ops_member_is_the_longest_suffix)
{
	cr_expect_str_eq(bt_ops_member("ktstr_select_cpu"), "select_cpu");
	cr_expect_str_eq(bt_ops_member("ktstr_init_task"), "init_task");
	cr_expect_str_eq(bt_ops_member("ktstr_init"), "init");
	cr_expect_str_eq(bt_ops_member("ktstr_dump_task"), "dump_task");
	cr_expect_str_eq(bt_ops_member("dispatch"), "dispatch");
	cr_expect_null(bt_ops_member("ktstr_helper"));
	cr_expect_null(bt_ops_member("mydispatch"), "a member must follow an underscore");
}

Test(repro_backtrace, not_frames)
{
	struct bt_funcs b = { 0 };
	bt_parse("ktstr_sched: injected error after 1500 ms\nx+0x/0x1 y+12/0x3 a_b+0x1f\n"
		 "slice=5000000 weight=100 Backtrace:\n", &b);
	cr_expect_eq(b.n + b.generic, 0);
	bt_parse_dump("no dump here", &b);
	cr_expect_eq(b.n, 0);
}

Test(repro_backtrace, exit_info_from_the_real_dumps_and_consoles)
{
	char *t = fixture("error-dump.log");
	struct bt_exit e;
	bt_exit_info(t, &e);
	free(t);
	cr_expect_str_eq(e.comm, "swapper/0");
	cr_expect_eq(e.pid, 0);
	cr_expect_eq(e.kind, 1025);
	cr_expect_eq(e.cpu, 0);
	cr_expect_eq(e.stalled_pid, -1);
	cr_expect_str_eq(e.stalled_comm, "");

	t = fixture("stall-dump.log");
	bt_exit_info(t, &e);
	free(t);
	cr_expect_str_eq(e.comm, "kworker/u4:1");
	cr_expect_eq(e.pid, 29);
	cr_expect_eq(e.kind, 1026);
	cr_expect_str_eq(e.stalled_comm, "ktstr-w3");
	cr_expect_eq(e.stalled_pid, 107);

	t = fixture("stall-console.log"); /* "sched_ext: ktstr_sched: ktstr-w3[107] failed to run" */
	bt_exit_info(t, &e);
	free(t);
	cr_expect_eq(e.pid, -1, "the console has no dump header");
	cr_expect_str_eq(e.stalled_comm, "ktstr-w3");
	cr_expect_eq(e.stalled_pid, 107);
}
