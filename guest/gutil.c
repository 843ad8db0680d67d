/* Small helpers of the guest init (see gutil.h): the clock, file reads and writes, kernel
 * log, trace and command-line parsing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest/gutil.h"

int64_t gutil_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void gutil_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int gutil_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t w;
	do
		w = write(fd, s, strlen(s));
	while (w < 0 && errno == EINTR);
	int rc = w < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int gutil_read_file(const char *path, char *buf, size_t cap)
{
	if (!cap)
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t o = 0;
	while (o + 1 < cap) {
		ssize_t r = read(fd, buf + o, cap - 1 - o);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		o += (size_t)r;
	}
	close(fd);
	buf[o] = 0;
	while (o && (buf[o - 1] == '\n' || buf[o - 1] == '\r'))
		buf[--o] = 0;
	return (int)o;
}

char *gutil_kmsg_text(char *rec)
{
	char *semi = strchr(rec, ';');
	if (!semi)
		return NULL;
	char *t = semi + 1, *nl = strchr(t, '\n');
	if (nl)
		*nl = 0;
	return t;
}

bool gutil_scx_disabled_line(const char *text, char *name, size_t nlen, char *kind, size_t klen)
{
	static const char pre[] = "sched_ext: BPF scheduler \"";
	const char *p = strstr(text, pre);
	if (!p)
		return false;
	p += sizeof(pre) - 1;
	const char *q = strstr(p, "\" disabled (");
	if (!q)
		return false;
	const char *k = q + strlen("\" disabled (");
	const char *ke = strrchr(k, ')');
	if (!ke)
		return false;
	snprintf(name, nlen, "%.*s", (int)(q - p), p);
	snprintf(kind, klen, "%.*s", (int)(ke - k), k);
	return true;
}

const char *gutil_trace_dump_text(const char *line)
{
	static const char tag[] = "sched_ext_dump: ";
	const char *p = strstr(line, tag);
	return p ? p + sizeof(tag) - 1 : line;
}

bool gutil_cmdline_get(const char *cmdline, const char *key, char *val, size_t vlen)
{
	size_t kl = strlen(key);
	const char *p = cmdline;
	while (p && *p) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			const char *v = p + kl + 1;
			size_t n = strcspn(v, " \n");
			snprintf(val, vlen, "%.*s", (int)n, v);
			return true;
		}
		p = strchr(p, ' ');
	}
	return false;
}
