/* Scheduler discovery: order of the places searched, overrides, and the miss message. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/parts.h"
#include "engine/sched.h"
#include "tests/unit/tenv.h"

static char root[256], exe[PATH_MAX], got[PATH_MAX], err[1024], saved_path[8192];

/* Tree: ROOT/src/build/ktstr (the exe), ROOT/src/build/asan/unit (a deeper exe). */
static void setup(void)
{
	char p[PATH_MAX];
	tenv_mkdtemp(root, sizeof(root), "ktstr-sched");
	snprintf(p, sizeof(p), "%s/src", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/src/build", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/src/build/bpf", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/src/build/asan", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/bin", root);
	mkdir(p, 0755);
	snprintf(exe, sizeof(exe), "%s/src/build/ktstr", root);
	unsetenv("KTSTR_SCHEDULER");
	unsetenv("KTSTR_SCHEDULER_BIN_SCX_DEMO");
	snprintf(saved_path, sizeof(saved_path), "%s", getenv("PATH") ? getenv("PATH") : "");
}

static void teardown(void)
{
	setenv("PATH", saved_path, 1);
	unsetenv("KTSTR_SCHEDULER");
	unsetenv("KTSTR_SCHEDULER_BIN_SCX_DEMO");
	cr_assert_eq(fs_rm_rf(root), 0);
}

TestSuite(sched, .init = setup, .fini = teardown);

static void make_exec(const char *rel, int mode)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f, "%s", p);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	chmod(p, mode);
}

static const char *want(const char *rel)
{
	static char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return p;
}

static struct scn_scheduler named(const char *n)
{
	struct scn_scheduler s = { .kind = SCHED_NAME };
	snprintf(s.spec, sizeof(s.spec), "%s", n);
	return s;
}

Test(sched, eevdf_resolves_to_nothing)
{
	struct scn_scheduler s = { .kind = SCHED_EEVDF };
	got[0] = 'x';
	cr_assert_eq(sched_resolve(&s, got, sizeof(got), err, sizeof(err)), 0);
	cr_assert_str_eq(got, "");
}

Test(sched, env_name_is_upper_cased_with_underscores)
{
	char b[128];
	sched_env_name("scx-ktstr.v2", b, sizeof(b));
	cr_assert_str_eq(b, "KTSTR_SCHEDULER_BIN_SCX_KTSTR_V2");
}

