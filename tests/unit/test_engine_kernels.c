/* engine/kernels.h, the CLI's and the TUI's way to the kernel cache: `kernel check` reads a
 * raw BTF file as BTF rather than resolving it as a kernel spec, an unknown spec fails with
 * the resolver's message, and an entry is checked through its vmlinux, else its image. */
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/kernel/btf.h"
#include "engine/kernel/cache.h"
#include "engine/kernels.h"
#include "tests/unit/tenv.h"

static char dir[256], btf_path[512];

/* A raw BTF with scx_bpf_create_dsq(dsq_id, node): one scx kfunc, trimmed (loadable). */
static void setup(void)
{
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-engine-kernels");
	snprintf(btf_path, sizeof(btf_path), "%s/vmlinux.btf", dir);
	struct btf *b = btf__new_empty();
	cr_assert_not_null(b);
	int s32 = btf__add_int(b, "s32", 4, BTF_INT_SIGNED);
	int u64 = btf__add_int(b, "u64", 8, 0);
	int proto = btf__add_func_proto(b, s32);
	btf__add_func_param(b, "dsq_id", u64);
	btf__add_func_param(b, "node", s32);
	btf__add_func(b, "scx_bpf_create_dsq", BTF_FUNC_GLOBAL, proto);
	__u32 sz;
	const void *raw = btf__raw_data(b, &sz);
	cr_assert_eq(fs_write_atomic(btf_path, raw, sz, 0644), 0);
	btf__free(b);
	setenv("KTSTR_CACHE_DIR", dir, 1);  /* an empty cache: no key resolves */
	unsetenv("KTSTR_TEST_KERNEL");
	unsetenv("KTSTR_KERNEL");
}

static void teardown(void)
{
	fs_rm_rf(dir);
}

TestSuite(engine_kernels, .init = setup, .fini = teardown);

Test(engine_kernels, a_raw_btf_file_is_checked_as_btf)
{
	struct btf_check *got = calloc(1, sizeof(*got)), *want = calloc(1, sizeof(*want));
	char err[1024] = "";
	cr_assert_eq(engine_kernel_check(btf_path, got, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(btf_check_kfuncs(btf_path, want, err, sizeof(err)), 0, "%s", err);
	cr_expect(got->ok, "%s", got->summary);
	cr_expect_str_eq(got->summary, want->summary);
	cr_expect_eq(got->n, want->n);
	free(got);
	free(want);
}

Test(engine_kernels, an_unknown_spec_fails_with_the_resolvers_message)
{
	struct btf_check *c = calloc(1, sizeof(*c));
	struct kernel_entry *e = calloc(1, sizeof(*e));
	char err[2048] = "", want[2048] = "";
	int rc = engine_kernel_check("no-such-kernel", c, err, sizeof(err));
	cr_expect_lt(rc, 0);
	cr_expect_eq(cache_resolve("no-such-kernel", e, want, sizeof(want)), rc);
	cr_expect_str_eq(err, want);
	cr_expect_neq(err[0], 0);
	free(c);
	free(e);
}

Test(engine_kernels, an_entry_is_checked_through_its_vmlinux_else_its_image)
{
	struct btf_check *c = calloc(1, sizeof(*c));
	struct kernel_entry *e = calloc(1, sizeof(*e));
	char err[1024] = "";
	snprintf(e->key, sizeof(e->key), "k1");
	snprintf(e->vmlinux, sizeof(e->vmlinux), "%s", btf_path);
	snprintf(e->image, sizeof(e->image), "%s", btf_path);
	cr_expect_eq(engine_kernel_check_entry(e, c, err, sizeof(err)), 0, "%s", err);
	cr_expect(c->ok, "%s", c->summary);
	/* No vmlinux: the image is read as a bzImage, which raw BTF is not. */
	e->vmlinux[0] = 0;
	cr_expect_lt(engine_kernel_check_entry(e, c, err, sizeof(err)), 0);
	free(c);
	free(e);
}
