/* Advisory locks on real lockfiles in mkdtemp'd directories, contended by real second
 * processes (fork, and an exec'd flock(1)): timeout message with holders, shared vs
 * exclusive, release, the seed's NFS text, `ktstr locks` formatting, cache rm vs a run. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/kernel/cache.h"
#include "engine/fsutil.h"
#include "engine/kernel/lock.h"
#include "tests/unit/tenv.h"

static char dir[256], lockfp[512];

static void setup(void)
{
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-lock");
	snprintf(lockfp, sizeof(lockfp), "%s/.locks/runs-r1.lock", dir);
	setenv("KTSTR_CACHE_DIR", dir, 1);
	unsetenv("KTSTR_LOCK_TIMEOUT_MS");
}

static void teardown(void)
{
	fs_rm_rf(dir);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Our own cmdline as /proc shows it, NULs as spaces: a forked child has the same one. */
static void self_cmdline(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cmdline", "r");
	cr_assert_not_null(f);
	size_t n = fread(out, 1, len - 1, f);
	fclose(f);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!out[i])
			out[i] = ' ';
	while (n && out[n - 1] == ' ')
		out[--n] = '\0';
}

struct holder {
	pid_t pid;
	int go;   /* closing it (or writing a byte) makes the child release and exit */
};

/* A second process that takes mode on each path, reports, and holds until told. */
static struct holder hold(const char *const *paths, int npaths, int mode)
{
	int ready[2], go[2];
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(go), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		struct ktstr_lock lk[4];
		char err[1024];
		int rc = 0;
		for (int i = 0; i < npaths && !rc; i++)
			rc = lock_acquire(paths[i], mode, 2000, "test", &lk[i], err, sizeof(err));
		if (write(ready[1], &rc, sizeof(rc)) != sizeof(rc))
			_exit(3);
		char c;
		(void)!read(go[0], &c, 1);
		for (int i = 0; i < npaths; i++)
			lock_release(&lk[i]);
		_exit(rc ? 1 : 0);
	}
	close(ready[1]);
	close(go[0]);
	int rc = -1;
	cr_assert_eq(read(ready[0], &rc, sizeof(rc)), (ssize_t)sizeof(rc));
	close(ready[0]);
	cr_assert_eq(rc, 0, "holder child could not take its lock: %d", rc);
	return (struct holder){ pid, go[1] };
}

