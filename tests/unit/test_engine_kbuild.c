/* engine_kernel_build_async: the build runs on a thread of its own, so the caller (the TUI's
 * Kernels pane) returns at once; status lines come as EV_KERNEL_BUILD rc 1, the end as rc 0
 * or -errno; one build per engine; cancel and engine_free stop a build's make. The "kernel
 * tree" is a fake whose Makefile only pretends (tinyconfig writes an empty .config, and
 * bzImage prints compile lines until it is killed), with a pahole script that says v1.30. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/fsutil.h"
#include "engine/kernels.h"
#include "tests/unit/tenv.h"

static char dir[256], tree[512], pidfile[512];

static void put(const char *path, const char *text, mode_t mode)
{
	cr_assert_eq(fs_write_atomic(path, text, strlen(text), mode), 0, "cannot write %s", path);
}

static void setup(void)
{
	char p[1024], mk[2048];
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-engine-kbuild");
	snprintf(tree, sizeof(tree), "%s/linux", dir);
	snprintf(pidfile, sizeof(pidfile), "%s/bzimage.pid", dir);
	cr_assert_eq(fs_mkdir_p(tree, 0755), 0);
	snprintf(mk, sizeof(mk),
		 "VERSION = 6\nPATCHLEVEL = 14\nSUBLEVEL = 10\n\n"
		 "tinyconfig:\n\t@mkdir -p $(O) && : > $(O)/.config\n"
		 "olddefconfig:\n\t@true\n"
		 "bzImage:\n\t@echo $$$$ > %s; while :; do echo '  CC      kernel/fake.o'; sleep 0.05; done\n",
		 pidfile);
	snprintf(p, sizeof(p), "%s/Makefile", tree);
	put(p, mk, 0644);
	snprintf(p, sizeof(p), "%s/Kconfig", tree);
	put(p, "", 0644);
	snprintf(p, sizeof(p), "%s/pahole", dir);
	put(p, "#!/bin/sh\n[ \"$1\" = --version ] && echo v1.30\nexit 0\n", 0755);
	setenv("KTSTR_PAHOLE", p, 1);
	snprintf(p, sizeof(p), "%s/cache", dir);
	setenv("KTSTR_CACHE_DIR", p, 1);
}

static void teardown(void)
{
	unsetenv("KTSTR_PAHOLE");
	unsetenv("KTSTR_CACHE_DIR");
	fs_rm_rf(dir);
}

/* The next EV_KERNEL_BUILD (others dropped) within ms, false when none came. */
static bool next_build_event(struct engine *e, struct engine_event *ev, int ms)
{
	return tenv_next_event(e, EV_KERNEL_BUILD, ev, ms);
}

/* Events until the end (rc != 1); *status collects the status lines, *progress counts. */
static bool until_end(struct engine *e, struct engine_event *ev, int ms, char *status, size_t len,
		      int *progress)
{
	long long end = tenv_now_ms() + ms;
	while (next_build_event(e, ev, (int)(end - tenv_now_ms() > 0 ? end - tenv_now_ms() : 0))) {
		if (ev->rc != 1)
			return true;
		if (ev->progress)
			(*progress)++;
		else if (status)
			snprintf(status + strlen(status), len - strlen(status), "%s\n", ev->text);
		engine_event_done(ev);
	}
	return false;
}

/* Whether the fake make's bzImage loop (its pid in pidfile) still runs. */
static bool bzimage_running(void)
{
	char *t = NULL;
	if (fs_read_file(pidfile, 64, &t, NULL))
		return false;
	pid_t pid = (pid_t)atoi(t);
	free(t);
	return pid > 0 && kill(pid, 0) == 0;
}

TestSuite(engine_kbuild, .init = setup, .fini = teardown, .timeout = 60);

