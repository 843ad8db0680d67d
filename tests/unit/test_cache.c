/* Kernel cache on real files: the provisioned test kernel's bzImage, and .debs packaged from
 * it the way Debian sid splits a kernel, imported into a mkdtemp'd KTSTR_CACHE_DIR; corrupt
 * entries, kill-midway and truncated imports, the seed's cache-directory and no-kernel
 * messages word for word. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/kernel/cache.h"
#include "engine/kernel/image.h"
#include "engine/fsutil.h"
#include "tests/unit/tenv.h"

static char root[256];

static void setup(void)
{
	tenv_mkdtemp(root, sizeof(root), "ktstr-test-cache");
	setenv("KTSTR_CACHE_DIR", root, 1);
	unsetenv("KTSTR_TEST_KERNEL");
	unsetenv("KTSTR_KERNEL");
}

static void teardown(void)
{
	fs_rm_rf(root);
}

/* The test kernel as linux-binary + linux-base .debs, in <root>/debs (outside kernels/). */
static void deb_paths(char *bin, char *base, size_t len)
{
	char d[512];
	snprintf(d, sizeof(d), "%s/debs", root);
	cr_assert_eq(fs_mkdir_p(d, 0755), 0);
	tenv_kernel_debs(d, bin, base, len);
}

/* A file that is neither a kernel nor a package, in <root>. */
static const char *text_file(void)
{
	static char p[512];
	snprintf(p, sizeof(p), "%s/text", root);
	cr_assert_eq(fs_write_atomic(p, "CONFIG_X=y\n", 11, 0644), 0);
	return p;
}

/* Names in <root>/kernels, dot entries included. */
static int count_dir(const char *sub, bool dots)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, sub);
	DIR *d = opendir(p);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && (dots || de->d_name[0] != '.'))
			n++;
	closedir(d);
	return n;
}

Test(cache_root, precedence_cache_dir_then_xdg_then_home)
{
	char buf[512], err[1024];
	setenv("KTSTR_CACHE_DIR", "/x/kt", 1);
	setenv("XDG_CACHE_HOME", "/x/xdg", 1);
	setenv("HOME", "/x/home", 1);
	cr_assert_eq(cache_root(buf, sizeof(buf), err, sizeof(err)), 0);
	cr_expect_str_eq(buf, "/x/kt");
	unsetenv("KTSTR_CACHE_DIR");
	cache_root(buf, sizeof(buf), err, sizeof(err));
	cr_expect_str_eq(buf, "/x/xdg/ktstr");
	unsetenv("XDG_CACHE_HOME");
	cache_root(buf, sizeof(buf), err, sizeof(err));
	cr_expect_str_eq(buf, "/x/home/.cache/ktstr");
}

Test(cache_root, home_unset_and_empty_give_the_seed_messages)
{
	char buf[512], err[1024];
	unsetenv("KTSTR_CACHE_DIR");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	cr_assert_eq(cache_root(buf, sizeof(buf), err, sizeof(err)), -ENOENT);
	cr_expect_str_eq(err, "HOME is unset; cannot resolve cache directory. The container init or "
			 "login shell did not assign HOME — set it to an absolute path, or set "
			 "KTSTR_CACHE_DIR to an absolute path (e.g. /tmp/ktstr-cache) or XDG_CACHE_HOME "
			 "to specify a cache location explicitly.");
	setenv("HOME", "", 1);
	cr_assert_eq(cache_root(buf, sizeof(buf), err, sizeof(err)), -ENOENT);
	cr_expect_str_eq(err, "HOME is set to the empty string; cannot resolve cache directory. An "
			 "empty HOME usually means a Dockerfile or shell rc has `export HOME=` or `ENV "
			 "HOME=` with no value. Either set HOME to a real absolute path, or set "
			 "KTSTR_CACHE_DIR to an absolute path (e.g. /tmp/ktstr-cache) or XDG_CACHE_HOME "
			 "to specify a cache location explicitly.");
}

Test(cache_root, unwritable_cache_names_the_directory_and_the_fix, .init = setup, .fini = teardown)
{
	char buf[512], bad[600], err[1024];
	snprintf(bad, sizeof(bad), "%s/ktstr", text_file());
	cr_expect_eq(cache_kernels_dir(bad, buf, sizeof(buf), err, sizeof(err)), -ENOTDIR);
	snprintf(bad, sizeof(bad), "%s/ktstr/kernels", text_file());
	cr_expect_not_null(strstr(err, bad), "%s", err);
	cr_expect_not_null(strstr(err, "KTSTR_CACHE_DIR"), "%s", err);
}

