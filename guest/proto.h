/* Wire format between the host engine and the guest's PID 1: ports, limits, the files in
 * the initramfs and the message types. Newline-delimited JSON objects on the virtio-serial
 * port named KTSTR_PORT_CTL; every object has "t" (type) and "ts_ns" (guest
 * CLOCK_MONOTONIC). Unknown types are ignored; malformed lines are counted. The rest of the
 * contract sits beside it: guest/scenario_wire.h (the scenario's keys), guest/work_types.h,
 * guest/trace_wire.h (the tracer's records). */
#ifndef KTSTR_GUEST_PROTO_H
#define KTSTR_GUEST_PROTO_H

#define KTSTR_PROTO_VERSION 1
#define KTSTR_PORT_CTL "org.ktstr.ctl"     /* control: guest -> host NDJSON, host -> guest commands */
#define KTSTR_PORT_SHELL "org.ktstr.shell" /* raw bytes of a busybox shell (TUI `s`, `ktstr shell`) */
#define KTSTR_LINE_MAX 8192                /* longest line either side accepts; longer is malformed */

/* Files the host puts in the per-run initramfs archive. */
#define KTSTR_GUEST_SCENARIO "/ktstr/scenario.json" /* normalized scenario, see guest/README.md */
#define KTSTR_GUEST_SCHED_DIR "/ktstr/sched"
#define KTSTR_GUEST_SCHED_BIN KTSTR_GUEST_SCHED_DIR "/bin"  /* the scheduler binary */
#define KTSTR_GUEST_INIT_OK "/.ktstr_init_ok"        /* written last into the base archive */
#define KTSTR_GUEST_TRACE_BIN "/ktstr/trace/bin"     /* optional timeline tracer (bpf/ktstr_trace) */
/* `ktstr shell --exec CMD`: CMD's text, run by /bin/sh -c in shell mode instead of an
 * interactive shell. At most KTSTR_EXEC_MAX bytes. */
#define KTSTR_GUEST_EXEC "/ktstr/exec.sh"
/* Runs with I/O work types on a kernel with CONFIG_VIRTIO_BLK=m: the module init loads. */
#define KTSTR_GUEST_VIRTIO_BLK "/ktstr/virtio_blk.ko"
#define KTSTR_EXEC_MAX 65536

/* Every line's two common members: the type and the guest's CLOCK_MONOTONIC ns. */
#define KTSTR_MSG_KEY_TYPE "t"
#define KTSTR_MSG_KEY_TS "ts_ns"

/* Guest -> host message types ("t"). Fields listed are the contract. */
#define KTSTR_MSG_HELLO "hello"       /* proto, kernel (uname -r), kernel_boot_ms (guest uptime when init started) */
#define KTSTR_MSG_SYS_RDY "sys_rdy"   /* (none) */
/* Kernel addresses for the host-side monitor, read as root from /proc/kallsyms and
 * /proc/iomem on a thread after sys_rdy; each a "0x..." string, "0x0" when not found:
 * text, text_phys, page_offset_base, init_top_pgt, per_cpu_offset, runqueues, scx_root,
 * map_idr (engine/monitor/kmem.h: struct kmem_syms). */
#define KTSTR_MSG_KSYMS "ksyms"
/* ids [map id..]: the BPF maps the scheduler's process holds, from its fdinfo, sent
 * once it attached (the monitor reads its globals by these ids). */
#define KTSTR_MSG_MAPS "maps"
/* id, name, type ("struct_ops" | "syscall" | ... | "other"), verified_insns: one per BPF
 * program the scheduler's process holds, from bpf_prog_info, sent once it attached. */
#define KTSTR_MSG_PROG "prog"
/* stage: "mounts" | "scheduler" | "cgroups" | "workers" | "running" | "report" */
#define KTSTR_MSG_STAGE "stage"
#define KTSTR_MSG_TOPO "topo"         /* cpus (int), llcs [[cpu..]..], nodes [[cpu..]..] */
#define KTSTR_MSG_LOG "log"           /* src: "sched" | "guest" | "kernel", line */
/* event: "started" | "attached" | "exited" | "disabled" | "not_attached",
 * pid, ops (ops name), code (exit status, -signal if killed),
 * reason (kernel's exit kind + message when known) */
#define KTSTR_MSG_SCHED "sched"
#define KTSTR_MSG_VERIFIER "verifier" /* line (one line of a verifier log, in order) */
#define KTSTR_MSG_DUMP "dump"         /* line (one line of the sched_ext debug dump) */
/* elapsed_ms, workers: [{tid, cgroup, work, cpu_ns, iters, max_gap_ms, cpu}]
 * every KTSTR_SAMPLE_MS */
#define KTSTR_MSG_SAMPLE "sample"
/* tid, cpu, start_ns, end_ns, state: "run" | "wait"   (timeline slice, downsampled)
 * start_ns/end_ns: guest CLOCK_MONOTONIC ns since the workers were released (the
 * "running" stage), not absolute. run: on cpu; wait: runnable on cpu's runqueue
 * (the CPU it was woken or preempted on). Consecutive slices shorter than the
 * tid's resolution (1 ms, doubled while a tid sends over 40 per interval) are
 * merged and take the state that held most of their time; at most 2000 tl lines
 * per KTSTR_SAMPLE_MS interval; each tid's longest wait of an interval is always
 * sent exactly (it may lie inside a merged slice). Only when the tracer loaded. */
#define KTSTR_MSG_TL "tl"
/* tid, cgroup, work, cpu_ns, wall_ns, iters, max_gap_ms, max_gap_cpu,
 * max_gap_at_ms, cpus [ids], migrations, completed (bool) */
#define KTSTR_MSG_WORKER "worker"
#define KTSTR_MSG_STEP "step"         /* done, total, elapsed_ms   (a scenario step completed) */
#define KTSTR_MSG_ERROR "error"       /* msg  (a hard scenario error in the guest, in the seed's words) */
/* ok (bool), steps_done, steps, elapsed_ms, malformed (host->guest lines dropped) */
#define KTSTR_MSG_DONE "done"
/* status (0-255, 128+signal if killed), bytes (output sent on the shell port)
 * shell mode with KTSTR_GUEST_EXEC: the command ended. Its output (stdout and
 * stderr, one stream) went to KTSTR_PORT_SHELL; the guest then waits for "stop"
 * (sent once the host has read all `bytes`) before "done" and power-off, so no
 * output still inside QEMU is lost. */
#define KTSTR_MSG_EXEC "exec"

/* Host -> guest commands ("t"). */
#define KTSTR_CMD_STOP "stop" /* end the workload now; in shell mode, power off */
#define KTSTR_CMD_DUMP "dump" /* SysRq-D now */
/* Snapshot boot (ktstr.wait=1, guest/grun.h, docs/snapshot.md): the guest says "wait" at
 * the point a snapshot is taken; the host answers with one "run" line, then exactly
 * "size" raw bytes of the run's cpio archive, before any other command. The line also
 * carries the host's wall clock, random bytes for the pool (hex) and a host name. */
#define KTSTR_MSG_WAIT "wait"
#define KTSTR_CMD_RUN "run"
#define KTSTR_RUN_KEY_SIZE "size"
#define KTSTR_RUN_KEY_REALTIME_S "realtime_s"
#define KTSTR_RUN_KEY_REALTIME_US "realtime_us"
#define KTSTR_RUN_KEY_SEED "seed"
#define KTSTR_RUN_KEY_HOST "hostname"
#define KTSTR_RUN_MAX (256 << 20) /* largest run archive the guest takes */

#define KTSTR_SAMPLE_MS 200

#endif
