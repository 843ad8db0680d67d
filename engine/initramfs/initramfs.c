/* The guest initramfs: a base archive (ktstr-init as /init, static busybox and its applet
 * links, the standard mount points, /.ktstr_init_ok last) cached by content hash under
 * <cache>/initramfs, plus a small per-run archive (scenario, scheduler + libraries, extra
 * files) concatenated after it; the kernel unpacks concatenated newc archives in order. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "guest/proto.h"
#include "engine/initramfs/cpio.h"
#include "engine/initramfs/elfdeps.h"
#include "engine/initramfs/initramfs.h"

/* Runs `busybox --list-full` and returns its output (malloc'd), or NULL. */
static char *busybox_applets(const char *busybox)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return NULL;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		int dn = open("/dev/null", O_RDWR);
		if (dn >= 0) {
			dup2(dn, 0);
			dup2(dn, 2);
		}
		execl(busybox, "busybox", "--list-full", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		if (n + 1 >= cap) {
			if (cap >= (1u << 20))
				break; /* bounded: busybox lists ~400 applets in ~6 KB */
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(p[0], buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!buf || !WIFEXITED(st) || WEXITSTATUS(st)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int build_base(const char *path, const char *init_bin, const char *busybox, char *err,
		      size_t errlen)
{
	struct cpio *c = cpio_open(path);
	if (!c) {
		snprintf(err, errlen, "cannot create %s: %s (set KTSTR_CACHE_DIR to a writable "
			 "directory)", path, strerror(errno));
		return -errno;
	}
	static const char *const dirs[] = {
		"bin", "sbin", "usr", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "run",
		"etc", "root", "ktstr", NULL,
	};
	int rc = 0;
	for (int i = 0; dirs[i] && !rc; i++)
		rc = cpio_add_dir(c, dirs[i], !strcmp(dirs[i], "tmp") ? 01777 : 0755);
	if (!rc)
		rc = cpio_add_chardev(c, "dev/console", 0600, 5, 1);
	if (!rc && (rc = cpio_add_file(c, "init", init_bin, 0755)))
		snprintf(err, errlen, "cannot add the guest init %s to the initramfs: %s", init_bin,
			 strerror(-rc));
	if (!rc && (rc = cpio_add_file(c, "bin/busybox", busybox, 0755)))
		snprintf(err, errlen, "cannot add busybox %s to the initramfs: %s", busybox,
			 strerror(-rc));
	if (!rc) {
		char *list = busybox_applets(busybox);
		bool sh = false;
		for (char *l = list ? strtok(list, "\n") : NULL; l && !rc; l = strtok(NULL, "\n")) {
			if (!strcmp(l, "bin/busybox") || strstr(l, "..") || !*l)
				continue;
			sh |= !strcmp(l, "bin/sh");
			rc = cpio_add_symlink(c, l, "/bin/busybox");
			if (rc == -EINVAL)
				rc = 0; /* an odd applet name is not worth failing the boot */
		}
		if (!rc && !sh)
			rc = cpio_add_symlink(c, "bin/sh", "/bin/busybox");
		free(list);
		if (rc)
			snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
	}
	/* Last, so the guest can tell a complete extraction from one cut short. */
	if (!rc && (rc = cpio_add_data(c, KTSTR_GUEST_INIT_OK, "", 0, 0644)))
		snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
	int crc = cpio_close(c, rc == 0);
	if (!rc && crc) {
		rc = crc;
		snprintf(err, errlen, "writing %s: %s", path, strerror(-rc));
	}
	return rc;
}

int initramfs_base(const char *cache_root, const char *init_bin, const char *busybox,
		   char *out_path, size_t len, bool *was_cached, char *err, size_t errlen)
{
	char dir[PATH_MAX - 64];
	uint64_t h = FS_FNV_INIT;
	char fmt[32];
	int rc;
	*was_cached = false;
	snprintf(fmt, sizeof(fmt), "ktstr-initramfs-base-v%d", INITRAMFS_BASE_FORMAT);
	h = fs_fnv1a(h, fmt, strlen(fmt));
	if ((rc = fs_hash_file(init_bin, &h))) {
		snprintf(err, errlen, "cannot read the guest init %s: %s (build it with `make`, or set "
			 "KTSTR_INIT)", init_bin, strerror(-rc));
		return rc;
	}
	h = fs_fnv1a(h, "\0", 1);
	if ((rc = fs_hash_file(busybox, &h))) {
		snprintf(err, errlen, "cannot read busybox %s: %s (install busybox-static, or set "
			 "KTSTR_BUSYBOX)", busybox, strerror(-rc));
		return rc;
	}
	if (snprintf(dir, sizeof(dir), "%s/initramfs", cache_root) >= (int)sizeof(dir)) {
		snprintf(err, errlen, "cache path too long: %s", cache_root);
		return -ENAMETOOLONG;
	}
	if ((rc = fs_mkdir_p(dir, 0755))) {
		snprintf(err, errlen, "cannot create %s: %s (set KTSTR_CACHE_DIR to a writable "
			 "directory)", dir, strerror(-rc));
		return rc;
	}
	if (snprintf(out_path, len, "%s/base-%016llx.cpio", dir, (unsigned long long)h) >= (int)len) {
		snprintf(err, errlen, "initramfs path too long under %s", dir);
		return -ENAMETOOLONG;
	}
	/* Written by rename only, so an existing file is always complete. */
	struct stat st;
	if (!stat(out_path, &st) && S_ISREG(st.st_mode) && st.st_size > 0) {
		*was_cached = true;
		return 0;
	}
	return build_base(out_path, init_bin, busybox, err, errlen);
}

int initramfs_run(const char *out_path, const char *scenario_json, const char *sched_bin,
		  const struct initramfs_extra *extra, int nextra, char *err, size_t errlen)
{
	struct cpio *c = cpio_open(out_path);
	if (!c) {
		snprintf(err, errlen, "cannot create %s: %s", out_path, strerror(errno));
		return -errno;
	}
	struct elf_deps deps = { 0 };
	int rc = 0;
	if (scenario_json &&
	    (rc = cpio_add_data(c, KTSTR_GUEST_SCENARIO, scenario_json, strlen(scenario_json), 0644)))
		snprintf(err, errlen, "writing %s: %s", out_path, strerror(-rc));
	if (!rc && sched_bin) {
		char bin[256];
		snprintf(bin, sizeof(bin), "%s", KTSTR_GUEST_SCHED_BIN);
		if ((rc = cpio_add_file(c, bin, sched_bin, 0755)))
			snprintf(err, errlen, "cannot add scheduler %s to the initramfs: %s", sched_bin,
				 rc == -EINVAL ? "not a regular file" : strerror(-rc));
		else if (!(rc = elf_deps_resolve(sched_bin, &deps, err, errlen)))
			/* Libraries at their host paths: the binary's own search finds them. */
			for (int i = 0; i < deps.n && !rc; i++)
				if ((rc = cpio_add_file(c, deps.paths[i], deps.paths[i], 0755)))
					snprintf(err, errlen, "cannot add %s (needed by %s): %s",
						 deps.paths[i], sched_bin, strerror(-rc));
	}
	for (int i = 0; i < nextra && !rc; i++) {
		const char *g = extra[i].guest_path, *hp = extra[i].host_path;
		if (!g || !hp || strstr(g, "..")) {
			snprintf(err, errlen, "bad initramfs path '%s': paths must be absolute and "
				 "must not contain '..'", g ? g : "(null)");
			rc = -EINVAL;
			break;
		}
		if ((rc = cpio_add_file(c, g, hp, 0)))
			snprintf(err, errlen, "cannot add %s to the initramfs as %s: %s", hp, g,
				 rc == -EINVAL ? "only regular files are accepted" : strerror(-rc));
	}
	elf_deps_free(&deps);
	int crc = cpio_close(c, rc == 0);
	if (!rc && crc) {
		rc = crc;
		snprintf(err, errlen, "writing %s: %s", out_path, strerror(-rc));
	}
	return rc;
}

static int append_file(int out, const char *path)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	struct stat st;
	int rc = fstat(in, &st) ? -errno : 0;
	off_t left = rc ? 0 : st.st_size;
	while (left > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
			char buf[1 << 16];
			ssize_t r;
			while (left > 0 && (r = read(in, buf, sizeof(buf))) > 0) {
				if (write(out, buf, (size_t)r) != r) {
					rc = -EIO;
					break;
				}
				left -= r;
			}
			if (left > 0 && !rc)
				rc = -EIO;
			break;
		}
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		left -= n;
	}
	close(in);
	return rc;
}

int initramfs_concat(const char *base, const char *run, const char *out_path, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out_path, (int)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "path too long: %s", out_path);
		return -ENAMETOOLONG;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(e));
		return -e;
	}
	int rc = append_file(fd, base);
	const char *bad = base;
	if (!rc) {
		rc = append_file(fd, run);
		bad = run;
	}
	if (rc)
		snprintf(err, errlen, "building %s from %s: %s", out_path, bad, strerror(-rc));
	return fs_commit_tmp(fd, tmp, out_path, rc, err, errlen);
}
