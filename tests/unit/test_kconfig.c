/* Kconfig fragments: the embedded ktstr.kconfig, merging over a .config, the survivors check
 * with the reason read from a tree's Kconfig files, bad fragment lines, and how a built
 * entry becomes "stale kconfig" with the seed's warning. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/kconfig.h"
#include "tests/unit/tenv.h"

static char dir[256];

static void setup(void)
{
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-kconfig");
}

static void teardown(void)
{
	fs_rm_rf(dir);
}

static void put(const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	cr_assert_eq(fs_mkdir_p(p, 0755), 0);
	*slash = '/';
	cr_assert_eq(fs_write_atomic(p, text, strlen(text), 0644), 0, "%s", p);
}

static char *get(const char *name)
{
	char p[512], *t = NULL;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	cr_assert_eq(fs_read_file(p, 1 << 20, &t, NULL), 0);
	return t;
}

TestSuite(kconfig, .init = setup, .fini = teardown);

Test(kconfig, embedded_fragment_has_what_a_guest_needs)
{
	const char *must[] = { "CONFIG_SCHED_CLASS_EXT=y", "CONFIG_DEBUG_INFO_BTF=y", "CONFIG_PVH=y",
			       "CONFIG_VIRTIO_CONSOLE=y", "CONFIG_KALLSYMS_ALL=y", "CONFIG_NUMA=y" };
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		cr_expect(strstr(ktstr_kconfig_text, must[i]) != NULL, "%s missing", must[i]);
	cr_expect_neq(kconfig_fragment_hash(), 0);
}

Test(kconfig, merge_replaces_and_appends_later_fragment_wins)
{
	put(".config", "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"x\"\nCONFIG_KEEP=m\n");
	char p[512], err[512];
	snprintf(p, sizeof(p), "%s/.config", dir);
	const char *frags[] = { "CONFIG_B=y\n# CONFIG_A is not set\nCONFIG_NEW=42\n",
				"CONFIG_NEW=7\n# comment\n" };
	cr_assert_eq(kconfig_merge(p, frags, 2, err, sizeof(err)), 0, "%s", err);
	char *t = get(".config");
	cr_expect(strstr(t, "CONFIG_KEEP=m\n") && strstr(t, "CONFIG_C=\"x\"\n"), "%s", t);
	cr_expect(strstr(t, "CONFIG_B=y\n") && strstr(t, "# CONFIG_A is not set\n"), "%s", t);
	cr_expect(strstr(t, "CONFIG_NEW=7\n") && !strstr(t, "CONFIG_NEW=42"), "%s", t);
	cr_expect(!strstr(t, "CONFIG_A=y") && !strstr(t, "# CONFIG_B is not set"), "%s", t);
	free(t);
}

Test(kconfig, lost_options_named_with_kconfig_reason)
{
	put("src/Kconfig", "source \"kernel/Kconfig.x\"\n");
	put("src/kernel/Kconfig.x", "config FOO\n\tbool \"foo\"\n\tdepends on BAR && !BAZ\n\n"
	    "config BAR\n\tbool \"bar\"\n");
	put(".config", "# CONFIG_FOO is not set\nCONFIG_SCHED_CLASS_EXT=y\n");
	char cfg[512], src[512], out[2048];
	snprintf(cfg, sizeof(cfg), "%s/.config", dir);
	snprintf(src, sizeof(src), "%s/src", dir);
	int req;
	int n = kconfig_lost(cfg, "CONFIG_FOO=y\nCONFIG_SCHED_CLASS_EXT=y\nCONFIG_GONE=y\n"
			     "CONFIG_DEBUG_INFO_BTF=y\n", src, out, sizeof(out), &req);
	cr_expect_eq(n, 3, "%s", out);
	cr_expect_eq(req, 1, "only DEBUG_INFO_BTF is required: %s", out);
	cr_expect(strstr(out, "CONFIG_FOO=y did not survive olddefconfig (now: not set; Kconfig: "
			 "depends on BAR && !BAZ)"), "%s", out);
	cr_expect(strstr(out, "CONFIG_GONE=y did not survive olddefconfig (now: not set; no such "
			 "option in this tree)"), "%s", out);
	cr_expect(!strstr(out, "SCHED_CLASS_EXT"), "%s", out);
}

Test(kconfig, bad_fragment_line_named)
{
	put("frag", "CONFIG_OK=y\n\n# fine\nCONFIG_BAD y\n");
	char p[512], err[512], *text = NULL;
	uint64_t h;
	snprintf(p, sizeof(p), "%s/frag", dir);
	cr_expect_eq(kconfig_read_fragment(p, &text, &h, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "frag:4: 'CONFIG_BAD y' is not a kconfig line"), "%s", err);
	cr_expect_null(text);
	put("frag", "CONFIG_OK=y\n# CONFIG_NO is not set\n");
	cr_expect_eq(kconfig_read_fragment(p, &text, &h, err, sizeof(err)), 0, "%s", err);
	free(text);
}

/* A built entry made with another fragment: listed stale, with the seed's warning. */
Test(kconfig, stale_built_entry_warns_in_seed_words)
{
	char kd[512];
	snprintf(kd, sizeof(kd), "%s/kernels/7.2.13-source-1-kc0", dir);
	put("kernels/7.2.13-source-1-kc0/bzImage", "x");
	put("kernels/7.2.13-source-1-kc0/metadata.json",
	    "{\"schema\":1,\"key\":\"7.2.13-source-1-kc0\",\"version\":\"7.2.13\",\"source\":"
	    "\"build:source\",\"image\":\"bzImage\",\"created_unix\":1,\"has_sched_ext\":true,"
	    "\"ktstr_kconfig_hash\":\"0000000000000001\",\"build\":{\"src\":\"/x\",\"pahole\":"
	    "\"1.32\",\"secs\":600,\"jobs\":2,\"extra_kconfig\":\"/y\",\"log\":\"build.log\"}}");
	struct kernel_entry *v;
	int n;
	char err[512], warn[2048];
	cr_assert_eq(cache_list(dir, &v, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 1);
	cr_expect(v[0].stale_kconfig && v[0].build.built && !v[0].corrupt);
	cr_expect_str_eq(v[0].build.pahole, "1.32");
	cr_expect_eq(v[0].build.secs, 600);
	cache_list_warnings(dir, v, n, warn, sizeof(warn));
	cr_expect(strstr(warn, "warning: entries marked (stale kconfig) were built against a "
			 "different ktstr.kconfig. Rebuild with: kernel build --force --kernel "
			 "<entry version> (add --extra-kconfig PATH if the entry also carries the "
			 "(extra kconfig) tag)."), "%s", warn);
	free(v);
	/* The same entry recorded with this fragment's hash is fresh. */
	char meta[1024];
	snprintf(meta, sizeof(meta),
		 "{\"schema\":1,\"key\":\"k\",\"version\":\"7.2.13\",\"source\":\"build:source\","
		 "\"image\":\"bzImage\",\"created_unix\":1,\"ktstr_kconfig_hash\":\"%016llx\","
		 "\"build\":{}}", (unsigned long long)kconfig_fragment_hash());
	put("kernels/7.2.13-source-1-kc0/metadata.json", meta);
	cr_assert_eq(cache_list(dir, &v, &n, err, sizeof(err)), 0, "%s", err);
	cr_expect(!v[0].stale_kconfig);
	free(v);
	(void)kd;
}