Test(sched, search_order_sibling_then_bpf_dir_then_tree_then_path)
{
	struct scn_scheduler s = named("scx_demo");
	setenv("PATH", want("bin"), 1);
	make_exec("bin/scx_demo", 0755);
	cr_assert_eq(sched_resolve_at(&s, exe, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("bin/scx_demo"), "$PATH is the last resort");

	char deep[PATH_MAX];
	snprintf(deep, sizeof(deep), "%s/src/build/asan/unit", root);
	make_exec("src/build/bpf/scx_demo", 0755);
	cr_assert_eq(sched_resolve_at(&s, deep, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("src/build/bpf/scx_demo"), "a deeper binary finds the tree's build/bpf/");

	cr_assert_eq(sched_resolve_at(&s, exe, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("src/build/bpf/scx_demo"), "build/bpf/ beats $PATH");

	make_exec("src/build/scx_demo", 0755);
	cr_assert_eq(sched_resolve_at(&s, exe, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("src/build/scx_demo"), "next to the binary comes first");

	make_exec("other", 0755);
	setenv("KTSTR_SCHEDULER", want("other"), 1);
	cr_assert_eq(sched_resolve_at(&s, exe, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("other"), "KTSTR_SCHEDULER beats the probes");

	make_exec("perName", 0755);
	setenv("KTSTR_SCHEDULER_BIN_SCX_DEMO", want("perName"), 1);
	cr_assert_eq(sched_resolve_at(&s, exe, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("perName"), "the per-name variable beats everything");
}

/* PREFIX/bin/ktstr finds PREFIX/libexec/ktstr/: an installed or DESTDIR-staged copy. */
Test(sched, installed_binary_finds_its_libexec_parts)
{
	static const char *const dirs[] = { "pfx", "pfx/bin", "pfx/libexec", "pfx/libexec/ktstr" };
	char p[PATH_MAX], inst[PATH_MAX];
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		cr_assert_eq(mkdir(p, 0755), 0, "%s", p);
	}
	snprintf(inst, sizeof(inst), "%s/pfx/bin/ktstr", root);
	struct scn_scheduler s = named("scx_demo");
	setenv("PATH", want("bin"), 1);
	make_exec("bin/scx_demo", 0755);
	make_exec("pfx/libexec/ktstr/scx_demo", 0755);
	make_exec("pfx/libexec/ktstr/ktstr-init", 0755);
	cr_assert_eq(sched_resolve_at(&s, inst, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("pfx/libexec/ktstr/scx_demo"), "libexec beats $PATH");
	cr_assert_eq(parts_find_at(inst, "ktstr-init", got, sizeof(got)), 0);
	cr_assert_str_eq(got, want("pfx/libexec/ktstr/ktstr-init"));
	cr_assert_eq(parts_find_at(inst, "ktstr_trace", got, sizeof(got)), -ENOENT);
	cr_assert_str_eq(got, "");
	make_exec("pfx/bin/scx_demo", 0755);
	cr_assert_eq(sched_resolve_at(&s, inst, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("pfx/bin/scx_demo"), "next to the binary still comes first");
	/* The build tree's binary does not look into an installed prefix beside it. */
	cr_assert_eq(parts_find_at(exe, "ktstr-init", got, sizeof(got)), -ENOENT);
}

Test(sched, non_executable_candidates_are_skipped)
{
	struct scn_scheduler s = named("scx_demo");
	setenv("PATH", want("bin"), 1);
	make_exec("src/build/scx_demo", 0644);
	make_exec("bin/scx_demo", 0755);
	cr_assert_eq(sched_resolve_at(&s, exe, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("bin/scx_demo"));
}

Test(sched, a_broken_override_is_reported_not_skipped)
{
	struct scn_scheduler s = named("scx_demo");
	char gone[300], want[600];
	snprintf(gone, sizeof(gone), "%s/no/x", root);
	setenv("KTSTR_SCHEDULER_BIN_SCX_DEMO", gone, 1);
	cr_assert_eq(sched_resolve_at(&s, exe, got, sizeof(got), err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "KTSTR_SCHEDULER_BIN_SCX_DEMO=%s: not an executable file; point it "
		 "at the scheduler binary or unset it", gone);
	cr_assert_str_eq(err, want);
}

Test(sched, miss_gives_the_seed_message)
{
	struct scn_scheduler s = named("scx_mitosis");
	setenv("PATH", want("bin"), 1);
	cr_assert_eq(sched_resolve_at(&s, exe, got, sizeof(got), err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "scheduler 'scx_mitosis' not found. Set KTSTR_SCHEDULER or\n"
			      "place it next to the ktstr binary, in build/bpf/ or in PREFIX/libexec/ktstr/ (or set "
			      "KTSTR_SCHEDULER_BIN_SCX_MITOSIS)");
}

Test(sched, explicit_paths)
{
	struct scn_scheduler s = { .kind = SCHED_PATH };
	make_exec("bin/mine", 0755);
	snprintf(s.spec, sizeof(s.spec), "%s", want("bin/mine"));
	cr_assert_eq(sched_resolve(&s, got, sizeof(got), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(got, want("bin/mine"));
	snprintf(s.spec, sizeof(s.spec), "%s", want("bin/none"));
	cr_assert_eq(sched_resolve(&s, got, sizeof(got), err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "does not exist"), "%s", err);
	make_exec("bin/noexec", 0644);
	snprintf(s.spec, sizeof(s.spec), "%s", want("bin/noexec"));
	cr_assert_eq(sched_resolve(&s, got, sizeof(got), err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "is not executable (chmod +x)"), "%s", err);
}