static void let_go(struct holder h)
{
	close(h.go);
	int st;
	cr_assert_eq(waitpid(h.pid, &st, 0), h.pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TestSuite(lock, .init = setup, .fini = teardown);

Test(lock, timeout_message_names_the_holder_pid_and_cmdline)
{
	const char *p[] = { lockfp };
	struct holder h = hold(p, 1, LOCK_EX);
	char err[2048], cmd[256], want[2048], runs[300];
	snprintf(runs, sizeof(runs), "%s", dir);
	struct ktstr_lock lk;
	setenv("KTSTR_LOCK_TIMEOUT_MS", "300", 1);
	long long t0 = now_ms();
	int rc = lock_run_dir(runs, "r1", &lk, err, sizeof(err));
	long long took = now_ms() - t0;
	let_go(h);
	cr_assert_eq(rc, -ETIMEDOUT, "rc %d: %s", rc, err);
	cr_assert(took >= 290 && took < 3000, "waited %lld ms for a 300 ms timeout", took);
	cr_assert(!lk.held);
	self_cmdline(cmd, sizeof(cmd));
	snprintf(want, sizeof(want), "flock LOCK_EX on run-dir %s/r1 timed out after 300ms (lockfile "
		 "%s, holders:\n  pid=%d cmd=%s). A peer ktstr process is writing the same run "
		 "directory; wait for it to finish or kill it, then retry.", dir, lockfp, (int)h.pid, cmd);
	cr_assert_str_eq(err, want);
}

Test(lock, timeout_names_an_outside_holder_by_its_own_cmdline)
{
	char lp[512];
	snprintf(lp, sizeof(lp), "%s/.locks/kernels-k.lock", dir);
	char ldir[512];
	snprintf(ldir, sizeof(ldir), "%s/.locks", dir);
	cr_assert_eq(fs_mkdir_p(ldir, 0755), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		setpgid(0, 0);
		execlp("flock", "flock", "-s", lp, "sleep", "30", (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	struct stat st;
	struct lock_holder hs[4];
	int n = 0;
	for (int i = 0; i < 200 && n == 0; i++) {
		sleep_ms(10);
		if (!stat(lp, &st))
			n = lock_holders(st.st_dev, st.st_ino, hs, 4);
	}
	cr_assert_eq(n, 1, "flock(1) never showed up in /proc/locks");
	struct ktstr_lock lk;
	char err[2048], want[1024];
	int rc = lock_acquire(lp, LOCK_EX, 200, "kernel-entry X", &lk, err, sizeof(err));
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
	cr_assert_eq(rc, -ETIMEDOUT);
	cr_assert(!hs[0].exclusive);
	snprintf(want, sizeof(want), "holders:\n  pid=%d cmd=flock -s %s sleep 30). A peer ktstr "
		 "process is using it;", (int)pid, lp);
	cr_assert_not_null(strstr(err, want), "got: %s\nwant substring: %s", err, want);
}

Test(lock, seed_timeout_text_word_for_word)
{
	struct lock_holder h = { .pid = 12345, .exclusive = true };
	snprintf(h.cmd, sizeof(h.cmd), "cargo-ktstr test --kernel 6.14");
	char buf[1024];
	lock_format_timeout(buf, sizeof(buf), LOCK_EX, "run-dir target/ktstr/6.14-abc1234", 30000,
			    "target/ktstr/.locks/6.14-abc1234.lock", &h, 1,
			    "A peer cargo ktstr test process is writing sidecars to the same "
			    "{kernel}-{project_commit} directory; wait for it to finish or kill it, "
			    "then retry.");
	cr_assert_str_eq(buf, "flock LOCK_EX on run-dir target/ktstr/6.14-abc1234 timed out after 30s "
			      "(lockfile target/ktstr/.locks/6.14-abc1234.lock, holders:\n  pid=12345 "
			      "cmd=cargo-ktstr test --kernel 6.14). A peer cargo ktstr test process is "
			      "writing sidecars to the same {kernel}-{project_commit} directory; wait for "
			      "it to finish or kill it, then retry.");
	lock_format_timeout(buf, sizeof(buf), LOCK_SH, "x", 1500, "l", NULL, 0, "T.");
	cr_assert_str_eq(buf, "flock LOCK_SH on x timed out after 1.5s (lockfile l, holders: <none "
			      "recorded>). T.");
	/* A tiny buffer truncates, never overflows. */
	char small[16];
	lock_format_timeout(small, sizeof(small), LOCK_EX, "x", 30000, "l", &h, 1, NULL);
	cr_assert_str_eq(small, "flock LOCK_EX o");
}

Test(lock, shared_holders_coexist_and_exclude_exclusive)
{
	const char *p[] = { lockfp };
	struct holder h = hold(p, 1, LOCK_SH);
	struct ktstr_lock a, b;
	char err[2048];
	cr_assert_eq(lock_acquire(lockfp, LOCK_SH, 0, "t", &a, err, sizeof(err)), 0, "%s", err);
	int rc = lock_acquire(lockfp, LOCK_EX, 150, "t", &b, err, sizeof(err));
	cr_assert_eq(rc, -ETIMEDOUT);
	/* Both shared holders are named: the child and this process. */
	char me[32], them[32];
	snprintf(me, sizeof(me), "pid=%d ", (int)getpid());
	snprintf(them, sizeof(them), "pid=%d ", (int)h.pid);
	cr_assert(strstr(err, me) && strstr(err, them), "%s", err);
	cr_assert_not_null(strstr(err, "flock LOCK_EX on t timed out after 150ms"), "%s", err);
	lock_release(&a);
	let_go(h);
	cr_assert_eq(lock_acquire(lockfp, LOCK_EX, 0, "t", &b, err, sizeof(err)), 0, "%s", err);
	lock_release(&b);
}

Test(lock, exclusive_holder_blocks_shared)
{
	const char *p[] = { lockfp };
	struct holder h = hold(p, 1, LOCK_EX);
	struct ktstr_lock a;
	char err[2048];
	cr_assert_eq(lock_acquire(lockfp, LOCK_SH, 100, "t", &a, err, sizeof(err)), -ETIMEDOUT);
	cr_assert_not_null(strstr(err, "flock LOCK_SH on t timed out after 100ms"), "%s", err);
	let_go(h);
	/* The EX holder wrote who it is into the lockfile, for humans. */
	char *text = NULL;
	cr_assert_eq(fs_read_file(lockfp, 4096, &text, NULL), 0);
	char want[64];
	snprintf(want, sizeof(want), "pid=%d cmd=", (int)h.pid);
	cr_assert(!strncmp(text, want, strlen(want)), "lockfile says: %s", text);
	free(text);
}

Test(lock, waiter_gets_the_lock_when_the_holder_releases)
{
	const char *p[] = { lockfp };
	struct holder h = hold(p, 1, LOCK_EX);
	pid_t rel = fork();
	if (rel == 0) { /* releases the holder 300 ms from now */
		sleep_ms(300);
		close(h.go);
		_exit(0);
	}
	close(h.go);
	struct ktstr_lock a;
	char err[2048];
	long long t0 = now_ms();
	int rc = lock_acquire(lockfp, LOCK_EX, 10000, "t", &a, err, sizeof(err));
	long long took = now_ms() - t0;
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(took >= 250 && took < 5000, "took %lld ms", took);
	cr_assert(a.held);
	lock_release(&a);
	cr_assert(!a.held);
	lock_release(&a); /* twice is harmless */
	struct ktstr_lock z = { 0 };
	lock_release(&z); /* zeroed: not held, fd 0 untouched */
	cr_assert_neq(fcntl(0, F_GETFD), -1);
	waitpid(rel, NULL, 0);
	waitpid(h.pid, NULL, 0);
}

/* lock_release_unlink removes the file; a waiter that opened the old inode must not take
 * it as the lock when a new holder already owns the file the path now names. */
Test(lock, waiter_on_an_unlinked_lockfile_rechecks_the_inode)
{
	char ldir[512];
	snprintf(ldir, sizeof(ldir), "%s/.locks", dir);
	cr_assert_eq(fs_mkdir_p(ldir, 0755), 0);
	int ready[2];
	cr_assert_eq(pipe(ready), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct ktstr_lock old;
		char err[1024], tmp[600];
		if (lock_acquire(lockfp, LOCK_EX, 1000, "t", &old, err, sizeof(err)))
			_exit(1);
		(void)!write(ready[1], "x", 1);
		sleep_ms(200);
		/* New inode, locked before it replaces the old one. */
		snprintf(tmp, sizeof(tmp), "%s.new", lockfp);
		int fd = open(tmp, O_RDWR | O_CREAT, 0644);
		if (fd < 0 || flock(fd, LOCK_EX) || rename(tmp, lockfp))
			_exit(2);
		lock_release(&old);
		sleep_ms(500);
		_exit(0); /* drops the new lock */
	}
	char c;
	cr_assert_eq(read(ready[0], &c, 1), 1);
	struct ktstr_lock a;
	char err[2048];
	long long t0 = now_ms();
	int rc = lock_acquire(lockfp, LOCK_EX, 10000, "t", &a, err, sizeof(err));
	long long took = now_ms() - t0;
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(took >= 650, "took the lock after %lld ms, before the new holder let go", took);
	struct stat x, y;
	cr_assert_eq(fstat(a.fd, &x), 0);
	cr_assert_eq(stat(lockfp, &y), 0);
	cr_assert_eq(x.st_ino, y.st_ino);
	lock_release_unlink(&a);
	cr_assert_neq(access(lockfp, F_OK), 0, "lock_release_unlink left %s", lockfp);
}

Test(lock, nfs_rejection_has_the_seed_text)
{
	char buf[1024];
	int rc = lock_fs_check("target/ktstr/.locks/6.14-abc1234.lock", 0x6969, buf, sizeof(buf));
	cr_assert_eq(rc, -EOPNOTSUPP);
	cr_assert_str_eq(buf, "target/ktstr/.locks/6.14-abc1234.lock: filesystem NFS is not "
			      "supported for ktstr lockfiles (NFSv3 is advisory-only without an NLM "
			      "peer; NFSv4 byte-range locking does not cover flock(2)). Move the "
			      "lockfile path to a local filesystem (tmpfs, ext4, xfs, btrfs, f2fs, "
			      "bcachefs).");
}

Test(lock, every_refused_filesystem_is_named)
{
	static const struct {
		unsigned long t;
		const char *name;
	} bad[] = {
		{ 0x6969, "NFS" }, { 0xFF534D42UL, "CIFS" }, { 0xFE534D42UL, "SMB2" },
		{ 0x00C36400, "CephFS" }, { 0x5346414F, "AFS" }, { 0x6B414653, "AFS" },
		{ 0x65735546, "FUSE" },
		/* statfs' f_type is a signed long: CIFS's magic arrives sign-extended on some ABIs */
		{ (unsigned long)(long)(int)0xFF534D42U, "CIFS" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[1024], want[128];
		cr_assert_eq(lock_fs_check("/x/a.lock", bad[i].t, buf, sizeof(buf)), -EOPNOTSUPP);
		snprintf(want, sizeof(want), "/x/a.lock: filesystem %s is not supported for ktstr "
			 "lockfiles (", bad[i].name);
		cr_assert(!strncmp(buf, want, strlen(want)), "f_type %#lx: %s", bad[i].t, buf);
		cr_assert_not_null(strstr(buf, "). Move the lockfile path to a local filesystem (tmpfs, "
					  "ext4, xfs, btrfs, f2fs, bcachefs)."));
	}
	/* Local filesystems, and unknown ones, pass. */
	static const unsigned long good[] = { 0xEF53, 0x01021994, 0x58465342, 0x9123683E,
					      0xF2F52010, 0xCA451A4E, 0x12345678 };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char buf[8] = "keep";
		cr_assert_eq(lock_fs_check("/x", good[i], buf, sizeof(buf)), 0);
		cr_assert_str_eq(buf, "keep");
		cr_assert_null(lock_fs_unsupported(good[i], NULL));
	}
}

Test(lock, a_local_lockfile_passes_the_real_statfs_check)
{
	struct ktstr_lock a;
	char err[1024];
	char deep[600];
	snprintf(deep, sizeof(deep), "%s/a/b/.locks/x.lock", dir);
	cr_assert_eq(lock_acquire(deep, LOCK_EX, 0, "t", &a, err, sizeof(err)), 0, "%s", err);
	lock_release(&a);
	cr_assert_eq(lock_acquire(deep, 7, 0, "t", &a, err, sizeof(err)), -EINVAL);
}

Test(lock, scan_lists_held_lockfiles_with_holders)
{
	char ldir[512], k[600], r[600], idle[600], junk[600];
	snprintf(ldir, sizeof(ldir), "%s/.locks", dir);
	snprintf(k, sizeof(k), "%s/kernels-7.2-k1.lock", ldir);
	snprintf(r, sizeof(r), "%s/runs-r1.lock", ldir);
	snprintf(idle, sizeof(idle), "%s/kernels-idle.lock", ldir);
	snprintf(junk, sizeof(junk), "%s/notalock.txt", ldir);
	cr_assert_eq(fs_mkdir_p(ldir, 0755), 0);
	cr_assert_eq(fs_write_atomic(idle, "", 0, 0644), 0);
	cr_assert_eq(fs_write_atomic(junk, "", 0, 0644), 0);
	const char *p[] = { k, r };
	struct holder h = hold(p, 2, LOCK_EX);
	char gone[600];
	snprintf(gone, sizeof(gone), "%s/no/.locks", dir);
	const char *dirs[] = { ldir, gone, ldir };
	struct lock_row *rows;
	int n;
	char err[512];
	cr_assert_eq(lock_scan(dirs, 3, false, &rows, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(rows[0].kind, "kernel");
	cr_assert_str_eq(rows[0].key, "7.2-k1");
	cr_assert_str_eq(rows[1].kind, "run");
	cr_assert_str_eq(rows[1].key, "r1");
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(rows[i].nholders, 1);
		cr_assert_eq(rows[i].holders[0].pid, h.pid);
		cr_assert(rows[i].holders[0].exclusive);
	}
	free(rows);
	cr_assert_eq(lock_scan(dirs, 3, true, &rows, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(rows[1].key, "idle");
	cr_assert_eq(rows[1].nholders, 0);
	free(rows);
	let_go(h);
	cr_assert_eq(lock_scan(dirs, 3, false, &rows, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 0);
	free(rows);
}

Test(lock, locks_listing_format)
{
	struct lock_row rows[3];
	memset(rows, 0, sizeof(rows));
	snprintf(rows[0].kind, 16, "kernel");
	snprintf(rows[0].key, 256, "7.2-k1");
	snprintf(rows[0].lockfile, 4096, "/c/.locks/kernels-7.2-k1.lock");
	rows[0].nholders = 2;
	rows[0].holders[0] = (struct lock_holder){ .pid = 11, .cmd = "ktstr run a" };
	rows[0].holders[1] = (struct lock_holder){ .pid = 12, .cmd = "ktstr tui" };
	snprintf(rows[1].kind, 16, "run");
	snprintf(rows[1].key, 256, "r1");
	snprintf(rows[1].lockfile, 4096, "/c/runs/.locks/runs-r1.lock");
	rows[1].nholders = 1;
	rows[1].holders[0] = (struct lock_holder){ .pid = 13, .exclusive = true, .cmd = "ktstr run b" };
	snprintf(rows[2].kind, 16, "run");
	snprintf(rows[2].key, 256, "r2");
	snprintf(rows[2].lockfile, 4096, "/c/runs/.locks/runs-r2.lock");
	char buf[2048];
	size_t want = lock_format_rows(rows, 3, buf, sizeof(buf));
	const char *expect =
		"Kernel cache locks:\n"
		"  KEY     LOCKFILE                       HOLDERS\n"
		"  7.2-k1  /c/.locks/kernels-7.2-k1.lock  pid=11 SH cmd=ktstr run a\n"
		"                                         pid=12 SH cmd=ktstr tui\n"
		"\n"
		"Run-dir locks:\n"
		"  RUN  LOCKFILE                     HOLDERS\n"
		"  r1   /c/runs/.locks/runs-r1.lock  pid=13 EX cmd=ktstr run b\n"
		"  r2   /c/runs/.locks/runs-r2.lock  <none recorded>\n";
	cr_assert_str_eq(buf, expect);
	cr_assert_eq(want, strlen(expect));
	/* snprintf-like: the size needed, whatever the buffer. */
	char small[10];
	cr_assert_eq(lock_format_rows(rows, 3, small, sizeof(small)), strlen(expect));
	cr_assert_str_eq(small, "Kernel ca");
	cr_assert_eq(lock_format_rows(rows, 3, NULL, 0), strlen(expect));
	cr_assert_eq(lock_format_rows(NULL, 0, buf, sizeof(buf)), strlen("no ktstr locks held\n"));
	cr_assert_str_eq(buf, "no ktstr locks held\n");
}

/* `ktstr kernel rm` against a run using the entry: the run holds the entry's lock shared
 * (as engine_prepare does), rm takes it exclusive, so it waits, then removes. */
Test(lock, kernel_rm_waits_for_a_run_holding_the_entry)
{
	char kdir[512], entry[600], lp[600];
	cr_assert_eq(cache_kernels_dir(dir, kdir, sizeof(kdir), (char[256]){ 0 }, 256), 0);
	snprintf(entry, sizeof(entry), "%s/k1", kdir);
	cr_assert_eq(fs_mkdir_p(entry, 0755), 0);
	snprintf(lp, sizeof(lp), "%s/.locks/kernels-k1.lock", dir);

	int ready[2], go[2];
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(go), 0);
	pid_t run = fork();
	if (run == 0) {
		close(go[1]);
		struct ktstr_lock lk;
		char err[1024];
		int rc = lock_kernel_entry(dir, "k1", LOCK_SH, &lk, err, sizeof(err));
		(void)!write(ready[1], &rc, sizeof(rc));
		char c;
		(void)!read(go[0], &c, 1);
		lock_release(&lk);
		_exit(0);
	}
	close(go[0]);
	int rc = -1;
	cr_assert_eq(read(ready[0], &rc, sizeof(rc)), (ssize_t)sizeof(rc));
	cr_assert_eq(rc, 0);

	char err[2048], want[1024];
	setenv("KTSTR_LOCK_TIMEOUT_MS", "300", 1);
	rc = cache_remove(dir, "k1", err, sizeof(err));
	cr_assert_eq(rc, -ETIMEDOUT, "rm did not wait for the run: rc %d", rc);
	snprintf(want, sizeof(want), "flock LOCK_EX on kernel-entry %s/k1 timed out after 300ms "
		 "(lockfile %s, holders:\n  pid=%d cmd=", kdir, lp, (int)run);
	cr_assert(!strncmp(err, want, strlen(want)), "got: %s\nwant prefix: %s", err, want);
	cr_assert_not_null(strstr(err, "). A peer ktstr process is running on kernel k1 or changing "
					"it; wait for it to finish or kill it, then retry."), "%s", err);
	cr_assert_eq(access(entry, F_OK), 0, "the entry was removed under the run");

	/* The run ends 300 ms later; rm with the default patience then succeeds. */
	unsetenv("KTSTR_LOCK_TIMEOUT_MS");
	long long t0 = now_ms();
	pid_t ender = fork();
	if (ender == 0) {
		sleep_ms(300);
		close(go[1]);
		_exit(0);
	}
	close(go[1]);
	rc = cache_remove(dir, "k1", err, sizeof(err));
	long long took = now_ms() - t0;
	waitpid(ender, NULL, 0);
	waitpid(run, NULL, 0);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(took >= 250, "rm finished after %lld ms, before the run let go", took);
	cr_assert_neq(access(entry, F_OK), 0);
	cr_assert_neq(access(lp, F_OK), 0, "rm left its lockfile");
}

static int count_entries(const char *kdir, int *tmps)
{
	DIR *d = opendir(kdir);
	cr_assert_not_null(d);
	int n = 0;
	*tmps = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, ".tmp-", 5))
			(*tmps)++;
		else if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}

/* Two processes import the same image at once, first into an empty cache, then over a
 * corrupt entry (the path that publishes under the entry's exclusive lock): both succeed
 * with the same valid entry, one directory, no leftovers. */
static void import_race(const char *kdir, char keys[2][128])
{
	const char *img = tenv_kernel();
	int barrier[2], res[2][2];
	cr_assert_eq(pipe(barrier), 0);
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(pipe(res[i]), 0);
		pids[i] = fork();
		if (pids[i] == 0) {
			close(barrier[1]);
			char c;
			(void)!read(barrier[0], &c, 1); /* both start together */
			struct kernel_entry e;
			char err[1024];
			const char *paths[] = { img };
			int rc = cache_import(dir, paths, 1, NULL, &e, err, sizeof(err));
			char out[160];
			snprintf(out, sizeof(out), "%d %s", rc ? 1 : (int)e.corrupt, e.key);
			(void)!write(res[i][1], out, strlen(out) + 1);
			_exit(0);
		}
		close(res[i][1]);
	}
	close(barrier[0]);
	close(barrier[1]);
	for (int i = 0; i < 2; i++) {
		char out[160] = "";
		cr_assert_gt(read(res[i][0], out, sizeof(out) - 1), 0);
		int bad = 1;
		cr_assert_eq(sscanf(out, "%d %127s", &bad, keys[i]), 2, "child %d said %s", i, out);
		cr_assert_eq(bad, 0, "import %d failed or returned a corrupt entry", i);
		waitpid(pids[i], NULL, 0);
	}
	cr_assert_str_eq(keys[0], keys[1]);
	int tmps, n = count_entries(kdir, &tmps);
	cr_assert_eq(n, 1);
	cr_assert_eq(tmps, 0);
}

Test(lock, concurrent_imports_share_one_entry)
{
	char kdir[512], err[1024], keys[2][128];
	cr_assert_eq(cache_kernels_dir(dir, kdir, sizeof(kdir), err, sizeof(err)), 0);
	import_race(kdir, keys);
	/* Corrupt it, then race two re-imports that both want to replace it. */
	char meta[800];
	snprintf(meta, sizeof(meta), "%s/%s/metadata.json", kdir, keys[0]);
	cr_assert_eq(fs_write_atomic(meta, "{not json", 9, 0644), 0);
	import_race(kdir, keys);
	struct kernel_entry e;
	cr_assert_eq(cache_lookup(dir, keys[0], &e, err, sizeof(err)), 0);
	cr_assert(!e.corrupt, "entry still corrupt: %s", e.error);
}
