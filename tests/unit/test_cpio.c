/* newc writer and initramfs builder: archives are read back with libarchive (an
 * independent reader) and checked byte-level for the newc rules the kernel relies on. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "guest/proto.h"
#include "engine/initramfs/cpio.h"
#include "engine/initramfs/initramfs.h"
#include "tests/unit/tenv.h"

static char dir[256];

static void setup(void)
{
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-cpio");
}

/* Host files the archives take in: busybox and ls from PATH, a small text file. */
static const char *busybox(void)
{
	static char p[4096];
	tenv_which("busybox", "busybox-static", p, sizeof(p));
	return p;
}

static const char *ls(void)
{
	static char p[4096];
	tenv_which("ls", "coreutils", p, sizeof(p));
	return p;
}

static const char *hostname_file(void)
{
	static char p[512];
	snprintf(p, sizeof(p), "%s/hostname", dir);
	cr_assert_eq(fs_write_atomic(p, "guest\n", 6, 0644), 0);
	return p;
}

static void teardown(void)
{
	fs_rm_rf(dir);
}

struct listing {
	char names[2048][128];
	unsigned types[2048];
	long long sizes[2048];
	char links[2048][64];
	int n;
};

static void list_archive(const char *path, struct listing *l)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_cpio(a);
	cr_assert_eq(archive_read_open_filename(a, path, 65536), ARCHIVE_OK, "%s", archive_error_string(a));
	struct archive_entry *e;
	l->n = 0;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK && l->n < 2048) {
		snprintf(l->names[l->n], 128, "%s", archive_entry_pathname(e));
		l->types[l->n] = archive_entry_filetype(e);
		l->sizes[l->n] = archive_entry_size(e);
		const char *s = archive_entry_symlink(e);
		snprintf(l->links[l->n], 64, "%s", s ? s : "");
		l->n++;
	}
	cr_assert_eq(r, ARCHIVE_EOF, "reader stopped: %s", archive_error_string(a));
	archive_read_free(a);
}

static int find(const struct listing *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return i;
	return -1;
}

Test(cpio, writes_newc_with_parents_once_trailer_and_512_padding, .init = setup, .fini = teardown)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/a.cpio", dir);
	struct cpio *c = cpio_open(p);
	cr_assert_not_null(c);
	cr_assert_eq(cpio_add_data(c, "/a/b/c.txt", "hello", 5, 0644), 0);
	cr_assert_eq(cpio_add_data(c, "a/b/d.txt", "x", 1, 0600), 0);
	cr_assert_eq(cpio_add_symlink(c, "bin/sh", "/bin/busybox"), 0);
	cr_assert_eq(cpio_add_file(c, "etc/hostname", hostname_file(), 0), 0);
	cr_assert_eq(cpio_close(c, true), 0);

	char *buf;
	size_t len;
	cr_assert_eq(fs_read_file(p, 1 << 20, &buf, &len), 0);
	cr_expect_eq(len % 512, 0, "archive length %zu is not a multiple of 512", len);
	cr_expect_eq(memcmp(buf, "070701", 6), 0);
	cr_expect_not_null(memmem(buf, len, "TRAILER!!!", 10));
	/* Each header starts 4-byte aligned: walk them. */
	size_t off = 0;
	int headers = 0;
	while (off + 110 <= len && !memcmp(buf + off, "070701", 6)) {
		char f[9] = { 0 };
		memcpy(f, buf + off + 54, 8);
		unsigned long fsize = strtoul(f, NULL, 16);
		memcpy(f, buf + off + 94, 8);
		unsigned long nsize = strtoul(f, NULL, 16);
		const char *name = buf + off + 110;
		cr_expect_neq(name[0], '/', "name with a leading slash: %s", name);
		headers++;
		if (!strcmp(name, "TRAILER!!!"))
			break;
		off = (off + 110 + nsize + 3) & ~3UL;
		off = (off + fsize + 3) & ~3UL;
	}
	cr_expect_eq(headers, 9, "headers walked: %d, expected a, a/b, 2 files, bin, bin/sh, etc, etc/hostname, trailer", headers);
	free(buf);

	struct listing *l = calloc(1, sizeof(*l));
	list_archive(p, l);
	const char *want[] = { "a", "a/b", "a/b/c.txt", "a/b/d.txt", "bin", "bin/sh", "etc", "etc/hostname" };
	cr_assert_eq(l->n, 8, "entries: %d", l->n);
	for (int i = 0; i < 8; i++)
		cr_expect_str_eq(l->names[i], want[i]);
	cr_expect_eq(l->types[find(l, "a/b")], AE_IFDIR);
	cr_expect_eq(l->types[find(l, "bin/sh")], AE_IFLNK);
	cr_expect_str_eq(l->links[find(l, "bin/sh")], "/bin/busybox");
	cr_expect_eq(l->sizes[find(l, "a/b/c.txt")], 5);
	free(l);
}

