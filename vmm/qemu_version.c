/* Which QEMU a run uses and what version it says it is (`ktstr version`, result.json).
 * Bounded: one short read of `QEMU --version`, killed after 5 s. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/vm.h"

#define QEMU_VERSION_TIMEOUT_MS 5000

/* Reads up to len-1 bytes of the child's stdout, giving up after the timeout. */
static size_t read_bounded(int fd, char *buf, size_t len)
{
	size_t n = 0;
	while (n + 1 < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, QEMU_VERSION_TIMEOUT_MS);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			break;
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	return n;
}

int vm_qemu_version(char *path, size_t plen, char *ver, size_t vlen)
{
	char err[512];
	if (vlen)
		ver[0] = 0;
	if (vm_find_qemu(path, plen, err, sizeof(err))) {
		if (plen)
			path[0] = 0;
		return -ENOENT;
	}
	snprintf(ver, vlen, "unknown");
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return 0;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return 0;
	}
	if (pid == 0) {
		int dn = open("/dev/null", O_RDWR);
		if (dup2(p[1], 1) < 0 || dn < 0 || dup2(dn, 0) < 0 || dup2(dn, 2) < 0)
			_exit(127);
		execl(path, path, "--version", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char out[512];
	read_bounded(p[0], out, sizeof(out));
	close(p[0]);
	kill(pid, SIGKILL); /* harmless after a normal exit; ends a QEMU that did not answer */
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	static const char tag[] = "QEMU emulator version ";
	if (strncmp(out, tag, sizeof(tag) - 1))
		return 0;
	const char *v = out + sizeof(tag) - 1;
	snprintf(ver, vlen, "%.*s", (int)strcspn(v, "\r\n"), v);
	return 0;
}
