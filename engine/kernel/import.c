/* Kernel import into the cache: a bzImage (+ optional config) or Debian .deb files (the
 * ar archive's data.tar.* read with libarchive). The entry is assembled in
 * <root>/kernels/.tmp-<pid>-XXXXXX, metadata.json is written last, and the directory is
 * renamed into place, so a failed or killed import never leaves a half entry. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/kernel/btf.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/image.h"
#include "engine/kernel/kmod.h"
#include "engine/fsutil.h"
#include "engine/kernel/lock.h"

#define DEB_MODULES "usr/lib/modules/"

/* dir + "/" + name into buf; the return value is checked so truncation is an error. */
static int pjoin(char *buf, size_t len, const char *dir, const char *name)
{
	return snprintf(buf, len, "%s/%s", dir, name) >= (int)len ? -ENAMETOOLONG : 0;
}

struct deb_found {
	bool image, config, virtio_blk;
	char version[128];
};

static la_ssize_t inner_read(struct archive *a, void *outer, const void **buf)
{
	(void)a;
	static __thread char block[1 << 16];
	la_ssize_t n = archive_read_data((struct archive *)outer, block, sizeof(block));
	*buf = block;
	return n;
}

static int extract_to(struct archive *a, const char *deb, const char *dst, char *err, size_t errlen)
{
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create %s: %s", dst, strerror(e));
		return -e;
	}
	char buf[1 << 16];
	int rc = 0;
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
		if (n < 0) {
			snprintf(err, errlen, "%s is damaged or truncated: reading %s failed: %s",
				 deb, strrchr(dst, '/') + 1, archive_error_string(a));
			rc = -EIO;
			break;
		}
		if (!n)
			break;
		if (write(fd, buf, (size_t)n) != n) {
			rc = -EIO;
			snprintf(err, errlen, "writing %s: %s", dst, strerror(errno));
			break;
		}
	}
	if (!rc && fsync(fd))
		rc = -errno;
	close(fd);
	return rc;
}

