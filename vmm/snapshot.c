/* Snapshot boot, the VM's half (docs/snapshot.md): save a running guest's whole machine
 * state to a file with QMP migrate, resume a QEMU started with -incoming from one, send
 * the run's raw bytes on the control port, and the machine-shaping argv a snapshot's key
 * is made of. Measured recipe: DESIGN.md "Snapshot restore". */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "vmm/guestmem.h"
#include "vmm/vm_priv.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap(int ms)
{
	struct timespec d = { 0, (long)ms * 1000000 };
	nanosleep(&d, NULL);
}

/* The "status" member of a query-status / query-migrate answer, into out. */
static int query(struct vm_qmp *q, const char *cmd, char *out, size_t len, char *err,
		 size_t errlen)
{
	char *resp = NULL;
	int r = vm_qmp_cmd(q, cmd, 5000, &resp, err, errlen);
	if (r)
		return r;
	json_t *j = json_loads(resp, 0, NULL);
	const char *s = json_string_value(json_object_get(json_object_get(j, "return"), "status"));
	snprintf(out, len, "%s", s ? s : "");
	json_decref(j);
	free(resp);
	return 0;
}


/* Guest RAM is the memfds (share=on): with x-ignore-shared the migration stream carries
 * only device state and small ROMs; the RAM goes to ram<N> files beside it, sparse (a
 * 4 KiB page of zeros is a hole), and comes back into fresh memfds before QEMU starts.
 * Loading RAM through the stream instead faults in every page of guest memory (a zero
 * page is read to compare): 2.2-2.6 s for 512 MB on the development host. */
static const char ignore_shared[] = "{\"execute\":\"migrate-set-capabilities\",\"arguments\":"
	"{\"capabilities\":[{\"capability\":\"x-ignore-shared\",\"state\":true}]}}";

static int dump_node(int mfd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(mfd, &st)) {
		snprintf(err, errlen, "guest memory: %s", strerror(errno));
		return -errno;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, st.st_size)) {
		int e = errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	static const char zero[4096];
	char *buf = malloc(1 << 21);
	int rc = buf ? 0 : -ENOMEM;
	/* Only what the guest ever wrote: holes of the memfd read as zeros, cheaply. */
	for (off_t off = lseek(mfd, 0, SEEK_DATA); !rc && off >= 0 && off < st.st_size;) {
		off_t end = lseek(mfd, off, SEEK_HOLE);
		if (end < 0)
			end = st.st_size;
		for (off_t o = off; !rc && o < end;) {
			size_t want = end - o > (1 << 21) ? (1 << 21) : (size_t)(end - o);
			ssize_t n = pread(mfd, buf, want, o);
			if (n <= 0) {
				rc = n < 0 ? -errno : -EIO;
				break;
			}
			for (ssize_t p = 0; p < n && !rc; p += 4096) {
				size_t k = n - p < 4096 ? (size_t)(n - p) : 4096;
				if (memcmp(buf + p, zero, k) && pwrite(fd, buf + p, k, o + p) != (ssize_t)k)
					rc = -errno;
			}
			o += n;
		}
		off = lseek(mfd, end, SEEK_DATA);
	}
	free(buf);
	if (!rc && fsync(fd))
		rc = -errno;
	close(fd);
	if (rc)
		snprintf(err, errlen, "cannot save guest memory to %s: %s", path, strerror(-rc));
	return rc;
}

int vm_snapshot_fill_ram(int mfd, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "snapshot memory %s: %s", path, strerror(errno));
		return -errno;
	}
	struct stat st, ms;
	int rc = 0;
	if (fstat(fd, &st) || fstat(mfd, &ms)) {
		rc = -errno;
	} else if (st.st_size != ms.st_size) {
		snprintf(err, errlen, "snapshot memory %s is %lld bytes, the guest's %lld", path,
			 (long long)st.st_size, (long long)ms.st_size);
		close(fd);
		return -EINVAL;
	}
	char *buf = rc ? NULL : malloc(1 << 20);
	if (!rc && !buf)
		rc = -ENOMEM;
	for (off_t off = rc ? -1 : lseek(fd, 0, SEEK_DATA); !rc && off >= 0 && off < st.st_size;) {
		off_t end = lseek(fd, off, SEEK_HOLE);
		if (end < 0)
			end = st.st_size;
		for (off_t o = off; !rc && o < end;) {
			size_t want = end - o > (1 << 20) ? (1 << 20) : (size_t)(end - o);
			ssize_t n = pread(fd, buf, want, o);
			if (n <= 0 || pwrite(mfd, buf, (size_t)n, o) != n)
				rc = n < 0 ? -errno : -EIO;
			else
				o += n;
		}
		off = lseek(fd, end, SEEK_DATA);
	}
	free(buf);
	close(fd);
	if (rc)
		snprintf(err, errlen, "cannot load snapshot memory %s: %s", path, strerror(-rc));
	return rc;
}

