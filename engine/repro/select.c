/* Auto-repro probe choice (see select.h). */
#include "engine/repro/select.h"

#include <stdio.h>
#include <string.h>

/* sched_ext_ops member -> kernel functions that call it, most specific first; the first
 * the kernel has wins. Names from kernel/sched/ext.c (7.2 inlines balance_one and
 * balance_scx into do_pick_task_scx; scx_init_task/scx_enable_task gained __ variants). */
static const struct {
	const char *member;
	const char *callers[4];
} callers[] = {
	{ "select_cpu", { "select_task_rq_scx" } },
	{ "enqueue", { "do_enqueue_task" } },
	{ "dequeue", { "ops_dequeue" } },
	{ "dispatch", { "balance_one", "balance_scx", "do_pick_task_scx" } },
	{ "tick", { "task_tick_scx" } },
	{ "runnable", { "enqueue_task_scx" } },
	{ "running", { "set_next_task_scx" } },
	{ "stopping", { "put_prev_task_scx" } },
	{ "quiescent", { "dequeue_task_scx" } },
	{ "yield", { "yield_task_scx" } },
	{ "set_weight", { "reweight_task_scx" } },
	{ "set_cpumask", { "set_cpus_allowed_scx" } },
	{ "update_idle", { "__scx_update_idle" } },
	{ "init_task", { "scx_init_task", "__scx_init_task" } },
	{ "exit_task", { "scx_exit_task", "__scx_disable_and_exit_task", "scx_disable_and_exit_task" } },
	{ "enable", { "scx_enable_task", "__scx_enable_task" } },
	{ "disable", { "scx_disable_task" } },
	{ "cpu_online", { "rq_online_scx" } },
	{ "cpu_offline", { "rq_offline_scx" } },
};

const char *sel_caller(const char *member, const struct sel_kernel *k)
{
	for (size_t i = 0; i < sizeof(callers) / sizeof(callers[0]); i++) {
		if (strcmp(callers[i].member, member))
			continue;
		for (int j = 0; j < 4 && callers[i].callers[j]; j++)
			if (k->has_func(callers[i].callers[j], k->ctx))
				return callers[i].callers[j];
	}
	return NULL;
}

static bool have(const struct sel_plan *p, const char *func)
{
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->p[i].func, func))
			return true;
	return false;
}

static bool add(struct sel_plan *p, const char *func, enum sel_kind kind, const char *why)
{
	if (have(p, func) || p->n >= SEL_MAX)
		return false;
	struct sel_probe *s = &p->p[p->n++];
	snprintf(s->func, sizeof(s->func), "%s", func);
	s->kind = kind;
	snprintf(s->why, sizeof(s->why), "%s", why);
	return true;
}

static void drop(struct sel_plan *p, const char *func, const char *reason)
{
	if (p->ndrop >= SEL_MAX)
		return;
	snprintf(p->d[p->ndrop].func, sizeof(p->d[0].func), "%s", func);
	p->d[p->ndrop++].reason = reason;
}

void sel_plan(const struct bt_funcs *bt, const struct sel_callback *cbs, int ncb,
	      const struct sel_kernel *k, struct sel_plan *out)
{
	memset(out, 0, sizeof(*out));
	out->extracted = bt->n;
	for (int i = 0; i < bt->n; i++) {
		const struct bt_frame *f = &bt->f[i];
		bool ok;
		if (f->bpf) {
			ok = !ncb;
			for (int j = 0; j < ncb && !ok; j++)
				ok = !strcmp(cbs[j].prog, f->name);
			if (!ok)
				drop(out, f->name, "BPF program not loaded");
		} else {
			ok = k->has_func(f->name, k->ctx);
			if (!ok)
				drop(out, f->name, "not in kernel BTF");
		}
		if (ok) {
			add(out, f->name, f->bpf ? SEL_FENTRY : SEL_KPROBE, "backtrace");
			out->passed++;
		}
	}
	for (int j = 0; j < ncb; j++)
		add(out, cbs[j].prog, SEL_FENTRY, "callback");
	for (int j = 0; j < ncb; j++) {
		const char *c = sel_caller(cbs[j].member, k);
		char why[48];
		snprintf(why, sizeof(why), "caller of %s", cbs[j].member);
		if (c)
			add(out, c, SEL_KPROBE, why);
	}
}

void sel_format_stats(const struct sel_plan *p, char *buf, size_t len)
{
	int at = snprintf(buf, len, "extracted: %d functions from crash backtrace\n"
				    "traceable: %d passed, %d dropped",
			  p->extracted, p->passed, p->ndrop);
	for (int i = 0; i < p->ndrop && at > 0 && (size_t)at < len; i++)
		at += snprintf(buf + at, len - (size_t)at, "%s%s (%s)", i ? ", " : ": ", p->d[i].func,
			       p->d[i].reason);
	if (at > 0 && (size_t)at < len)
		snprintf(buf + at, len - (size_t)at, "\n");
}

void sel_trigger(const struct sel_kernel *k, struct sel_trigger *out)
{
	memset(out, 0, sizeof(*out));
	if (k->has_tracepoint("sched_ext_exit", k->ctx)) {
		out->kind = SEL_TRIG_TP_BTF;
		snprintf(out->target, sizeof(out->target), "sched_ext_exit");
		return;
	}
	/* __scx_exit(sch, kind, code, cpu, fmt, ...) is variadic: the kernel refuses fentry on
	 * it, so it is the kprobe fallback; scx_vexit takes a va_list and traces fine. */
	const struct { const char *fn; enum sel_trigger_kind kind; } order[] = {
		{ "scx_vexit", SEL_TRIG_FENTRY },
		{ "__scx_exit", SEL_TRIG_KPROBE },
	};
	for (int i = 0; i < 2; i++)
		if (k->has_func(order[i].fn, k->ctx)) {
			out->kind = order[i].kind;
			snprintf(out->target, sizeof(out->target), "%s", order[i].fn);
			return;
		}
	out->kind = SEL_TRIG_NONE;
	snprintf(out->reason, sizeof(out->reason),
		 "auto-repro skipped: the kernel's BTF has no sched_ext_exit tracepoint "
		 "(btf_trace_sched_ext_exit), no __scx_exit and no scx_vexit function to trigger on");
}