/* The current entry's data, whole (a module: small), into a module file of the entry. */
static int extract_module(struct archive *a, const char *deb, const char *dst, char *err,
			  size_t errlen)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int rc = 0;
	for (;;) {
		if (!buf || n == cap) {
			char *nb = buf && cap < (16u << 20) ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				snprintf(err, errlen, "%s: %s is too large or out of memory", deb, dst);
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		la_ssize_t r = archive_read_data(a, buf + n, cap - n);
		if (r < 0) {
			snprintf(err, errlen, "%s is damaged or truncated: reading %s failed: %s", deb,
				 strrchr(dst, '/') + 1, archive_error_string(a));
			rc = -EIO;
			break;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (!rc)
		rc = kmod_write_plain(buf, n, dst, err, errlen);
	free(buf);
	return rc;
}

/* usr/lib/modules/<ver>/<file> -> ver and file, else false. */
static bool modules_path(const char *name, char *ver, size_t vlen, const char **file)
{
	if (!strncmp(name, "./", 2))
		name += 2;
	if (strncmp(name, DEB_MODULES, strlen(DEB_MODULES)))
		return false;
	const char *v = name + strlen(DEB_MODULES), *s = strchr(v, '/');
	if (!s || s == v || strchr(s + 1, '/'))
		return false;
	snprintf(ver, vlen, "%.*s", (int)(s - v), v);
	*file = s + 1;
	return true;
}

static int import_deb(const char *deb, const char *tmpdir, struct deb_found *f, char *err, size_t errlen)
{
	struct archive *outer = archive_read_new(), *inner = NULL;
	struct archive_entry *ae;
	int rc = -EINVAL;
	bool saw_data = false;
	archive_read_support_format_ar(outer);
	if (archive_read_open_filename(outer, deb, 1 << 16) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s is not a Debian package (ar archive): %s", deb,
			 archive_error_string(outer));
		goto out;
	}
	int r;
	while ((r = archive_read_next_header(outer, &ae)) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(ae);
		if (!n || strncmp(n, "data.tar", 8))
			continue;
		saw_data = true;
		inner = archive_read_new();
		archive_read_support_filter_all(inner);
		archive_read_support_format_tar(inner);
		if (archive_read_open(inner, outer, NULL, inner_read, NULL) != ARCHIVE_OK) {
			snprintf(err, errlen, "%s: cannot open %s: %s", deb, n, archive_error_string(inner));
			goto out;
		}
		struct archive_entry *ie;
		int ir;
		while ((ir = archive_read_next_header(inner, &ie)) == ARCHIVE_OK) {
			char ver[128];
			const char *file;
			/* virtio_blk for runs with a disk (kmod.h), decompressed here once. */
			if (archive_entry_filetype(ie) == AE_IFREG &&
			    kmod_is_virtio_blk_path(archive_entry_pathname(ie))) {
				char dst[PATH_MAX];
				if (pjoin(dst, sizeof(dst), tmpdir, KMOD_VIRTIO_BLK) ||
				    (rc = extract_module(inner, deb, dst, err, errlen)))
					goto out;
				rc = -EINVAL;
				f->virtio_blk = true;
				continue;
			}
			if (archive_entry_filetype(ie) != AE_IFREG ||
			    !modules_path(archive_entry_pathname(ie), ver, sizeof(ver), &file))
				continue;
			bool img = !strcmp(file, "vmlinuz"), cfg = !strcmp(file, "config");
			if (!img && !cfg)
				continue;
			if (f->version[0] && strcmp(f->version, ver)) {
				snprintf(err, errlen, "%s carries kernel %s but another package carries %s; "
					 "import packages of one kernel version together", deb, ver, f->version);
				goto out;
			}
			snprintf(f->version, sizeof(f->version), "%s", ver);
			char dst[PATH_MAX];
			if (pjoin(dst, sizeof(dst), tmpdir, img ? "bzImage" : "config") ||
			    (rc = extract_to(inner, deb, dst, err, errlen)))
				goto out;
			rc = -EINVAL;
			if (img)
				f->image = true;
			else
				f->config = true;
		}
		if (ir != ARCHIVE_EOF) {
			snprintf(err, errlen, "%s: %s is damaged or truncated: %s", deb, n,
				 archive_error_string(inner));
			goto out;
		}
		break;
	}
	if (!saw_data) {
		snprintf(err, errlen, "%s: no data.tar.* member; the package is truncated or not a "
			 "Debian package%s%s", deb, r == ARCHIVE_OK || r == ARCHIVE_EOF ? "" : ": ",
			 r == ARCHIVE_OK || r == ARCHIVE_EOF ? "" : archive_error_string(outer));
		goto out;
	}
	rc = 0;
out:
	if (inner)
		archive_read_free(inner);
	archive_read_free(outer);
	return rc;
}

static bool is_ar(const char *path)
{
	char m[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	bool ok = read(fd, m, 8) == 8 && !memcmp(m, "!<arch>\n", 8);
	close(fd);
	return ok;
}

static bool config_has_sched_ext(const char *cfg)
{
	char *t = NULL;
	bool y = false;
	if (!fs_read_file(cfg, 8 << 20, &t, NULL))
		y = !strncmp(t, "CONFIG_SCHED_CLASS_EXT=y\n", 25) ||
		    strstr(t, "\nCONFIG_SCHED_CLASS_EXT=y\n") != NULL;
	free(t);
	return y;
}

/* The new entry holds a module the cached one of the same key lacks (made before entries
 * kept modules): the re-import replaces it instead of reusing it. */
static bool adds_module(const char *tmp, const char *final)
{
	char a[PATH_MAX], b[PATH_MAX];
	return !pjoin(a, sizeof(a), tmp, KMOD_VIRTIO_BLK) && !access(a, R_OK) &&
	       !pjoin(b, sizeof(b), final, KMOD_VIRTIO_BLK) && access(b, R_OK);
}

int cache_import(const char *root, const char *const *paths, int npaths, const char *config,
		 struct kernel_entry *out, char *err, size_t errlen)
{
	return cache_import_ex(root, paths, npaths, config, NULL, out, err, errlen);
}

int cache_import_ex(const char *root, const char *const *paths, int npaths, const char *config,
		    const char *source, struct kernel_entry *out, char *err, size_t errlen)
{
	/* kdir is kept short of PATH_MAX so every path built from it fits. */
	char kdir[PATH_MAX - 256], tmp[PATH_MAX - 128], p[PATH_MAX], final[PATH_MAX];
	int rc;
	struct ktstr_lock lk = { 0 };
	if (npaths < 1) {
		snprintf(err, errlen, "nothing to import: give a bzImage or Debian kernel .deb files");
		return -EINVAL;
	}
	/* Validate inputs before touching the cache. */
	bool deb = false;
	for (int i = 0; i < npaths; i++) {
		if (access(paths[i], R_OK)) {
			int e = errno;
			snprintf(err, errlen, "cannot read %s: %s", paths[i], strerror(e));
			return -e;
		}
		if (is_ar(paths[i])) {
			deb = true;
		} else if (!image_is_bzimage(paths[i])) {
			snprintf(err, errlen, "%s is neither a bzImage (no \"HdrS\" setup header at 0x202) "
				 "nor a Debian .deb; pass a kernel's arch/x86/boot/bzImage, a distribution "
				 "vmlinuz, or linux-image/linux-binary .deb files", paths[i]);
			return -EINVAL;
		} else if (npaths > 1) {
			snprintf(err, errlen, "import one bzImage at a time (%d paths given); use "
				 "--config FILE for its config", npaths);
			return -EINVAL;
		}
	}
	if (config && access(config, R_OK)) {
		int e = errno;
		snprintf(err, errlen, "--config %s: %s", config, strerror(e));
		return -e;
	}
	if ((rc = cache_kernels_dir(root, kdir, sizeof(kdir), err, errlen)))
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s/.tmp-%d-XXXXXX", kdir, (int)getpid()) >= (int)sizeof(tmp) ||
	    !mkdtemp(tmp)) {
		snprintf(err, errlen, "cannot create a temporary directory in %s: %s (set "
			 "KTSTR_CACHE_DIR to a writable directory)", kdir, strerror(errno));
		return -EIO;
	}

	chmod(tmp, 0755); /* mkdtemp makes it 0700; the entry is readable like the rest */
	struct kernel_entry e;
	memset(&e, 0, sizeof(e));
	pjoin(e.image, sizeof(e.image), tmp, "bzImage");
	if (deb) {
		struct deb_found f = { 0 };
		for (int i = 0; i < npaths; i++)
			if ((rc = import_deb(paths[i], tmp, &f, err, errlen)))
				goto fail;
		if (!f.image) {
			snprintf(err, errlen, "no usr/lib/modules/<version>/vmlinuz in %s%s; Debian sid "
				 "splits the kernel: pass linux-binary-<ver>_*.deb (the image) together "
				 "with linux-base-<ver>_*.deb (its config) and linux-modules-<ver>_*.deb "
				 "(virtio_blk, for I/O work types)", paths[0],
				 npaths > 1 ? " and the other packages" : "");
			rc = -ENOENT;
			goto fail;
		}
		if (!image_is_bzimage(e.image)) {
			snprintf(err, errlen, "the vmlinuz in %s is not a bzImage", paths[0]);
			rc = -EINVAL;
			goto fail;
		}
		snprintf(e.version, sizeof(e.version), "%s", f.version);
		snprintf(e.source, sizeof(e.source), "import:deb");
		if (f.config)
			pjoin(e.config, sizeof(e.config), tmp, "config");
	} else {
		if ((rc = fs_copy_file(paths[0], e.image, 0644))) {
			snprintf(err, errlen, "copying %s into the cache: %s", paths[0], strerror(-rc));
			goto fail;
		}
		snprintf(e.source, sizeof(e.source), "import:bzimage");
		image_version(e.image, e.version, sizeof(e.version));
		if (!e.version[0])
			snprintf(e.version, sizeof(e.version), "unknown");
	}
	if (config) {
		pjoin(e.config, sizeof(e.config), tmp, "config");
		if ((rc = fs_copy_file(config, e.config, 0644))) {
			snprintf(err, errlen, "copying --config %s: %s", config, strerror(-rc));
			goto fail;
		}
	}

	/* The vmlinux boots faster (PVH) and carries the BTF; a kernel we cannot decompress
	 * still boots as a bzImage, so its absence is not fatal. */
	pjoin(p, sizeof(p), tmp, "vmlinux");
	char xerr[512];
	if (!btf_extract_vmlinux(e.image, p, xerr, sizeof(xerr)))
		snprintf(e.vmlinux, sizeof(e.vmlinux), "%s", p);
	else
		fprintf(stderr, "ktstr: warning: no vmlinux extracted (%s); the entry boots from the "
			"bzImage and has no BTF\n", xerr);

	if (e.config[0]) {
		e.has_sched_ext = config_has_sched_ext(e.config);
		uint64_t h = FS_FNV_INIT;
		fs_hash_file(e.config, &h);
		snprintf(e.config_hash, sizeof(e.config_hash), "%016llx", (unsigned long long)h);
	} else if (e.vmlinux[0]) {
		/* No config: struct sched_ext_ops exists only with CONFIG_SCHED_CLASS_EXT=y.
		 * Scx kfunc names are no proof either way: a broken build has only the
		 * *_impl twins. */
		e.has_sched_ext = btf_has_sched_ext(e.vmlinux) > 0;
	}

	if (source)
		snprintf(e.source, sizeof(e.source), "%s", source);
	uint64_t ih = FS_FNV_INIT;
	if ((rc = fs_hash_file(e.image, &ih))) {
		snprintf(err, errlen, "hashing %s: %s", e.image, strerror(-rc));
		goto fail;
	}
	/* The same image with a different config is a different entry. */
	if (e.config[0])
		fs_hash_file(e.config, &ih);
	snprintf(e.key, sizeof(e.key), "%.80s-%s-%08llx", e.version, deb ? "deb" : "bzimage",
		 (unsigned long long)(ih & 0xffffffffULL));
	for (char *c = e.key; *c; c++)
		if (*c == '/' || *c == ' ')
			*c = '_';
	if (snprintf(final, sizeof(final), "%s/%s", kdir, e.key) >= (int)sizeof(final)) {
		rc = -ENAMETOOLONG;
		snprintf(err, errlen, "cache path too long for %s", e.key);
		goto fail;
	}
	struct stat st;
	/* Publishing holds the entry's lock EX (runs hold it SH, rm EX); reusing a good entry
	 * needs no lock, so re-importing never waits for runs. Checked again under the lock. */
	struct kernel_entry cur;
	if (!stat(final, &st) && !cache_read_entry(final, e.key, &cur) && !cur.corrupt &&
	    !adds_module(tmp, final)) {
		fs_rm_rf(tmp);
		*out = cur;
		return 0;
	}
	if ((rc = lock_kernel_entry(root, e.key, LOCK_EX, &lk, err, errlen)))
		goto fail;
	if (!stat(final, &st)) {
		/* Same image already cached: reuse it unless it is corrupt. */
		struct kernel_entry old;
		cache_read_entry(final, e.key, &old);
		if (!old.corrupt && !adds_module(tmp, final)) {
			lock_release(&lk);
			fs_rm_rf(tmp);
			*out = old;
			return 0;
		}
		char junk[PATH_MAX];
		if (snprintf(junk, sizeof(junk), "%s/.tmp-%d-old-XXXXXX", kdir, (int)getpid()) >=
		    (int)sizeof(junk) || !mkdtemp(junk) || rename(final, junk)) {
			rc = -errno;
			snprintf(err, errlen, "cannot replace %s entry %s: %s",
				 old.corrupt ? "corrupt" : "module-less", final, strerror(errno));
			goto fail;
		}
		fs_rm_rf(junk);
	}

	if ((rc = cache_finish_entry(tmp, &e, err, errlen)))
		goto fail;
	if (rename(tmp, final)) {
		rc = -errno;
		if (rc == -EEXIST || rc == -ENOTEMPTY) {
			/* A concurrent import of the same files won the race: use its entry. */
			lock_release(&lk);
			fs_rm_rf(tmp);
			cache_read_entry(final, e.key, out);
			if (!out->corrupt)
				return 0;
		}
		snprintf(err, errlen, "cannot move the new entry into %s: %s", final, strerror(errno));
		goto fail;
	}
	fs_fsync_dir(kdir);
	lock_release(&lk);
	cache_read_entry(final, e.key, out);
	return 0;
fail:
	lock_release(&lk);
	fs_rm_rf(tmp);
	return rc ? rc : -EIO;
}
