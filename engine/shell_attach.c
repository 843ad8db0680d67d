/* Shell passthrough: the guest runs busybox sh on a PTY and relays it to the shell
 * virtio-serial port; here we relay that socket to the user's terminal. */
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

#include "shell_attach.h"

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

int shell_attach_wait(struct engine *e, struct run *run, int in_fd, int out_fd,
		      char *err, size_t errlen)
{
	int sock = -1;
	char path[PATH_MAX];
	for (int waited = 0; sock < 0; waited += 100) {
		if (!engine_shell_sock(e, run, path, sizeof(path)))
			sock = connect_unix(path);
		if (sock >= 0)
			break;
		if (run_over(run) || waited > 180000) {
			snprintf(err, errlen, "the VM has no shell port (run ended or never booted; see "
				 "%s/console.log)", run->dir);
			return -ENOTCONN;
		}
		struct engine_event ev; /* keep the queue from growing while we wait */
		while (engine_next_event(e, &ev))
			engine_event_done(&ev);
		usleep(100 * 1000);
	}
	struct termios saved, raw;
	bool tty = isatty(in_fd) && !tcgetattr(in_fd, &saved);
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(in_fd, TCSANOW, &raw);
	}
	/* Nudge the shell so a prompt appears. */
	if (write(sock, "\n", 1) < 0) { /* the relay loop reports a dead socket */ }
	char buf[4096];
	for (;;) {
		struct pollfd p[2] = { { .fd = in_fd, .events = POLLIN }, { .fd = sock, .events = POLLIN } };
		int n = poll(p, 2, 500);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0) {
			if (run_over(run))
				break;
			continue;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(sock, buf, sizeof(buf));
			if (r <= 0)
				break;
			if (write(out_fd, buf, (size_t)r) < 0)
				break;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(in_fd, buf, sizeof(buf));
			if (r <= 0)
				break;
			void *k = memchr(buf, SHELL_DETACH_KEY, (size_t)r);
			size_t len = k ? (size_t)((char *)k - buf) : (size_t)r;
			if (len && write(sock, buf, len) < 0)
				break;
			if (k)
				break;
		}
	}
	if (tty)
		tcsetattr(in_fd, TCSANOW, &saved);
	close(sock);
	return 0;
}
