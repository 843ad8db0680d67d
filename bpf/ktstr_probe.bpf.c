/* ktstr_probe.bpf.c: auto-repro's probes (guest/probe_wire.h). One generic kprobe program
 * attached once per kernel function (the attach cookie is its probe index), KPROBE_MAX_CB
 * fentry/fexit copies the loader points at the scheduler's struct_ops programs, and one of
 * three triggers on the scheduler's exit. Every hit becomes a kprobe_ev with its arguments
 * expanded (a task's pid, flags, DSQ, slice...); the trigger records the exit kind, message
 * and kernel stack, and from then on nothing more is recorded. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "guest/probe_wire.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KPROBE_MAX_PROBES);
	__type(key, u32);
	__type(value, struct kprobe_cfg);
} cfg SEC(".maps");

/* 8 MiB: ~15k events, a few hundred ms of a busy TCG guest between two polls. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

unsigned long long seen, dropped;
unsigned long long fired;

#define DSQ_INVALID (1ULL << 63) /* SCX_DSQ_INVALID: the task sits on no DSQ */

static __always_inline void read_task(struct kprobe_arg *a, struct task_struct *p)
{
	struct scx_dispatch_q *dsq;
	const struct cpumask *m;

	a->v[1] = BPF_CORE_READ(p, pid);
	BPF_CORE_READ_STR_INTO(&a->comm, p, comm);
	a->v[2] = BPF_CORE_READ(p, scx.flags);
	dsq = BPF_CORE_READ(p, scx.dsq);
	a->v[3] = dsq ? BPF_CORE_READ(dsq, id) : DSQ_INVALID;
	a->v[4] = BPF_CORE_READ(p, scx.slice);
	a->v[5] = BPF_CORE_READ(p, scx.weight);
	m = BPF_CORE_READ(p, cpus_ptr);
	if (m)
		a->v[6] = BPF_CORE_READ(m, bits[0]);
	a->v[7] = (u64)(s64)BPF_CORE_READ(p, scx.sticky_cpu);
}

static __always_inline void read_arg(struct kprobe_arg *a, unsigned int kind, u64 v)
{
	a->v[0] = v;
	if (!v)
		return;
	if (kind == KPROBE_ARG_TASK) {
		read_task(a, (struct task_struct *)v);
	} else if (kind == KPROBE_ARG_RQ) {
		struct rq *rq = (struct rq *)v;
		a->v[1] = BPF_CORE_READ(rq, cpu);
		a->v[2] = BPF_CORE_READ(rq, scx.nr_running);
	} else if (kind == KPROBE_ARG_DSQ) {
		struct scx_dispatch_q *d = (struct scx_dispatch_q *)v;
		a->v[1] = BPF_CORE_READ(d, id);
		a->v[2] = BPF_CORE_READ(d, nr);
	}
}

