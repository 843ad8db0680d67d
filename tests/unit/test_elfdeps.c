/* ELF dependency closure against the real thing: ldd's answer for real binaries, a binary
 * patched to need a library that does not exist, a static binary, non-ELF input. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/initramfs/elfdeps.h"
#include "tests/unit/tenv.h"

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted unique realpaths, as text, one per line. */
static void canon(char **v, int n, char *out, size_t len)
{
	char **r = calloc((size_t)n, sizeof(*r));
	int m = 0;
	for (int i = 0; i < n; i++) {
		char *p = realpath(v[i], NULL);
		if (p)
			r[m++] = p;
	}
	qsort(r, (size_t)m, sizeof(*r), cmpstr);
	out[0] = '\0';
	for (int i = 0; i < m; i++) {
		if (i && !strcmp(r[i], r[i - 1]))
			continue;
		strncat(out, r[i], len - strlen(out) - 2);
		strcat(out, "\n");
	}
	for (int i = 0; i < m; i++)
		free(r[i]);
	free(r);
}

static void ldd_paths(const char *bin, char *out, size_t len)
{
	char cmd[512], line[1024];
	char *v[256];
	int n = 0;
	snprintf(cmd, sizeof(cmd), "ldd %s", bin);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f) && n < 256) {
		char *arrow = strstr(line, "=> ");
		char *p = arrow ? arrow + 3 : line;
		while (*p == '\t' || *p == ' ')
			p++;
		if (*p != '/')
			continue;
		p[strcspn(p, " \n")] = '\0';
		v[n++] = strdup(p);
	}
	pclose(f);
	canon(v, n, out, len);
	for (int i = 0; i < n; i++)
		free(v[i]);
}

/* prog from PATH, which the Debian package deb provides. */
static const char *which(const char *prog, const char *deb)
{
	static char p[4][4096];
	static int k;
	char *out = p[k++ % 4];
	tenv_which(prog, deb, out, sizeof(p[0]));
	return out;
}

static void check_against_ldd(const char *bin)
{
	struct elf_deps d;
	char err[1024];
	static char ours[16384], theirs[16384];
	cr_assert_eq(elf_deps_resolve(bin, &d, err, sizeof(err)), 0, "%s", err);
	canon(d.paths, d.n, ours, sizeof(ours));
	ldd_paths(bin, theirs, sizeof(theirs));
	cr_expect_str_eq(ours, theirs, "%s:\nours:\n%s\nldd:\n%s", bin, ours, theirs);
	cr_expect_str_eq(d.paths[0], "/lib64/ld-linux-x86-64.so.2", "interpreter comes first");
	elf_deps_free(&d);
}

Test(elfdeps, ls_matches_ldd)
{
	check_against_ldd(which("ls", "coreutils"));
}

Test(elfdeps, qemu_matches_ldd)
{
	check_against_ldd(which("qemu-system-x86_64", "qemu-system-x86"));
}

Test(elfdeps, static_binary_has_no_deps)
{
	struct elf_deps d;
	char err[1024];
	const char *bb = which("busybox", "busybox-static");
	cr_assert_eq(elf_deps_resolve(bb, &d, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(d.n, 0);
	elf_deps_free(&d);
}

Test(elfdeps, missing_soname_is_named)
{
	char dir[512], p[600];
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-elfdeps");
	snprintf(p, sizeof(p), "%s/ls", dir);
	char *buf;
	size_t len;
	cr_assert_eq(fs_read_file(which("ls", "coreutils"), 64 << 20, &buf, &len), 0);
	/* Same length, so .dynstr offsets stay valid. */
	char *s = memmem(buf, len, "libselinux.so.1", 15);
	cr_assert_not_null(s, "ls does not need libselinux here");
	memcpy(s, "libzzzzzzz.so.1", 15);
	cr_assert_eq(fs_write_atomic(p, buf, len, 0755), 0);
	free(buf);
	struct elf_deps d;
	char err[1024];
	cr_expect_eq(elf_deps_resolve(p, &d, err, sizeof(err)), -ENOENT);
	cr_expect_not_null(strstr(err, "libzzzzzzz.so.1"), "error does not name the soname: %s", err);
	cr_expect_eq(d.n, 0);
	fs_rm_rf(dir);
}

Test(elfdeps, non_elf_is_refused)
{
	struct elf_deps d;
	char err[1024];
	char dir[512], p[600];
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-elfdeps");
	snprintf(p, sizeof(p), "%s/text", dir);
	cr_assert_eq(fs_write_atomic(p, "#!/bin/sh\n", 10, 0755), 0);
	cr_expect_eq(elf_deps_resolve(p, &d, err, sizeof(err)), -EINVAL);
	cr_expect_not_null(strstr(err, "not an ELF"), "%s", err);
	snprintf(p, sizeof(p), "%s/missing", dir);
	cr_expect_eq(elf_deps_resolve(p, &d, err, sizeof(err)), -ENOENT);
	fs_rm_rf(dir);
}

Test(elfdeps, ld_library_path_wins_over_the_cache)
{
	char dir[512], p[600];
	const char *ls = which("ls", "coreutils");
	struct elf_deps d;
	char err[1024];
	/* A copy of one of ls's libraries, found where the cache (no LD_LIBRARY_PATH) finds it. */
	cr_assert_eq(elf_deps_resolve(ls, &d, err, sizeof(err)), 0, "%s", err);
	const char *pcre = NULL;
	for (int i = 0; i < d.n && !pcre; i++)
		if (strstr(d.paths[i], "/libpcre2-8.so.0"))
			pcre = d.paths[i];
	cr_assert_not_null(pcre, "ls does not need libpcre2-8 here");
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-llp");
	snprintf(p, sizeof(p), "%s/libpcre2-8.so.0", dir);
	cr_assert_eq(fs_copy_file(pcre, p, 0644), 0);
	elf_deps_free(&d);
	setenv("LD_LIBRARY_PATH", dir, 1);
	cr_assert_eq(elf_deps_resolve(ls, &d, err, sizeof(err)), 0, "%s", err);
	bool found = false;
	for (int i = 0; i < d.n; i++)
		found |= !strcmp(d.paths[i], p);
	cr_expect(found, "LD_LIBRARY_PATH copy of libpcre2 not chosen");
	elf_deps_free(&d);
	unsetenv("LD_LIBRARY_PATH");
	fs_rm_rf(dir);
}
