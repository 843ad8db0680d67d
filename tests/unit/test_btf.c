/* BTF without booting, on the provisioned test kernel (Debian sid's): vmlinux extraction
 * from its bzImage and the scx kfunc verdict; synthetic BTF (built with libbpf) for the
 * broken prototype the seed describes; the seed's "no BTF source found" for an ELF without .BTF. */
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/kernel/btf.h"
#include "engine/fsutil.h"
#include "tests/unit/tenv.h"

static char dir[256];

static void setup(void)
{
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-btf");
}

static void teardown(void)
{
	fs_rm_rf(dir);
}

static const struct kfunc_verdict *find(const struct btf_check *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->k[i].name, name))
			return &c->k[i];
	return NULL;
}

Test(btf, extracts_vmlinux_from_the_debian_bzimage_and_kfuncs_are_loadable, .init = setup, .fini = teardown)
{
	char out[512], err[1024];
	snprintf(out, sizeof(out), "%s/vmlinux", dir);
	cr_assert_eq(btf_extract_vmlinux(tenv_kernel(), out, err, sizeof(err)), 0, "%s", err);
	char *buf;
	size_t len;
	cr_assert_eq(fs_read_file(out, 512 << 20, &buf, &len), 0);
	cr_expect_eq(memcmp(buf, "\177ELF", 4), 0);
	cr_expect_gt(len, 20u << 20, "vmlinux is only %zu bytes", len);
	free(buf);

	struct btf_check *c = calloc(1, sizeof(*c));
	cr_assert_eq(btf_check_kfuncs(out, c, err, sizeof(err)), 0, "%s", err);
	cr_expect(c->ok, "%s", c->summary);
	const struct kfunc_verdict *v = find(c, "scx_bpf_create_dsq");
	cr_assert_not_null(v);
	cr_expect(v->found && v->loadable);
	cr_expect_eq(v->nparams, 2, "DESIGN: the 7.2 BTF has the trimmed 2-argument prototype");
	cr_expect_str_eq(v->detail, "loadable (2 params)");
	const char *core[] = { "scx_bpf_error_bstr", "scx_bpf_dsq_insert", "scx_bpf_dsq_move_to_local",
			       "scx_bpf_kick_cpu" };
	for (int i = 0; i < 4; i++) {
		v = find(c, core[i]);
		cr_assert_not_null(v, "%s not listed", core[i]);
		cr_expect(v->found && v->loadable, "%s: %s", core[i], v->detail);
	}
	/* *_impl twins are not listed as kfuncs of their own. */
	cr_expect_null(find(c, "scx_bpf_create_dsq_impl"));
	cr_expect_gt(c->n, 20);
	free(c);
}

Test(btf, not_a_bzimage_is_refused_and_leaves_nothing, .init = setup, .fini = teardown)
{
	char text[512], out[512], err[1024];
	snprintf(text, sizeof(text), "%s/text", dir);
	cr_assert_eq(fs_write_atomic(text, "not a kernel\n", 13, 0644), 0);
	snprintf(out, sizeof(out), "%s/vmlinux", dir);
	cr_expect_eq(btf_extract_vmlinux(text, out, err, sizeof(err)), -EINVAL);
	cr_expect_not_null(strstr(err, "not a bzImage"), "%s", err);
	cr_expect_neq(access(out, F_OK), 0);
}

Test(btf, truncated_bzimage_is_refused_and_leaves_nothing, .init = setup, .fini = teardown)
{
	char cut[512], out[512], err[1024], *buf;
	size_t len;
	snprintf(cut, sizeof(cut), "%s/cut", dir);
	snprintf(out, sizeof(out), "%s/vmlinux", dir);
	cr_assert_eq(fs_read_file(tenv_kernel(), 64 << 20, &buf, &len), 0);
	cr_assert_eq(fs_write_atomic(cut, buf, len / 2, 0644), 0);
	free(buf);
	cr_expect_eq(btf_extract_vmlinux(cut, out, err, sizeof(err)), -EINVAL);
	cr_expect_not_null(strstr(err, "truncated"), "%s", err);
	cr_expect_neq(access(out, F_OK), 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "ls -A %s | grep -q tmp", dir);
	cr_expect_neq(system(cmd), 0, "temp file left behind");
}

