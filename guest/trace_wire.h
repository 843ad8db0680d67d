/* The timeline tracer's record: what the tracer (bpf/ktstr_trace.c) writes on its stdout
 * for the guest init (guest/gtrace.c), and the BPF program (bpf/ktstr_trace.bpf.c) fills
 * in its ring buffer. Part of the host-guest contract, so it lives with the guest's side.
 * Plain C types and no includes: the BPF object, the static loader and the guest all
 * include it (as "guest/trace_wire.h", from the repository root). */
#ifndef KTSTR_GUEST_TRACE_WIRE_H
#define KTSTR_GUEST_TRACE_WIRE_H

enum ktrace_kind {
	KTRACE_WAKEUP = 1,       /* sched_wakeup / sched_wakeup_new; cpu = runqueue it joins */
	KTRACE_IN = 2,           /* sched_switch, tid is next; cpu = the CPU it runs on */
	KTRACE_OUT_RUNNABLE = 3, /* sched_switch, tid is prev and stays runnable (preempted) */
	KTRACE_OUT_SLEEP = 4,    /* sched_switch, tid is prev and blocks (or exits) */
	/* Tracer -> guest only (never from BPF): */
	KTRACE_READY = 16,       /* every tid given so far is in the filter map */
	KTRACE_LOST = 17,        /* ts = events the ring buffer had no room for (sent at the end) */
};

/* 24 bytes, native endianness (same machine). ts: CLOCK_MONOTONIC ns (bpf_ktime_get_ns). */
struct ktrace_ev {
	unsigned long long ts;
	unsigned int tid;
	int cpu;
	unsigned int kind;
	unsigned int pad;
};

#define KTRACE_MAX_TIDS 4096

#endif
