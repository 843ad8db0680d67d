/* Backtrace frames out of console, scheduler and dump logs (see backtrace.h). */
#include "engine/repro/backtrace.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sched_ext_ops members that are callbacks (7.2 kernel's struct sched_ext_ops; the unit
 * test checks each against the test kernel's BTF). */
const char *const bt_ops_members[] = {
	"select_cpu", "enqueue", "dequeue", "dispatch", "tick", "runnable", "running",
	"stopping", "quiescent", "yield", "core_sched_before", "set_weight", "set_cpumask",
	"update_idle", "cpu_acquire", "cpu_release", "init_task", "exit_task", "enable",
	"disable", "dump", "dump_cpu", "dump_task", "cgroup_init", "cgroup_exit",
	"cgroup_prep_move", "cgroup_move", "cgroup_cancel_move", "cgroup_set_weight",
	"cgroup_set_bandwidth", "cgroup_set_idle", "cpu_online", "cpu_offline", "init", "exit",
	NULL,
};

/* Exact generic names. */
static const char *const generic_exact[] = {
	/* scheduler entry */
	"schedule", "__schedule", "schedule_idle", "schedule_preempt_disabled", "schedule_timeout",
	"schedule_hrtimeout_range", "schedule_hrtimeout_range_clock", "poll_schedule_timeout",
	"preempt_schedule", "preempt_schedule_irq",
	"preempt_schedule_common", "preempt_schedule_thunk", "preempt_schedule_notrace",
	"__cond_resched", "do_idle", "cpu_startup_entry", "try_to_wake_up", "wake_up_process",
	"sched_tick", "scheduler_tick", "update_process_times", "tick_nohz_handler",
	"tick_sched_handle", "tick_sched_timer", "__hrtimer_run_queues", "hrtimer_interrupt",
	/* sched_ext exit machinery */
	"__scx_exit", "scx_exit", "scx_vexit", "scx_error_irq_workfn", "scx_disable_irq_workfn",
	"scx_disable_workfn", "scx_disable", "scx_root_disable", "scx_claim_exit",
	"scx_exit_reason", "scx_bpf_error_bstr", "scx_bpf_error_bstr_impl", "scx_bpf_exit_bstr",
	"scx_bpf_exit_bstr_impl", "scx_kf_exit_bstr", "scx_watchdog_workfn",
	"check_rq_for_timeouts", "scx_dump_state", "scx_dump_task", "scx_dump_cpu",
	/* stack dumping */
	"show_stack", "show_regs", "show_trace_log_lvl", "sched_show_task", "__warn",
	"report_bug", "handle_bug", "exc_invalid_op", "panic", "vpanic",
	/* workqueue / kthread / IRQ-work plumbing */
	"kthread", "worker_thread", "process_one_work", "process_scheduled_works",
	"ret_from_fork", "ret_from_fork_asm", "irq_work_run", "irq_work_run_list",
	"irq_work_single", "__irq_exit_rcu", "irq_exit_rcu", "handle_softirqs",
	"__do_softirq", "do_softirq", "run_ksoftirqd", "smpboot_thread_fn",
	"bpf_prog_run", "__bpf_prog_run", "bpf_struct_ops_test_run",
	NULL,
};

/* Generic name prefixes. */
static const char *const generic_prefix[] = {
	"_raw_spin_", "_raw_read_", "_raw_write_", "raw_spin_rq_", "do_raw_spin_",
	"queued_spin_", "native_queued_spin_", "__pv_queued_spin_", "mutex_", "__mutex_",
	"entry_SYSCALL", "entry_INT80", "do_syscall_", "__do_sys_", "do_sys_", "__x64_sys_",
	"__ia32_sys_", "x64_sys_call", "syscall_exit_", "exit_to_user_mode",
	/* bpf__sched_ext_ops_<member>: the struct_ops trampoline into the callback */
	"bpf_trampoline_", "bpf__sched_ext_ops_", "__bpf_prog_enter", "__bpf_prog_exit", "__bpf_tramp_",
	"dump_stack", "show_trace", "asm_sysvec_", "sysvec_", "__sysvec_", "asm_exc_",
	"asm_common_interrupt", "common_interrupt", "irq_work_",
	NULL,
};

bool bt_generic(const char *name)
{
	for (int i = 0; generic_exact[i]; i++)
		if (!strcmp(name, generic_exact[i]))
			return true;
	for (int i = 0; generic_prefix[i]; i++)
		if (!strncmp(name, generic_prefix[i], strlen(generic_prefix[i])))
			return true;
	return false;
}

const char *bt_ops_member(const char *prog)
{
	const char *best = NULL;
	size_t pl = strlen(prog), bl = 0;
	for (int i = 0; bt_ops_members[i]; i++) {
		const char *m = bt_ops_members[i];
		size_t ml = strlen(m);
		bool whole = !strcmp(prog, m);
		bool suffix = pl > ml + 1 && prog[pl - ml - 1] == '_' && !strcmp(prog + pl - ml, m);
		if ((whole || suffix) && ml > bl) {
			best = m;
			bl = ml;
		}
	}
	return best;
}

static bool ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$';
}

