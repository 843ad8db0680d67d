/* Shell passthrough: the guest runs busybox sh on a PTY (or --exec's command on a pipe)
 * and relays it to the shell virtio-serial port; here we relay that socket to the user. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine/shell_attach.h"

#define SHELL_CONNECT_MAX_MS 180000 /* the engine stops a VM that does not boot sooner */

static int connect_unix(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int shell_check_tty(int fd, char *err, size_t errlen)
{
	if (isatty(fd))
		return 0;
	snprintf(err, errlen, "stdin must be a terminal for interactive shell mode");
	return -ENOTTY;
}

static bool run_over(struct run *run)
{
	run_lock(run);
	bool over = run->state == RUN_DONE;
	run_unlock(run);
	return over;
}

/* The queue holds a reference per event: keep it from growing while we relay. */
static void drain_events(struct engine *e)
{
	struct engine_event ev;
	while (engine_next_event(e, &ev))
		engine_event_done(&ev);
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int shell_connect(struct engine *e, struct run *run, char *err, size_t errlen)
{
	char path[PATH_MAX];
	for (int waited = 0;; waited += 100) {
		int sock = engine_shell_sock(e, run, path, sizeof(path)) ? -ENOENT : connect_unix(path);
		if (sock >= 0)
			return sock;
		if (run_over(run) || waited > SHELL_CONNECT_MAX_MS) {
			snprintf(err, errlen, "the VM has no shell port (run ended or never booted; see "
				 "%s/console.log)", run->dir);
			return -ENOTCONN;
		}
		drain_events(e);
		usleep(100 * 1000);
	}
}

int shell_attach_wait(struct engine *e, struct run *run, int in_fd, int out_fd,
		      char *err, size_t errlen)
{
	int sock = shell_connect(e, run, err, errlen);
	if (sock < 0)
		return sock;
	struct termios saved, raw;
	bool tty = isatty(in_fd) && !tcgetattr(in_fd, &saved);
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(in_fd, TCSANOW, &raw);
	}
	/* Nudge the shell so a prompt appears. */
	if (write(sock, "\n", 1) < 0) { /* the relay loop reports a dead socket */ }
	char buf[4096], last = '\n';
	int rc = 0;
	for (;;) {
		struct pollfd p[2] = { { .fd = in_fd, .events = POLLIN }, { .fd = sock, .events = POLLIN } };
		int n = poll(p, 2, 500);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0) {
			drain_events(e);
			if (run_over(run))
				break;
			continue;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(sock, buf, sizeof(buf));
			if (r <= 0 || write_all(out_fd, buf, (size_t)r))
				break;
			last = buf[r - 1];
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(in_fd, buf, sizeof(buf));
			if (r <= 0) { /* the terminal went away: nobody is left to use the shell */
				rc = 1;
				break;
			}
			void *k = memchr(buf, SHELL_DETACH_KEY, (size_t)r);
			size_t len = k ? (size_t)((char *)k - buf) : (size_t)r;
			if (len && write_all(sock, buf, len))
				break;
			if (k) {
				rc = 1;
				break;
			}
		}
	}
	if (tty)
		tcsetattr(in_fd, TCSANOW, &saved);
	/* Whatever is printed next (the reason the VM ended, the TUI) starts a fresh line. */
	if (last != '\n' && write_all(out_fd, "\r\n", 2)) { /* nothing more to tell */ }
	close(sock);
	return rc;
}

int shell_exec_wait(struct engine *e, struct run *run, int out_fd, int *status,
		    char *err, size_t errlen)
{
	int sock = shell_connect(e, run, err, errlen);
	if (sock < 0)
		return sock;
	err[0] = 0;
	char buf[16384];
	uint64_t got = 0;
	bool eof = false;
	int rc;
	for (;;) {
		run_lock(run);
		int st = run->exec_status;
		uint64_t want = run->exec_bytes;
		bool over = run->state == RUN_DONE;
		run_unlock(run);
		if (st >= 0 && (got >= want || (over && eof))) {
			if (got < want)
				snprintf(err, errlen, "only %llu of the command's %llu bytes of output "
					 "arrived", (unsigned long long)got, (unsigned long long)want);
			*status = st;
			rc = 0;
			break;
		}
		if (over && eof) {
			snprintf(err, errlen, "the VM ended before the command finished");
			rc = -EPIPE;
			break;
		}
		if (eof) { /* QEMU is gone; the engine is about to say how it ended */
			drain_events(e);
			usleep(50 * 1000);
			continue;
		}
		struct pollfd p = { .fd = sock, .events = POLLIN };
		int n = poll(&p, 1, 200);
		if (n < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll on the shell port: %s", strerror(errno));
			rc = -errno;
			break;
		}
		if (n <= 0) {
			drain_events(e);
			continue;
		}
		ssize_t r = read(sock, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			eof = true;
			continue;
		}
		got += (uint64_t)r;
		if ((rc = write_all(out_fd, buf, (size_t)r))) {
			snprintf(err, errlen, "cannot write the command's output: %s; stopping the VM",
				 strerror(-rc));
			rc = -EIO;
			break;
		}
	}
	close(sock);
	return rc;
}

void shell_wait_done(struct engine *e, struct run *run)
{
	while (!run_over(run)) {
		drain_events(e);
		usleep(50 * 1000);
	}
	drain_events(e);
}
