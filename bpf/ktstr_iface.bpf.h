/* ktstr_iface.bpf.h: the globals shared by every ktstr_sched variant and its loader
 * (bpf/ktstr_sched.c): knobs in .rodata, counters and exit info in .bss. Plain C types
 * only, so the generated skeleton compiles in userspace without vmlinux typedefs. */
#ifndef KTSTR_IFACE_BPF_H
#define KTSTR_IFACE_BPF_H

/* Set by the loader before load; 0 disables a fault. */
const volatile unsigned long long error_after_ms;
const volatile unsigned long long stall_after_ms;
const volatile int stall_pid;      /* 0: stall every user task but pid 1 and the loader */
const volatile int loader_tgid;
const volatile unsigned long long spin_after_ms; /* every CPU's next tick spins, rq lock held */
const volatile unsigned long long spin_ms = 1500;
/* Monitor-check breakers: every task that may run anywhere queued on CPU 0 (imbalance,
 * local DSQ depth); ops.select_cpu answering a CPU the task may not use (fallback). */
const volatile bool pile_on_cpu0, bad_select_cpu;
const volatile unsigned long long slice_ns = 5000000; /* 5 ms */

/* Read by the loader (--verbose, exit reporting). */
unsigned long long nr_enqueued, nr_dispatched, nr_direct, nr_stalled;
int exit_kind;                     /* enum scx_exit_kind, 0 while attached */
long long exit_code;
char exit_reason[128];
char exit_msg[1024];

#endif
