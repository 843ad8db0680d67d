/* Auto-repro probe spec (see spec.h). */
#include "engine/repro/spec.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/probe_wire.h"

static bool has_func(const char *name, void *ctx)
{
	return btf__find_by_name_kind(ctx, name, BTF_KIND_FUNC) > 0;
}

static bool has_tracepoint(const char *name, void *ctx)
{
	char t[160];
	snprintf(t, sizeof(t), "btf_trace_%s", name);
	return btf__find_by_name_kind(ctx, t, BTF_KIND_TYPEDEF) > 0;
}

/* Skips typedefs and qualifiers. */
static const struct btf_type *resolve(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

static const char *kind_of(const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t = resolve(btf, type_id);
	if (!t)
		return "val";
	if (btf_is_enum(t)) {
		const char *n = btf__name_by_offset(btf, t->name_off);
		return n && !strcmp(n, "scx_exit_kind") ? "kind" : "val";
	}
	if (!btf_is_ptr(t))
		return "val";
	const struct btf_type *p = resolve(btf, t->type);
	const char *n = p && btf_is_struct(p) ? btf__name_by_offset(btf, p->name_off) : NULL;
	if (!n)
		return "ptr";
	return !strcmp(n, "task_struct") ? "task" : !strcmp(n, "rq") ? "rq" :
	       !strcmp(n, "scx_dispatch_q") ? "dsq" : "ptr";
}

void repro_spec_args(const struct btf *btf, const char *func, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = 0;
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *fn = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_type *proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return;
	const struct btf_param *pa = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto) && i < KPROBE_MAX_ARGS; i++) {
		const char *n = btf__name_by_offset(btf, pa[i].name_off);
		if (!pa[i].type) /* a trailing "..." */
			break;
		char argn[16];
		snprintf(argn, sizeof(argn), "arg%d", i);
		int w = snprintf(buf + at, len - at, " %s:%s", n && *n ? n : argn, kind_of(btf, pa[i].type));
		if (w < 0 || (size_t)w >= len - at) {
			buf[at] = 0;
			return;
		}
		at += (size_t)w;
	}
}

int repro_plan_build(const char *console, const char *sched, const char *dump,
		     const struct btf *btf, struct repro_plan *out)
{
	memset(out, 0, sizeof(*out));
	bt_parse(console, &out->bt);
	bt_parse(sched, &out->bt);
	bt_parse_dump(dump, &out->bt);
	bt_exit_info(console, &out->exit);
	if (out->exit.pid < 0 && out->exit.stalled_pid < 0)
		bt_exit_info(dump, &out->exit);
	if (out->exit.pid < 0 && out->exit.stalled_pid < 0)
		bt_exit_info(sched, &out->exit);
	struct sel_kernel k = { has_func, has_tracepoint, (void *)btf };
	sel_plan(&out->bt, NULL, 0, &k, &out->sel);
	sel_trigger(&k, &out->trig);
	if (out->trig.kind == SEL_TRIG_NONE)
		return 0;

	size_t len = 0;
	FILE *f = open_memstream(&out->spec, &len);
	if (!f)
		return -ENOMEM;
	static const char *const trig[] = { [SEL_TRIG_TP_BTF] = "tp_btf", [SEL_TRIG_FENTRY] = "fexit",
					    [SEL_TRIG_KPROBE] = "kprobe" };
	fprintf(f, "# ktstr auto-repro probe spec (guest/probe_wire.h)\ntrigger %s %s\n",
		trig[out->trig.kind], out->trig.target);
	/* A process that dies closes its link: that exit (UNREG) never passes the trigger. */
	if (has_func("scx_disable", (void *)btf) && out->trig.kind != SEL_TRIG_TP_BTF)
		fprintf(f, "backstop scx_disable\n");
	char args[512];
	for (int i = 0; i < out->sel.n; i++) {
		const struct sel_probe *p = &out->sel.p[i];
		/* BPF frames are the scheduler's programs: `callbacks` attaches every one. */
		if (p->kind == SEL_FENTRY)
			continue;
		repro_spec_args(btf, p->func, args, sizeof(args));
		fprintf(f, "kprobe %s %s%s\n", p->func, p->why, args);
	}
	fprintf(f, "callbacks\n");
	for (int m = 0; bt_ops_members[m]; m++) {
		const char *c = sel_caller(bt_ops_members[m], &k);
		if (!c)
			continue;
		repro_spec_args(btf, c, args, sizeof(args));
		fprintf(f, "caller %s %s%s\n", bt_ops_members[m], c, args);
	}
	if (fclose(f)) {
		free(out->spec);
		out->spec = NULL;
		return -ENOMEM;
	}
	return 0;
}

void repro_plan_free(struct repro_plan *p)
{
	free(p->spec);
	p->spec = NULL;
}
