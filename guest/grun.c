/* The run's data over the control port (guest/grun.h, docs/snapshot.md). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "guest/gctl.h"
#include "guest/gjson.h"
#include "guest/grun.h"
#include "guest/gutil.h"
#include "guest/proto.h"

/* Reads exactly n bytes; a read of 0 means the host is not connected (yet: a restored
 * machine's host connects after it resumes), so it waits and tries again. */
static int read_full(int fd, char *buf, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t r = read(fd, buf + off, n - off);
		if (r > 0)
			off += (size_t)r;
		else if (r == 0 || errno == EAGAIN)
			gutil_sleep_ms(5);
		else if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* The header line, one byte at a time: nothing past its newline may be consumed. */
static int read_header(int fd, char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		int rc = read_full(fd, buf + i, 1);
		if (rc)
			return rc;
		if (buf[i] == '\n') {
			buf[i] = 0;
			return 0;
		}
	}
	return -E2BIG;
}

static unsigned long hex8(const char *p)
{
	char t[9];
	memcpy(t, p, 8);
	t[8] = 0;
	return strtoul(t, NULL, 16);
}

static int mkparents(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		int rc = mkdir(path, 0755);
		*s = '/';
		if (rc && errno != EEXIST)
			return -errno;
	}
	return 0;
}

int grun_extract(const char *a, size_t n, char *err, size_t errlen)
{
	size_t off = 0;
	while (off + 110 <= n) {
		const char *h = a + off;
		if (memcmp(h, "070701", 6)) {
			snprintf(err, errlen, "run archive: bad cpio magic at byte %zu", off);
			return -EINVAL;
		}
		unsigned long mode = hex8(h + 14), fsize = hex8(h + 54), nsize = hex8(h + 94);
		size_t name_off = off + 110, data_off = (name_off + nsize + 3) & ~(size_t)3;
		if (nsize < 1 || data_off > n || fsize > n - data_off) {
			snprintf(err, errlen, "run archive: truncated entry at byte %zu", off);
			return -EINVAL;
		}
		char path[4096];
		snprintf(path, sizeof(path), "/%.*s", (int)nsize - 1, a + name_off);
		if (!strcmp(path, "/TRAILER!!!"))
			return 0;
		if (strstr(path, "/../")) {
			snprintf(err, errlen, "run archive: '%s' climbs out of /", path);
			return -EINVAL;
		}
		const char *data = a + data_off;
		int rc = mkparents(path);
		if (!rc && S_ISDIR(mode)) {
			if (mkdir(path, mode & 07777) && errno != EEXIST)
				rc = -errno;
		} else if (!rc && S_ISLNK(mode)) {
			char target[4096];
			snprintf(target, sizeof(target), "%.*s", (int)fsize, data);
			unlink(path);
			if (symlink(target, path))
				rc = -errno;
		} else if (!rc && S_ISREG(mode)) {
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
			if (fd < 0)
				rc = -errno;
			for (size_t w = 0; !rc && w < fsize;) {
				ssize_t k = write(fd, data + w, fsize - w);
				if (k < 0 && errno != EINTR)
					rc = -errno;
				else if (k > 0)
					w += (size_t)k;
			}
			if (fd >= 0)
				close(fd);
		} /* other kinds (device nodes) are not in a run archive */
		if (rc) {
			snprintf(err, errlen, "run archive: cannot create %s: %s", path, strerror(-rc));
			return rc;
		}
		off = (data_off + fsize + 3) & ~(size_t)3;
	}
	snprintf(err, errlen, "run archive: no TRAILER!!! in %zu bytes", n);
	return -EINVAL;
}

/* Clock, randomness and name from the host: a restored machine has the snapshot's. */
static void take_identity(json_t *o)
{
	json_int_t s = json_integer_value(json_object_get(o, KTSTR_RUN_KEY_REALTIME_S));
	json_int_t us = json_integer_value(json_object_get(o, KTSTR_RUN_KEY_REALTIME_US));
	struct timeval tv = { .tv_sec = (time_t)s, .tv_usec = (suseconds_t)us };
	if (s > 0 && settimeofday(&tv, NULL))
		gctl_log("guest", "settimeofday: %s", strerror(errno));
	const char *seed = json_string_value(json_object_get(o, KTSTR_RUN_KEY_SEED));
	struct { struct rand_pool_info info; unsigned char buf[64]; } rp = { 0 };
	size_t nb = 0;
	for (; seed && seed[2 * nb] && seed[2 * nb + 1] && nb < sizeof(rp.buf); nb++) {
		char t[3] = { seed[2 * nb], seed[2 * nb + 1], 0 };
		rp.buf[nb] = (unsigned char)strtoul(t, NULL, 16);
	}
	int fd = nb ? open("/dev/urandom", O_WRONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		rp.info.entropy_count = (int)nb * 8;
		rp.info.buf_size = (int)nb;
		if (ioctl(fd, RNDADDENTROPY, &rp.info) && write(fd, rp.buf, nb) < 0)
			gctl_log("guest", "cannot reseed /dev/urandom: %s", strerror(errno));
		close(fd);
	}
	const char *name = json_string_value(json_object_get(o, KTSTR_RUN_KEY_HOST));
	if (name && *name && sethostname(name, strnlen(name, 64)))
		gctl_log("guest", "sethostname: %s", strerror(errno));
}

int grun_header(int fd, size_t *out, char *err, size_t errlen)
{
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_WAIT, gutil_now_ns());
	gctl_emit(&j);
	static char hdr[KTSTR_LINE_MAX];
	int rc = read_header(fd, hdr, sizeof(hdr));
	if (rc) {
		snprintf(err, errlen, "cannot read the run header: %s", strerror(-rc));
		return rc;
	}
	json_error_t je;
	json_t *o = json_loads(hdr, 0, &je);
	const char *t = o ? json_string_value(json_object_get(o, KTSTR_MSG_KEY_TYPE)) : NULL;
	json_int_t size = o ? json_integer_value(json_object_get(o, KTSTR_RUN_KEY_SIZE)) : -1;
	if (!t || strcmp(t, KTSTR_CMD_RUN) || size <= 0 || size > KTSTR_RUN_MAX) {
		snprintf(err, errlen, "the host's first line is not a run header: %.200s", hdr);
		json_decref(o);
		return -EPROTO;
	}
	take_identity(o);
	json_decref(o);
	*out = (size_t)size;
	return 0;
}

int grun_archive(int fd, size_t size, char *err, size_t errlen)
{
	char *a = malloc(size);
	if (!a) {
		snprintf(err, errlen, "out of memory for a %zu-byte run archive", size);
		return -ENOMEM;
	}
	int rc = read_full(fd, a, size);
	if (rc)
		snprintf(err, errlen, "cannot read the run archive: %s", strerror(-rc));
	else
		rc = grun_extract(a, size, err, errlen);
	free(a);
	return rc;
}
