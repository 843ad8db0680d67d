/* The control port (see gctl.h): the locked line writer, the console, and the host's
 * commands read on a thread of their own. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest/gctl.h"
#include "guest/gline.h"
#include "guest/gutil.h"
#include "guest/proto.h"

static int ctl_fd = -1;
static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop_req;
static uint64_t malformed;

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the host went away: nothing better to do than drop */
		s += w;
		n -= (size_t)w;
	}
}

void gctl_console(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "ktstr-init: ");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(buf, "\n");
	write_all(2, buf, strlen(buf));
}

void gctl_emit(struct gjson *j)
{
	if (gjson_end(j)) {
		/* Only fixed-size messages could get here, and samples split themselves. */
		gjson_begin(j, KTSTR_MSG_LOG, gutil_now_ns());
		gjson_str(j, "src", "guest");
		gjson_str(j, "line", "ktstr-init: a message exceeded KTSTR_LINE_MAX and was dropped");
		if (gjson_end(j))
			return;
	}
	pthread_mutex_lock(&wlock);
	/* Without a control port (manual boots) the console gets the lines. */
	write_all(ctl_fd >= 0 ? ctl_fd : 1, j->buf, j->len);
	pthread_mutex_unlock(&wlock);
}

void gctl_raw(const char *line)
{
	size_t n = strlen(line);
	pthread_mutex_lock(&wlock);
	write_all(ctl_fd >= 0 ? ctl_fd : 1, line, n);
	write_all(ctl_fd >= 0 ? ctl_fd : 1, "\n", 1);
	pthread_mutex_unlock(&wlock);
}

void gctl_logline(const char *src, const char *line)
{
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_LOG, gutil_now_ns());
	gjson_str(&j, "src", src);
	gjson_str(&j, "line", line);
	gctl_emit(&j);
}

void gctl_log(const char *src, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gctl_logline(src, buf);
}

void gctl_error(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_ERROR, gutil_now_ns());
	gjson_str(&j, "msg", buf);
	gctl_emit(&j);
	gctl_console("error: %s", buf);
}

void gctl_stage(const char *stage)
{
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_STAGE, gutil_now_ns());
	gjson_str(&j, "stage", stage);
	gctl_emit(&j);
}

void gctl_sysrq_dump(void)
{
	int rc = gutil_write_file("/proc/sysrq-trigger", "D");
	if (rc)
		gctl_log("guest", "cannot write 'D' to /proc/sysrq-trigger: %s", strerror(-rc));
}

/* ---- host commands --------------------------------------------------------------- */

static void on_host_line(const char *line, bool cut, void *ctx)
{
	(void)ctx;
	if (!*line)
		return;
	json_error_t je;
	json_t *o = cut ? NULL : json_loads(line, 0, &je);
	const char *t = o && json_is_object(o) ? json_string_value(json_object_get(o, KTSTR_MSG_KEY_TYPE)) : NULL;
	if (!t) {
		__atomic_add_fetch(&malformed, 1, __ATOMIC_RELAXED);
	} else if (!strcmp(t, KTSTR_CMD_STOP)) {
		__atomic_store_n(&stop_req, 1, __ATOMIC_RELEASE);
	} else if (!strcmp(t, KTSTR_CMD_DUMP)) {
		gctl_sysrq_dump();
	} /* other types: a newer host; ignored */
	json_decref(o);
}

static void *host_reader(void *arg)
{
	(void)arg;
	static struct gline gl;
	char buf[4096];
	for (;;) {
		ssize_t n = read(ctl_fd, buf, sizeof(buf));
		if (n > 0) {
			gline_feed(&gl, buf, (size_t)n, on_host_line, NULL);
		} else if (n == 0 || (errno != EINTR)) {
			/* 0: host not connected (virtio-serial reads EOF then); try again later. */
			gutil_sleep_ms(100);
		}
	}
	return NULL;
}

int gctl_open(const char *dev)
{
	ctl_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (ctl_fd >= 0)
		return 0;
	int e = errno;
	gctl_console("cannot open control port %s: %s", dev, strerror(e));
	return -e;
}

void gctl_start_reader(void)
{
	if (ctl_fd < 0)
		return;
	pthread_t th;
	pthread_create(&th, NULL, host_reader, NULL);
}

int gctl_fd(void)
{
	return ctl_fd;
}

void gctl_close_child(void)
{
	if (ctl_fd >= 0)
		close(ctl_fd);
}

void gctl_sync(void)
{
	if (ctl_fd >= 0)
		fsync(ctl_fd);
}

bool gctl_stop_requested(void)
{
	return __atomic_load_n(&stop_req, __ATOMIC_ACQUIRE);
}

uint64_t gctl_malformed(void)
{
	return __atomic_load_n(&malformed, __ATOMIC_RELAXED);
}
