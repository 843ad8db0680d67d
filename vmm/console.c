/* Line splitting for the VM's byte streams, and the console: a ring of the newest kernel
 * console lines capped in lines and bytes, mirrored to run_dir/console.log (capped too).
 * The guest is untrusted: no line, ring or file grows without a bound. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/vm_priv.h"

int vm_linebuf_init(struct vm_linebuf *lb, size_t max, bool sanitize)
{
	memset(lb, 0, sizeof(*lb));
	lb->buf = malloc(max + 1);
	if (!lb->buf)
		return -ENOMEM;
	lb->max = max;
	lb->sanitize = sanitize;
	return 0;
}

void vm_linebuf_done(struct vm_linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
	lb->len = 0;
}

static void emit(struct vm_linebuf *lb, vm_line_fn fn, void *ctx)
{
	if (lb->len && lb->buf[lb->len - 1] == '\r') /* serial lines end in \r\n */
		lb->len--;
	lb->buf[lb->len] = '\0';
	if (fn)
		fn(ctx, lb->buf);
	lb->len = 0;
}

void vm_linebuf_feed(struct vm_linebuf *lb, const char *data, size_t n, vm_line_fn fn, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		if (c == '\n') {
			if (lb->dropping)
				lb->dropping = false;
			else
				emit(lb, fn, ctx);
			continue;
		}
		if (lb->dropping)
			continue;
		if (lb->sanitize && c != '\r' && c != '\t' &&
		    ((unsigned char)c < 0x20 || c == 0x7f))
			c = '?';
		if (c == '\0')
			c = '?'; /* a NUL would silently truncate the line for the callback */
		lb->buf[lb->len++] = c;
		if (lb->len == lb->max) { /* cut here; drop the rest of this line */
			emit(lb, fn, ctx);
			lb->dropping = true;
		}
	}
}

void vm_linebuf_flush(struct vm_linebuf *lb, vm_line_fn fn, void *ctx)
{
	if (lb->len && !lb->dropping)
		emit(lb, fn, ctx);
	lb->len = 0;
	lb->dropping = false;
}

struct vm_console {
	char **lines; /* circular, cap entries */
	size_t cap, head, count, bytes, max_bytes;
	int log_fd;
	unsigned long long log_bytes;
	bool log_capped;
};

struct vm_console *vm_console_new(size_t max_lines, size_t max_bytes)
{
	struct vm_console *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (max_lines < 1)
		max_lines = 1;
	c->lines = calloc(max_lines, sizeof(*c->lines));
	if (!c->lines) {
		free(c);
		return NULL;
	}
	c->cap = max_lines;
	c->max_bytes = max_bytes;
	c->log_fd = -1;
	return c;
}

void vm_console_free(struct vm_console *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++)
		free(c->lines[(c->head + i) % c->cap]);
	free(c->lines);
	if (c->log_fd >= 0)
		close(c->log_fd);
	free(c);
}

int vm_console_open_log(struct vm_console *c, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create console log %s: %s", path, strerror(e));
		return -e;
	}
	if (c->log_fd >= 0)
		close(c->log_fd);
	c->log_fd = fd;
	c->log_bytes = 0;
	c->log_capped = false;
	return 0;
}

static void drop_oldest(struct vm_console *c)
{
	char *old = c->lines[c->head];
	c->bytes -= strlen(old) + 1;
	free(old);
	c->lines[c->head] = NULL;
	c->head = (c->head + 1) % c->cap;
	c->count--;
}

static void log_write(struct vm_console *c, const char *line, size_t len)
{
	if (c->log_fd < 0 || c->log_capped)
		return;
	if (c->log_bytes + len + 1 > VM_CONSOLE_LOG_MAX) {
		static const char note[] = "[ktstr: console.log reached its size cap; "
					   "later lines are only in memory]\n";
		(void)!write(c->log_fd, note, sizeof(note) - 1);
		c->log_capped = true;
		return;
	}
	struct { const char *p; size_t n; } parts[2] = { { line, len }, { "\n", 1 } };
	for (int i = 0; i < 2; i++) {
		size_t off = 0;
		while (off < parts[i].n) {
			ssize_t w = write(c->log_fd, parts[i].p + off, parts[i].n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) { /* disk full or gone: stop logging, keep the ring */
				c->log_capped = true;
				return;
			}
			off += (size_t)w;
		}
	}
	c->log_bytes += len + 1;
}

void vm_console_push(struct vm_console *c, const char *line)
{
	size_t len = strlen(line);
	log_write(c, line, len);
	if (len + 1 > c->max_bytes)
		return;
	while (c->count && (c->count == c->cap || c->bytes + len + 1 > c->max_bytes))
		drop_oldest(c);
	char *d = strdup(line);
	if (!d)
		return;
	c->lines[(c->head + c->count) % c->cap] = d;
	c->count++;
	c->bytes += len + 1;
}

size_t vm_console_count(const struct vm_console *c)
{
	return c->count;
}

const char *vm_console_get(const struct vm_console *c, size_t i)
{
	if (i >= c->count)
		return NULL;
	return c->lines[(c->head + i) % c->cap];
}

void vm_console_tail_into(const struct vm_console *c, int n, char *buf, size_t buflen)
{
	if (!buflen)
		return;
	buf[0] = '\0';
	if (n <= 0 || !c || !c->count)
		return;
	/* Walk back from the newest line while the lines still fit, then print forwards. */
	size_t first = c->count, used = 0;
	while (first > 0 && (int)(c->count - first) < n) {
		size_t l = strlen(vm_console_get(c, first - 1)) + 1;
		if (used + l + 1 > buflen)
			break;
		used += l;
		first--;
	}
	size_t off = 0;
	for (size_t i = first; i < c->count; i++) {
		int w = snprintf(buf + off, buflen - off, "%s%s", i > first ? "\n" : "",
				 vm_console_get(c, i));
		if (w < 0 || (size_t)w >= buflen - off)
			break;
		off += (size_t)w;
	}
}
