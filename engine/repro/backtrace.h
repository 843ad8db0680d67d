/* Auto-repro, step 1: the function names in a crash backtrace. The text is a kernel console
 * log, a scheduler log or a sched_ext dump; every token of the form `name+0xOFF/0xLEN` is a
 * frame (Call Trace blocks, `? name+...` unreliable frames, `RIP: 0010:name+...`, the dump's
 * indented backtrace, with or without a `sched_ext_dump: ` or timestamp prefix). Frames are
 * kept in order of appearance, deduplicated, compiler suffixes (.isra.0, .cold, ...) removed,
 * and generic frames (scheduler entry, locks, syscall and IRQ entry, the sched_ext exit
 * machinery, BPF trampolines, stack dumping) dropped: they are on every crash path and say
 * nothing about this one. Pure: no I/O. The orchestration calls bt_parse once on the
 * primary's console.log and once on its sched.log/dump.log into the same bt_funcs, then
 * hands the result to sel_plan (engine/repro/select.h). */
#ifndef KTSTR_REPRO_BACKTRACE_H
#define KTSTR_REPRO_BACKTRACE_H

#include <stdbool.h>

#define BT_MAX_FUNCS 64
#define BT_NAME_MAX 128

struct bt_frame {
	/* The kernel function, or for a BPF program the program's name (`ktstr_enqueue` from
	 * `bpf_prog_6f2b3c4d5e6f7a8b_ktstr_enqueue`). */
	char name[BT_NAME_MAX];
	bool bpf;
	/* For a BPF program: the sched_ext_ops member its name ends with (`enqueue`), or "". */
	char op[32];
};

struct bt_funcs {
	int n;
	struct bt_frame f[BT_MAX_FUNCS];
	int generic; /* generic frames dropped (each occurrence) */
	int overflow; /* distinct frames past BT_MAX_FUNCS, not kept */
};

/* Appends text's frames to out (zero it before the first call). */
void bt_parse(const char *text, struct bt_funcs *out);
/* A sched_ext dump (dump.log, or trace_pipe lines with the `sched_ext_dump: ` prefix):
 * only the exiting task's "Backtrace:" block, not the other tasks' stacks below it.
 * Does nothing when the dump has no Backtrace block. */
void bt_parse_dump(const char *text, struct bt_funcs *out);
/* Who the exit is about, from the dump's header and the kernel's exit message: the task
 * that triggered the exit ("swapper/0[0] triggered exit kind 1025 on CPU 0:") and, for a
 * runnable-task stall, the stalled task ("ktstr-w3[107] failed to run for 4.020s"), whom
 * stitching follows instead of the watchdog's kworker. Fields not found stay -1 / "". */
struct bt_exit {
	char comm[32];
	int pid;
	long kind; /* scx_exit_kind, decode with dec_exit_kind */
	int cpu;
	char stalled_comm[32];
	int stalled_pid;
};
void bt_exit_info(const char *text, struct bt_exit *out);

/* Whether a kernel function is a generic frame bt_parse drops. */
bool bt_generic(const char *name);
/* The sched_ext_ops member a program name ends with (longest `_member` suffix, or the
 * whole name), or NULL. */
const char *bt_ops_member(const char *prog);
/* Every sched_ext_ops callback member the matcher knows, NULL-terminated. */
extern const char *const bt_ops_members[];

#endif