static bool is_hex(const char **p)
{
	if ((*p)[0] != '0' || (*p)[1] != 'x' || !isxdigit((unsigned char)(*p)[2]))
		return false;
	*p += 2;
	while (isxdigit((unsigned char)**p))
		(*p)++;
	return true;
}

/* `name+0xOFF/0xLEN` starting at s (s at the name's first character): the name's length, or 0. */
static size_t frame_at(const char *s)
{
	const char *p = s;
	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	while (ident_char((unsigned char)*p))
		p++;
	size_t n = (size_t)(p - s);
	if (*p != '+')
		return 0;
	p++;
	if (!is_hex(&p) || *p != '/')
		return 0;
	p++;
	if (!is_hex(&p))
		return 0;
	return n;
}

static void add(struct bt_funcs *out, const char *name, size_t n)
{
	char nm[BT_NAME_MAX];
	if (n >= sizeof(nm))
		n = sizeof(nm) - 1;
	memcpy(nm, name, n);
	nm[n] = 0;
	char *dot = strchr(nm, '.'); /* foo.isra.0, foo.cold, foo.constprop.0 */
	if (dot)
		*dot = 0;
	struct bt_frame f = { 0 };
	/* bpf_prog_<16 hex tag>_<name> */
	if (!strncmp(nm, "bpf_prog_", 9) && strlen(nm) > 9 + 16 + 1 && nm[9 + 16] == '_') {
		bool tag = true;
		for (int i = 9; i < 9 + 16; i++)
			tag = tag && isxdigit((unsigned char)nm[i]);
		if (tag) {
			f.bpf = true;
			snprintf(f.name, sizeof(f.name), "%s", nm + 9 + 16 + 1);
			const char *m = bt_ops_member(f.name);
			snprintf(f.op, sizeof(f.op), "%s", m ? m : "");
		}
	}
	if (!f.bpf)
		snprintf(f.name, sizeof(f.name), "%s", nm);
	for (int i = 0; i < out->n; i++)
		if (!strcmp(out->f[i].name, f.name))
			return;
	if (!f.bpf && bt_generic(f.name)) {
		out->generic++;
		return;
	}
	if (out->n >= BT_MAX_FUNCS) {
		out->overflow++;
		return;
	}
	out->f[out->n++] = f;
}

void bt_parse_dump(const char *text, struct bt_funcs *out)
{
	/* The exiting task's stack is the block after "Backtrace:", up to the first blank line
	 * (or a line holding only the trace_pipe prefix); the per-task stacks further down are
	 * other tasks'. */
	const char *b = strstr(text, "Backtrace:");
	if (!b)
		return;
	const char *e = b + strlen(b);
	for (const char *p = strchr(b, '\n'); p; p = strchr(p + 1, '\n')) {
		const char *q = p + 1;
		const char *t = strstr(q, "sched_ext_dump: ");
		const char *nl = strchr(q, '\n');
		if (t && (!nl || t < nl))
			q = t + 16;
		while (*q == ' ' || *q == '\t' || *q == '\r')
			q++;
		if (*q == '\n' || !*q) {
			e = p;
			break;
		}
	}
	char *blk = strndup(b, (size_t)(e - b));
	if (!blk)
		return;
	bt_parse(blk, out);
	free(blk);
}

void bt_parse(const char *text, struct bt_funcs *out)
{
	for (const char *p = text; *p; p++) {
		/* A frame starts after a line start, blank, '?', ':' or '(' (never mid-identifier). */
		if (p != text && ident_char((unsigned char)p[-1]))
			continue;
		size_t n = frame_at(p);
		if (n) {
			add(out, p, n);
			p += n;
		}
	}
}

/* "NAME[PID]" ending just before end (NAME may hold blanks and '/'): fills comm, pid. */
static bool task_before(const char *line, const char *end, char *comm, size_t clen, int *pid)
{
	const char *rb = end;
	while (rb > line && rb[-1] == ' ')
		rb--;
	if (rb == line || rb[-1] != ']')
		return false;
	const char *lb = rb - 1;
	while (lb > line && lb[-1] != '[')
		lb--;
	if (lb == line || lb == rb - 1)
		return false;
	char *e;
	long v = strtol(lb, &e, 10);
	if (e != rb - 1)
		return false;
	const char *c = lb - 1;
	while (c > line && c[-1] != ' ' && c[-1] != '(')
		c--;
	snprintf(comm, clen, "%.*s", (int)(lb - 1 - c), c);
	*pid = (int)v;
	return true;
}

void bt_exit_info(const char *text, struct bt_exit *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = out->cpu = out->stalled_pid = -1;
	out->kind = -1;
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		const char *end = nl ? nl : line + strlen(line);
		const char *t = strstr(line, " triggered exit kind ");
		if (t && t < end && out->pid < 0 &&
		    task_before(line, t, out->comm, sizeof(out->comm), &out->pid))
			sscanf(t, " triggered exit kind %ld on CPU %d", &out->kind, &out->cpu);
		t = strstr(line, " failed to run for ");
		if (t && t < end && out->stalled_pid < 0)
			task_before(line, t, out->stalled_comm, sizeof(out->stalled_comm), &out->stalled_pid);
		line = nl ? nl + 1 : NULL;
	}
}