int vm_snapshot_save(struct vm *vm, const char *dir, int timeout_ms, char *err, size_t errlen)
{
	struct vm_qmp *q = vm_qmp_of(vm);
	char cmd[4400], st[64] = "";
	if (strchr(dir, '\'') || strchr(dir, '"') || strchr(dir, '\\')) {
		snprintf(err, errlen, "snapshot path %s has a quote or backslash", dir);
		return -EINVAL;
	}
	int r = vm_qmp_cmd(q, "{\"execute\":\"stop\"}", 5000, NULL, err, errlen);
	if (r)
		return r;
	r = vm_qmp_cmd(q, ignore_shared, 5000, NULL, err, errlen);
	snprintf(cmd, sizeof(cmd), "{\"execute\":\"migrate\",\"arguments\":{\"uri\":"
		 "\"exec:cat > '%s/state'\"}}", dir);
	if (!r)
		r = vm_qmp_cmd(q, cmd, 5000, NULL, err, errlen);
	int64_t deadline = now_ms() + timeout_ms;
	while (!r) {
		if ((r = query(q, "{\"execute\":\"query-migrate\"}", st, sizeof(st), err, errlen)))
			break;
		if (!strcmp(st, "completed")) {
			/* Stopped: the memory holds still while it is copied. */
			struct guestmem *gm = vm_guestmem(vm);
			for (int i = 0; i < vm_ram_nodes(vm) && !r; i++) {
				char p[4400];
				snprintf(p, sizeof(p), "%s/ram%d", dir, i);
				r = dump_node(guestmem_fd(gm, i), p, err, errlen);
			}
			break;
		}
		if (!strcmp(st, "failed") || !strcmp(st, "cancelled")) {
			snprintf(err, errlen, "QEMU's migrate to %s ended '%s' (see qemu.log)", dir, st);
			r = -EIO;
		} else if (now_ms() > deadline) {
			(void)vm_qmp_cmd(q, "{\"execute\":\"migrate_cancel\"}", 5000, NULL, err, errlen);
			snprintf(err, errlen, "QEMU's migrate to %s took over %d ms", dir, timeout_ms);
			r = -ETIMEDOUT;
		} else {
			nap(10);
		}
	}
	/* The same machine goes on with its run whatever became of the file. */
	char cerr[256];
	int c = vm_qmp_cmd(q, "{\"execute\":\"cont\"}", 5000, NULL, cerr, sizeof(cerr));
	if (c && !r) {
		snprintf(err, errlen, "%s", cerr);
		r = c;
	}
	return r;
}

int vm_snapshot_resume(struct vm *vm, const char *dir, int timeout_ms, char *err, size_t errlen)
{
	struct vm_qmp *q = vm_qmp_of(vm);
	char st[64] = "", cmd[4400];
	/* exec: runs under /bin/sh; a quote in the path would end the quoting. */
	if (strchr(dir, '\'') || strchr(dir, '"') || strchr(dir, '\\')) {
		snprintf(err, errlen, "snapshot path %s has a quote or backslash", dir);
		return -EINVAL;
	}
	snprintf(cmd, sizeof(cmd), "{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":"
		 "\"exec:cat '%s/state'\"}}", dir);
	int64_t deadline = now_ms() + timeout_ms;
	int rc = vm_qmp_cmd(q, ignore_shared, 5000, NULL, err, errlen);
	if (rc || (rc = vm_qmp_cmd(q, cmd, 5000, NULL, err, errlen)))
		return rc;
	for (;;) {
		int r = query(q, "{\"execute\":\"query-status\"}", st, sizeof(st), err, errlen);
		if (r)
			return r;
		if (strcmp(st, "inmigrate"))
			break;
		if (now_ms() > deadline) {
			snprintf(err, errlen, "QEMU was still loading the snapshot after %d ms", timeout_ms);
			return -ETIMEDOUT;
		}
		nap(5);
	}
	if (!strcmp(st, "running"))
		return 0;
	if (strcmp(st, "paused") && strcmp(st, "prelaunch")) {
		snprintf(err, errlen, "QEMU ended the snapshot load in state '%s' (see qemu.log)", st);
		return -EIO;
	}
	return vm_qmp_cmd(q, "{\"execute\":\"cont\"}", 5000, NULL, err, errlen);
}

int vm_ctl_send_raw(struct vm *vm, const void *data, size_t n, int timeout_ms)
{
	int fd = vm_ctl_fd(vm);
	if (fd < 0)
		return -ENOTCONN;
	const char *p = data;
	int64_t deadline = now_ms() + timeout_ms;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && errno == EAGAIN && now_ms() < deadline) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };
			poll(&pf, 1, 20);
		} else {
			return w < 0 && errno == EAGAIN ? -ETIMEDOUT : -EPIPE;
		}
	}
	return 0;
}

char *vm_snapshot_machine_text(const struct vm_config *cfg, char *err, size_t errlen)
{
	/* Everything but what differs per run and not per machine: the socket paths (fixed
	 * placeholders), lpj= (tsc_khz 0 leaves it out) and -incoming itself. */
	struct vm_config c = *cfg;
	c.tsc_khz = 0;
	c.incoming = NULL;
	c.ram_dir = NULL;
	c.hugepages = false;
	/* The I/O disk: a new blank image per run (engine_disk_create, one fixed size) that
	 * the guest never writes before the wait point, so whether there is one is part of
	 * the machine, not which file it is. */
	if (c.disk)
		c.disk = "/disk";
	int accel = vm_choose_accel(cfg->accel, err, errlen);
	if (accel < 0)
		return NULL;
	struct vm_args a;
	if (vm_build_args(&c, (enum vm_accel)accel, "/ctl", "/shell", "/qmp", &a, err, errlen))
		return NULL;
	size_t len = 1;
	for (int i = 0; i < a.argc; i++)
		len += strlen(a.argv[i]) + 1;
	char *s = malloc(len);
	if (s) {
		s[0] = 0;
		for (int i = 0; i < a.argc; i++) {
			strcat(s, a.argv[i]);
			strcat(s, "\n");
		}
	} else {
		snprintf(err, errlen, "out of memory");
	}
	vm_args_free(&a);
	return s;
}
