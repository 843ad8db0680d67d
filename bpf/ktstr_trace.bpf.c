/* ktstr_trace.bpf.c: the timeline tracer's BPF side. sched_wakeup(_new) and sched_switch
 * (tp_btf) for the tids in `tids` (filled by the loader) become ktrace_ev records in a
 * ring buffer; the guest init turns them into run/wait slices. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "guest/trace_wire.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KTRACE_MAX_TIDS);
	__type(key, u32);
	__type(value, u8);
} tids SEC(".maps");

/* 1 MiB: ~43k records, over a second of the busiest TCG workloads between two polls. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

unsigned long long lost;

/* The loader polls every 20 ms anyway; waking it per event would put a context switch
 * next to every traced one. Wake it only when the buffer fills up. */
#define WAKE_AT (256 * 1024)

static __always_inline bool tracked(u32 tid)
{
	return tid && bpf_map_lookup_elem(&tids, &tid);
}

static __always_inline void emit(u32 tid, int cpu, u32 kind, u64 ts)
{
	struct ktrace_ev *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	e->ts = ts;
	e->tid = tid;
	e->cpu = cpu;
	e->kind = kind;
	e->pad = 0;
	u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, avail >= WAKE_AT ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline void on_wakeup(struct task_struct *p)
{
	u32 tid = p->pid;
	if (tracked(tid))
		emit(tid, (int)p->thread_info.cpu, KTRACE_WAKEUP, bpf_ktime_get_ns());
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(ktstr_wakeup, struct task_struct *p)
{
	on_wakeup(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(ktstr_wakeup_new, struct task_struct *p)
{
	on_wakeup(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ktstr_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	u64 ts = bpf_ktime_get_ns();
	int cpu = (int)bpf_get_smp_processor_id();
	u32 p = prev->pid, n = next->pid;
	/* Preempted, or scheduled out with TASK_RUNNING (yield): still on the runqueue. */
	if (tracked(p))
		emit(p, cpu, preempt || !prev_state ? KTRACE_OUT_RUNNABLE : KTRACE_OUT_SLEEP, ts);
	if (tracked(n))
		emit(n, cpu, KTRACE_IN, ts);
	return 0;
}