static __always_inline struct kprobe_ev *begin(u32 probe, u32 phase, struct kprobe_cfg **c)
{
	if (fired || probe >= KPROBE_MAX_PROBES)
		return NULL;
	*c = bpf_map_lookup_elem(&cfg, &probe);
	if (!*c)
		return NULL;
	__sync_fetch_and_add(&seen, 1);
	struct kprobe_ev *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->rec = KPROBE_REC_EVENT;
	e->probe = probe;
	e->phase = phase;
	e->ts = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
	e->pid = bpf_get_current_pid_tgid() & 0xffffffff;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline u64 kprobe_param(struct pt_regs *ctx, int i)
{
	switch (i) {
	case 0: return PT_REGS_PARM1(ctx);
	case 1: return PT_REGS_PARM2(ctx);
	case 2: return PT_REGS_PARM3(ctx);
	case 3: return PT_REGS_PARM4(ctx);
	case 4: return PT_REGS_PARM5(ctx);
	default: return ctx->r9; /* libbpf 1.1 has no PT_REGS_PARM6 */
	}
}

SEC("kprobe")
int ktstr_kprobe(struct pt_regs *ctx)
{
	struct kprobe_cfg *c;
	struct kprobe_ev *e = begin((u32)bpf_get_attach_cookie(ctx), KPROBE_PH_KPROBE, &c);
	if (!e)
		return 0;
	u32 n = c->nargs < KPROBE_MAX_ARGS ? c->nargs : KPROBE_MAX_ARGS;
	e->nargs = n;
	/* At a function's first instruction the stack's top is the return address. */
	bpf_probe_read_kernel(&e->ret, sizeof(e->ret), (void *)PT_REGS_SP(ctx));
	for (int i = 0; i < KPROBE_MAX_ARGS; i++) {
		if (i >= n)
			break;
		read_arg(&e->a[i], c->kind[i], kprobe_param(ctx, i));
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* A struct_ops program's arguments: BPF_PROG-wrapped programs take one pointer to them. */
static __always_inline int on_prog(u64 *ctx, u32 copy, u32 phase)
{
	struct kprobe_cfg *c;
	struct kprobe_ev *e = begin(KPROBE_CB_BASE + copy, phase, &c);
	if (!e)
		return 0;
	u32 n = c->nargs < KPROBE_MAX_ARGS ? c->nargs : KPROBE_MAX_ARGS;
	u64 args = 0;
	if (c->indirect)
		bpf_get_func_arg(ctx, 0, &args);
	e->nargs = n;
	for (int i = 0; i < KPROBE_MAX_ARGS; i++) {
		u64 v = 0;
		if (i >= n)
			break;
		if (c->indirect)
			bpf_probe_read_kernel(&v, sizeof(v), (void *)(args + 8 * i));
		else
			bpf_get_func_arg(ctx, i, &v);
		read_arg(&e->a[i], c->kind[i], v);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#define CB_COPY(n) ((n) / 10 * 8 + (n) % 10)
#define CB(n)                                                                              \
	SEC("fentry") int cb_in_##n(u64 *ctx) { return on_prog(ctx, CB_COPY(n), KPROBE_PH_ENTRY); } \
	SEC("fexit") int cb_out_##n(u64 *ctx) { return on_prog(ctx, CB_COPY(n), KPROBE_PH_EXIT); }
#define CB8(n) CB(n##0) CB(n##1) CB(n##2) CB(n##3) CB(n##4) CB(n##5) CB(n##6) CB(n##7)
/* KPROBE_MAX_CB copies, named 0-7, 10-17, 20-27, 30-37 (copies 0..31). */
CB8() CB8(1) CB8(2) CB8(3)

/* The trigger: the first exit records kind, message, stack; everything stops after it. */
static __always_inline void trigger(void *ctx, int kind, const char *msg, const u64 *bt, u32 bt_len,
				    u32 backstop)
{
	if (__sync_val_compare_and_swap(&fired, 0, 1))
		return;
	struct kprobe_trig *t = bpf_ringbuf_reserve(&events, sizeof(*t), 0);
	if (!t) {
		__sync_fetch_and_add(&dropped, 1);
		return;
	}
	__builtin_memset(t, 0, sizeof(*t));
	t->rec = KPROBE_REC_TRIGGER;
	t->ts = bpf_ktime_get_ns();
	t->cpu = bpf_get_smp_processor_id();
	t->pid = bpf_get_current_pid_tgid() & 0xffffffff;
	t->kind = kind;
	t->backstop = backstop;
	bpf_get_current_comm(t->comm, sizeof(t->comm));
	if (msg)
		bpf_probe_read_kernel_str(t->msg, sizeof(t->msg), msg);
	/* The kernel's own backtrace of the exit when it saved one, else ours (it starts
	 * with this program and its trampoline; the loader drops those frames). */
	if (bt && bt_len) {
		u32 n = bt_len < KPROBE_STACK ? bt_len : KPROBE_STACK;
		if (!bpf_probe_read_kernel(t->stack, n * sizeof(u64), bt))
			t->nstack = n;
	}
	if (!t->nstack) {
		long n = bpf_get_stack(ctx, t->stack, sizeof(t->stack), 0);
		t->nstack = n > 0 ? n / 8 : 0;
	}
	bpf_ringbuf_submit(t, BPF_RB_FORCE_WAKEUP);
}

/* scx_vexit(sch, kind, exit_code, exit_cpu, fmt, args): at its return the message and the
 * backtrace are in sch->exit_info. */
SEC("fexit")
int trig_fexit(u64 *ctx)
{
	u64 sch = 0, kind = 0;
	const char *msg = NULL;
	const u64 *bt = NULL;
	u32 bt_len = 0;
	bpf_get_func_arg(ctx, 0, &sch);
	bpf_get_func_arg(ctx, 1, &kind);
	if (sch) {
		struct scx_exit_info *ei = BPF_CORE_READ((struct scx_sched *)sch, exit_info);
		if (ei) {
			msg = BPF_CORE_READ(ei, msg);
			bt = (const u64 *)BPF_CORE_READ(ei, bt);
			bt_len = BPF_CORE_READ(ei, bt_len);
		}
	}
	trigger(ctx, (int)kind, msg, bt, bt_len, 0);
	return 0;
}

/* __scx_exit(sch, kind, ...) on entry: the message is not formatted yet. */
SEC("kprobe")
int trig_kprobe(struct pt_regs *ctx)
{
	trigger(ctx, (int)PT_REGS_PARM2(ctx), NULL, NULL, 0, 0);
	return 0;
}

SEC("tp_btf")
int trig_tp(u64 *ctx)
{
	trigger(ctx, -1, NULL, NULL, 0, 0);
	return 0;
}

/* The backstop, scx_disable(sch, kind): exits that never pass the trigger (the scheduler's
 * process died or let go: UNREG*, and SysRq-S). The current task is the one that let go.
 * Any other kind comes from inside an exit the trigger sees (scx_vexit disables the
 * children with PARENT). */
SEC("kprobe")
int trig_backstop(struct pt_regs *ctx)
{
	u32 kind = (u32)PT_REGS_PARM2(ctx);
	if (kind < bpf_core_enum_value(enum scx_exit_kind, SCX_EXIT_UNREG) ||
	    kind > bpf_core_enum_value(enum scx_exit_kind, SCX_EXIT_SYSRQ))
		return 0;
	trigger(ctx, (int)kind, NULL, NULL, 0, 1);
	return 0;
}
