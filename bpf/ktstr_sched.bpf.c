/* ktstr_sched.bpf.c: ktstr's own sched_ext scheduler. A weighted-vtime queue shared by all
 * CPUs (fair between tasks, hence between equal cgroups), plus fault knobs the tests use to
 * make it fail on purpose: a runtime error, a stall, and (loader side) a dying process. */
#include "scx_common.bpf.h"
#include "ktstr_iface.bpf.h"

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ 0 /* every runnable task waits here, ordered by vtime */
#define STALL_DSQ  1 /* --stall-after-ms: tasks parked here are never dispatched */
#define PF_KTHREAD 0x00200000

/* Per-task virtual time, kept in task storage rather than p->scx.dsq_vtime: writing that
 * field directly is deprecated on 7.x kernels, and its setter kfunc is missing on older
 * ones. */
struct task_ctx {
	unsigned long long vtime;
	unsigned long long started_ns; /* when it last got a CPU */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

static unsigned long long start_ns;
static unsigned long long vtime_now;
static bool error_fired;

static unsigned long long elapsed_ms(void)
{
	return (bpf_ktime_get_ns() - start_ns) / 1000000;
}

/* --error-after-ms: checked from tick and dispatch, which run often on a busy machine. */
static void maybe_inject_error(void)
{
	unsigned long long ms;

	if (!error_after_ms || error_fired)
		return;
	ms = elapsed_ms();
	if (ms < error_after_ms)
		return;
	error_fired = true;
	scx_bpf_error("ktstr_sched: injected error after %llu ms", ms);
}

/* --stall-after-ms: which tasks stop being dispatched. Kernel threads, pid 1 and the
 * loader keep running so the guest stays alive until the watchdog fires. */
static bool stall_victim(struct task_struct *p)
{
	if (!stall_after_ms || elapsed_ms() < stall_after_ms)
		return false;
	if (stall_pid)
		return p->pid == stall_pid;
	if (p->flags & PF_KTHREAD)
		return false;
	return p->tgid != 1 && p->tgid != loader_tgid;
}

/* --pile-on-cpu0 applies to tasks free to run on every CPU (never a pinned kthread). */
static bool piled(struct task_struct *p)
{
	return pile_on_cpu0 && !(p->flags & PF_KTHREAD) &&
	       p->nr_cpus_allowed == scx_bpf_nr_cpu_ids();
}

s32 BPF_STRUCT_OPS(ktstr_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	if (piled(p))
		return 0;
	/* The mirror image of prev_cpu: outside a cpuset that holds the low CPUs. */
	if (bad_select_cpu)
		return scx_bpf_nr_cpu_ids() - 1 - prev_cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	/* An idle CPU was found and claimed: run there without touching the shared queue. */
	if (is_idle && !stall_victim(p)) {
		__sync_fetch_and_add(&nr_direct, 1);
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(ktstr_enqueue, struct task_struct *p, u64 enq_flags)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	u64 vtime = tctx ? tctx->vtime : vtime_now;

	__sync_fetch_and_add(&nr_enqueued, 1);
	/* SCX_OPS_ENQ_LAST: the CPU's last runnable task comes back to us when its slice ends
	 * and nothing else is queued. Run it again on this CPU ourselves instead of letting
	 * the kernel keep it: every such keep counts as dispatch_keep_last, and a CPU per
	 * spinner (4 SpinWait workers on 4 CPUs) would otherwise cross the monitor's
	 * 100/s keep_last rate by design, not by fault. */
	if ((enq_flags & SCX_ENQ_LAST) && !stall_victim(p) && !piled(p)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, enq_flags);
		return;
	}
	if (stall_victim(p)) {
		__sync_fetch_and_add(&nr_stalled, 1);
		scx_bpf_dsq_insert(p, STALL_DSQ, slice_ns, enq_flags);
		return;
	}
	if (piled(p)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | 0, slice_ns, enq_flags);
		return;
	}
	/* The rest (kthreads) take turns in their own CPU's local queue: behind a pile,
	 * the shared queue would never be reached and they would stall. */
	if (pile_on_cpu0) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, enq_flags);
		return;
	}
	/* A task that slept long must not bank more than one slice of credit. */
	if (vtime_before(vtime, vtime_now - slice_ns))
		vtime = vtime_now - slice_ns;
	scx_bpf_dsq_insert_vtime(p, SHARED_DSQ, slice_ns, vtime, enq_flags);
}

void BPF_STRUCT_OPS(ktstr_dispatch, s32 cpu, struct task_struct *prev)
{
	maybe_inject_error();
	if (scx_bpf_dsq_move_to_local(SHARED_DSQ))
		__sync_fetch_and_add(&nr_dispatched, 1);
}

