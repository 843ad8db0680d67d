/* Host CPU reservation (engine/hostcpus.c): layouts read from sysfs-shaped trees (8 CPUs in
 * 2 LLCs on 2 nodes, a VM with no cache info) and from the real /sys, the plans (contiguous
 * windows, LLC cover, performance mode's whole LLCs), and real flocks in a temp lock dir
 * contended by forked holders: waiting, the timeout message with holders, cancel, release,
 * O_CLOEXEC, the NFS refusal, `ktstr locks` rows. */
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
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/hostcpus.h"
#include "tests/unit/tenv.h"

static char dir[256], sys_dir[512], lock_dir[512];

static void setup(void)
{
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-hostcpus");
	snprintf(sys_dir, sizeof(sys_dir), "%s/sys", dir);
	snprintf(lock_dir, sizeof(lock_dir), "%s/locks", dir);
	unsetenv("KTSTR_LOCK_TIMEOUT_MS");
	unsetenv("KTSTR_LOCK_TIMEOUT_SECS");
	unsetenv("KTSTR_BYPASS_LLC_LOCKS");
}

static void teardown(void)
{
	fs_rm_rf(dir);
}

TestSuite(hostcpus, .init = setup, .fini = teardown);

static void put(const char *path, const char *text)
{
	char d[1024];
	snprintf(d, sizeof(d), "%s", path);
	*strrchr(d, '/') = '\0';
	cr_assert_eq(fs_mkdir_p(d, 0755), 0);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* cpuN in node dir nodeM with, when l3 is non-NULL, an L1 of its own and an L3 shared as
 * l3; l3 NULL: no cache directory at all (a VM like this host). */
static void fake_cpu(int cpu, const char *l3, int node)
{
	char p[1024], own[16];
	snprintf(own, sizeof(own), "%d\n", cpu);
	if (l3) {
		snprintf(p, sizeof(p), "%s/cpu%d/cache/index0/level", sys_dir, cpu);
		put(p, "1\n");
		snprintf(p, sizeof(p), "%s/cpu%d/cache/index0/shared_cpu_list", sys_dir, cpu);
		put(p, own);
		snprintf(p, sizeof(p), "%s/cpu%d/cache/index3/level", sys_dir, cpu);
		put(p, "3\n");
		snprintf(p, sizeof(p), "%s/cpu%d/cache/index3/shared_cpu_list", sys_dir, cpu);
		put(p, l3);
	}
	snprintf(p, sizeof(p), "%s/cpu%d/node%d", sys_dir, cpu, node);
	cr_assert_eq(fs_mkdir_p(p, 0755), 0);
}

/* 8 CPUs: LLC 0 = 0-3 on node 0, LLC 1 = 4-7 on node 1; all allowed. */
static void layout8(struct hostcpus_layout *l)
{
	for (int c = 0; c < 8; c++)
		fake_cpu(c, c < 4 ? "0-3\n" : "4-7\n", c / 4);
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int c = 0; c < 8; c++)
		CPU_SET(c, &all);
	char err[256];
	cr_assert_eq(hostcpus_layout_read(sys_dir, &all, l, err, sizeof(err)), 0, "%s", err);
}

/* 2 CPUs with no cache info on one node (this host's shape). */
static void layout2(struct hostcpus_layout *l)
{
	fake_cpu(0, NULL, 0);
	fake_cpu(1, NULL, 0);
	cpu_set_t two;
	CPU_ZERO(&two);
	CPU_SET(0, &two);
	CPU_SET(1, &two);
	char err[256];
	cr_assert_eq(hostcpus_layout_read(sys_dir, &two, l, err, sizeof(err)), 0, "%s", err);
}

static struct hostcpus_layout L; /* 16 KB: not on the stack */

Test(hostcpus, layout_groups_cpus_by_highest_cache_level)
{
	layout8(&L);
	cr_assert_eq(L.n, 8);
	cr_assert_eq(L.nllc, 2);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(L.cpu[i], i);
		cr_assert_eq(L.llc[i], i / 4, "cpu %d in LLC %d", i, L.llc[i]);
	}
	cr_assert_eq(L.llc_node[0], 0);
	cr_assert_eq(L.llc_node[1], 1);
}

