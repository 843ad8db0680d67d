/* Filesystem helpers: atomic write, mkdir -p, rm -rf, copy, FNV-1a hashing. Everything the
 * tool persists goes through fs_write_atomic or a temp-dir-then-rename, so a crash never
 * leaves a half-written file that is later trusted. */
#include "engine/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (!path || !*path)
		return -EINVAL;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				break;
		}
	}
	struct stat st;
	if (stat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int rm_rf_at(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) && errno != ENOENT ? -errno : 0;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = -errno;
		close(fd);
		return e;
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int r = rm_rf_at(fd, de->d_name);
		if (r && !rc)
			rc = r;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) && errno != ENOENT && !rc)
		rc = -errno;
	return rc;
}

int fs_rm_rf(const char *path)
{
	if (!path || !*path || !strcmp(path, "/"))
		return -EINVAL;
	return rm_rf_at(AT_FDCWD, path);
}

int fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) ? -errno : 0;
	close(fd);
	/* Some filesystems refuse fsync on directories; the rename is still ordered. */
	return rc == -EINVAL ? 0 : rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void dir_of(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s", path);
	char *s = strrchr(buf, '/');
	if (!s)
		snprintf(buf, len, ".");
	else if (s == buf)
		buf[1] = '\0';
	else
		*s = '\0';
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	int rc = fs_commit_tmp(fd, tmp, path, write_all(fd, data, len), NULL, 0);
	if (rc)
		return rc;
	dir_of(path, dir, sizeof(dir));
	fs_fsync_dir(dir);
	return 0;
}

int fs_commit_tmp(int fd, const char *tmp, const char *path, int rc, char *err, size_t errlen)
{
	if (!rc && fsync(fd)) {
		rc = -errno;
		if (err)
			snprintf(err, errlen, "fsync %s: %s", tmp, strerror(-rc));
	}
	if (close(fd) && !rc) {
		rc = -errno;
		if (err)
			snprintf(err, errlen, "close %s: %s", tmp, strerror(-rc));
	}
	if (!rc && rename(tmp, path)) {
		rc = -errno;
		if (err)
			snprintf(err, errlen, "rename %s -> %s: %s", tmp, path, strerror(-rc));
	}
	if (rc)
		unlink(tmp);
	return rc;
}

int fs_copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (in < 0)
		return -errno;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		int e = -errno;
		close(in);
		return e;
	}
	char buf[1 << 16];
	int rc = 0;
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (!r)
			break;
		if ((rc = write_all(out, buf, (size_t)r)))
			break;
	}
	if (!rc && fsync(out))
		rc = -errno;
	if (close(out) && !rc)
		rc = -errno;
	close(in);
	if (rc)
		unlink(dst);
	return rc;
}

int fs_read_file(const char *path, size_t max, char **out, size_t *len)
{
	*out = NULL;
	if (len)
		*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st)) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	if (len)
		*len = got;
	return 0;
}

uint64_t fs_du(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return 0;
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	DIR *d = opendir(path);
	if (!d)
		return 0;
	uint64_t sum = 0;
	struct dirent *de;
	char sub[PATH_MAX];
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < (int)sizeof(sub))
			sum += fs_du(sub);
	}
	closedir(d);
	return sum;
}

uint64_t fs_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int fs_hash_file(const char *path, uint64_t *h)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	char buf[1 << 16];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			close(fd);
			return e;
		}
		if (!r)
			break;
		*h = fs_fnv1a(*h, buf, (size_t)r);
	}
	close(fd);
	return 0;
}

static int which_in(const char *dirs, const char *name, char *out, size_t len)
{
	for (const char *p = dirs; p && *p;) {
		const char *e = strchrnul(p, ':');
		struct stat st;
		int n = snprintf(out, len, "%.*s/%s", (int)(e - p), p, name);
		if (e > p && n > 0 && (size_t)n < len && !stat(out, &st) && S_ISREG(st.st_mode) &&
		    !access(out, X_OK))
			return 0;
		p = *e ? e + 1 : e;
	}
	return -ENOENT;
}

int fs_which(const char *name, const char *extra, char *out, size_t len)
{
	if (!which_in(getenv("PATH"), name, out, len) || !which_in(extra, name, out, len))
		return 0;
	if (len)
		out[0] = 0;
	return -ENOENT;
}

void fs_human_size(uint64_t b, char *buf, size_t len)
{
	if (b >= 1024ull * 1024 * 1024)
		snprintf(buf, len, "%.1fG", (double)b / (1024.0 * 1024 * 1024));
	else if (b >= 1024 * 1024)
		snprintf(buf, len, "%.1fM", (double)b / (1024.0 * 1024));
	else
		snprintf(buf, len, "%lluK", (unsigned long long)(b / 1024));
}

void fs_tail(const char *path, int lines, char *buf, size_t len)
{
	char *t = NULL;
	size_t n = 0;
	buf[0] = '\0';
	if (fs_read_file(path, 256 << 20, &t, &n))
		return;
	size_t start = n;
	int seen = 0;
	while (start > 0 && seen < lines)
		if (t[--start] == '\n' && start + 1 < n)
			seen++;
	const char *from = t + start + (t[start] == '\n');
	size_t l = strlen(from);
	if (l + 1 > len)
		from += l + 1 - len;
	snprintf(buf, len, "%s", from);
	free(t);
}
