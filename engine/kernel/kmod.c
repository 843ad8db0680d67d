/* The virtio_blk module of a cache entry (see kmod.h): found in a Debian package,
 * decompressed with libarchive's raw format (xz, zstd or gzip filter), and looked up for a
 * run that attaches a disk. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/kmod.h"

#define KMOD_MAX (64u << 20) /* a decompressed module; virtio_blk is ~60 KB */

char kmod_virtio_blk_config(const struct kernel_entry *e)
{
	char *t = NULL;
	char v = '?';
	if (!e->config[0] || fs_read_file(e->config, 8 << 20, &t, NULL))
		return '?';
	static const char key[] = "CONFIG_VIRTIO_BLK=";
	for (char *l = t; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, sizeof(key) - 1))
			v = l[sizeof(key) - 1] == 'y' ? 'y' : l[sizeof(key) - 1] == 'm' ? 'm' : '?';
		else if (!strncmp(l, "# CONFIG_VIRTIO_BLK is not set", 30))
			v = 'n';
	}
	free(t);
	return v;
}

static void module_path(const struct kernel_entry *e, char *p, size_t len)
{
	snprintf(p, len, "%s/%s", e->dir, KMOD_VIRTIO_BLK);
}

bool kmod_virtio_blk_missing(const struct kernel_entry *e)
{
	char p[PATH_MAX];
	module_path(e, p, sizeof(p));
	return kmod_virtio_blk_config(e) == 'm' && access(p, R_OK);
}

int kmod_virtio_blk_for_run(const struct kernel_entry *e, char *path, size_t len, char *err,
			    size_t errlen)
{
	char p[PATH_MAX];
	path[0] = '\0';
	module_path(e, p, sizeof(p));
	/* A module in the entry is used even without a config that asks for it. */
	if (e->dir[0] && !access(p, R_OK)) {
		snprintf(path, len, "%s", p);
		return 0;
	}
	char c = kmod_virtio_blk_config(e);
	if (c == 'm') {
		bool deb = !strcmp(e->source, "debian:sid") || !strcmp(e->source, "import:deb");
		snprintf(err, errlen, "the scenario's I/O work types need a disk (/dev/vda), and kernel "
			 "'%s' builds virtio-blk as a module (CONFIG_VIRTIO_BLK=m) that its cache "
			 "entry does not hold (entries made before ktstr kept it); %s", e->key,
			 deb ? "refresh the entry: ktstr kernel fetch --debian (it re-fetches an "
			       "entry without the module)" :
			       "use a kernel with CONFIG_VIRTIO_BLK=y (ktstr kernel build sets it), or "
			       "fetch Debian's: ktstr kernel fetch --debian");
		return -ENOENT;
	}
	if (c == 'n') {
		snprintf(err, errlen, "the scenario's I/O work types need a disk (/dev/vda), and kernel "
			 "'%s' has no virtio-blk driver (CONFIG_VIRTIO_BLK is not set); use a kernel "
			 "with CONFIG_VIRTIO_BLK=y (ktstr kernel build sets it)", e->key);
		return -EINVAL;
	}
	return 0;
}

bool kmod_is_virtio_blk_path(const char *name)
{
	static const char pre[] = "usr/lib/modules/", mid[] = "/kernel/drivers/block/virtio_blk.ko";
	if (!strncmp(name, "./", 2))
		name += 2;
	if (strncmp(name, pre, sizeof(pre) - 1))
		return false;
	const char *v = name + sizeof(pre) - 1, *s = strchr(v, '/');
	if (!s || s == v || strncmp(s, mid, sizeof(mid) - 1))
		return false;
	const char *ext = s + sizeof(mid) - 1;
	return !*ext || !strcmp(ext, ".xz") || !strcmp(ext, ".zst") || !strcmp(ext, ".gz");
}

/* Plain ELF stays as it is; anything else goes through libarchive's filters. */
static int decompress(const void *data, size_t len, char **out, size_t *olen, char *err,
		      size_t errlen)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	int rc = -EINVAL;
	size_t cap = 1 << 18, n = 0;
	char *buf = malloc(cap);
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (!buf || archive_read_open_memory(a, data, len) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ae) != ARCHIVE_OK) {
		snprintf(err, errlen, "cannot decompress virtio_blk.ko: %s",
			 buf ? archive_error_string(a) : "out of memory");
		goto out;
	}
	for (;;) {
		if (n == cap) {
			char *nb = cap >= KMOD_MAX ? NULL : realloc(buf, cap * 2);
			if (!nb) {
				snprintf(err, errlen, "virtio_blk.ko decompresses to more than %u MiB",
					 KMOD_MAX >> 20);
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		la_ssize_t r = archive_read_data(a, buf + n, cap - n);
		if (r < 0) {
			snprintf(err, errlen, "cannot decompress virtio_blk.ko: %s", archive_error_string(a));
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n < 4 || memcmp(buf, "\177ELF", 4)) {
		snprintf(err, errlen, "virtio_blk.ko in the package is not an ELF module once "
			 "decompressed");
		goto out;
	}
	*out = buf;
	*olen = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	archive_read_free(a);
	return rc;
}

int kmod_write_plain(const void *data, size_t len, const char *dst, char *err, size_t errlen)
{
	char *plain = NULL;
	size_t plen = len;
	int rc;
	if (len >= 4 && !memcmp(data, "\177ELF", 4))
		plen = len;
	else if ((rc = decompress(data, len, &plain, &plen, err, errlen)))
		return rc;
	rc = fs_write_atomic(dst, plain ? plain : data, plen, 0644);
	if (rc)
		snprintf(err, errlen, "cannot write %s: %s", dst, strerror(-rc));
	free(plain);
	return rc;
}
