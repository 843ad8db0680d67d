/* Auto-repro stitching on the guest's "probe" messages (guest/probe_wire.h): progress,
 * entry -> exit pairing, the task followed (a stall's stalled task), filtering, time
 * relative to the trigger, decoding, and u64 values past INT64_MAX. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/repro/stitch.h"

#define P "{\"t\":\"probe\",\"ts_ns\":1,"
static const char *const stall[] = {
	P "\"ev\":\"attached\",\"func\":\"do_enqueue_task\",\"kind\":\"kprobe\",\"why\":\"caller of enqueue\"}",
	P "\"ev\":\"attached\",\"func\":\"ktstr_enqueue\",\"kind\":\"fentry\",\"why\":\"callback\"}",
	P "\"ev\":\"drop\",\"func\":\"do_pick_task_scx\",\"reason\":\"kprobe: -EINVAL\"}",
	P "\"ev\":\"ready\",\"n\":2,\"trigger\":\"scx_vexit\"}",
	P "\"ev\":\"event\",\"func\":\"do_enqueue_task\",\"phase\":\"\",\"cpu\":1,\"pid\":50,\"comm\":\"kworker/1:0\","
	  "\"ts_ns\":1000000,\"loc\":\"do_enqueue_task+0x0\",\"fields\":{\"rq.cpu\":1,\"p.pid\":107,\"p.comm\":\"ktstr-w3\","
	  "\"p.dsq_id\":9223372036854775810,\"enq_flags\":1,\"sticky_cpu\":4294967295}}",
	P "\"ev\":\"event\",\"func\":\"ktstr_enqueue\",\"phase\":\"entry\",\"cpu\":1,\"pid\":50,\"comm\":\"kworker/1:0\","
	  "\"ts_ns\":1000500,\"loc\":\"ktstr_sched.bpf.c:80\",\"fields\":{\"p.pid\":107,\"p.scx_flags\":1,\"p.cpus\":\"0xf\",\"enq_flags\":1}}",
	P "\"ev\":\"event\",\"func\":\"ktstr_enqueue\",\"phase\":\"exit\",\"cpu\":1,\"pid\":50,\"comm\":\"kworker/1:0\","
	  "\"ts_ns\":1000900,\"loc\":\"\",\"fields\":{\"p.pid\":107,\"p.scx_flags\":3,\"p.cpus\":\"0xf\",\"enq_flags\":1}}",
	P "\"ev\":\"event\",\"func\":\"do_enqueue_task\",\"phase\":\"\",\"cpu\":0,\"pid\":99,\"comm\":\"other\","
	  "\"ts_ns\":1200000,\"loc\":\"\",\"fields\":{\"p.pid\":99}}",
	P "\"ev\":\"trigger\",\"cpu\":0,\"pid\":31,\"comm\":\"kworker/0:2\",\"ts_ns\":5001000000,\"kind\":1026,"
	  "\"msg\":\"runnable task stall (ktstr-w3[107] failed to run for 4.020s)\",\"stack\":[\"scx_vexit+0x5\",\"check_rq_for_timeouts+0x1a\"]}",
	P "\"ev\":\"done\",\"events\":4000,\"dropped\":12,\"sent\":4,\"fired\":true}",
};

Test(repro_stitch, progress_follows_attached_ready_and_trigger)
{
	struct repro_result *r = repro_new();
	r->state = REPRO_BOOTING;
	cr_expect(repro_progress(r, stall[0]));
	cr_expect_eq(r->state, REPRO_ATTACHED);
	cr_expect_eq(r->probes_attached, 1);
	cr_expect(repro_progress(r, stall[3]));
	cr_expect_eq(r->state, REPRO_WAITING);
	cr_expect_eq(r->probes_attached, 2);
	cr_expect_not(repro_progress(r, stall[4]), "an event changes no progress");
	cr_expect(repro_progress(r, stall[8]));
	cr_expect_eq(r->state, REPRO_FIRED);
	cr_expect(r->fired);
	cr_expect_not(repro_progress(r, "not json"));
	cr_expect_not(repro_progress(r, "{\"t\":\"log\",\"ts_ns\":1,\"ev\":\"trigger\"}"));
	repro_free(r);
}

static const struct repro_field *field(const struct repro_event *e, const char *name)
{
	for (int i = 0; i < e->nfields; i++)
		if (!strcmp(e->f[i].name, name))
			return &e->f[i];
	cr_assert_fail("event %s has no field %s", e->func, name);
	return NULL;
}

Test(repro_stitch, a_stall_chain_follows_the_stalled_task)
{
	struct repro_result *r = repro_new();
	snprintf(r->trigger, sizeof(r->trigger), "scx_vexit");
	cr_assert_eq(repro_stitch(stall, sizeof(stall) / sizeof(stall[0]), "", "", r), 0);
	cr_expect(r->fired);
	cr_expect_eq(r->probes_attached, 2);
	cr_expect_eq(r->events_seen, 4000);
	cr_expect_eq(r->events_dropped, 12);
	cr_expect_eq(r->task_pid, 107, "the stalled task, not the watchdog kworker");
	cr_expect_str_eq(r->task_comm, "ktstr-w3");
	cr_expect_str_eq(r->exit_kind, "ERROR_STALL");
	cr_expect(strstr(r->pipeline, "do_pick_task_scx (kprobe: -EINVAL)"), "%s", r->pipeline);
	cr_assert_eq(r->nevents, 3, "enqueue kprobe, the callback (entry+exit), the trigger; not pid 99");
	const struct repro_event *e = &r->ev[0];
	cr_expect_str_eq(e->func, "do_enqueue_task");
	cr_expect_eq(e->ts_ns, 1000000 - 5001000000LL);
	cr_expect_str_eq(field(e, "p.dsq_id")->value, "SCX_DSQ_LOCAL");
	cr_expect_str_eq(field(e, "enq_flags")->value, "WAKEUP");
	cr_expect_str_eq(field(e, "sticky_cpu")->value, "-1");
	e = &r->ev[1];
	cr_expect_str_eq(e->func, "ktstr_enqueue");
	cr_expect_str_eq(e->kind, "fentry");
	cr_expect_str_eq(e->loc, "ktstr_sched.bpf.c:80");
	cr_expect_str_eq(field(e, "p.cpus")->value, "0xf(0-3)");
	cr_expect_str_eq(field(e, "p.scx_flags")->exit[0] ? "changed" : "same", "changed");
	cr_expect_str_eq(field(e, "p.pid")->exit, "", "unchanged fields have no exit value");
	e = &r->ev[2];
	cr_expect_str_eq(e->kind, "trigger");
	cr_expect_eq(e->ts_ns, 0);
	cr_expect_str_eq(field(e, "stack#1")->value, "check_rq_for_timeouts+0x1a");
	repro_free(r);
}

Test(repro_stitch, without_a_trigger_nothing_is_kept_and_it_says_not_fired)
{
	const char *const lines[] = { stall[0], stall[3], P "\"ev\":\"done\",\"events\":10,\"dropped\":0,\"sent\":0,\"fired\":false}" };
	struct repro_result *r = repro_new();
	cr_assert_eq(repro_stitch(lines, 3, "", "", r), 0);
	cr_expect_not(r->fired);
	cr_expect_eq(r->nevents, 0);
	cr_expect_eq(r->events_seen, 10);
	repro_free(r);
}

Test(repro_stitch, decoding_by_field_name)
{
	char b[96];
	repro_decode_field("dsq.id", "9223372036854775810", b, sizeof(b));
	cr_expect_str_eq(b, "SCX_DSQ_LOCAL");
	repro_decode_field("kind", "1025", b, sizeof(b));
	cr_expect_str_eq(b, "ERROR_BPF");
	repro_decode_field("prev", "18446612683270000000", b, sizeof(b));
	cr_expect(!strncmp(b, "0xffff", 6), "a pointer in hex: %s", b);
	repro_decode_field("p.comm", "ktstr-w1", b, sizeof(b));
	cr_expect_str_eq(b, "ktstr-w1");
	repro_decode_field("nr_running", "3", b, sizeof(b));
	cr_expect_str_eq(b, "3");
	repro_decode_field("delta", "-5", b, sizeof(b));
	cr_expect_str_eq(b, "-5");
}

/* The struct_ops trampoline is not in /proc/kallsyms: the guest names its frame after the
 * BPF program below it. The console's printout of the same backtrace has the kernel's name;
 * it is taken when both agree on every frame outside BPF, and only then. */
