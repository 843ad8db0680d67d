/* The test kernel's BTF (see kbtf.h). */
#include "tests/unit/kbtf.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>

#include "tests/unit/tenv.h"

struct btf *kbtf(void)
{
	static struct btf *b;
	if (b)
		return b;
	char path[4096];
	tenv_kernel_vmlinux(path, sizeof(path));
	b = btf__parse(path, NULL);
	cr_assert_not_null(b, "btf__parse %s: %d", path, -errno);
	return b;
}

bool kbtf_has_func(const char *name, void *btf)
{
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

bool kbtf_has_tracepoint(const char *name, void *btf)
{
	char t[256];
	snprintf(t, sizeof(t), "btf_trace_%s", name);
	return btf__find_by_name_kind(btf, t, BTF_KIND_TYPEDEF) > 0;
}
