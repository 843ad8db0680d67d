/* Auto-repro's host-guest contract: the probe spec the host puts in the repro VM's
 * initramfs, and the "probe" messages the guest sends back on the control port. The BPF
 * record between bpf/ktstr_probe.bpf.c and its loader (bpf/ktstr_probe.c) is defined here
 * too, so all three sides include one file ("guest/probe_wire.h" from the repository root;
 * plain C types, no includes).
 *
 * The spec (KTSTR_GUEST_PROBE_SPEC): text, one directive per line, '#' comments.
 *   trigger tp_btf sched_ext_exit | trigger fexit scx_vexit | trigger kprobe __scx_exit
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
 *   ready:    n (probes attached), trigger (its func)   -- the workload starts after it
 *   event:    func, phase ("entry"|"exit"), cpu, pid, comm (current task), ts_ns (guest
 *             CLOCK_MONOTONIC), loc ("file:line" for BPF programs, "func+0xOFF" for
 *             kernel functions, may be ""), fields: {NAME: value, ...} where value is a
 *             number or string. Struct pointers expand as NAME.FIELD: task -> .pid .comm
 *             .scx_flags .dsq_id .slice .weight .cpus ("0x.." bitmap of CPUs 0-63)
 *             .sticky_cpu; rq -> .cpu .nr_running; dsq -> .id .nr; kind -> the number.
 *   trigger:  cpu, pid, comm, ts_ns, kind (exit kind number, -1 unknown), msg (exit message,
 *             "" when the trigger cannot read it), stack: ["func+0xOFF", ...]
 *   done:     events (seen by BPF), dropped (ring buffer full), sent (event lines sent),
 *             fired (bool)
 * Events are sent after the trigger fires (or at the end when it never does): those of
 * the trigger's current task, of the tasks named "[PID]" in its message, and of every task
 * argument equal to one of them, oldest first, at most KPROBE_MAX_SENT. */
#ifndef KTSTR_GUEST_PROBE_WIRE_H
#define KTSTR_GUEST_PROBE_WIRE_H

#define KTSTR_GUEST_PROBE_BIN "/ktstr/probe/bin"    /* bpf/ktstr_probe, static */
#define KTSTR_GUEST_PROBE_SPEC "/ktstr/probe/spec" /* the spec above */

#define KTSTR_MSG_PROBE "probe"

#define KPROBE_MAX_ARGS 6
#define KPROBE_MAX_PROBES 96
#define KPROBE_MAX_SENT 2000

#endif
