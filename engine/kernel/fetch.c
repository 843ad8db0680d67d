/* `ktstr kernel fetch --debian`: Debian sid's cloud kernel (sched_ext, BTF) through the
 * private apt of apt.h, so the system's apt configuration is never touched. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/kernel/apt.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/kmod.h"
#include "engine/kernel/proc.h"
#include "engine/fsutil.h"

static int find_existing(const char *root, const char *version, struct kernel_entry *out)
{
	struct kernel_entry *v;
	int n;
	char err[512];
	if (cache_list(root, &v, &n, err, sizeof(err)))
		return -ENOENT;
	int rc = -ENOENT;
	for (int i = 0; i < n && rc; i++) {
		/* An entry made before entries kept virtio_blk is fetched again (and replaced). */
		if (v[i].corrupt || !v[i].has_sched_ext || kmod_virtio_blk_missing(&v[i]))
			continue;
		if (version ? !strcmp(v[i].version, version)
			    : (!strcmp(v[i].source, "debian:sid") || !strcmp(v[i].source, "import:deb"))) {
			*out = v[i];
			rc = 0;
		}
	}
	free(v);
	return rc;
}

int cache_fetch_debian(const char *root, struct kernel_entry *out, char *err, size_t errlen)
{
	/* Idempotent and fast the second time: a Debian sched_ext kernel already cached is the
	 * answer, without touching the network. */
	if (!find_existing(root, NULL, out))
		return 0;

	struct apt_ctx *c;
	char p[PATH_MAX], dl[PATH_MAX - 64] = "", name[200];
	int rc = apt_open(root, &c, err, errlen);
	if (rc)
		return rc;
	if ((rc = apt_depends_on(c, "linux-image-cloud-amd64", "linux-image-", "-cloud-amd64",
				 name, sizeof(name), err, errlen)))
		goto out;
	const char *ver = name + strlen("linux-image-");
	if (!find_existing(root, ver, out)) {
		rc = 0;
		goto out;
	}
	if (snprintf(dl, sizeof(dl), "%s/dl-XXXXXX", apt_dir(c)) >= (int)sizeof(dl) || !mkdtemp(dl)) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a download directory in %s: %s", apt_dir(c),
			 strerror(errno));
		dl[0] = '\0';
		goto out;
	}
	char bin[256], base[256], img[256], mods[256];
	snprintf(bin, sizeof(bin), "linux-binary-%s", ver);
	snprintf(base, sizeof(base), "linux-base-%s", ver);
	snprintf(img, sizeof(img), "linux-image-%s", ver);
	snprintf(mods, sizeof(mods), "linux-modules-%s", ver);
	fprintf(stderr, "ktstr: downloading %s (%s, %s, %s)\n", ver, bin, base, mods);
	const char *get[] = { bin, base, NULL };
	if (apt_download(c, get, dl, err, errlen)) {
		/* Older layout: linux-image-<ver> holds vmlinuz, config and modules itself. */
		const char *get2[] = { img, NULL };
		if ((rc = apt_download(c, get2, dl, err, errlen)))
			goto out;
	} else {
		/* Only virtio_blk is kept from it (kmod.h); without it the entry still boots,
		 * and only runs with a disk are refused. */
		const char *get3[] = { mods, NULL };
		char merr[512];
		if (apt_download(c, get3, dl, merr, sizeof(merr)))
			fprintf(stderr, "ktstr: warning: %s not downloaded (%s); runs with I/O work "
				"types will be refused on this kernel\n", mods, merr);
	}
	glob_t g;
	snprintf(p, sizeof(p), "%s/*.deb", dl);
	if (glob(p, 0, NULL, &g) || g.gl_pathc == 0) {
		snprintf(err, errlen, "apt-get download left no .deb in %s (log: %s)", dl, apt_log(c));
		rc = -ENOENT;
		goto out;
	}
	rc = cache_import_ex(root, (const char *const *)g.gl_pathv, (int)g.gl_pathc, NULL,
			     "debian:sid", out, err, errlen);
	globfree(&g);
out:
	if (dl[0])
		fs_rm_rf(dl);
	apt_close(c);
	return rc;
}

