/* Pure helpers of the guest init (see gutil.h): CPU lists, file reads, line splitting,
 * kernel log and trace line parsing. */
#include <sys/prctl.h>
#include <signal.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/gutil.h"

int gcpu_parse(const char *s, uint64_t *mask)
{
	memset(mask, 0, GCPU_WORDS * sizeof(uint64_t));
	const char *p = s;
	int n = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n')
		return 0;
	for (;;) {
		char *end;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		long a = strtol(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			b = strtol(p, &end, 10);
			p = end;
		}
		if (a < 0 || b < a || b >= GCPU_MAX)
			return -EINVAL;
		for (long c = a; c <= b; c++) {
			if (!gcpu_isset(mask, (int)c))
				n++;
			gcpu_set(mask, (int)c);
		}
		if (*p == ',') {
			p++;
			continue;
		}
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		return *p ? -EINVAL : n;
	}
}

int gcpu_count(const uint64_t *mask)
{
	int n = 0;
	for (int i = 0; i < GCPU_WORDS; i++)
		n += __builtin_popcountll(mask[i]);
	return n;
}

size_t gcpu_format(const uint64_t *mask, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return 0;
	out[0] = 0;
	for (int c = 0; c < GCPU_MAX; c++) {
		if (!gcpu_isset(mask, c))
			continue;
		int e = c;
		while (e + 1 < GCPU_MAX && gcpu_isset(mask, e + 1))
			e++;
		char tmp[32];
		int l = e > c ? snprintf(tmp, sizeof(tmp), "%s%d-%d", o ? "," : "", c, e)
			      : snprintf(tmp, sizeof(tmp), "%s%d", o ? "," : "", c);
		if (o + (size_t)l + 1 > cap)
			break; /* bounded: a cut list is still a valid list */
		memcpy(out + o, tmp, (size_t)l + 1);
		o += (size_t)l;
		c = e;
	}
	return o;
}

int g_read_file(const char *path, char *buf, size_t cap)
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

void gline_feed(struct gline *l, const char *data, size_t n, void (*fn)(const char *, bool, void *),
		void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		if (c == '\n') {
			if (!l->skipping) {
				if (l->len && l->buf[l->len - 1] == '\r')
					l->len--;
				l->buf[l->len] = 0;
				fn(l->buf, false, ctx);
			}
			l->len = 0;
			l->skipping = false;
			continue;
		}
		if (l->skipping)
			continue;
		if (l->len == GLINE_MAX) {
			l->buf[l->len] = 0;
			l->too_long = true;
			fn(l->buf, true, ctx);
			l->len = 0;
			l->skipping = true;
			continue;
		}
		l->buf[l->len++] = c;
	}
}

void gline_flush(struct gline *l, void (*fn)(const char *, bool, void *), void *ctx)
{
	if (l->len && !l->skipping) {
		l->buf[l->len] = 0;
		fn(l->buf, false, ctx);
	}
	l->len = 0;
	l->skipping = false;
}

char *g_kmsg_text(char *rec)
{
	char *semi = strchr(rec, ';');
	if (!semi)
		return NULL;
	char *t = semi + 1, *nl = strchr(t, '\n');
	if (nl)
		*nl = 0;
	return t;
}

bool g_scx_disabled_line(const char *text, char *name, size_t nlen, char *kind, size_t klen)
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

const char *g_trace_dump_text(const char *line)
{
	static const char tag[] = "sched_ext_dump: ";
	const char *p = strstr(line, tag);
	return p ? p + sizeof(tag) - 1 : line;
}

bool g_cmdline_get(const char *cmdline, const char *key, char *val, size_t vlen)
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

void g_child_setup(void)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}
