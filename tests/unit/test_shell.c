/* Shell mode on the host: the one-line reason a shell VM ended, a shell run's record (never
 * a scenario verdict), the guest's "exec" message, and engine_shell_sock's copy of the
 * socket path, which must stay valid after the run thread frees the VM (a real VM). */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/checks.h"
#include "engine/engine.h"
#include "engine/report.h"
#include "engine/shell_end.h"
#include "engine/fsutil.h"
#include "tests/unit/tenv.h"

static bool reason(const struct shell_end_facts *f, char *out)
{
	return shell_end_reason(f, out, 512);
}

Test(shell_end, normal_power_offs_are_not_errors)
{
	char s[512];
	struct shell_end_facts f = { .exited = true, .status = 0, .guest_done = true };
	cr_expect(!reason(&f, s));
	cr_expect_str_eq(s, "powered off after the shell exited");
	f.stop_asked = true;
	cr_expect(!reason(&f, s));
	cr_expect_str_eq(s, "powered off after ktstr detached (Ctrl-])");
	f = (struct shell_end_facts){ .exited = true, .exec = true, .exec_status = 7, .stop_asked = true };
	cr_expect(!reason(&f, s));
	cr_expect_str_eq(s, "powered off after the command exited with status 7");
	f = (struct shell_end_facts){ .exited = true, .exec_status = -1 };
	cr_expect(!reason(&f, s), "`poweroff -f` in an interactive shell is the user's choice");
	cr_expect_str_eq(s, "powered off from inside the guest (poweroff or reboot)");
}

Test(shell_end, abnormal_ends_say_what_happened)
{
	char s[512];
	struct shell_end_facts f = { .exited = true, .status = 0, .exec_status = -1,
				     .panic = "[    5.6] Kernel panic - not syncing: sysrq triggered crash" };
	cr_expect(reason(&f, s), "a panic looks like a clean exit to QEMU, but is not");
	cr_expect_str_eq(s, "the guest kernel panicked (Kernel panic - not syncing: sysrq triggered crash)");
	f = (struct shell_end_facts){ .exited = true, .status = SIGKILL, .exec_status = -1 };
	cr_expect(reason(&f, s));
	cr_expect_str_eq(s, "killed: QEMU was killed by signal 9 (Killed)");
	f = (struct shell_end_facts){ .boot_timeout = true, .boot_limit_ms = 70600, .exec_status = -1 };
	cr_expect(reason(&f, s));
	cr_expect(strstr(s, "did not come up within 70600 ms"), "%s", s);
	f = (struct shell_end_facts){ .exited = true, .status = 1 << 8, .exec_status = -1 };
	cr_expect(reason(&f, s));
	cr_expect(strstr(s, "QEMU exited with status 1"), "%s", s);
	f = (struct shell_end_facts){ .start_error = "qemu-system-x86_64 not found", .exec_status = -1 };
	cr_expect(reason(&f, s));
	cr_expect_str_eq(s, "the VM did not start: qemu-system-x86_64 not found");
	f = (struct shell_end_facts){ .exited = true, .exec = true, .exec_status = -1 };
	cr_expect(reason(&f, s), "--exec cut off by a power-off is an error");
	cr_expect_str_eq(s, "the guest powered off before the command finished");
}

/* ---- a shell run's record ------------------------------------------------------- */

static struct run *shell_run(void)
{
	struct run *r = run_new(NULL);
	cr_assert_not_null(r);
	snprintf(r->scn.name, sizeof(r->scn.name), "shell");
	r->shell = true;
	snprintf(r->accel, sizeof(r->accel), "tcg");
	cr_assert_not_null(run_ingest(r, "{\"t\":\"hello\",\"proto\":1,\"kernel\":\"7.2\",\"kernel_boot_ms\":900}"));
	cr_assert_not_null(run_ingest(r, "{\"t\":\"stage\",\"ts_ns\":1,\"stage\":\"exec\"}"));
	return r;
}

static char *text_of(struct run *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_text(r, f);
	fclose(f);
	return buf;
}

Test(shell_run, exec_message_is_ingested_and_checked)
{
	struct run *r = shell_run();
	cr_expect_eq(r->exec_status, -1);
	cr_expect_str_eq(run_ingest(r, "{\"t\":\"exec\",\"ts_ns\":2,\"status\":7,\"bytes\":4096}"), "exec");
	cr_expect_eq(r->exec_status, 7);
	cr_expect_eq(r->exec_bytes, 4096);
	uint64_t bad = r->malformed_lines;
	cr_expect_null(run_ingest(r, "{\"t\":\"exec\",\"status\":256,\"bytes\":1}"), "status is 0-255");
	cr_expect_null(run_ingest(r, "{\"t\":\"exec\",\"status\":0}"), "bytes is required");
	cr_expect_eq(r->malformed_lines, bad + 2);
	cr_expect_eq(r->exec_status, 7, "a bad line changes nothing");
	run_put(r);
}

