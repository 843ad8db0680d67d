/* Auto-repro, step 2: which probes the repro VM attaches, and what fires the capture.
 * Input: the crash backtrace's functions (engine/repro/backtrace.h), the loaded
 * scheduler's struct_ops programs (name + sched_ext_ops member, which the orchestration
 * reads with libbpf in the repro VM), and the kernel as a pair of predicates the caller
 * answers from the kernel's vmlinux BTF (a FUNC of that name; a `btf_trace_<tp>` typedef).
 * Output: kprobes for kernel functions, fentry/fexit for callbacks, each callback's
 * kernel-side caller as a kprobe, the `--- probe pipeline ---` lines, and the trigger.
 * Pure: no I/O, no BTF parsing here. */
#ifndef KTSTR_REPRO_SELECT_H
#define KTSTR_REPRO_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/repro/backtrace.h"

#define SEL_MAX 96

/* The kernel, as the caller's BTF sees it. */
struct sel_kernel {
	/* A traceable kernel function: a BTF FUNC named name. */
	bool (*has_func)(const char *name, void *ctx);
	/* A BTF tracepoint: the typedef btf_trace_<name> exists. */
	bool (*has_tracepoint)(const char *name, void *ctx);
	void *ctx;
};

/* One loaded struct_ops program: its BPF program name and its sched_ext_ops member. */
struct sel_callback {
	const char *prog; /* "ktstr_enqueue" */
	const char *member; /* "enqueue" */
};

enum sel_kind {
	SEL_KPROBE, /* kernel function: kprobe on entry */
	SEL_FENTRY, /* scheduler program: fentry + fexit (entry -> exit fields) */
};

struct sel_probe {
	char func[BT_NAME_MAX]; /* kernel function, or the BPF program's name */
	enum sel_kind kind;
	/* Why it is probed: "backtrace", "callback", or "caller of <member>". */
	char why[48];
};

struct sel_drop {
	char func[BT_NAME_MAX];
	const char *reason; /* "not in kernel BTF", "BPF program not loaded", ... */
};

struct sel_plan {
	int extracted; /* non-generic functions from the crash backtrace */
	int passed; /* of those, how many became probes */
	int n;
	struct sel_probe p[SEL_MAX];
	int ndrop;
	struct sel_drop d[SEL_MAX];
};

/* Builds the probe list: backtrace frames first (crash order), then every callback, then
 * the callers. Duplicates are kept once (first reason wins). A callback's caller is the
 * first name of its candidate list the kernel has (sel_caller). A backtrace BPF frame
 * becomes an fentry only when its program is among cbs; with cbs NULL (ncb 0, the
 * primary's backtrace alone) BPF frames are kept as fentry unchecked. */
void sel_plan(const struct bt_funcs *bt, const struct sel_callback *cbs, int ncb,
	      const struct sel_kernel *k, struct sel_plan *out);

/* The kernel-side caller of a sched_ext_ops member in this kernel (`enqueue` ->
 * `do_enqueue_task`; `dispatch` -> `balance_one`, or `do_pick_task_scx` on 7.2 where
 * balance_one is inlined), or NULL when none of the candidates is traceable. */
const char *sel_caller(const char *member, const struct sel_kernel *k);

/* The `--- probe pipeline ---` body, two lines each ending in '\n':
 * "extracted: N functions from crash backtrace\n"
 * "traceable: P passed, D dropped: f (reason), g (reason)\n" ("D dropped" alone when 0). */
void sel_format_stats(const struct sel_plan *p, char *buf, size_t len);

enum sel_trigger_kind {
	SEL_TRIG_TP_BTF, /* tp_btf/sched_ext_exit */
	SEL_TRIG_FENTRY, /* fentry on scx_vexit */
	SEL_TRIG_KPROBE, /* kprobe on __scx_exit: it is variadic, which fentry refuses */
	SEL_TRIG_NONE, /* auto-repro is skipped; reason says what was missing */
};

struct sel_trigger {
	enum sel_trigger_kind kind;
	char target[64]; /* "sched_ext_exit", "__scx_exit", "scx_vexit" or "" */
	char reason[256]; /* for SEL_TRIG_NONE, else "" */
};

/* tp_btf/sched_ext_exit when the kernel has the tracepoint, else fentry on scx_vexit (every
 * exit passes through it), else a kprobe on __scx_exit (variadic, so fentry cannot attach
 * to it), else none, with the reason naming all three as missing. */
void sel_trigger(const struct sel_kernel *k, struct sel_trigger *out);

#endif
