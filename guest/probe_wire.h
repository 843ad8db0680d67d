/* Auto-repro's host-guest contract: the probe spec the host puts in the repro VM's
 * initramfs, and the "probe" messages the guest sends back on the control port. The BPF
 * record between bpf/ktstr_probe.bpf.c and its loader (bpf/ktstr_probe.c) is defined here
 * too, so all three sides include one file ("guest/probe_wire.h" from the repository root;
 * plain C types, no includes).
 *
 * The spec (KTSTR_GUEST_PROBE_SPEC): text, one directive per line, '#' comments.
 *   trigger tp_btf sched_ext_exit | trigger fexit scx_vexit | trigger kprobe __scx_exit
 *   backstop FUNC                a kprobe on FUNC(sch, kind) that fires when the trigger did
 *                                not: the exits that skip it (the scheduler's process died
 *                                or closed its link: scx_disable, kind UNREG)
 *   kprobe FUNC WHY ARG...       a kernel function; WHY is one word ("backtrace")
 *   fentry PROG WHY              a BPF program named in the backtrace (attached if loaded)
 *   callbacks                    fentry+fexit on every loaded struct_ops program
 *   caller MEMBER FUNC ARG...    kprobe FUNC, only when a loaded struct_ops program
 *                                implements MEMBER (its name is MEMBER or ends in _MEMBER)
 * ARG is NAME:KIND in parameter order, KIND one of task (struct task_struct *), rq
 * (struct rq *), dsq (struct scx_dispatch_q *), kind (enum scx_exit_kind), ptr (another
 * pointer), val (a scalar). At most KPROBE_MAX_ARGS; the host drops the rest.
 *
 * Guest -> host: KTSTR_MSG_PROBE lines, "ev" says which:
 *   attached: func, kind ("kprobe"|"fentry"|"trigger"), why
 *   drop:     func, reason                       (a probe the guest could not attach)
 *   armed:    trigger (bool: attached)   -- phase one, before the scheduler starts: the
 *             trigger and the "kprobe" lines; the guest starts the scheduler after it
 *   ready:    n (probes attached), trigger (its func)   -- phase two, after the guest's
 *             "go" (the scheduler is attached): callbacks and callers; the workload
 *             starts after it
 *   event:    func, phase ("entry"|"exit"), cpu, pid, comm (current task), ts_ns (guest
 *             CLOCK_MONOTONIC), loc ("file:line" for BPF programs; for kernel functions
 *             their call site, "caller+0xOFF"; may be ""), fields: {NAME: value, ...} where value is a
 *             number or string. Struct pointers expand as NAME.FIELD: task -> .pid .comm
 *             .scx_flags .dsq_id .slice .weight .cpus ("0x.." bitmap of CPUs 0-63)
 *             .sticky_cpu; rq -> .cpu .nr_running; dsq -> .id .nr; kind -> the number.
 *   trigger:  func (what fired), cpu, pid, comm, ts_ns, kind (exit kind number, -1 unknown), msg (exit message,
 *             "" when the trigger cannot read it), stack: ["func+0xOFF", ...]
 *   done:     events (seen by BPF), dropped (ring buffer full), sent (event lines sent),
 *             fired (bool)
 * Events are sent once the trigger fired (none when it never does): those whose current
 * task or task argument is the trigger's current task or a task named "[PID]" in its
 * message, oldest first, the last KPROBE_MAX_SENT. BPF stops recording when it fires. */
#ifndef KTSTR_GUEST_PROBE_WIRE_H
#define KTSTR_GUEST_PROBE_WIRE_H

#define KTSTR_GUEST_PROBE_BIN "/ktstr/probe/bin"    /* bpf/ktstr_probe, static */
#define KTSTR_GUEST_PROBE_SPEC "/ktstr/probe/spec" /* the spec above */

#define KTSTR_MSG_PROBE "probe"

#define KPROBE_MAX_ARGS 6
#define KPROBE_MAX_PROBES 96
#define KPROBE_MAX_SENT 2000

/* The BPF side's records (ring buffer "events"); every record starts with u32 rec. Probe
 * indexes: kprobes 0..KPROBE_CB_BASE-1 (their attach cookie), struct_ops callbacks
 * KPROBE_CB_BASE + copy (the fentry/fexit program copies cb_in_N / cb_out_N). */
#define KPROBE_CB_BASE 64
#define KPROBE_MAX_CB (KPROBE_MAX_PROBES - KPROBE_CB_BASE)
#define KPROBE_MSG_LEN 256
#define KPROBE_STACK 32

enum kprobe_rec { KPROBE_REC_EVENT = 1, KPROBE_REC_TRIGGER = 2 };
enum kprobe_arg_kind { KPROBE_ARG_VAL, KPROBE_ARG_PTR, KPROBE_ARG_TASK, KPROBE_ARG_RQ,
		       KPROBE_ARG_DSQ, KPROBE_ARG_KIND };
enum kprobe_phase { KPROBE_PH_KPROBE, KPROBE_PH_ENTRY, KPROBE_PH_EXIT };

/* Per probe index (map "cfg"): argument kinds; indirect: the program's one argument points
 * at the real ones (a BPF_PROG-wrapped struct_ops program). */
struct kprobe_cfg {
	unsigned int nargs;
	unsigned int indirect;
	unsigned int kind[KPROBE_MAX_ARGS];
};

/* One argument: v[0] the raw value; a task: v[1] pid, v[2] scx.flags, v[3] its DSQ's id,
 * v[4] scx.slice, v[5] scx.weight, v[6] CPUs 0-63, v[7] scx.sticky_cpu, comm its name; an
 * rq: v[1] cpu, v[2] scx.nr_running; a DSQ: v[1] id, v[2] nr. */
struct kprobe_arg {
	unsigned long long v[8];
	char comm[16];
};

struct kprobe_ev {
	unsigned int rec, probe, phase, nargs;
	int cpu, pid;
	unsigned long long ts;
	unsigned long long ret; /* a kprobe's return address: its call site */
	char comm[16];
	struct kprobe_arg a[KPROBE_MAX_ARGS];
};

struct kprobe_trig {
	unsigned int rec, nstack;
	int cpu, pid, kind;
	unsigned int backstop; /* 1: the backstop fired, not the trigger */
	unsigned long long ts;
	char comm[16];
	char msg[KPROBE_MSG_LEN];
	unsigned long long stack[KPROBE_STACK];
};

#endif
