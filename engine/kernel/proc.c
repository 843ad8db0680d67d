/* Child processes (proc.h). */
#include "engine/kernel/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t spawn(const char *const *argv, const char *cwd, int *rfd)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return e;
	}
	if (pid == 0) {
		setpgid(0, 0); /* one group: a cancel stops make and its compilers together */
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (cwd && chdir(cwd)) {
			dprintf(2, "cd %s: %s\n", cwd, strerror(errno));
			_exit(126);
		}
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	*rfd = pfd[0];
	return pid;
}

static int reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int kproc_capture(const char *const *argv, const char *cwd, char *out, size_t len)
{
	int fd;
	pid_t pid = spawn(argv, cwd, &fd);
	if (pid < 0)
		return (int)pid;
	size_t n = 0;
	ssize_t r;
	char sink[4096];
	for (;;) {
		bool room = n + 1 < len;
		r = read(fd, room ? out + n : sink, room ? len - 1 - n : sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (room)
			n += (size_t)r;
	}
	close(fd);
	if (len)
		out[n] = '\0';
	return reap(pid);
}

int kproc_lines(const char *const *argv, const char *cwd, int (*line)(void *ctx, const char *l),
		void *ctx)
{
	int fd;
	pid_t pid = spawn(argv, cwd, &fd);
	if (pid < 0)
		return (int)pid;
	char buf[8192];
	size_t have = 0;
	bool stop = false;
	for (; !stop;) {
		/* A quiet child (the vmlinux link, pahole) still gets asked about every 250 ms. */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, 250);
		if (pr == 0) {
			stop = line(ctx, NULL);
			continue;
		}
		if (pr < 0 && errno != EINTR)
			break;
		if (pr < 0)
			continue;
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
		size_t start = 0;
		for (size_t i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			buf[i] = '\0';
			stop = stop || line(ctx, buf + start);
			start = i + 1;
		}
		if (start == 0 && have == sizeof(buf) - 1) { /* a line longer than the buffer */
			buf[have] = '\0';
			stop = line(ctx, buf);
			have = 0;
			continue;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	if (stop)
		kill(-pid, SIGTERM);
	else if (have) {
		buf[have] = '\0';
		line(ctx, buf);
	}
	close(fd);
	int st = reap(pid);
	return stop ? -ECANCELED : st;
}