Test(cpio, rejects_dotdot_and_non_regular_files, .init = setup, .fini = teardown)
{
	char p[512], fifo[512], missing[512];
	snprintf(p, sizeof(p), "%s/b.cpio", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(missing, sizeof(missing), "%s/no/file", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	struct cpio *c = cpio_open(p);
	cr_assert_not_null(c);
	cr_expect_eq(cpio_add_data(c, "../etc/passwd", "x", 1, 0644), -EINVAL);
	cr_expect_eq(cpio_add_data(c, "a/../../x", "x", 1, 0644), -EINVAL);
	cr_expect_eq(cpio_add_file(c, "f", fifo, 0), -EINVAL);
	cr_expect_eq(cpio_add_file(c, "d", dir, 0), -EINVAL);
	cr_expect_eq(cpio_add_file(c, "m", missing, 0), -ENOENT);
	cr_expect_eq(cpio_add_data(c, "ok", "y", 1, 0644), 0, "the archive stays usable after rejected input");
	cr_assert_eq(cpio_close(c, true), 0);
	struct listing *l = calloc(1, sizeof(*l));
	list_archive(p, l);
	cr_expect_eq(l->n, 1);
	cr_expect_str_eq(l->names[0], "ok");
	free(l);
}

Test(cpio, close_without_commit_leaves_no_file, .init = setup, .fini = teardown)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/c.cpio", dir);
	struct cpio *c = cpio_open(p);
	cr_assert_not_null(c);
	cpio_add_data(c, "x", "1", 1, 0644);
	cr_assert_eq(cpio_close(c, false), 0);
	cr_expect_neq(access(p, F_OK), 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "ls -A %s | grep -q .", dir);
	cr_expect_neq(system(cmd), 0, "a temp file remained in %s", dir);
}

static void write_init(char *path, size_t len)
{
	snprintf(path, len, "%s/init", dir);
	const char *s = "#!/bin/busybox sh\necho hi\n";
	cr_assert_eq(fs_write_atomic(path, s, strlen(s), 0755), 0);
}

Test(initramfs, base_is_cached_by_content_and_marker_is_last, .init = setup, .fini = teardown)
{
	char init[512], base[1024], base2[1024], err[1024];
	bool cached = true;
	write_init(init, sizeof(init));
	cr_assert_eq(initramfs_base(dir, init, busybox(), base, sizeof(base), &cached, err,
				    sizeof(err)), 0, "%s", err);
	cr_expect_not(cached);
	struct stat st1, st2;
	cr_assert_eq(stat(base, &st1), 0);
	cr_assert_eq(initramfs_base(dir, init, busybox(), base2, sizeof(base2), &cached,
				    err, sizeof(err)), 0, "%s", err);
	cr_expect(cached, "second call rebuilt the base");
	cr_expect_str_eq(base, base2);
	cr_assert_eq(stat(base2, &st2), 0);
	cr_expect_eq(st1.st_ino, st2.st_ino, "the base file was rewritten");

	struct listing *l = calloc(1, sizeof(*l));
	list_archive(base, l);
	cr_expect_str_eq(l->names[l->n - 1], &KTSTR_GUEST_INIT_OK[1], "last entry: %s", l->names[l->n - 1]);
	int i = find(l, "init");
	cr_assert_geq(i, 0);
	cr_expect_eq(l->types[i], AE_IFREG);
	cr_expect_geq(find(l, "bin/busybox"), 0);
	cr_expect_str_eq(l->links[find(l, "bin/sh")], "/bin/busybox");
	cr_expect_geq(find(l, "dev/console"), 0);
	const char *dirs[] = { "proc", "sys", "dev", "tmp", "run", "etc" };
	for (size_t k = 0; k < 6; k++)
		cr_expect_geq(find(l, dirs[k]), 0, "missing dir %s", dirs[k]);
	cr_expect_gt(l->n, 100, "busybox applet links missing (%d entries)", l->n);
	free(l);

	/* A different init gives a different base. */
	const char *s = "#!/bin/busybox sh\necho other\n";
	cr_assert_eq(fs_write_atomic(init, s, strlen(s), 0755), 0);
	cr_assert_eq(initramfs_base(dir, init, busybox(), base2, sizeof(base2), &cached,
				    err, sizeof(err)), 0, "%s", err);
	cr_expect_not(cached);
	cr_expect_str_neq(base, base2);
}

Test(initramfs, base_with_missing_init_names_it, .init = setup, .fini = teardown)
{
	char base[1024], err[1024], init[512];
	bool cached;
	snprintf(init, sizeof(init), "%s/no/ktstr-init", dir);
	cr_expect_eq(initramfs_base(dir, init, busybox(), base, sizeof(base), &cached, err,
				    sizeof(err)), -ENOENT);
	cr_expect_not_null(strstr(err, init), "%s", err);
}

Test(initramfs, run_archive_has_scenario_scheduler_and_its_libraries, .init = setup, .fini = teardown)
{
	char run[512], out[512], init[512], base[1024], err[1024];
	bool cached;
	snprintf(run, sizeof(run), "%s/run.cpio", dir);
	snprintf(out, sizeof(out), "%s/initrd.cpio", dir);
	struct initramfs_extra ex[] = { { "/include-files/hostname", hostname_file() } };
	cr_assert_eq(initramfs_run(run, "{\"x\":1}", ls(), ex, 1, err, sizeof(err)), 0, "%s", err);
	struct listing *l = calloc(1, sizeof(*l));
	list_archive(run, l);
	int i = find(l, &KTSTR_GUEST_SCENARIO[1]);
	cr_assert_geq(i, 0);
	cr_expect_eq(l->sizes[i], 7);
	cr_expect_geq(find(l, "ktstr/sched/bin"), 0);
	cr_expect_geq(find(l, "lib64/ld-linux-x86-64.so.2"), 0, "interpreter missing");
	cr_expect_geq(find(l, "lib/x86_64-linux-gnu/libc.so.6"), 0, "libc missing");
	cr_expect_geq(find(l, "include-files/hostname"), 0);

	write_init(init, sizeof(init));
	cr_assert_eq(initramfs_base(dir, init, busybox(), base, sizeof(base), &cached, err,
				    sizeof(err)), 0, "%s", err);
	cr_assert_eq(initramfs_concat(base, run, out, err, sizeof(err)), 0, "%s", err);
	struct stat a, b, c;
	stat(base, &a);
	stat(run, &b);
	stat(out, &c);
	cr_expect_eq(c.st_size, a.st_size + b.st_size);
	free(l);

	/* ".." in a guest path is refused and leaves no archive. */
	struct initramfs_extra bad[] = { { "/x/../../etc/shadow", hostname_file() } };
	unlink(run);
	cr_expect_eq(initramfs_run(run, "{}", NULL, bad, 1, err, sizeof(err)), -EINVAL);
	cr_expect_neq(access(run, F_OK), 0);
}

/* The real consumer: the 7.2 kernel unpacks base + run concatenated, runs /init from the
 * base and sees the run archive's files (a dynamically linked binary with its libraries). */
Test(initramfs, kernel_boots_the_concatenation, .init = setup, .fini = teardown, .timeout = 150)
{
	const char *kernel = tenv_kernel();
	char qemu[4096], init[512], base[1024], run[512], out[512], err[1024], cmd[8192];
	tenv_which("qemu-system-x86_64", "qemu-system-x86", qemu, sizeof(qemu));
	bool cached;
	snprintf(init, sizeof(init), "%s/init", dir);
	const char *s = "#!/bin/busybox sh\n"
			"/bin/busybox mount -t proc proc /proc\n"
			"echo \"SCN=$(cat /ktstr/scenario.json)\"\n"
			"[ -e /.ktstr_init_ok ] && echo MARKER-OK\n"
			"/ktstr/sched/bin / >/dev/null && echo SCHED-RUNS\n"
			"poweroff -f\n";
	cr_assert_eq(fs_write_atomic(init, s, strlen(s), 0755), 0);
	snprintf(run, sizeof(run), "%s/run.cpio", dir);
	snprintf(out, sizeof(out), "%s/initrd.cpio", dir);
	cr_assert_eq(initramfs_base(dir, init, busybox(), base, sizeof(base), &cached, err,
				    sizeof(err)), 0, "%s", err);
	cr_assert_eq(initramfs_run(run, "{\"boot\":42}", ls(), NULL, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(initramfs_concat(base, run, out, err, sizeof(err)), 0, "%s", err);
	snprintf(cmd, sizeof(cmd),
		 "timeout 120 %s -M pc -accel tcg,thread=single -smp 1 -m 512 "
		 "-nodefaults -no-user-config -display none -serial stdio -kernel %s -initrd %s "
		 "-append 'console=ttyS0 rdinit=/init panic=-1 loglevel=4' -no-reboot "
		 "</dev/null 2>&1", qemu, kernel, out);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	static char log[1 << 16];
	size_t n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = '\0';
	pclose(f);
	cr_expect_not_null(strstr(log, "SCN={\"boot\":42}"), "console:\n%s", log);
	cr_expect_not_null(strstr(log, "MARKER-OK"), "console:\n%s", log);
	cr_expect_not_null(strstr(log, "SCHED-RUNS"), "console:\n%s", log);
}
