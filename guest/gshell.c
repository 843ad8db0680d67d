/* The guest shell: busybox sh on a PTY whose master is relayed to and from a virtio port
 * (org.ktstr.shell), where the host's TUI or `ktstr shell` attaches a raw terminal; or,
 * for `ktstr shell --exec`, one command whose output is relayed to that port. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest/gctl.h"
#include "guest/gproc.h"
#include "guest/gshell.h"
#include "guest/gutil.h"

struct relay { int port, master; };

static bool copy_some(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	for (ssize_t o = 0; o < n;) {
		ssize_t w = write(to, buf + o, (size_t)(n - o));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		o += w;
	}
	return true;
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	for (;;) {
		struct pollfd p[2] = { { r->master, POLLIN, 0 }, { r->port, POLLIN, 0 } };
		int n = poll(p, 2, 200);
		if (n < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* EIO on the master: the shell (the last slave user) is gone. */
			if (!copy_some(r->master, r->port))
				break;
		}
		if (p[1].revents & POLLIN) {
			if (!copy_some(r->port, r->master))
				gutil_sleep_ms(100); /* host side not connected: reads say EOF */
		} else if (p[1].revents & (POLLHUP | POLLERR)) {
			gutil_sleep_ms(100);
		}
	}
	close(r->master);
	close(r->port);
	free(r);
	return NULL;
}

static void install_busybox(void)
{
	if (!access("/bin/sh", X_OK) || access("/bin/busybox", X_OK))
		return;
	pid_t p = fork();
	if (p == 0) {
		execl("/bin/busybox", "busybox", "--install", "-s", "/bin", (char *)NULL);
		_exit(127);
	}
	int st;
	if (p > 0)
		waitpid(p, &st, 0);
}

pid_t gshell_start(const char *port_dev, const char *cmdline)
{
	char v[64];
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	if (gutil_cmdline_get(cmdline, "ktstr.rows", v, sizeof(v)) && atoi(v) > 0)
		ws.ws_row = (unsigned short)atoi(v);
	if (gutil_cmdline_get(cmdline, "ktstr.cols", v, sizeof(v)) && atoi(v) > 0)
		ws.ws_col = (unsigned short)atoi(v);
	char term[64] = "linux";
	gutil_cmdline_get(cmdline, "ktstr.term", term, sizeof(term));

	install_busybox();
	int port = open(port_dev, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (port < 0) {
		gctl_log("guest", "shell: cannot open %s: %s", port_dev, strerror(errno));
		return -1;
	}
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) || unlockpt(m)) {
		gctl_log("guest", "shell: cannot allocate a PTY: %s (is devpts mounted on /dev/pts?)",
			 strerror(errno));
		if (m >= 0)
			close(m);
		close(port);
		return -1;
	}
	char sname[128];
	if (ptsname_r(m, sname, sizeof(sname))) {
		gctl_log("guest", "shell: ptsname: %s", strerror(errno));
		close(m);
		close(port);
		return -1;
	}
	ioctl(m, TIOCSWINSZ, &ws);
	pid_t pid = fork();
	if (pid < 0) {
		gctl_log("guest", "shell: fork: %s", strerror(errno));
		close(m);
		close(port);
		return -1;
	}
	if (pid == 0) {
		setsid();
		signal(SIGUSR1, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		int s = open(sname, O_RDWR);
		if (s < 0)
			_exit(126);
		ioctl(s, TIOCSCTTY, 0);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (s > 2)
			close(s);
		setenv("TERM", term, 1);
		setenv("PS1", "ktstr:\\w# ", 1);
		chdir("/root");
		execl("/bin/sh", "sh", "-l", (char *)NULL);
		execl("/bin/busybox", "sh", "-l", (char *)NULL);
		dprintf(2, "ktstr-init: cannot run /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	gproc_track(pid);
	struct relay *r = malloc(sizeof(*r));
	pthread_t th;
	if (!r) {
		close(m);
		close(port);
		return pid;
	}
	r->port = port;
	r->master = m;
	if (pthread_create(&th, NULL, relay_main, r)) {
		free(r);
		close(m);
		close(port);
		return pid;
	}
	pthread_detach(th);
	gctl_log("guest", "shell: /bin/sh (pid %d) on %s", (int)pid, port_dev);
	return pid;
}

/* Everything readable on fd now (bounded: a background job may keep writing), to port. */
static void relay_out(int *fd, int port, bool *port_ok, uint64_t *bytes, int rounds)
{
	char buf[4096];
	for (int i = 0; *fd >= 0 && i < rounds; i++) {
		ssize_t n = read(*fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { /* every writer closed it */
			close(*fd);
			*fd = -1;
			return;
		}
		/* A blocking port write returns once QEMU has the bytes; it waits while the host
		 * is not connected or not reading, which paces the command. */
		for (ssize_t o = 0; *port_ok && o < n;) {
			ssize_t w = write(port, buf + o, (size_t)(n - o));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				gctl_log("guest", "exec: writing to the shell port failed: %s; output dropped",
					 strerror(errno));
				*port_ok = false;
				break;
			}
			o += w;
			*bytes += (uint64_t)w;
		}
	}
}

int gshell_exec(const char *port_dev, const char *cmd, uint64_t *bytes)
{
	*bytes = 0;
	install_busybox();
	int port = open(port_dev, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (port < 0) {
		gctl_log("guest", "exec: cannot open %s: %s", port_dev, strerror(errno));
		return -1;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		gctl_log("guest", "exec: pipe: %s", strerror(errno));
		close(port);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		gctl_log("guest", "exec: fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		close(port);
		return -1;
	}
	if (pid == 0) {
		setsid();
		signal(SIGUSR1, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		mkdir("/root", 0700);
		if (chdir("/root")) { /* stay in / */ }
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		execl("/bin/busybox", "sh", "-c", cmd, (char *)NULL);
		dprintf(2, "ktstr-init: cannot run /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	gproc_track(pid);
	gctl_log("guest", "exec: /bin/sh -c (pid %d), output on %s", (int)pid, port_dev);
	int fd = p[0], st = 0;
	bool port_ok = true, killed = false;
	for (;;) {
		if (fd >= 0) {
			struct pollfd pf = { fd, POLLIN, 0 };
			if (poll(&pf, 1, 100) > 0)
				relay_out(&fd, port, &port_ok, bytes, 16);
		} else {
			gutil_sleep_ms(50);
		}
		gproc_reap();
		if (gproc_exited(pid, &st))
			break;
		if (!killed && gctl_stop_requested()) {
			gctl_log("guest", "exec: the host asked to stop; killing the command");
			kill(-pid, SIGKILL);
			killed = true;
		}
	}
	/* What the command wrote before exiting is in the pipe: send it too. */
	relay_out(&fd, port, &port_ok, bytes, 256);
	if (fd >= 0)
		close(fd);
	close(port);
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
}
