/* Auto-repro probe choice and trigger on the real test kernel's BTF (Debian 7.2.13: no
 * sched_ext_exit tracepoint, __scx_exit and scx_vexit present, balance_one inlined). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/repro/select.h"
#include "tests/unit/kbtf.h"

static struct sel_kernel real(void)
{
	return (struct sel_kernel){ kbtf_has_func, kbtf_has_tracepoint, kbtf() };
}

/* The real kernel with some names hidden, for the fallbacks a different kernel takes. */
static const char *const *hidden;
static bool hide_func(const char *name, void *btf)
{
	for (int i = 0; hidden[i]; i++)
		if (!strcmp(name, hidden[i]))
			return false;
	return kbtf_has_func(name, btf);
}
static bool yes_tp(const char *name, void *btf)
{
	(void)btf;
	return !strcmp(name, "sched_ext_exit");
}

Test(repro_select, trigger_on_the_test_kernel_is_fentry_on_scx_vexit)
{
	struct sel_kernel k = real();
	cr_expect_not(k.has_tracepoint("sched_ext_exit", k.ctx), "issue 9: 7.2.13 has no such tracepoint");
	cr_expect(k.has_tracepoint("sched_ext_dump", k.ctx), "but has sched_ext_dump");
	struct sel_trigger t;
	sel_trigger(&k, &t);
	cr_expect_eq(t.kind, SEL_TRIG_FENTRY);
	cr_expect_str_eq(t.target, "scx_vexit");
	cr_expect_str_eq(t.reason, "");
}

/* Why __scx_exit is only the kprobe fallback: its last parameter is the variadic marker
 * (type 0, no name), and the kernel refuses fentry/fexit on variadic functions. */
Test(repro_select, __scx_exit_is_variadic_in_the_test_kernel)
{
	struct btf *b = kbtf();
	int id = btf__find_by_name_kind(b, "__scx_exit", BTF_KIND_FUNC);
	cr_assert_gt(id, 0);
	const struct btf_type *proto = btf__type_by_id(b, btf__type_by_id(b, id)->type);
	int n = btf_vlen(proto);
	cr_assert_gt(n, 0);
	const struct btf_param *last = &btf_params(proto)[n - 1];
	cr_expect(last->type == 0 && last->name_off == 0, "__scx_exit's last parameter is '...'");
}

Test(repro_select, trigger_fallbacks)
{
	struct sel_kernel k = real();
	k.has_tracepoint = yes_tp;
	struct sel_trigger t;
	sel_trigger(&k, &t);
	cr_expect_eq(t.kind, SEL_TRIG_TP_BTF);
	cr_expect_str_eq(t.target, "sched_ext_exit");

	k = real();
	k.has_func = hide_func;
	hidden = (const char *const[]){ "scx_vexit", NULL };
	sel_trigger(&k, &t);
	cr_expect_eq(t.kind, SEL_TRIG_KPROBE);
	cr_expect_str_eq(t.target, "__scx_exit");

	hidden = (const char *const[]){ "__scx_exit", "scx_vexit", NULL };
	sel_trigger(&k, &t);
	cr_expect_eq(t.kind, SEL_TRIG_NONE);
	cr_expect_str_eq(t.target, "");
	cr_expect(strstr(t.reason, "sched_ext_exit") && strstr(t.reason, "__scx_exit") &&
			  strstr(t.reason, "scx_vexit"),
		  "%s", t.reason);
}

Test(repro_select, callers_exist_in_the_test_kernel)
{
	struct sel_kernel k = real();
	cr_expect_str_eq(sel_caller("enqueue", &k), "do_enqueue_task");
	cr_expect_str_eq(sel_caller("select_cpu", &k), "select_task_rq_scx");
	cr_expect_str_eq(sel_caller("dispatch", &k), "do_pick_task_scx", "7.2 inlines balance_one");
	cr_expect_str_eq(sel_caller("init_task", &k), "__scx_init_task");
	cr_expect_str_eq(sel_caller("exit_task", &k), "__scx_disable_and_exit_task");
	cr_expect_str_eq(sel_caller("enable", &k), "__scx_enable_task");
	const char *all[] = { "dequeue", "tick", "runnable", "running", "stopping", "quiescent",
			      "yield", "set_weight", "set_cpumask", "update_idle", "disable",
			      "cpu_online", "cpu_offline" };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		cr_expect_not_null(sel_caller(all[i], &k), "%s: no caller in the test kernel's BTF", all[i]);
	cr_expect_null(sel_caller("init", &k), "ops.init is called once from scx_enable's work");
}