Test(hostcpus, layout_without_cache_info_has_one_llc_per_node)
{
	layout2(&L);
	cr_assert_eq(L.n, 2);
	cr_assert_eq(L.nllc, 1);
	cr_assert_eq(L.llc[0], 0);
	cr_assert_eq(L.llc[1], 0);
}

Test(hostcpus, layout_keeps_only_allowed_cpus_but_numbers_every_llc)
{
	for (int c = 0; c < 8; c++)
		fake_cpu(c, c < 4 ? "0-3\n" : "4-7\n", c / 4);
	cpu_set_t some;
	CPU_ZERO(&some);
	CPU_SET(5, &some);
	CPU_SET(6, &some);
	char err[256];
	cr_assert_eq(hostcpus_layout_read(sys_dir, &some, &L, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(L.n, 2);
	cr_assert_eq(L.nllc, 2);
	cr_assert_eq(L.cpu[0], 5);
	cr_assert_eq(L.llc[0], 1, "LLC ordinals count the LLC with no allowed CPU too");
	CPU_ZERO(&some);
	CPU_SET(100, &some);
	cr_assert_eq(hostcpus_layout_read(sys_dir, &some, &L, err, sizeof(err)), -ENODEV);
	cr_assert(strstr(err, "none is in this process's affinity mask"), "%s", err);
}

Test(hostcpus, the_real_sysfs_layout_covers_our_affinity)
{
	char err[256];
	cr_assert_eq(hostcpus_layout_read(NULL, NULL, &L, err, sizeof(err)), 0, "%s", err);
	cpu_set_t self;
	cr_assert_eq(sched_getaffinity(0, sizeof(self), &self), 0);
	cr_assert_eq(L.n, CPU_COUNT(&self));
	cr_assert_geq(L.nllc, 1);
	for (int i = 0; i < L.n; i++)
		cr_assert(CPU_ISSET(L.cpu[i], &self));
}

Test(hostcpus, plans_are_contiguous_windows_within_one_llc_first_highest_first)
{
	layout8(&L);
	struct hostcpus_plan p[32];
	struct hostcpus_req req = { .threads = 2 };
	int n = hostcpus_plans(&L, &req, p, 32);
	cr_assert_eq(n, 7, "every window of 2 in 8 CPUs");
	/* Within one LLC: 6-7, 5-6, 4-5, then 2-3, 1-2, 0-1; the window 3-4 spans both. */
	int want_first[] = { 6, 5, 4, 2, 1, 0, 3 };
	for (int i = 0; i < 7; i++) {
		cr_assert_eq(p[i].first, want_first[i], "plan %d starts at %d", i, p[i].first);
		cr_assert_eq(p[i].n, 2);
		cr_assert_eq(p[i].nllc, i < 6 ? 1 : 2);
	}
	cr_assert_eq(p[0].llc_first, 1);
	cr_assert_eq(p[6].llc_first, 0);
}

Test(hostcpus, a_vm_wider_than_the_host_is_capped_to_every_cpu)
{
	layout8(&L);
	struct hostcpus_plan p[32];
	struct hostcpus_req req = { .threads = 20 };
	cr_assert_eq(hostcpus_plans(&L, &req, p, 32), 1);
	cr_assert_eq(p[0].first, 0);
	cr_assert_eq(p[0].n, 8);
	cr_assert_eq(p[0].nllc, 2);
	req.threads = 0; /* at least one */
	cr_assert_eq(hostcpus_plans(&L, &req, p, 32), 8);
	cr_assert_eq(p[0].n, 1);
}

Test(hostcpus, performance_mode_takes_whole_llcs)
{
	layout8(&L);
	struct hostcpus_plan p[32];
	struct hostcpus_req req = { .threads = 1, .perf = true, .virt_llcs = 1 };
	cr_assert_eq(hostcpus_plans(&L, &req, p, 32), 2);
	cr_assert_eq(p[0].first, 4);
	cr_assert_eq(p[0].n, 4, "the whole LLC 1");
	cr_assert_eq(p[0].llc_first, 1);
	cr_assert_eq(p[1].first, 0);
	req.threads = 6; /* more than one LLC holds */
	cr_assert_eq(hostcpus_plans(&L, &req, p, 32), 1);
	cr_assert_eq(p[0].n, 8);
	cr_assert_eq(p[0].nllc, 2);
	req.threads = 1;
	req.virt_llcs = 2; /* one host LLC per virtual LLC */
	cr_assert_eq(hostcpus_plans(&L, &req, p, 32), 1);
	cr_assert_eq(p[0].nllc, 2);
	req.virt_llcs = 5; /* more than the host has: all of them */
	cr_assert_eq(hostcpus_plans(&L, &req, p, 32), 1);
	cr_assert_eq(p[0].nllc, 2);
}

/* ---- real flocks ---------------------------------------------------------------- */

struct holder { pid_t pid; int go; };

/* A child that takes mode on each lockfile named, says so, and holds until go closes (or
 * hold_ms passes, when > 0). */
static struct holder hold(const char *const *names, int n, int mode, int hold_ms)
{
	int ready[2], go[2];
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(go), 0);
	cr_assert_eq(fs_mkdir_p(lock_dir, 0755), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Only our own pipe ends: an earlier holder's go end kept open here would never
		 * let that holder see EOF. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != ready[1] && fd != go[0])
				close(fd);
		for (int i = 0; i < n; i++) {
			char p[1024];
			snprintf(p, sizeof(p), "%s/%s", lock_dir, names[i]);
			int fd = open(p, O_RDWR | O_CREAT, 0644);
			if (fd < 0 || flock(fd, mode))
				_exit(1);
		}
		(void)!write(ready[1], "x", 1);
		if (hold_ms > 0)
			usleep((useconds_t)hold_ms * 1000);
		else {
			char c;
			(void)!read(go[0], &c, 1);
		}
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	char c;
	cr_assert_eq(read(ready[0], &c, 1), 1, "holder could not take its locks");
	close(ready[0]);
	return (struct holder){ pid, go[1] };
}

static void let_go(struct holder h)
{
	close(h.go);
	int st;
	waitpid(h.pid, &st, 0);
}

static int reserve(int threads, bool perf, int timeout_ms, struct hostcpus_resv **r, char *err,
		   size_t len)
{
	struct hostcpus_req req = { .threads = threads, .perf = perf, .virt_llcs = 1,
		.timeout_ms = timeout_ms, .who = "test" };
	return hostcpus_reserve(&L, lock_dir, &req, r, err, len);
}

static void expect_set(const struct hostcpus_resv *r, const char *want)
{
	char got[64] = "";
	for (int c = 0; c < 64; c++)
		if (CPU_ISSET(c, hostcpus_set(r)))
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%d", got[0] ? "," : "", c);
	cr_assert_str_eq(got, want);
}

Test(hostcpus, two_reservations_get_disjoint_windows_and_release_frees_them)
{
	layout8(&L);
	struct hostcpus_resv *a, *b, *c;
	char err[2048];
	cr_assert_eq(reserve(2, false, 0, &a, err, sizeof(err)), 0, "%s", err);
	expect_set(a, "6,7");
	char d[256];
	hostcpus_describe(a, d, sizeof(d));
	cr_assert_str_eq(d, "host CPUs 6-7 (LLC 1 shared)");
	cr_assert_eq(reserve(2, false, 0, &b, err, sizeof(err)), 0, "%s", err);
	expect_set(b, "4,5");
	/* The rows `ktstr locks` shows: LLC 1 shared twice (one pid), CPUs 4-7 held. */
	struct lock_row *rows = NULL;
	int n = 0;
	cr_assert_eq(hostcpus_scan(lock_dir, false, &rows, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 5, "LLC 1 and CPUs 4-7");
	cr_assert_str_eq(rows[0].kind, "llc");
	cr_assert_str_eq(rows[0].key, "1");
	for (int i = 1; i < 5; i++) {
		cr_assert_str_eq(rows[i].kind, "cpu");
		cr_assert_eq(atoi(rows[i].key), 3 + i, "CPU rows by number");
		cr_assert_eq(rows[i].holders[0].pid, getpid());
		cr_assert(rows[i].holders[0].exclusive);
	}
	size_t want = lock_format_rows(rows, n, NULL, 0) + 1;
	char *txt = malloc(want);
	lock_format_rows(rows, n, txt, want);
	cr_assert(strstr(txt, "LLC locks:\n  LLC  NODE  LOCKFILE"), "%s", txt);
	/* Nodes come from this host's layout: "?" for an LLC number it does not have. */
	cr_assert(strstr(txt, "\n  1    "), "LLC 1's row\n%s", txt);
	cr_assert(strstr(txt, "CPU locks:\n  CPU  LOCKFILE"), "%s", txt);
	free(txt);
	free(rows);
	hostcpus_release(&a);
	cr_assert_null(a);
	cr_assert_eq(reserve(2, false, 0, &c, err, sizeof(err)), 0, "%s", err);
	expect_set(c, "6,7");
	hostcpus_release(&b);
	hostcpus_release(&c);
	hostcpus_release(&c); /* NULL-safe */
	rows = NULL;
	n = 0;
	cr_assert_eq(hostcpus_scan(lock_dir, false, &rows, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 0, "nothing held after release");
	cr_assert_eq(hostcpus_scan(lock_dir, true, &rows, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 5, "--all lists the idle lockfiles");
	free(rows);
}

Test(hostcpus, lock_fds_are_close_on_exec)
{
	layout8(&L);
	struct hostcpus_resv *a;
	char err[2048];
	cr_assert_eq(reserve(3, false, 0, &a, err, sizeof(err)), 0, "%s", err);
	DIR *d = opendir("/proc/self/fd");
	cr_assert_not_null(d);
	int seen = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char p[64], t[1024];
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		ssize_t k = readlink(p, t, sizeof(t) - 1);
		if (k <= 0)
			continue;
		t[k] = '\0';
		if (!strstr(t, lock_dir))
			continue;
		seen++;
		cr_assert(fcntl(atoi(de->d_name), F_GETFD) & FD_CLOEXEC, "%s without O_CLOEXEC", t);
	}
	closedir(d);
	cr_assert_eq(seen, 4, "3 CPU lockfiles and 1 LLC lockfile open");
	hostcpus_release(&a);
}

Test(hostcpus, a_waiter_gets_a_cpu_when_the_holder_lets_go)
{
	layout2(&L);
	const char *both[] = { "ktstr-cpu-0.lock", "ktstr-cpu-1.lock" };
	struct holder h = hold(both, 2, LOCK_EX, 400);
	struct hostcpus_resv *r;
	char err[2048];
	long long t0 = tenv_now_ms();
	cr_assert_eq(reserve(1, false, 5000, &r, err, sizeof(err)), 0, "%s", err);
	long long waited = tenv_now_ms() - t0;
	cr_assert_geq(waited, 300, "it waited for the holder (%lld ms)", waited);
	cr_assert_lt(waited, 4000, "and took a CPU soon after (%lld ms)", waited);
	/* Either: the holder's exit closes its two lockfiles one after the other. */
	int got = CPU_COUNT(hostcpus_set(r)), one = CPU_ISSET(0, hostcpus_set(r)) || CPU_ISSET(1, hostcpus_set(r));
	hostcpus_release(&r);
	cr_assert(got == 1 && one, "one of CPUs 0-1 (got %d CPUs)", got);
	let_go(h);
}

Test(hostcpus, timeout_names_the_lockfile_and_every_holder)
{
	layout2(&L);
	const char *c0[] = { "ktstr-cpu-0.lock" }, *c1[] = { "ktstr-cpu-1.lock" };
	struct holder h0 = hold(c0, 1, LOCK_EX, 0), h1 = hold(c1, 1, LOCK_EX, 0);
	struct hostcpus_resv *r = NULL;
	char err[4096], want[1024];
	long long t0 = tenv_now_ms();
	cr_assert_eq(reserve(1, false, 300, &r, err, sizeof(err)), -ETIMEDOUT, "%s", err);
	cr_assert_geq(tenv_now_ms() - t0, 300);
	cr_assert_null(r);
	snprintf(want, sizeof(want), "flock LOCK_EX on host CPUs for test (1 CPU of 0-1) timed out "
		 "after 300ms (lockfile %s/ktstr-cpu-1.lock, holders:\n  pid=", lock_dir);
	cr_assert(!strncmp(err, want, strlen(want)), "got:\n%s\nwant prefix:\n%s", err, want);
	char p0[32], p1[32];
	snprintf(p0, sizeof(p0), "pid=%d cmd=", h0.pid);
	snprintf(p1, sizeof(p1), "pid=%d cmd=", h1.pid);
	cr_assert(strstr(err, p0) && strstr(err, p1), "both holders named:\n%s", err);
	cr_assert(strstr(err, "). Check for peers holding CPU locks (`ktstr locks`)"), "%s", err);
	/* Nothing half-taken: the LLC's shared lock was dropped with the failed attempt. */
	struct lock_row *rows = NULL;
	int n = 0;
	cr_assert_eq(hostcpus_scan(lock_dir, false, &rows, &n, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < rows[i].nholders; j++)
			cr_assert_neq(rows[i].holders[j].pid, getpid(), "%s still held by us", rows[i].lockfile);
	free(rows);
	let_go(h0);
	let_go(h1);
}

Test(hostcpus, performance_mode_excludes_and_is_excluded_by_shared_llcs)
{
	layout2(&L);
	const char *llc[] = { "ktstr-llc-0.lock" };
	struct holder h = hold(llc, 1, LOCK_EX, 0);
	struct hostcpus_resv *r = NULL;
	char err[4096], want[1024];
	cr_assert_eq(reserve(1, false, 150, &r, err, sizeof(err)), -ETIMEDOUT);
	snprintf(want, sizeof(want), "flock LOCK_SH on host CPUs for test (1 CPU of 0-1) timed out "
		 "after 150ms (lockfile %s/ktstr-llc-0.lock, holders:\n  pid=%d cmd=", lock_dir, h.pid);
	cr_assert(!strncmp(err, want, strlen(want)), "got:\n%s\nwant prefix:\n%s", err, want);
	let_go(h);
	/* The other way: a default-tier run holds a CPU; performance mode cannot have the LLC. */
	cr_assert_eq(reserve(1, false, 0, &r, err, sizeof(err)), 0, "%s", err);
	struct hostcpus_resv *p = NULL;
	cr_assert_eq(reserve(1, true, 150, &p, err, sizeof(err)), -ETIMEDOUT);
	cr_assert(strstr(err, "flock LOCK_EX on host LLCs for test (performance mode: whole LLCs "
			      "covering 1 CPU of 0-1) timed out after 150ms"), "%s", err);
	hostcpus_release(&r);
	cr_assert_eq(reserve(1, true, 0, &p, err, sizeof(err)), 0, "%s", err);
	expect_set(p, "0,1");
	char d[256];
	hostcpus_describe(p, d, sizeof(d));
	cr_assert_str_eq(d, "host CPUs 0-1 (LLC 0 exclusive)");
	hostcpus_release(&p);
}

Test(hostcpus, cancel_stops_the_wait)
{
	layout2(&L);
	const char *both[] = { "ktstr-cpu-0.lock", "ktstr-cpu-1.lock" };
	struct holder h = hold(both, 2, LOCK_EX, 0);
	volatile int stop = 1;
	struct hostcpus_req req = { .threads = 1, .timeout_ms = 10000, .who = "test", .cancel = &stop };
	struct hostcpus_resv *r = NULL;
	char err[512];
	long long t0 = tenv_now_ms();
	cr_assert_eq(hostcpus_reserve(&L, lock_dir, &req, &r, err, sizeof(err)), -ECANCELED);
	cr_assert_lt(tenv_now_ms() - t0, 2000);
	cr_assert_str_eq(err, "stopped while waiting for free host CPUs");
	let_go(h);
}

Test(hostcpus, the_lock_dir_gets_the_seed_nfs_refusal)
{
	/* hostcpus_reserve statfs'es its lock dir and passes f_type through lock_fs_check: */
	char p[600], err[1024];
	snprintf(p, sizeof(p), "%s/ktstr-cpu-0.lock", lock_dir);
	cr_assert_eq(lock_fs_check(p, 0x6969UL, err, sizeof(err)), -EOPNOTSUPP);
	char want[1400];
	snprintf(want, sizeof(want), "%s: filesystem NFS is not supported for ktstr lockfiles "
		 "(NFSv3 is advisory-only without an NLM peer; NFSv4 byte-range locking does not "
		 "cover flock(2)). Move the lockfile path to a local filesystem (tmpfs, ext4, xfs, "
		 "btrfs, f2fs, bcachefs).", p);
	cr_assert_str_eq(err, want);
	/* ... and the real one here is local: a reservation goes through. */
	layout2(&L);
	struct hostcpus_resv *r;
	cr_assert_eq(reserve(1, false, 0, &r, err, sizeof(err)), 0, "%s", err);
	hostcpus_release(&r);
}

Test(hostcpus, bypass_and_lock_dir_and_timeout_come_from_the_environment)
{
	setenv("KTSTR_BYPASS_LLC_LOCKS", "1", 1);
	struct hostcpus_resv *r = (struct hostcpus_resv *)1;
	char note[256], err[256];
	cr_assert_eq(hostcpus_reserve_vm(2, true, false, 1, "t", NULL, &r, note, sizeof(note), err,
					 sizeof(err)), 0);
	cr_assert_null(r);
	cr_assert(strstr(note, "KTSTR_BYPASS_LLC_LOCKS is set: no host CPUs reserved"), "%s", note);
	setenv("KTSTR_BYPASS_LLC_LOCKS", "0", 1);
	cr_assert_not(hostcpus_bypassed());
	unsetenv("KTSTR_BYPASS_LLC_LOCKS");
	unsetenv("KTSTR_LOCK_DIR");
	cr_assert_str_eq(hostcpus_lock_dir(), "/tmp");
	setenv("KTSTR_LOCK_DIR", lock_dir, 1);
	cr_assert_str_eq(hostcpus_lock_dir(), lock_dir);
	/* The engine's call on the real host: TCG needs one CPU. */
	cr_assert_eq(hostcpus_reserve_vm(4, true, false, 1, "t", NULL, &r, note, sizeof(note), err,
					 sizeof(err)), 0, "%s", err);
	cr_assert_not_null(r);
	cr_assert_eq(CPU_COUNT(hostcpus_set(r)), 1);
	cr_assert_str_eq(note, "");
	hostcpus_release(&r);
	unsetenv("KTSTR_LOCK_DIR");
	setenv("KTSTR_LOCK_TIMEOUT_SECS", "2", 1);
	cr_assert_eq(lock_timeout_ms(), 2000);
	setenv("KTSTR_LOCK_TIMEOUT_MS", "250", 1);
	cr_assert_eq(lock_timeout_ms(), 250, "the finer unit wins");
	setenv("KTSTR_LOCK_TIMEOUT_SECS", "x", 1);
	unsetenv("KTSTR_LOCK_TIMEOUT_MS");
	cr_assert_eq(lock_timeout_ms(), LOCK_DEFAULT_TIMEOUT_MS);
}