Test(engine_kbuild, not_a_tree_ends_with_the_reason)
{
	char err[1024] = "", notree[512];
	snprintf(notree, sizeof(notree), "%s/empty", dir);
	cr_assert_eq(fs_mkdir_p(notree, 0755), 0);
	struct engine *e = engine_new();
	struct kbuild_opts o = { .source_dir = notree, .progress_fd = 2 };
	cr_assert_eq(engine_kernel_build_async(e, &o, err, sizeof(err)), 0, "%s", err);
	notree[0] = 0;  /* the engine copied it */
	struct engine_event ev;
	int prog = 0;
	cr_assert(until_end(e, &ev, 10000, NULL, 0, &prog), "no end event");
	cr_expect_eq(ev.rc, -ENOENT, "rc %d: %s", ev.rc, ev.text);
	cr_expect(strstr(ev.text, "not a kernel source tree"), "got: %s", ev.text);
	cr_expect_null(ev.key);
	engine_event_done(&ev);
	engine_free(e);
}

Test(engine_kbuild, one_build_at_a_time_and_cancel_stops_make)
{
	char err[1024] = "", status[8192] = "";
	struct engine *e = engine_new();
	struct kbuild_opts o = { .source_dir = tree, .progress_fd = -1, .jobs = 1 };
	long long t0 = tenv_now_ms();
	cr_assert_eq(engine_kernel_build_async(e, &o, err, sizeof(err)), 0, "%s", err);
	cr_expect(tenv_now_ms() - t0 < 200, "engine_kernel_build_async blocked for %lld ms", tenv_now_ms() - t0);
	cr_expect_eq(engine_kernel_build_async(e, &o, err, sizeof(err)), -EBUSY);
	cr_expect(strstr(err, "a kernel build is already running"), "got: %s", err);

	for (int i = 0; i < 100 && !bzimage_running(); i++)
		usleep(100 * 1000);
	cr_assert(bzimage_running(), "make bzImage never started");
	usleep(600 * 1000);  /* progress events come */
	cr_expect(engine_kernel_build_cancel(e));
	struct engine_event ev;
	int prog = 0;
	cr_assert(until_end(e, &ev, 10000, status, sizeof(status), &prog), "no end after cancel");
	cr_expect_eq(ev.rc, -ECANCELED, "rc %d: %s", ev.rc, ev.text);
	cr_expect(strstr(ev.text, "kernel build cancelled; log: ") && strstr(ev.text, "build.log"),
		  "got: %s", ev.text);
	engine_event_done(&ev);
	cr_expect(strstr(status, "build: configure (tinyconfig + ktstr.kconfig)\n"), "status lines:\n%s", status);
	cr_expect(prog >= 1 && prog <= 6, "%d progress events in ~0.6 s (at most 5 a second)", prog);
	usleep(200 * 1000);
	cr_expect_not(bzimage_running(), "make bzImage still runs after the cancel");
	cr_expect_not(engine_kernel_build_cancel(e), "a build still counted as running");
	/* The engine is free for the next build. */
	cr_expect_eq(engine_kernel_build_async(e, &o, err, sizeof(err)), 0, "%s", err);
	engine_free(e);
}

/* Quitting the TUI during a build stops its make (through the cancel flag). */
Test(engine_kbuild, engine_free_stops_the_build)
{
	char err[1024] = "";
	struct engine *e = engine_new();
	struct kbuild_opts o = { .source_dir = tree, .progress_fd = -1, .jobs = 1 };
	cr_assert_eq(engine_kernel_build_async(e, &o, err, sizeof(err)), 0, "%s", err);
	for (int i = 0; i < 100 && !bzimage_running(); i++)
		usleep(100 * 1000);
	cr_assert(bzimage_running(), "make bzImage never started");
	long long t0 = tenv_now_ms();
	engine_free(e);
	long long took = tenv_now_ms() - t0;
	cr_expect(took < 2500, "engine_free waited %lld ms", took);
	usleep(200 * 1000);
	cr_expect_not(bzimage_running(), "make bzImage still runs after engine_free");
}
