/* newc ("070701") cpio writer for the guest initramfs: names without a leading '/', each
 * parent directory emitted once, ".." rejected, only regular files, symlinks and
 * directories; TRAILER!!! and padding to 512 bytes; written to path.tmp and renamed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/initramfs/cpio.h"

#define CPIO_MAX_DIRS 4096

struct cpio {
	int fd;
	int err;                  /* first error, sticky */
	unsigned long long off;
	unsigned ino;
	char path[PATH_MAX - 32];
	char tmp[PATH_MAX];
	char *dirs[CPIO_MAX_DIRS];  /* directories already emitted */
	int ndirs;
};

struct cpio *cpio_open(const char *path)
{
	struct cpio *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (snprintf(c->path, sizeof(c->path), "%s", path) >= (int)sizeof(c->path) ||
	    snprintf(c->tmp, sizeof(c->tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(c->tmp)) {
		free(c);
		errno = ENAMETOOLONG;
		return NULL;
	}
	c->fd = open(c->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->fd < 0) {
		int e = errno;
		free(c);
		errno = e;
		return NULL;
	}
	c->ino = 1;
	return c;
}

static int put(struct cpio *c, const void *data, size_t len)
{
	const char *p = data;
	while (len && !c->err) {
		ssize_t w = write(c->fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			c->err = -errno;
			break;
		}
		p += w;
		len -= (size_t)w;
		c->off += (unsigned long long)w;
	}
	return c->err;
}

static int pad4(struct cpio *c)
{
	static const char z[4];
	return put(c, z, (4 - (c->off & 3)) & 3);
}

static int header_dev(struct cpio *c, const char *name, unsigned mode, unsigned long long size,
		      unsigned nlink, unsigned rmaj, unsigned rmin)
{
	char h[111];
	size_t nl = strlen(name) + 1;
	if (size > 0xffffffffULL)
		return c->err = -EFBIG;
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 c->ino++, mode, 0u, 0u, nlink, 0u, (unsigned)size, 0u, 0u, rmaj, rmin, (unsigned)nl, 0u);
	put(c, h, 110);
	put(c, name, nl);
	return pad4(c);
}

static int header(struct cpio *c, const char *name, unsigned mode, unsigned long long size,
		  unsigned nlink)
{
	return header_dev(c, name, mode, size, nlink, 0, 0);
}

/* Canonical archive name: no leading '/', no "." or ".." components, no empty ones. */
static int clean_name(const char *in, char *out, size_t len)
{
	while (*in == '/')
		in++;
	if (!*in || strlen(in) >= len)
		return -EINVAL;
	size_t o = 0;
	const char *p = in;
	while (*p) {
		const char *s = strchr(p, '/');
		size_t cl = s ? (size_t)(s - p) : strlen(p);
		if ((cl == 2 && !strncmp(p, "..", 2)))
			return -EINVAL;
		if (cl && !(cl == 1 && *p == '.')) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, cl);
			o += cl;
		}
		p += cl;
		while (*p == '/')
			p++;
	}
	out[o] = '\0';
	return o ? 0 : -EINVAL;
}

static bool dir_seen(struct cpio *c, const char *name)
{
	for (int i = 0; i < c->ndirs; i++)
		if (!strcmp(c->dirs[i], name))
			return true;
	return false;
}

static int emit_dir(struct cpio *c, const char *name, unsigned mode)
{
	if (dir_seen(c, name))
		return 0;
	if (c->ndirs >= CPIO_MAX_DIRS)
		return c->err = -E2BIG;
	char *d = strdup(name);
	if (!d)
		return c->err = -ENOMEM;
	c->dirs[c->ndirs++] = d;
	return header(c, name, S_IFDIR | (mode & 07777), 0, 2);
}

/* Emits every parent of name not yet in the archive. */
static int parents(struct cpio *c, const char *name)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", name);
	for (char *s = strchr(buf, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		int rc = emit_dir(c, buf, 0755);
		*s = '/';
		if (rc)
			return rc;
	}
	return 0;
}

static int prep(struct cpio *c, const char *name, char *out, size_t len)
{
	if (!c)
		return -EINVAL;
	if (c->err)
		return c->err;
	if (clean_name(name, out, len))
		return -EINVAL; /* bad name is the caller's error, not a broken archive */
	return parents(c, out);
}

int cpio_add_dir(struct cpio *c, const char *name, unsigned mode)
{
	char n[PATH_MAX];
	int rc = prep(c, name, n, sizeof(n));
	return rc ? rc : emit_dir(c, n, mode);
}

int cpio_add_data(struct cpio *c, const char *name, const void *data, size_t len, unsigned mode)
{
	char n[PATH_MAX];
	int rc = prep(c, name, n, sizeof(n));
	if (rc)
		return rc;
	header(c, n, S_IFREG | (mode & 07777), len, 1);
	put(c, data, len);
	return pad4(c);
}

int cpio_add_symlink(struct cpio *c, const char *name, const char *target)
{
	char n[PATH_MAX];
	int rc = prep(c, name, n, sizeof(n));
	if (rc)
		return rc;
	if (!target || !*target)
		return -EINVAL;
	size_t tl = strlen(target);
	header(c, n, S_IFLNK | 0777, tl, 1);
	put(c, target, tl);
	return pad4(c);
}

int cpio_add_file(struct cpio *c, const char *name, const char *host_path, unsigned mode)
{
	char n[PATH_MAX];
	int rc = prep(c, name, n, sizeof(n));
	if (rc)
		return rc;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it. */
	int fd = open(host_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno; /* nothing written yet: the archive stays usable */
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL; /* FIFOs, devices, sockets, directories */
	}
	if (!mode)
		mode = st.st_mode & 07777;
	header(c, n, S_IFREG | (mode & 07777), (unsigned long long)st.st_size, 1);
	char buf[1 << 16];
	unsigned long long left = (unsigned long long)st.st_size;
	while (left && !c->err) {
		ssize_t r = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			c->err = r < 0 ? -errno : -EIO; /* file shrank under us */
			break;
		}
		put(c, buf, (size_t)r);
		left -= (unsigned long long)r;
	}
	close(fd);
	return pad4(c);
}

int cpio_add_chardev(struct cpio *c, const char *name, unsigned mode, unsigned major,
		     unsigned minor)
{
	char n[PATH_MAX];
	int rc = prep(c, name, n, sizeof(n));
	return rc ? rc : header_dev(c, n, S_IFCHR | (mode & 07777), 0, 1, major, minor);
}

int cpio_close(struct cpio *c, bool commit)
{
	if (!c)
		return -EINVAL;
	int rc = 0;
	if (commit) {
		header(c, "TRAILER!!!", 0, 0, 1);
		static const char z[512];
		put(c, z, (512 - (c->off & 511)) & 511);
		if (!c->err && fsync(c->fd))
			c->err = -errno;
		rc = c->err;
	}
	if (close(c->fd) && !rc && commit)
		rc = -errno;
	if (commit && !rc && rename(c->tmp, c->path))
		rc = -errno;
	if (!commit || rc)
		unlink(c->tmp);
	for (int i = 0; i < c->ndirs; i++)
		free(c->dirs[i]);
	free(c);
	return rc;
}
