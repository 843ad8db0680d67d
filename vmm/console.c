/* Line splitting for the VM's byte streams, and the console: every kernel console line is
 * written to run_dir/console.log (capped); the engine keeps the in-memory ring. The guest
 * is untrusted: no line or file grows without a bound. */
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
	int log_fd;
	unsigned long long log_bytes;
	bool log_capped;
};

struct vm_console *vm_console_new(void)
{
	struct vm_console *c = calloc(1, sizeof(*c));
	if (c)
		c->log_fd = -1;
	return c;
}

void vm_console_free(struct vm_console *c)
{
	if (!c)
		return;
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
	log_write(c, line, strlen(line));
}
