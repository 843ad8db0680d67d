/* Which QEMU a run uses and what version it says it is (`ktstr version`, result.json).
 * Bounded: one short read of `QEMU --version`, killed after 5 s. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

static void ask_qemu(const char *path, char *ver, size_t vlen)
{
	snprintf(ver, vlen, "unknown");
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
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
		return;
	const char *v = out + sizeof(tag) - 1;
	snprintf(ver, vlen, "%.*s", (int)strcspn(v, "\r\n"), v);
	return;
}

/* The answer for the binary last asked about: every run records the version, and asking
 * QEMU costs a fork and ~30 ms (on the TUI's thread when it starts a run). A binary that
 * changes on disk (an upgrade) is asked again. */
static struct {
	pthread_mutex_t lock;
	char path[4096], ver[128];
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
} cached = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool cached_answer(const char *path, const struct stat *st, char *ver, size_t vlen, bool store)
{
	bool hit = false;
	pthread_mutex_lock(&cached.lock);
	if (store) {
		snprintf(cached.path, sizeof(cached.path), "%s", path);
		snprintf(cached.ver, sizeof(cached.ver), "%s", ver);
		cached.dev = st->st_dev, cached.ino = st->st_ino, cached.mtime = st->st_mtim;
	} else if (!strcmp(cached.path, path) && cached.dev == st->st_dev && cached.ino == st->st_ino &&
		   cached.mtime.tv_sec == st->st_mtim.tv_sec && cached.mtime.tv_nsec == st->st_mtim.tv_nsec) {
		snprintf(ver, vlen, "%s", cached.ver);
		hit = true;
	}
	pthread_mutex_unlock(&cached.lock);
	return hit;
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
	struct stat st;
	bool known = !stat(path, &st);
	if (known && cached_answer(path, &st, ver, vlen, false))
		return 0;
	ask_qemu(path, ver, vlen);
	if (known)
		cached_answer(path, &st, ver, vlen, true);
	return 0;
}
