/* The attached scheduler's struct_ops programs. A struct_ops map's value, read back,
 * holds the id of each member's program where the member's function pointer sits; the
 * kernel's BTF names the member and its parameters, the program's own BTF its full name,
 * whether BPF_PROG wrapped it (one "ctx" argument pointing at the real ones) and its
 * first source line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "ktstr_probe.h"

static const struct btf_type *skip_mods(const struct btf *btf, unsigned int id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* The probe argument kind of a parameter's BTF type (the host's spec.c makes the same
 * choice for kernel functions; the loader is a static guest binary and cannot share it). */
static unsigned int ops_arg_kind(const struct btf *btf, unsigned int type_id)
{
	const struct btf_type *t = skip_mods(btf, type_id);
	if (t && btf_is_enum(t)) {
		const char *n = btf__name_by_offset(btf, t->name_off);
		return n && !strcmp(n, "scx_exit_kind") ? KPROBE_ARG_KIND : KPROBE_ARG_VAL;
	}
	if (!t || !btf_is_ptr(t))
		return KPROBE_ARG_VAL;
	const struct btf_type *p = skip_mods(btf, t->type);
	const char *n = p && btf_is_struct(p) ? btf__name_by_offset(btf, p->name_off) : NULL;
	if (!n)
		return KPROBE_ARG_PTR;
	return !strcmp(n, "task_struct") ? KPROBE_ARG_TASK : !strcmp(n, "rq") ? KPROBE_ARG_RQ :
	       !strcmp(n, "scx_dispatch_q") ? KPROBE_ARG_DSQ : KPROBE_ARG_PTR;
}

/* Name, wrapper shape and first line from the program's BTF; 0 or -1 (no BTF). */
static int prog_details(int fd, struct ops_prog *o)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	snprintf(o->name, sizeof(o->name), "%s", info.name);
	if (!info.btf_id || !info.nr_func_info)
		return -1;
	struct bpf_func_info fi = { 0 };
	struct bpf_line_info li = { 0 };
	__u32 nli = info.nr_line_info;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi);
	info.func_info = (__u64)(unsigned long)&fi;
	if (nli) {
		info.nr_line_info = 1;
		info.line_info_rec_size = sizeof(li);
		info.line_info = (__u64)(unsigned long)&li;
	}
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	struct btf *b = btf__load_from_kernel_by_id(info.btf_id);
	if (!b)
		return -1;
	const struct btf_type *fn = btf__type_by_id(b, fi.type_id);
	if (fn && btf_is_func(fn)) {
		snprintf(o->name, sizeof(o->name), "%s", btf__name_by_offset(b, fn->name_off));
		const struct btf_type *proto = btf__type_by_id(b, fn->type);
		if (proto && btf_is_func_proto(proto) && btf_vlen(proto) == 1) {
			const char *a = btf__name_by_offset(b, btf_params(proto)[0].name_off);
			o->indirect = a && !strcmp(a, "ctx");
		}
	}
	const char *file = nli ? btf__name_by_offset(b, li.file_name_off) : NULL;
	if (file && *file) {
		const char *base = strrchr(file, '/');
		snprintf(o->loc, sizeof(o->loc), "%s:%u", base ? base + 1 : file, li.line_col >> 10);
	}
	btf__free(b);
	return 0;
}

/* Function pointer types carry no parameter names in BTF; these are sched_ext_ops' own
 * (include/linux/sched/ext.h). A member not listed gets argN. */
static const char *const member_params[][4] = {
	{ "select_cpu", "p prev_cpu wake_flags" }, { "enqueue", "p enq_flags" },
	{ "dequeue", "p deq_flags" }, { "dispatch", "cpu prev" }, { "tick", "p" },
	{ "runnable", "p enq_flags" }, { "running", "p" }, { "stopping", "p runnable" },
	{ "quiescent", "p deq_flags" }, { "yield", "from to" }, { "core_sched_before", "a b" },
	{ "set_weight", "p weight" }, { "set_cpumask", "p cpumask" }, { "update_idle", "cpu idle" },
	{ "cpu_acquire", "cpu args" }, { "cpu_release", "cpu args" }, { "init_task", "p args" },
	{ "exit_task", "p args" }, { "enable", "p" }, { "disable", "p" }, { "dump", "ctx" },
	{ "dump_cpu", "ctx cpu idle" }, { "dump_task", "ctx p" }, { "cgroup_init", "cgrp args" },
	{ "cgroup_exit", "cgrp" }, { "cgroup_prep_move", "p from to" },
	{ "cgroup_move", "p from to" }, { "cgroup_cancel_move", "p from to" },
	{ "cgroup_set_weight", "cgrp weight" }, { "cpu_online", "cpu" }, { "cpu_offline", "cpu" },
	{ "exit", "ei" },
};