Test(btf, elf_without_btf_gives_the_seed_message)
{
	struct btf_check *c = calloc(1, sizeof(*c));
	char err[1024], ls[4096];
	tenv_which("ls", "coreutils", ls, sizeof(ls));
	cr_expect_eq(btf_check_kfuncs(ls, c, err, sizeof(err)), -ENOENT);
	cr_expect_eq(strncmp(err, "no BTF source found. Set KTSTR_KERNEL to a kernel build "
			     "directory,\nor ensure /sys/kernel/btf/vmlinux exists.", 95), 0,
		     "got: %s", err);
	free(c);
}

/* Raw BTF with scx_bpf_create_dsq(u64 dsq_id, s32 node[, void *aux]) and optionally the
 * trimmed twin. */
static void write_btf(const char *path, bool plain_has_aux, bool impl_twin)
{
	struct btf *b = btf__new_empty();
	cr_assert_not_null(b);
	int u64 = btf__add_int(b, "u64", 8, 0);
	int s32 = btf__add_int(b, "s32", 4, BTF_INT_SIGNED);
	int vp = btf__add_ptr(b, 0);
	int proto = btf__add_func_proto(b, s32);
	btf__add_func_param(b, "dsq_id", u64);
	btf__add_func_param(b, "node", s32);
	if (plain_has_aux)
		btf__add_func_param(b, "aux", vp);
	btf__add_func(b, "scx_bpf_create_dsq", BTF_FUNC_GLOBAL, proto);
	if (impl_twin) {
		int p2 = btf__add_func_proto(b, s32);
		btf__add_func_param(b, "dsq_id", u64);
		btf__add_func_param(b, "node", s32);
		btf__add_func_param(b, "aux", vp);
		btf__add_func(b, "scx_bpf_create_dsq_impl", BTF_FUNC_GLOBAL, p2);
	}
	__u32 sz;
	const void *raw = btf__raw_data(b, &sz);
	cr_assert_eq(fs_write_atomic(path, raw, sz, 0644), 0);
	btf__free(b);
}

Test(btf, aux_carrying_plain_prototype_is_broken, .init = setup, .fini = teardown)
{
	char p[512], err[1024];
	snprintf(p, sizeof(p), "%s/broken.btf", dir);
	write_btf(p, true, false);
	struct btf_check *c = calloc(1, sizeof(*c));
	cr_assert_eq(btf_check_kfuncs(p, c, err, sizeof(err)), 0, "%s", err);
	cr_expect_not(c->ok);
	const struct kfunc_verdict *v = find(c, "scx_bpf_create_dsq");
	cr_assert_not_null(v);
	cr_expect(v->found);
	cr_expect_not(v->loadable);
	cr_expect_eq(v->nparams, 3);
	cr_expect_not_null(strstr(c->summary, "BROKEN"), "%s", c->summary);
	free(c);
}

Test(btf, a_broken_kernel_gets_the_pre_boot_warning_and_a_good_one_none, .init = setup, .fini = teardown)
{
	char p[512], w[1024];
	snprintf(p, sizeof(p), "%s/broken.btf", dir);
	write_btf(p, true, false);
	cr_assert(btf_kfunc_warning(p, "7.1.0-test", "key-1", w, sizeof(w)));
	cr_expect_not_null(strstr(w, "kernel 7.1.0-test: scx kfunc BTF mismatch (scx_bpf_create_dsq"), "%s", w);
	cr_expect_not_null(strstr(w, "`ktstr kernel check key-1`"), "%s", w);
	snprintf(p, sizeof(p), "%s/good.btf", dir);
	write_btf(p, false, true);
	cr_expect_not(btf_kfunc_warning(p, "7.2", "key-2", w, sizeof(w)));
	cr_expect_str_eq(w, "");
}

Test(btf, trimmed_plain_with_impl_twin_is_loadable, .init = setup, .fini = teardown)
{
	char p[512], err[1024];
	snprintf(p, sizeof(p), "%s/ok.btf", dir);
	write_btf(p, false, true);
	struct btf_check *c = calloc(1, sizeof(*c));
	cr_assert_eq(btf_check_kfuncs(p, c, err, sizeof(err)), 0, "%s", err);
	cr_expect(c->ok, "%s", c->summary);
	const struct kfunc_verdict *v = find(c, "scx_bpf_create_dsq");
	cr_assert_not_null(v);
	cr_expect(v->loadable);
	cr_expect_eq(v->nparams, 2);
	/* Core kfuncs absent from this BTF are reported, not invented. */
	v = find(c, "scx_bpf_kick_cpu");
	cr_assert_not_null(v);
	cr_expect_not(v->found);
	cr_expect_str_eq(v->detail, "not found");
	free(c);
}