Test(shell_run, a_cut_off_shell_is_an_error_that_blames_no_scenario_setup)
{
	struct run *r = shell_run();
	/* What the engine does for a shell VM that a watchdog or a signal killed. */
	snprintf(r->vm_end, sizeof(r->vm_end), "killed: QEMU was killed by signal 9 (Killed)");
	snprintf(r->error, sizeof(r->error), "shell VM ended: %s", r->vm_end);
	checks_finalize(r);
	cr_expect_eq(r->result, RESULT_ERROR);
	cr_expect_eq(r->exit_code, 3);
	cr_expect_eq(r->nchecks, 0, "no scenario checks on a shell");
	char *t = text_of(r);
	cr_expect_null(strstr(t, "cgroup/scheduler setup failed"), "%s", t);
	cr_expect(strstr(t, "stage: shell mode: init started the shell or the --exec command"), "%s", t);
	cr_expect(strstr(t, "error: shell VM ended: killed: QEMU was killed by signal 9"), "%s", t);
	free(t);
	run_put(r);
}

Test(shell_run, a_normal_end_passes_and_round_trips_through_the_run_dir)
{
	struct run *r = shell_run();
	r->exec = true;
	cr_assert_not_null(run_ingest(r, "{\"t\":\"exec\",\"status\":7,\"bytes\":12}"));
	cr_assert_not_null(run_ingest(r, "{\"t\":\"done\",\"ok\":true}"));
	snprintf(r->vm_end, sizeof(r->vm_end), "powered off after the command exited with status 7");
	checks_finalize(r);
	cr_expect_eq(r->result, RESULT_PASS, "a command's status is not a scenario verdict");
	cr_expect_eq(r->exit_code, 0);
	char *t = text_of(r);
	cr_expect(strstr(t, "ktstr: shell VM [topo=1n1l2c1t] ended: powered off after the command "
			 "exited with status 7\n  --exec command: exit status 7, 12 bytes of output\n"), "%s", t);
	cr_expect_null(strstr(t, "passed"), "%s", t);
	free(t);
	char dir[256], err[512];
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-shell");
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	cr_assert_eq(report_write_dir(r, err, sizeof(err)), 0, "%s", err);
	struct run *back = NULL;
	cr_assert_eq(report_load_dir(dir, &back, err, sizeof(err)), 0, "%s", err);
	cr_expect(back->shell && back->exec);
	cr_expect_eq(back->exec_status, 7);
	cr_expect_eq(back->exec_bytes, 12);
	cr_expect_str_eq(back->vm_end, r->vm_end);
	run_put(back);
	fs_rm_rf(dir);
	run_put(r);
}

/* ---- engine_shell_sock with a real VM ------------------------------------------- */

static bool done(struct run *r)
{
	run_lock(r);
	bool d = r->state == RUN_DONE;
	run_unlock(r);
	return d;
}

Test(shell_engine, sock_path_is_copied_and_outlives_the_vm, .timeout = 180)
{
	char runs[256], err[2048] = "";
	tenv_mkdtemp(runs, sizeof(runs), "ktstr-shell-runs");
	struct run_request req = { .shell = true, .runs_root = runs, .kernel_spec = tenv_kernel() };
	scn_init_default(&req.scn);
	snprintf(req.scn.name, sizeof(req.scn.name), "shell");
	req.scn.topo = (struct vm_topology){ 1, 1, 1, 1 };
	req.scn.duration_ms = 1;
	struct engine *e = engine_new();
	struct run *run = NULL;
	char path[4096] = "", tiny[8];
	cr_assert_eq(engine_start(e, &req, &run, err, sizeof(err)), 0, "%s", err);
	int rc = -ENOENT;
	for (int i = 0; i < 1500 && rc && !done(run); i++) {
		rc = engine_shell_sock(e, run, path, sizeof(path));
		usleep(100 * 1000);
	}
	cr_assert_eq(rc, 0, "the shell VM's socket never appeared (run dir %s)", run->dir);
	char want[4200];
	snprintf(want, sizeof(want), "%s/shell.sock", run->dir);
	cr_expect_str_eq(path, want);
	cr_expect_eq(engine_shell_sock(e, run, tiny, sizeof(tiny)), -ENAMETOOLONG);
	cr_expect_str_eq(tiny, "", "a path that does not fit is not half-copied");
	/* Once the guest runs its shell (so it powers off when asked), stop it and ask again
	 * and again while the run thread frees the VM: every answer is the whole path or
	 * -ENOENT with an empty buffer, never a dangling pointer. */
	bool in_shell = false;
	for (int i = 0; i < 1500 && !in_shell && !done(run); i++) {
		usleep(100 * 1000);
		run_lock(run);
		in_shell = !strcmp(run->stage, "shell");
		run_unlock(run);
	}
	cr_assert(in_shell, "the guest never reached its shell (run dir %s)", run->dir);
	engine_stop(e, run);
	int whole = 0, gone = 0;
	while (!done(run)) {
		char b[4096] = "x";
		int r = engine_shell_sock(e, run, b, sizeof(b));
		if (!r) {
			cr_assert_str_eq(b, want);
			whole++;
		} else {
			cr_assert_eq(r, -ENOENT);
			cr_assert_str_eq(b, "");
			gone++;
		}
	}
	cr_expect_gt(whole, 0);
	cr_expect_eq(engine_shell_sock(e, run, tiny, sizeof(tiny)), -ENOENT);
	cr_expect(access(want, F_OK) != 0, "vm_free removed the socket: the VM is gone");
	cr_expect_str_eq(path, want, "our copy is intact after the VM was freed");
	run_lock(run);
	cr_expect_eq(run->result, RESULT_PASS, "error: %s", run->error);
	cr_expect_str_eq(run->vm_end, "powered off after ktstr detached (Ctrl-])");
	run_unlock(run);
	run_put(run);
	engine_free(e);
	fs_rm_rf(runs);
	(void)gone;
}