/* The i-th listed parameter name of member, or NULL. */
static bool param_name(const char *member, int i, char *out, size_t len)
{
	for (size_t m = 0; m < sizeof(member_params) / sizeof(*member_params); m++) {
		if (strcmp(member_params[m][0], member))
			continue;
		const char *s = member_params[m][1];
		for (int k = 0; k < i && s; k++)
			if ((s = strchr(s, ' ')))
				s++;
		if (!s)
			return false;
		snprintf(out, len, "%.*s", (int)strcspn(s, " "), s);
		return true;
	}
	return false;
}

/* The member's parameters from the kernel's prototype. */
static void member_args(const struct btf *vml, const struct btf_type *fptr, struct ops_prog *o)
{
	const struct btf_type *proto = skip_mods(vml, fptr->type);
	if (!proto || !btf_is_func_proto(proto))
		return;
	const struct btf_param *pa = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto) && o->nargs < KPROBE_MAX_ARGS; i++) {
		const char *n = btf__name_by_offset(vml, pa[i].name_off);
		if (n && *n)
			snprintf(o->argname[o->nargs], sizeof(o->argname[0]), "%s", n);
		else if (!param_name(o->member, i, o->argname[o->nargs], sizeof(o->argname[0])))
			snprintf(o->argname[o->nargs], sizeof(o->argname[0]), "arg%d", i);
		o->kind[o->nargs++] = ops_arg_kind(vml, pa[i].type);
	}
}

/* The programs of one struct_ops map into out[n..max); returns the new n. */
static int map_progs(const struct btf *vml, int mfd, const struct bpf_map_info *mi,
		     struct ops_prog *out, int n, int max)
{
	const struct btf_type *vt = btf__type_by_id(vml, mi->btf_vmlinux_value_type_id);
	if (!vt || !btf_is_struct(vt))
		return n;
	const struct btf_member *m = btf_members(vt);
	const struct btf_type *data = NULL;
	unsigned int data_off = 0;
	for (int i = 0; i < btf_vlen(vt); i++) {
		const char *mn = btf__name_by_offset(vml, m[i].name_off);
		if (mn && !strcmp(mn, "data")) {
			data = skip_mods(vml, m[i].type);
			data_off = btf_member_bit_offset(vt, i) / 8;
		}
	}
	unsigned char *val = calloc(1, mi->value_size);
	int key = 0;
	if (!data || !btf_is_struct(data) || !val || bpf_map_lookup_elem(mfd, &key, val)) {
		free(val);
		return n;
	}
	const struct btf_member *dm = btf_members(data);
	for (int i = 0; i < btf_vlen(data) && n < max; i++) {
		const struct btf_type *t = skip_mods(vml, dm[i].type);
		if (!t || !btf_is_ptr(t))
			continue;
		const struct btf_type *fp = skip_mods(vml, t->type);
		unsigned int off = data_off + btf_member_bit_offset(data, i) / 8;
		if (!fp || !btf_is_func_proto(fp) || off + 8 > mi->value_size)
			continue;
		unsigned long long id;
		memcpy(&id, val + off, sizeof(id));
		int pfd = id ? bpf_prog_get_fd_by_id((__u32)id) : -1;
		if (pfd < 0)
			continue;
		struct ops_prog *o = &out[n];
		memset(o, 0, sizeof(*o));
		o->fd = pfd;
		snprintf(o->member, sizeof(o->member), "%s", btf__name_by_offset(vml, dm[i].name_off));
		prog_details(pfd, o);
		member_args(vml, t, o);
		n++;
	}
	free(val);
	return n;
}

int ops_find(const struct btf *vml, struct ops_prog *out, int max, char *why, size_t whylen)
{
	__u32 id = 0;
	int n = 0, maps = 0;
	snprintf(why, whylen, "no struct_ops map is loaded");
	while (!bpf_map_get_next_id(id, &id)) {
		int fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		struct bpf_map_info mi = { 0 };
		__u32 len = sizeof(mi);
		if (!bpf_obj_get_info_by_fd(fd, &mi, &len) && mi.type == BPF_MAP_TYPE_STRUCT_OPS) {
			maps++;
			n = map_progs(vml, fd, &mi, out, n, max);
		}
		close(fd);
	}
	if (maps && !n)
		snprintf(why, whylen, "%d struct_ops map(s) but no program could be read back", maps);
	return n;
}