Test(repro_select, ops_members_are_sched_ext_ops_members_in_btf)
{
	struct btf *b = kbtf();
	int id = btf__find_by_name_kind(b, "sched_ext_ops", BTF_KIND_STRUCT);
	cr_assert_gt(id, 0);
	const struct btf_type *t = btf__type_by_id(b, id);
	for (int i = 0; bt_ops_members[i]; i++) {
		bool found = false;
		const struct btf_member *m = btf_members(t);
		for (int j = 0; j < btf_vlen(t) && !found; j++)
			found = !strcmp(btf__name_by_offset(b, m[j].name_off), bt_ops_members[i]);
		cr_expect(found, "sched_ext_ops has no member %s", bt_ops_members[i]);
	}
}

/* ktstr_sched's struct_ops (bpf/ktstr_sched.bpf.c's SEC(".struct_ops.link")). */
static const struct sel_callback ktstr_cbs[] = {
	{ "ktstr_select_cpu", "select_cpu" }, { "ktstr_enqueue", "enqueue" },
	{ "ktstr_dispatch", "dispatch" },     { "ktstr_tick", "tick" },
	{ "ktstr_running", "running" },	      { "ktstr_stopping", "stopping" },
	{ "ktstr_init_task", "init_task" },   { "ktstr_enable", "enable" },
	{ "ktstr_init", "init" },	      { "ktstr_exit", "exit" },
};
#define NCB ((int)(sizeof(ktstr_cbs) / sizeof(ktstr_cbs[0])))

static const struct sel_probe *probe(const struct sel_plan *p, const char *func)
{
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->p[i].func, func))
			return &p->p[i];
	return NULL;
}

static struct bt_funcs error_console(const char *extra)
{
	char *buf;
	size_t len;
	cr_assert_eq(fs_read_file("tests/fixtures/repro/error-console.log", 1 << 20, &buf, &len), 0);
	struct bt_funcs b = { 0 };
	bt_parse(buf, &b);
	if (extra)
		bt_parse(extra, &b);
	free(buf);
	return b;
}

Test(repro_select, plan_for_the_real_dispatch_error)
{
	struct sel_kernel k = real();
	struct bt_funcs b = error_console(NULL);
	struct sel_plan *p = calloc(1, sizeof(*p));
	sel_plan(&b, ktstr_cbs, NCB, &k, p);
	cr_expect_str_eq(p->p[0].func, "ktstr_dispatch");
	cr_expect_eq(p->p[0].kind, SEL_FENTRY);
	cr_expect_str_eq(p->p[0].why, "backtrace");
	cr_expect_str_eq(p->p[1].func, "do_pick_task_scx");
	cr_expect_eq(p->p[1].kind, SEL_KPROBE);
	/* 10 callbacks (ktstr_dispatch already in), callers: select_task_rq_scx, do_enqueue_task,
	 * (do_pick_task_scx already in), task_tick_scx, set_next_task_scx, put_prev_task_scx,
	 * __scx_init_task, __scx_enable_task; init and exit have none. */
	cr_expect_eq(p->n, 2 + 9 + 7, "%d probes", p->n);
	const struct sel_probe *e = probe(p, "do_enqueue_task");
	cr_assert_not_null(e);
	cr_expect_eq(e->kind, SEL_KPROBE);
	cr_expect_str_eq(e->why, "caller of enqueue");
	cr_assert_not_null(probe(p, "ktstr_enqueue"));
	cr_expect_eq(probe(p, "ktstr_enqueue")->kind, SEL_FENTRY);
	char s[512];
	sel_format_stats(p, s, sizeof(s));
	cr_expect_str_eq(s, "extracted: 2 functions from crash backtrace\n"
			    "traceable: 2 passed, 0 dropped\n");
	free(p);
}

Test(repro_select, drops_with_reasons)
{
	struct sel_kernel k = real();
	struct bt_funcs b = error_console("  no_such_kernel_function+0x1/0x2\n"
					  "  bpf_prog_0123456789abcdef_other_enqueue+0x1/0x2\n");
	struct sel_plan *p = calloc(1, sizeof(*p));
	sel_plan(&b, ktstr_cbs, NCB, &k, p);
	char s[512];
	sel_format_stats(p, s, sizeof(s));
	cr_expect_str_eq(s, "extracted: 4 functions from crash backtrace\n"
			    "traceable: 2 passed, 2 dropped: no_such_kernel_function (not in kernel BTF), "
			    "other_enqueue (BPF program not loaded)\n");
	cr_expect_null(probe(p, "no_such_kernel_function"));
	/* Without the loaded programs (primary-side preview) BPF frames pass unchecked. */
	sel_plan(&b, NULL, 0, &k, p);
	cr_expect_eq(p->passed, 3);
	cr_expect_eq(p->n, 3);
	free(p);
}