/* --spin-after-ms: each CPU's first tick after N ms busy-waits spin_ms in ops.tick, where
 * it has interrupts off and holds its rq lock: every rq clock stops and the guest stops
 * answering, the way a scheduler's runaway loop wedges a machine. With every CPU stuck
 * jiffies stand still too, so the sched_ext watchdog does not fire. */
static unsigned long long spun; /* bit per CPU that has had its spin */

static long spin_step(unsigned int i, void *ctx)
{
	return bpf_ktime_get_ns() >= *(unsigned long long *)ctx;
}

static long spin_chunk(unsigned int i, void *ctx)
{
	bpf_loop(1 << 16, spin_step, ctx, 0);
	return bpf_ktime_get_ns() >= *(unsigned long long *)ctx;
}

static void maybe_spin(void)
{
	unsigned long long end, bit;
	u32 cpu = bpf_get_smp_processor_id();

	if (!spin_after_ms || cpu >= 64 || elapsed_ms() < spin_after_ms)
		return;
	bit = 1ULL << cpu;
	if (__sync_fetch_and_or(&spun, bit) & bit)
		return;
	end = bpf_ktime_get_ns() + spin_ms * 1000000ULL;
	bpf_loop(1 << 16, spin_chunk, &end, 0);
}

void BPF_STRUCT_OPS(ktstr_tick, struct task_struct *p)
{
	maybe_inject_error();
	maybe_spin();
}

void BPF_STRUCT_OPS(ktstr_running, struct task_struct *p)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);

	if (!tctx)
		return;
	tctx->started_ns = bpf_ktime_get_ns();
	if (vtime_before(vtime_now, tctx->vtime))
		vtime_now = tctx->vtime;
}

void BPF_STRUCT_OPS(ktstr_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);

	/*
	 * Charge the time actually spent on the CPU, scaled by the inverse of the weight.
	 * Not "slice - p->scx.slice": when nothing else is queued the kernel keeps the task
	 * running with a refilled default slice, and that would undercharge it.
	 */
	if (tctx && p->scx.weight)
		tctx->vtime += (bpf_ktime_get_ns() - tctx->started_ns) * 100 / p->scx.weight;
}

s32 BPF_STRUCT_OPS(ktstr_init_task, struct task_struct *p, struct scx_init_task_args *args)
{
	struct task_ctx *tctx;

	tctx = bpf_task_storage_get(&task_ctxs, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!tctx)
		return -12; /* -ENOMEM: the kernel refuses to schedule the task with us */
	tctx->vtime = vtime_now;
	return 0;
}

void BPF_STRUCT_OPS(ktstr_enable, struct task_struct *p)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);

	if (tctx)
		tctx->vtime = vtime_now;
}

/* Sleepable (the loader sets BPF_F_SLEEPABLE): scx_bpf_create_dsq may allocate. */
s32 BPF_STRUCT_OPS(ktstr_init)
{
	s32 ret;

	start_ns = bpf_ktime_get_ns();
	ret = scx_bpf_create_dsq(SHARED_DSQ, -1);
	if (ret)
		return ret;
	return scx_bpf_create_dsq(STALL_DSQ, -1);
}

/* Keep why we were disabled so the loader can print it before it exits. */
void BPF_STRUCT_OPS(ktstr_exit, struct scx_exit_info *ei)
{
	bpf_probe_read_kernel_str(exit_reason, sizeof(exit_reason), ei->reason);
	bpf_probe_read_kernel_str(exit_msg, sizeof(exit_msg), ei->msg);
	exit_code = ei->exit_code;
	exit_kind = ei->kind;
}

/* One set of ops, two registrations: the loader creates one of these maps (the second for
 * --keep-last, which leaves the last task to the kernel). */
#define KTSTR_OPS(enq_last_flag)                                                           \
	{                                                                                  \
		.select_cpu = (void *)ktstr_select_cpu,                                    \
		.enqueue = (void *)ktstr_enqueue,                                          \
		.dispatch = (void *)ktstr_dispatch,                                        \
		.tick = (void *)ktstr_tick,                                                \
		.running = (void *)ktstr_running,                                          \
		.stopping = (void *)ktstr_stopping,                                        \
		.init_task = (void *)ktstr_init_task,                                      \
		.enable = (void *)ktstr_enable,                                            \
		.init = (void *)ktstr_init,                                                \
		.exit = (void *)ktstr_exit,                                                \
		/* Short watchdog so --stall-after-ms ends the scheduler within a few      \
		 * seconds even under TCG; a fair queue never leaves a task waiting this  \
		 * long. */                                                                \
		.timeout_ms = 3000,                                                        \
		.flags = (enq_last_flag),                                                  \
		.name = "ktstr_sched",                                                     \
	}

SEC(".struct_ops")
struct sched_ext_ops ktstr_ops = KTSTR_OPS(SCX_OPS_ENQ_LAST);

SEC(".struct_ops")
struct sched_ext_ops ktstr_ops_keep_last = KTSTR_OPS(0);
