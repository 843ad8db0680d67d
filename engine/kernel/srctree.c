/* Kernel source trees (srctree.h). */
#include "engine/kernel/srctree.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/proc.h"

static void make_var(const char *text, const char *name, char *out, size_t len)
{
	out[0] = '\0';
	size_t nl = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, name, nl))
			continue;
		const char *p = l + nl;
		p += strspn(p, " \t");
		if (*p != '=')
			continue;
		p++;
		p += strspn(p, " \t");
		size_t vl = strcspn(p, " \t\r\n");
		snprintf(out, len, "%.*s", (int)vl, p);
		return;
	}
}

int srctree_version(const char *dir, char *ver, size_t len, char *err, size_t errlen)
{
	char p[PATH_MAX], *text = NULL;
	snprintf(p, sizeof(p), "%s/Kconfig", dir);
	bool has_kconfig = !access(p, R_OK);
	snprintf(p, sizeof(p), "%s/Makefile", dir);
	if (!has_kconfig || fs_read_file(p, 1 << 20, &text, NULL)) {
		snprintf(err, errlen, "not a kernel source tree: %s (no %s); give the top directory of "
			 "a Linux source tree", dir, has_kconfig ? "Makefile" : "Kconfig");
		return -ENOENT;
	}
	char v[32], pl[32], sl[32], ev[64];
	make_var(text, "VERSION", v, sizeof(v));
	make_var(text, "PATCHLEVEL", pl, sizeof(pl));
	make_var(text, "SUBLEVEL", sl, sizeof(sl));
	make_var(text, "EXTRAVERSION", ev, sizeof(ev));
	free(text);
	if (!v[0] || !pl[0]) {
		snprintf(err, errlen, "not a kernel source tree: %s (its Makefile sets no VERSION and "
			 "PATCHLEVEL)", dir);
		return -ENOENT;
	}
	snprintf(ver, len, "%s.%s.%s%s", v, pl, sl[0] ? sl : "0", ev);
	return 0;
}

int srctree_check_clean(const char *dir, char *err, size_t errlen)
{
	char p[PATH_MAX];
	const char *marks[] = { ".config", "include/config" };
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, marks[i]);
		if (!access(p, F_OK)) {
			snprintf(err, errlen, "%s was configured in place (%s exists); ktstr builds out of "
				 "tree into its cache and kbuild refuses a configured source tree. Fix: "
				 "`make -C %s mrproper` (save your .config first if you need it)", dir,
				 marks[i], dir);
			return -EINVAL;
		}
	}
	return 0;
}

static uint64_t fp_hash;
static size_t fp_root_len;

static int fp_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	const char *rel = path + fp_root_len;
	if (type == FTW_D && !strcmp(strrchr(path, '/') ? strrchr(path, '/') + 1 : path, ".git"))
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F)
		return FTW_CONTINUE;
	fp_hash = fs_fnv1a(fp_hash, rel, strlen(rel) + 1);
	fp_hash = fs_fnv1a(fp_hash, &st->st_size, sizeof(st->st_size));
	fp_hash = fs_fnv1a(fp_hash, &st->st_mtim, sizeof(st->st_mtim));
	return FTW_CONTINUE;
}

int srctree_fingerprint(const char *dir, uint64_t *fp, char *err, size_t errlen)
{
	/* nftw's order is the directory order, stable for an unchanged tree. */
	fp_hash = FS_FNV_INIT;
	fp_root_len = strlen(dir);
	if (nftw(dir, fp_visit, 64, FTW_PHYS | FTW_ACTIONRETVAL)) {
		int e = errno;
		snprintf(err, errlen, "cannot read the source tree %s: %s", dir, strerror(e));
		return -e;
	}
	*fp = fp_hash;
	return 0;
}

int srctree_git_clone(const char *url, const char *ref, const char *dest, char *commit,
		      size_t clen, char *err, size_t errlen)
{
	char out[4096];
	const char *argv[] = { "git", "clone", "-q", "--depth", "1", "--branch", ref, "--", url,
			       dest, NULL };
	fprintf(stderr, "ktstr: cloning %s at %s\n", url, ref);
	int st = kproc_capture(argv, NULL, out, sizeof(out));
	if (st) {
		fs_rm_rf(dest);
		snprintf(err, errlen, "git clone --depth 1 --branch %s %s failed (%s %d):\n%s"
			 "Fix: check the URL and that %s is a branch or tag of it", ref, url,
			 st < 0 ? "error" : "exit status", st < 0 ? -st : st, out, ref);
		return st == 127 ? -ENOENT : -EIO;
	}
	const char *rev[] = { "git", "-C", dest, "rev-parse", "HEAD", NULL };
	if (kproc_capture(rev, NULL, out, sizeof(out))) {
		fs_rm_rf(dest);
		snprintf(err, errlen, "git rev-parse HEAD in %s failed: %s", dest, out);
		return -EIO;
	}
	snprintf(commit, clen, "%.*s", (int)strcspn(out, "\r\n"), out);
	return 0;
}