static const char *const bpf_exit[] = {
	P "\"ev\":\"trigger\",\"func\":\"fexit scx_vexit\",\"cpu\":1,\"pid\":115,\"comm\":\"ktstr-w3\",\"ts_ns\":9,\"kind\":1025,"
	  "\"msg\":\"injected\",\"stack\":[\"__scx_exit+0x4f\",\"bpf_prog_7edc1821cd4b4ab9_ktstr_dispatch+0xb0\","
	  "\"bpf_prog_b19b272f40fba3cb_ktstr_exit+0x25a\",\"do_pick_task_scx+0x389\"]}",
};
static const char console_bt[] =
	"[    4.497569] sched_ext: ktstr_sched: injected\n"
	"[    4.497600]    bpf_trampoline_6442554687+0x59/0xfc\n"
	"[    4.498062]    __scx_exit+0x4f/0x70\n"
	"[    4.498433]    bpf_prog_7edc1821cd4b4ab9_ktstr_dispatch+0xb0/0xe1\n"
	"[    4.498627]    bpf__sched_ext_ops_dispatch+0x50/0xad\n"
	"[    4.498801]    do_pick_task_scx+0x389/0xaa0\n"
	"[    4.871969] reboot: Power down\n";

Test(repro_stitch, trigger_frames_take_the_kernels_names_from_the_console)
{
	struct repro_result *r = repro_new();
	cr_assert_eq(repro_stitch(bpf_exit, 1, console_bt, "", r), 0);
	cr_assert_eq(r->nevents, 1);
	const struct repro_event *e = &r->ev[0];
	cr_expect_str_eq(e->func, "fexit scx_vexit");
	cr_expect_str_eq(field(e, "stack#2")->value, "bpf__sched_ext_ops_dispatch+0x50");
	cr_expect_str_eq(field(e, "stack#3")->value, "do_pick_task_scx+0x389");
	repro_free(r);

	/* A console backtrace of another stack (a kernel function differs): ours stays. */
	char other[sizeof(console_bt) + 8];
	snprintf(other, sizeof(other), "%s", console_bt);
	memcpy(strstr(other, "do_pick_task_scx"), "do_pick_task_xxx", 16);
	r = repro_new();
	cr_assert_eq(repro_stitch(bpf_exit, 1, other, "", r), 0);
	cr_expect_str_eq(field(&r->ev[0], "stack#2")->value, "bpf_prog_b19b272f40fba3cb_ktstr_exit+0x25a");
	repro_free(r);
}
