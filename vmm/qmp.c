/* A tiny QMP client over QEMU's unix socket: greeting + qmp_capabilities, one synchronous
 * command at a time (quit, query-cpus-fast, send-key). Asynchronous events are read and
 * dropped so QEMU's output buffer never fills. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/vm_priv.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one '\n'-terminated line into a malloc'd string within the deadline.
 * Returns 0, -ETIMEDOUT, -EPIPE (closed) or -EMSGSIZE (line longer than the buffer). */
static int read_line(struct vm_qmp *q, int64_t deadline, char **out)
{
	for (;;) {
		char *nl = memchr(q->rbuf, '\n', q->rlen);
		if (nl) {
			size_t n = (size_t)(nl - q->rbuf);
			char *s = strndup(q->rbuf, n);
			memmove(q->rbuf, nl + 1, q->rlen - n - 1);
			q->rlen -= n + 1;
			if (!s)
				return -ENOMEM;
			*out = s;
			return 0;
		}
		if (q->rlen == sizeof(q->rbuf)) {
			q->rlen = 0; /* unparseable monster; resynchronise on the next line */
			return -EMSGSIZE;
		}
		int left = (int)(deadline - now_ms());
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int r = poll(&p, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		ssize_t got = read(q->fd, q->rbuf + q->rlen, sizeof(q->rbuf) - q->rlen);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return -EPIPE;
		q->rlen += (size_t)got;
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };
			poll(&pf, 1, 100);
			continue;
		}
		if (w <= 0)
			return -EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int vm_qmp_connect(struct vm_qmp *q, const char *path, int timeout_ms, char *err, size_t errlen)
{
	q->fd = -1;
	q->rlen = 0;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "QMP socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "socket: %s", strerror(e));
		return -e;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "cannot connect to QEMU's QMP socket %s: %s", path,
			 strerror(e));
		return -e;
	}
	return vm_qmp_handshake(q, fd, timeout_ms, path, err, errlen);
}

int vm_qmp_handshake(struct vm_qmp *q, int fd, int timeout_ms, const char *what, char *err,
		     size_t errlen)
{
	q->fd = fd;
	q->rlen = 0;
	int64_t deadline = now_ms() + timeout_ms;
	char *greet = NULL;
	int r = read_line(q, deadline, &greet);
	if (r == 0 && !strstr(greet, "\"QMP\""))
		r = -EPROTO;
	free(greet);
	if (r == 0)
		r = vm_qmp_cmd(q, "{\"execute\":\"qmp_capabilities\"}", timeout_ms, NULL, err,
			       errlen);
	else
		snprintf(err, errlen, "QMP greeting from %s: %s", what, strerror(-r));
	if (r < 0)
		vm_qmp_close(q);
	return r;
}

int vm_qmp_cmd(struct vm_qmp *q, const char *json, int timeout_ms, char **resp,
	       char *err, size_t errlen)
{
	if (q->fd < 0) {
		snprintf(err, errlen, "QMP is not connected");
		return -ENOTCONN;
	}
	int r = write_all(q->fd, json, strlen(json));
	if (!r)
		r = write_all(q->fd, "\n", 1);
	if (r) {
		snprintf(err, errlen, "QMP: QEMU closed the monitor socket");
		return r;
	}
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		char *line = NULL;
		r = read_line(q, deadline, &line);
		if (r == -EMSGSIZE)
			continue;
		if (r) {
			snprintf(err, errlen, "QMP: no answer to %s: %s", json, strerror(-r));
			return r;
		}
		json_t *j = json_loads(line, 0, NULL);
		bool is_ret = j && json_object_get(j, "return");
		json_t *e = j ? json_object_get(j, "error") : NULL;
		if (e) {
			const char *desc = json_string_value(json_object_get(e, "desc"));
			snprintf(err, errlen, "QMP %s failed: %s", json, desc ? desc : line);
			json_decref(j);
			free(line);
			return -EIO;
		}
		json_decref(j);
		if (!is_ret) { /* an event, or garbage: not our answer */
			free(line);
			continue;
		}
		if (resp)
			*resp = line;
		else
			free(line);
		return 0;
	}
}

void vm_qmp_drain(struct vm_qmp *q)
{
	if (q->fd < 0)
		return;
	for (;;) {
		ssize_t got = read(q->fd, q->rbuf, sizeof(q->rbuf));
		if (got > 0)
			continue;
		if (got < 0 && errno == EINTR)
			continue;
		if (got == 0) /* QEMU went away */
			vm_qmp_close(q);
		break;
	}
	q->rlen = 0; /* only events can be pending between commands */
}

void vm_qmp_close(struct vm_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	q->rlen = 0;
}

int vm_qmp_parse_cpus(const char *resp, int *tids, int max)
{
	json_t *j = json_loads(resp, 0, NULL);
	json_t *arr = j ? json_object_get(j, "return") : NULL;
	int n = 0;
	if (!json_is_array(arr))
		goto out;
	size_t len = json_array_size(arr);
	for (int i = 0; i < max; i++)
		tids[i] = 0;
	for (size_t i = 0; i < len; i++) {
		json_t *cpu = json_array_get(arr, i);
		/* top-level "thread-id" is the host tid; props.thread-id is the SMT index */
		json_t *tid = json_object_get(cpu, "thread-id");
		json_t *idx = json_object_get(cpu, "cpu-index");
		if (!json_is_integer(tid))
			continue;
		long long k = json_is_integer(idx) ? json_integer_value(idx) : (long long)i;
		if (k < 0 || k >= max)
			continue;
		tids[k] = (int)json_integer_value(tid);
		if (k + 1 > n)
			n = (int)k + 1;
	}
out:
	json_decref(j);
	return n;
}

int vm_qmp_sysrq_cmd(char key, char *buf, size_t len)
{
	/* SysRq keys are letters and digits; an upper-case letter needs shift (sched_ext's
	 * dump is shift+D; plain d is another handler). */
	if (!isalnum((unsigned char)key))
		return -EINVAL;
	bool shift = isupper((unsigned char)key);
	char k = (char)tolower((unsigned char)key);
	int n = snprintf(buf, len,
			 "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[%s"
			 "{\"type\":\"qcode\",\"data\":\"alt\"},"
			 "{\"type\":\"qcode\",\"data\":\"sysrq\"},"
			 "{\"type\":\"qcode\",\"data\":\"%c\"}]}}",
			 shift ? "{\"type\":\"qcode\",\"data\":\"shift\"}," : "", k);
	return n > 0 && (size_t)n < len ? 0 : -ENOSPC;
}