/* An unpacked linux-source tree already under <root>/src, newest name first. */
static int find_source(const char *srcdir, char *dir, size_t len)
{
	glob_t g;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/linux-source-*/Makefile", srcdir);
	if (glob(p, 0, NULL, &g) || !g.gl_pathc) {
		globfree(&g);
		return -ENOENT;
	}
	const char *best = g.gl_pathv[g.gl_pathc - 1];
	snprintf(dir, len, "%.*s", (int)(strrchr(best, '/') - best), best);
	globfree(&g);
	return 0;
}

int cache_fetch_debian_source(const char *root, char *dir, size_t len, char *err, size_t errlen)
{
	char srcdir[PATH_MAX], pkg[200], dl[PATH_MAX] = "", tmp[PATH_MAX] = "", p[PATH_MAX];
	snprintf(srcdir, sizeof(srcdir), "%s/src", root);
	if (!find_source(srcdir, dir, len))
		return 0;
	struct apt_ctx *c;
	int rc = apt_open(root, &c, err, errlen);
	if (rc)
		return rc;
	if ((rc = apt_depends_on(c, "linux-source", "linux-source-", NULL, pkg, sizeof(pkg), err,
				 errlen)))
		goto out;
	if ((rc = fs_mkdir_p(srcdir, 0755))) {
		snprintf(err, errlen, "cannot create %s: %s", srcdir, strerror(-rc));
		goto out;
	}
	snprintf(dl, sizeof(dl), "%s/.dl-%d", srcdir, (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%d", srcdir, (int)getpid());
	fs_rm_rf(dl);
	fs_rm_rf(tmp);
	if ((rc = fs_mkdir_p(dl, 0755)) || (rc = fs_mkdir_p(tmp, 0755))) {
		snprintf(err, errlen, "cannot create %s: %s", dl, strerror(-rc));
		goto out;
	}
	fprintf(stderr, "ktstr: downloading %s from Debian sid\n", pkg);
	const char *get[] = { pkg, NULL };
	if ((rc = apt_download(c, get, dl, err, errlen)))
		goto out;
	glob_t g;
	snprintf(p, sizeof(p), "%s/%s_*.deb", dl, pkg);
	if (glob(p, 0, NULL, &g) || !g.gl_pathc) {
		globfree(&g);
		snprintf(err, errlen, "apt-get download left no %s .deb in %s", pkg, dl);
		rc = -ENOENT;
		goto out;
	}
	/* The .deb holds usr/src/linux-source-X.Y.tar.xz, which holds the tree. */
	char out_buf[2048];
	const char *sh[] = { "bash", "-c", "set -o pipefail; dpkg-deb --fsys-tarfile \"$1\" | "
			     "tar -xO --wildcards './usr/src/linux-source-*.tar.*' | "
			     "tar -xJ -C \"$2\" --strip-components=1", "sh", g.gl_pathv[0], tmp, NULL };
	fprintf(stderr, "ktstr: unpacking %s\n", strrchr(g.gl_pathv[0], '/') + 1);
	int st = kproc_capture(sh, NULL, out_buf, sizeof(out_buf));
	snprintf(p, sizeof(p), "%s/Makefile", tmp);
	if (st || access(p, R_OK)) {
		snprintf(err, errlen, "extract tarball: unpacking %s failed (%d): %s", g.gl_pathv[0],
			 st, out_buf);
		globfree(&g);
		rc = -EIO;
		goto out;
	}
	/* linux-source-7.2_7.2.13-1_all.deb -> <root>/src/linux-source-7.2.13-1 */
	const char *ver = strchr(strrchr(g.gl_pathv[0], '/'), '_') + 1;
	snprintf(dir, len, "%s/linux-source-%.*s", srcdir, (int)strcspn(ver, "_"), ver);
	globfree(&g);
	if (rename(tmp, dir)) {
		rc = -errno;
		snprintf(err, errlen, "cannot move the tree to %s: %s", dir, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
out:
	if (dl[0])
		fs_rm_rf(dl);
	if (tmp[0])
		fs_rm_rf(tmp);
	apt_close(c);
	return rc;
}
