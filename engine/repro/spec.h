/* Auto-repro, step 3: the probe spec the repro VM's guest gets (guest/probe_wire.h), built
 * from the primary run's logs and the kernel's BTF: the backtrace's functions (backtrace.h),
 * the trigger (select.h), every sched_ext_ops member's kernel-side caller, and each kernel
 * function's parameters typed from its BTF FUNC_PROTO (task, rq, dsq, exit kind, pointer,
 * value). Callbacks are found by the guest among the loaded programs (`callbacks`). */
#ifndef KTSTR_REPRO_SPEC_H
#define KTSTR_REPRO_SPEC_H

#include <stddef.h>

#include "engine/repro/backtrace.h"
#include "engine/repro/select.h"

struct btf;

struct repro_plan {
	struct bt_funcs bt;     /* the primary's backtrace functions */
	struct bt_exit exit;    /* who its exit was about */
	struct sel_plan sel;    /* backtrace probes and what was dropped */
	struct sel_trigger trig;
	char *spec;             /* the spec text (malloc'd); NULL when trig.kind is NONE */
};

/* console, sched and dump are the primary's console.log, sched.log and dump.log ("" when
 * empty). 0, or -ENOMEM. A kernel without a trigger is not an error: trig.kind is
 * SEL_TRIG_NONE with its reason, and spec is NULL. */
int repro_plan_build(const char *console, const char *sched, const char *dump,
		     const struct btf *btf, struct repro_plan *out);
void repro_plan_free(struct repro_plan *p);

/* The " NAME:KIND" list of func's parameters (at most 6) from the BTF, into buf; "" when
 * func is not a BTF FUNC. Exposed for the unit test. */
void repro_spec_args(const struct btf *btf, const char *func, char *buf, size_t len);

#endif