Test(cache, import_bzimage_writes_a_complete_entry, .init = setup, .fini = teardown)
{
	struct kernel_entry e;
	char err[2048], rel[128], prefix[200];
	const char *p[] = { tenv_kernel() };
	tenv_kernel_release(rel, sizeof(rel));
	cr_assert_eq(cache_import(root, p, 1, NULL, &e, err, sizeof(err)), 0, "%s", err);
	cr_expect_not(e.corrupt, "%s", e.error);
	cr_expect_str_eq(e.version, rel);
	cr_expect_str_eq(e.source, "import:bzimage");
	snprintf(prefix, sizeof(prefix), "%s-bzimage-", rel);
	cr_expect_eq(strncmp(e.key, prefix, strlen(prefix)), 0, "key %s", e.key);
	cr_expect(image_is_bzimage(e.image));
	cr_expect_str_neq(e.vmlinux, "");
	cr_expect_str_eq(e.config, "");
	cr_expect(e.has_sched_ext, "no config: sched_ext is read from the BTF");
	cr_expect_gt(e.size_bytes, 70u << 20);
	char *m;
	char mp[600];
	snprintf(mp, sizeof(mp), "%s/metadata.json", e.dir);
	cr_assert_eq(fs_read_file(mp, 1 << 20, &m, NULL), 0);
	const char *keys[] = { "\"schema\": 1", "\"key\"", "\"version\"", "\"source\"",
			       "\"image\": \"bzImage\"", "\"vmlinux\": \"vmlinux\"", "\"config\": null",
			       "\"created\"", "\"size\"", "\"has_sched_ext\": true", "\"ktstr_kconfig_hash\"" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_expect_not_null(strstr(m, keys[i]), "metadata lacks %s:\n%s", keys[i], m);
	free(m);
	cr_expect_eq(count_dir("kernels", true), 1, "temp dirs left behind");

	/* Idempotent: the same image is the same entry. */
	struct kernel_entry e2;
	cr_assert_eq(cache_import(root, p, 1, NULL, &e2, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(e2.key, e.key);
	cr_expect_eq(count_dir("kernels", true), 1);
}

Test(cache, import_split_debian_debs_takes_image_and_config, .init = setup, .fini = teardown)
{
	char bin[512], base[512], err[2048], rel[128], cfg[4096];
	deb_paths(bin, base, sizeof(bin));
	tenv_kernel_release(rel, sizeof(rel));
	tenv_kernel_config(cfg, sizeof(cfg));
	const char *p[] = { bin, base };
	struct kernel_entry e;
	cr_assert_eq(cache_import(root, p, 2, NULL, &e, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(e.source, "import:deb");
	cr_expect_str_eq(e.version, rel);
	cr_expect_str_neq(e.config, "");
	cr_expect(e.has_sched_ext);
	cr_expect_str_neq(e.config_hash, "");
	char *a, *b;
	size_t la, lb;
	cr_assert_eq(fs_read_file(e.config, 1 << 20, &a, &la), 0);
	cr_assert_eq(fs_read_file(cfg, 1 << 20, &b, &lb), 0);
	cr_expect(la == lb && !memcmp(a, b, la), "extracted config differs from %s", cfg);
	free(a);
	free(b);
}

Test(cache, image_only_deb_is_refused_with_the_split_hint, .init = setup, .fini = teardown)
{
	char bin[512], base[512], err[2048];
	deb_paths(bin, base, sizeof(bin));
	const char *p[] = { base };
	struct kernel_entry e;
	cr_expect_eq(cache_import(root, p, 1, NULL, &e, err, sizeof(err)), -ENOENT);
	cr_expect_not_null(strstr(err, "linux-binary-"), "%s", err);
	cr_expect_eq(count_dir("kernels", true), 0);
}

Test(cache, not_a_bzimage_is_refused_without_touching_the_cache, .init = setup, .fini = teardown)
{
	struct kernel_entry e;
	char err[2048];
	const char *p[] = { text_file() };
	cr_expect_eq(cache_import(root, p, 1, NULL, &e, err, sizeof(err)), -EINVAL);
	cr_expect_not_null(strstr(err, "neither a bzImage"), "%s", err);
	cr_expect_eq(count_dir("kernels", true), 0);
}

Test(cache, truncated_deb_fails_and_leaves_no_entry, .init = setup, .fini = teardown)
{
	char bin[512], base[512], cut[600], err[2048], *buf;
	size_t len;
	deb_paths(bin, base, sizeof(bin));
	cr_assert_eq(fs_read_file(bin, 64 << 20, &buf, &len), 0);
	snprintf(cut, sizeof(cut), "%s/cut.deb", root);
	cr_assert_eq(fs_write_atomic(cut, buf, len * 2 / 3, 0644), 0);
	free(buf);
	const char *p[] = { cut, base };
	struct kernel_entry e;
	cr_expect_lt(cache_import(root, p, 2, NULL, &e, err, sizeof(err)), 0);
	cr_expect_not_null(strstr(err, "cut.deb"), "error does not name the file: %s", err);
	cr_expect_eq(count_dir("kernels", true), 0, "a half entry or temp dir remained");
}

Test(cache, import_killed_midway_leaves_no_half_entry, .init = setup, .fini = teardown)
{
	char bin[512], base[512], err[2048];
	deb_paths(bin, base, sizeof(bin));
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *p[] = { bin, base };
		struct kernel_entry e;
		_exit(cache_import(root, p, 2, NULL, &e, err, sizeof(err)) ? 1 : 0);
	}
	/* Kill as soon as the temp dir holds something. */
	for (int i = 0; i < 2000; i++) {
		glob_t g;
		char pat[600];
		snprintf(pat, sizeof(pat), "%s/kernels/.tmp-*/*", root);
		int r = glob(pat, 0, NULL, &g);
		globfree(&g);
		if (!r)
			break;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFSIGNALED(st), "the import finished before it could be killed");
	cr_expect_eq(count_dir("kernels", false), 0, "a half entry is visible");
	struct kernel_entry *v;
	int n;
	cr_assert_eq(cache_list(root, &v, &n, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(n, 0);
	free(v);
	cr_expect_eq(count_dir("kernels", true), 0, "the dead import's temp dir was not swept");
}

static void make_entry(const char *key, const char *meta, bool with_image)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/kernels/%s", root, key);
	cr_assert_eq(fs_mkdir_p(p, 0755), 0);
	if (meta) {
		snprintf(p, sizeof(p), "%s/kernels/%s/metadata.json", root, key);
		cr_assert_eq(fs_write_atomic(p, meta, strlen(meta), 0644), 0);
	}
	if (with_image) {
		snprintf(p, sizeof(p), "%s/kernels/%s/bzImage", root, key);
		cr_assert_eq(fs_write_atomic(p, "x", 1, 0644), 0);
	}
}

#define GOOD_META "{\"schema\":1,\"version\":\"1.0\",\"source\":\"import:bzimage\",\"image\":\"bzImage\",\"created_unix\":5}"

Test(cache, corrupt_entries_carry_stable_error_kinds_and_clean_removes_only_them, .init = setup, .fini = teardown)
{
	make_entry("a-missing", NULL, true);
	make_entry("b-malformed", "{\"schema\":", true);
	make_entry("c-drift", "{\"schema\":99,\"version\":\"1\"}", true);
	make_entry("d-noimage", GOOD_META, false);
	make_entry("e-good", GOOD_META, true);
	struct kernel_entry *v;
	int n;
	char err[2048];
	cr_assert_eq(cache_list(root, &v, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 5);
	const char *want[][2] = { { "a-missing", "missing" }, { "b-malformed", "malformed" },
				  { "c-drift", "schema_drift" }, { "d-noimage", "image_missing" } };
	for (int w = 0; w < 4; w++) {
		bool seen = false;
		for (int i = 0; i < n; i++) {
			if (strcmp(v[i].key, want[w][0]))
				continue;
			seen = true;
			cr_expect(v[i].corrupt, "%s not marked corrupt", v[i].key);
			cr_expect_str_eq(v[i].error_kind, want[w][1], "%s", v[i].key);
		}
		cr_expect(seen, "%s not listed", want[w][0]);
	}
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].key, "b-malformed"))
			cr_expect_eq(strncmp(v[i].error, "metadata.json malformed: ", 25), 0, "%s", v[i].error);
		else if (!strcmp(v[i].key, "e-good"))
			cr_expect_not(v[i].corrupt, "%s", v[i].error);
	char warn[2048];
	cache_list_warnings(root, v, n, warn, sizeof(warn));
	cr_expect_eq(strncmp(warn, "warning: entries marked (corrupt) cannot be used — cached metadata "
			     "is missing, malformed, or references a missing image.", 110), 0, "%s", warn);
	cr_expect_not_null(strstr(warn, "`ktstr kernel clean --corrupt-only --force`"), "%s", warn);
	free(v);

	int removed = 0;
	cr_assert_eq(cache_clean_corrupt(root, &removed, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(removed, 4);
	cr_assert_eq(cache_list(root, &v, &n, err, sizeof(err)), 0);
	cr_expect_eq(n, 1);
	cr_expect_str_eq(v[0].key, "e-good");
	cache_list_warnings(root, v, n, warn, sizeof(warn));
	cr_expect_str_eq(warn, "", "warning printed with no corrupt entry left");
	free(v);
}

Test(cache, resolve_with_nothing_gives_the_no_kernel_found_message, .init = setup, .fini = teardown)
{
	struct kernel_entry e;
	char err[4096];
	make_entry("broken", "{", true); /* corrupt entries are never picked */
	cr_assert_eq(cache_resolve(NULL, &e, err, sizeof(err)), -ENOENT);
	cr_expect_eq(strncmp(err, "no kernel found — ", strlen("no kernel found — ")), 0, "%s", err);
	const char *hint1 = "\n  hint: run `ktstr run --kernel <path-or-key>` to choose a kernel, or "
			    "set KTSTR_TEST_KERNEL=/path/to/bzImage to point at a pre-built bootable "
			    "image directly.\n  hint: set KTSTR_KERNEL to ";
	cr_expect_not_null(strstr(err, hint1), "%s", err);
	cr_expect_not_null(strstr(err, "`ktstr kernel list`"), "%s", err);
	cr_expect_not_null(strstr(err, "`ktstr kernel fetch --debian`"), "%s", err);
	cr_expect_not_null(strstr(err, "`ktstr kernel import PATH`"), "%s", err);
}

Test(cache, resolve_order_spec_then_test_kernel_then_ktstr_kernel_then_newest, .init = setup, .fini = teardown)
{
	struct kernel_entry e, r;
	char err[4096], rel[128];
	const char *bz = tenv_kernel(), *p[] = { bz };
	tenv_kernel_release(rel, sizeof(rel));
	cr_assert_eq(cache_import(root, p, 1, NULL, &e, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cache_resolve(NULL, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(r.key, e.key, "newest entry");
	cr_assert_eq(cache_resolve(e.key, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(r.image, e.image);
	cr_assert_eq(cache_resolve(rel, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(r.key, e.key, "a version names its cached entry");
	cr_assert_eq(cache_resolve(bz, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(r.image, bz);
	cr_expect_str_eq(r.source, "path");
	cr_assert_eq(cache_resolve(e.vmlinux, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(r.vmlinux, e.vmlinux, "a vmlinux path boots as itself (PVH)");

	setenv("KTSTR_KERNEL", e.key, 1);
	cr_assert_eq(cache_resolve(NULL, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(r.key, e.key);
	setenv("KTSTR_TEST_KERNEL", bz, 1);
	cr_assert_eq(cache_resolve(NULL, &r, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(r.image, bz, "KTSTR_TEST_KERNEL wins over KTSTR_KERNEL");
	setenv("KTSTR_TEST_KERNEL", "", 1);
	cr_expect_eq(cache_resolve(NULL, &r, err, sizeof(err)), -EINVAL);
	cr_expect_not_null(strstr(err, "KTSTR_TEST_KERNEL"), "%s", err);
	unsetenv("KTSTR_TEST_KERNEL");
	setenv("KTSTR_KERNEL", "no-such-key", 1);
	cr_expect_eq(cache_resolve(NULL, &r, err, sizeof(err)), -ENOENT);
	cr_expect_not_null(strstr(err, "no-such-key"), "%s", err);
	unsetenv("KTSTR_KERNEL");
	cr_expect_eq(cache_resolve(text_file(), &r, err, sizeof(err)), -EINVAL);

	cr_assert_eq(cache_remove(root, e.key, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(count_dir("kernels", true), 0);
	cr_expect_eq(cache_remove(root, e.key, err, sizeof(err)), -ENOENT);
	cr_expect_eq(cache_remove(root, "../etc", err, sizeof(err)), -EINVAL);
}

/* With its virtio_blk.ko: an entry of a CONFIG_VIRTIO_BLK=m kernel without it is fetched
 * again (tests/unit/test_kmod.c has the module's import). */
Test(cache, fetch_debian_returns_a_cached_sid_kernel_without_the_network, .init = setup, .fini = teardown)
{
	char bin[512], base[512], mods[512], d[300], ko[600], err[4096];
	deb_paths(bin, base, sizeof(bin));
	static const char elf[] = "\177ELF not really a module";
	snprintf(d, sizeof(d), "%s/debs", root);
	snprintf(ko, sizeof(ko), "%s/virtio_blk.ko.xz", d);
	cr_assert_eq(fs_write_atomic(ko, elf, sizeof(elf), 0644), 0); /* plain ELF is kept as is */
	tenv_kernel_modules_deb(d, ko, mods, sizeof(mods));
	const char *p[] = { bin, base, mods };
	struct kernel_entry e, f;
	cr_assert_eq(cache_import(root, p, 3, NULL, &e, err, sizeof(err)), 0, "%s", err);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(cache_fetch_debian(root, &f, err, sizeof(err)), 0, "%s", err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	cr_expect_str_eq(f.key, e.key);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	cr_expect_lt(s, 1.0, "second fetch took %.2f s", s);
	cr_expect_eq(count_dir("apt", true), 0, "apt was run");
}
