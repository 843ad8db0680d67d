/* `kernel clean --keep N`: the N newest valid entries stay, corrupt ones never hold a slot,
 * and a source build's build directory goes with its entry. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/cache.h"
#include "tests/unit/tenv.h"

static char root[256];

static void setup(void)
{
	tenv_mkdtemp(root, sizeof(root), "ktstr-test-clean");
}

static void teardown(void)
{
	fs_rm_rf(root);
}

static void entry(const char *key, int created, bool corrupt)
{
	char p[512], m[512];
	snprintf(p, sizeof(p), "%s/kernels/%s", root, key);
	cr_assert_eq(fs_mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/kernels/%s/bzImage", root, key);
	cr_assert_eq(fs_write_atomic(p, "x", 1, 0644), 0);
	snprintf(p, sizeof(p), "%s/kernels/%s/metadata.json", root, key);
	int n = snprintf(m, sizeof(m), corrupt ? "{not json" :
			 "{\"schema\":1,\"key\":\"%s\",\"version\":\"7.2.%d\",\"source\":\"build:source\","
			 "\"image\":\"bzImage\",\"created_unix\":%d}", key, created, created);
	cr_assert_eq(fs_write_atomic(p, m, (size_t)n, 0644), 0);
}

static bool exists(const char *sub)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, sub);
	return access(p, F_OK) == 0;
}

TestSuite(cache_clean, .init = setup, .fini = teardown);

Test(cache_clean, keep_newest_valid_and_drop_corrupt)
{
	entry("old", 100, false);
	entry("mid", 200, false);
	entry("new", 300, false);
	entry("bad", 400, true);
	char bd[512];
	snprintf(bd, sizeof(bd), "%s/builds/old", root);
	cr_assert_eq(fs_mkdir_p(bd, 0755), 0);
	int removed = -1;
	char err[512];
	cr_assert_eq(cache_clean(root, 2, &removed, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(removed, 2);
	cr_expect(exists("kernels/new") && exists("kernels/mid"));
	cr_expect(!exists("kernels/old") && !exists("kernels/bad"));
	cr_expect(!exists("builds/old"), "the build directory goes with its entry");
	cr_assert_eq(cache_clean(root, 0, &removed, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(removed, 2);
	cr_expect(!exists("kernels/new") && !exists("kernels/mid"));
}
