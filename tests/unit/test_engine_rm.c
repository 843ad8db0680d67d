/* engine_kernel_remove: the removal waits for a run's shared lock on a thread of its own,
 * so the caller (the TUI's kernels pane) returns at once; the end comes as EV_KERNEL_RM
 * with the outcome, including the lock timeout that names the holder. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/kernel/cache.h"
#include "engine/engine.h"
#include "engine/fsutil.h"
#include "engine/kernel/lock.h"
#include "tests/unit/tenv.h"

static char dir[256], entry[1024];

static void setup(void)
{
	char err[256];
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-engine-rm");
	unsetenv("KTSTR_LOCK_TIMEOUT_MS");
	char kdir[512];
	cr_assert_eq(cache_kernels_dir(dir, kdir, sizeof(kdir), err, sizeof(err)), 0, "%s", err);
	snprintf(entry, sizeof(entry), "%s/k1", kdir);
	cr_assert_eq(fs_mkdir_p(entry, 0755), 0);
}

static void teardown(void)
{
	unsetenv("KTSTR_LOCK_TIMEOUT_MS");
	fs_rm_rf(dir);
}

/* The next event within ms, false when none came. */
static bool next_event(struct engine *e, struct engine_event *ev, int ms)
{
	return tenv_next_event(e, -1, ev, ms);
}

TestSuite(engine_rm, .init = setup, .fini = teardown);

Test(engine_rm, returns_at_once_and_reports_when_the_run_lets_go)
{
	char err[2048] = "";
	struct ktstr_lock run;  /* a run using k1 holds its lock shared */
	cr_assert_eq(lock_kernel_entry(dir, "k1", LOCK_SH, &run, err, sizeof(err)), 0, "%s", err);
	struct engine *e = engine_new();
	cr_assert_not_null(e);

	long long t0 = tenv_now_ms();
	cr_assert_eq(engine_kernel_remove(e, dir, "k1", err, sizeof(err)), 0, "%s", err);
	long long took = tenv_now_ms() - t0;
	cr_expect(took < 100, "engine_kernel_remove blocked the caller for %lld ms", took);
	cr_expect_eq(engine_kernel_remove(e, dir, "k1", err, sizeof(err)), -EBUSY);
	cr_expect_str_eq(err, "kernel k1 is already being removed");

	struct engine_event ev;
	cr_expect_not(next_event(e, &ev, 400), "reported while the run still held the lock");
	cr_expect_eq(access(entry, F_OK), 0, "removed under the run");

	lock_release(&run);
	cr_assert(next_event(e, &ev, 5000), "no EV_KERNEL_RM after the run let go");
	cr_expect_eq(ev.type, EV_KERNEL_RM);
	cr_expect_eq(ev.rc, 0, "%s", ev.text);
	cr_expect_str_eq(ev.key, "k1");
	cr_expect_str_eq(ev.text, "removed k1");
	cr_expect_null(ev.run);
	engine_event_done(&ev);
	cr_expect_neq(access(entry, F_OK), 0, "the entry is still there");
	engine_free(e);
}

Test(engine_rm, lock_timeout_names_the_holder)
{
	char err[2048] = "", want[1024];
	struct ktstr_lock run;
	cr_assert_eq(lock_kernel_entry(dir, "k1", LOCK_SH, &run, err, sizeof(err)), 0, "%s", err);
	setenv("KTSTR_LOCK_TIMEOUT_MS", "300", 1);
	struct engine *e = engine_new();
	cr_assert_eq(engine_kernel_remove(e, dir, "k1", err, sizeof(err)), 0, "%s", err);
	struct engine_event ev;
	cr_assert(next_event(e, &ev, 5000), "no EV_KERNEL_RM after the lock timeout");
	cr_expect_eq(ev.rc, -ETIMEDOUT);
	cr_expect_str_eq(ev.key, "k1");
	snprintf(want, sizeof(want), "flock LOCK_EX on kernel-entry %s/kernels/k1 timed out after 300ms "
		 "(lockfile %s/.locks/kernels-k1.lock, holders:\n  pid=%d cmd=", dir, dir, (int)getpid());
	cr_expect(!strncmp(ev.text, want, strlen(want)), "got: %s\nwant prefix: %s", ev.text, want);
	engine_event_done(&ev);
	cr_expect_eq(access(entry, F_OK), 0);
	lock_release(&run);
	engine_free(e);
}

/* Quitting the TUI must not wait for a removal that waits for a lock. */
Test(engine_rm, engine_free_does_not_wait_for_a_removal)
{
	char err[2048] = "";
	struct ktstr_lock run;
	cr_assert_eq(lock_kernel_entry(dir, "k1", LOCK_SH, &run, err, sizeof(err)), 0, "%s", err);
	setenv("KTSTR_LOCK_TIMEOUT_MS", "1500", 1);
	struct engine *e = engine_new();
	cr_assert_eq(engine_kernel_remove(e, dir, "k1", err, sizeof(err)), 0, "%s", err);
	long long t0 = tenv_now_ms();
	engine_free(e);
	long long took = tenv_now_ms() - t0;
	cr_expect(took < 500, "engine_free waited %lld ms for the removal", took);
	/* The abandoned thread times out (no engine to tell) before teardown removes dir. */
	struct timespec ts = { 2, 0 };
	nanosleep(&ts, NULL);
	lock_release(&run);
	cr_expect_eq(access(entry, F_OK), 0);
}
