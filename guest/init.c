/* The guest's PID 1: its order of stages (main), and what belongs to no part of its own:
 * the mounts, finding the ports, the topology report, and power-off. Never returns: a
 * PID 1 exit panics. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guest/gcpu.h"
#include "guest/gctl.h"
#include "guest/gdisk.h"
#include "guest/gmon.h"
#include "guest/gops.h"
#include "guest/gprobe.h"
#include "guest/gproc.h"
#include "guest/grun.h"
#include "guest/gsched.h"
#include "guest/gscn.h"
#include "guest/gshell.h"
#include "guest/gtrace.h"
#include "guest/gutil.h"
#include "guest/gworkers.h"
#include "guest/proto.h"

/* ---- mounts ---------------------------------------------------------------------- */

#define MAX_MOUNT_NOTES 16
static char mount_notes[MAX_MOUNT_NOTES][256];
static int nmount_notes;
static bool mounts_fatal;

static void do_mount(const char *src, const char *dst, const char *type, const char *opts,
		     bool required)
{
	mkdir(dst, 0755);
	if (!mount(src, dst, type, MS_NOSUID | (strcmp(type, "devtmpfs") && strcmp(type, "devpts") ? MS_NODEV : 0), opts))
		return;
	if (errno == EBUSY)
		return; /* already there (e.g. the kernel mounted devtmpfs) */
	int e = errno;
	if (nmount_notes < MAX_MOUNT_NOTES)
		snprintf(mount_notes[nmount_notes++], sizeof(mount_notes[0]),
			 "mount %s on %s: %s%s", type, dst, strerror(e),
			 required ? " (required)" : " (optional; features needing it are off)");
	if (required) {
		mounts_fatal = true;
		gctl_console("mount %s on %s failed: %s", type, dst, strerror(e));
	}
}

static void mount_all(void)
{
	do_mount("proc", "/proc", "proc", NULL, true);
	do_mount("sysfs", "/sys", "sysfs", NULL, true);
	do_mount("devtmpfs", "/dev", "devtmpfs", "mode=0755", true);
	do_mount("tmpfs", "/tmp", "tmpfs", "mode=1777", true);
	do_mount("cgroup2", "/sys/fs/cgroup", "cgroup2", NULL, false);
	do_mount("bpf", "/sys/fs/bpf", "bpf", "mode=0700", false);
	do_mount("debugfs", "/sys/kernel/debug", "debugfs", NULL, false);
	do_mount("tracefs", "/sys/kernel/tracing", "tracefs", NULL, false);
	do_mount("devpts", "/dev/pts", "devpts", "ptmxmode=0666,mode=0620", false);
	do_mount("tmpfs", "/dev/shm", "tmpfs", "mode=1777", false);
	do_mount("tmpfs", "/run", "tmpfs", "mode=0755", false);
	symlink("/proc/self/fd", "/dev/fd");
	symlink("/proc/self/fd/0", "/dev/stdin");
	symlink("/proc/self/fd/1", "/dev/stdout");
	symlink("/proc/self/fd/2", "/dev/stderr");
}

/* ---- ports ----------------------------------------------------------------------- */

/* /sys/class/virtio-ports/<vportNpM>/name == name -> /dev/<vportNpM>. */
static bool find_port(const char *name, char *dev, size_t len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	bool found = false;
	while (d && (e = readdir(d)) && !found) {
		if (e->d_name[0] == '.')
			continue;
		char p[512], v[128];
		snprintf(p, sizeof(p), "/sys/class/virtio-ports/%.200s/name", e->d_name);
		if (gutil_read_file(p, v, sizeof(v)) >= 0 && !strcmp(v, name)) {
			snprintf(dev, len, "/dev/%.200s", e->d_name);
			found = true;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* ---- topology -------------------------------------------------------------------- */

static void emit_groups(struct gjson *j, const char *key, uint64_t (*g)[GCPU_WORDS], int n)
{
	gjson_arr_open(j, key);
	for (int i = 0; i < n; i++) {
		gjson_arr_open(j, NULL);
		for (int c = 0; c < GCPU_MAX; c++)
			if (gcpu_isset(g[i], c))
				gjson_int(j, NULL, c);
		gjson_arr_close(j);
	}
	gjson_arr_close(j);
}

static int add_group(uint64_t (*g)[GCPU_WORDS], int n, const uint64_t *m)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(g[i], m, sizeof(g[i])))
			return n;
	if (n < GCPU_MAX)
		memcpy(g[n++], m, sizeof(g[0]));
	return n;
}

static void send_topo(void)
{
	static uint64_t llcs[GCPU_MAX][GCPU_WORDS], nodes[GCPU_MAX][GCPU_WORDS];
	uint64_t online[GCPU_WORDS] = { 0 }, m[GCPU_WORDS];
	char buf[1024], p[256];
	int nl = 0, nn = 0;
	if (gutil_read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)) < 0 ||
	    gcpu_parse(buf, online) < 0)
		gcpu_set(online, 0);
	for (int c = 0; c < GCPU_MAX; c++) {
		if (!gcpu_isset(online, c))
			continue;
		/* The LLC: index3 if present, else the highest cache index there is. */
		int idx = -1;
		for (int i = 0; i < 8; i++) {
			snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/cache/index%d/shared_cpu_list", c, i);
			if (!access(p, R_OK))
				idx = i;
			if (i == 3 && idx == 3)
				break;
		}
		memset(m, 0, sizeof(m));
		if (idx >= 0) {
			snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/cache/index%d/shared_cpu_list", c, idx);
			if (gutil_read_file(p, buf, sizeof(buf)) < 0 || gcpu_parse(buf, m) <= 0)
				memset(m, 0, sizeof(m));
		}
		if (!gcpu_count(m))
			gcpu_set(m, c);
		nl = add_group(llcs, nl, m);
	}
	for (int n = 0; n < GCPU_MAX; n++) {
		snprintf(p, sizeof(p), "/sys/devices/system/node/node%d/cpulist", n);
		if (gutil_read_file(p, buf, sizeof(buf)) < 0)
			continue;
		if (gcpu_parse(buf, m) > 0)
			nn = add_group(nodes, nn, m);
	}
	if (!nn)
		nn = add_group(nodes, nn, online);
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_TOPO, gutil_now_ns());
	gjson_int(&j, "cpus", gcpu_count(online));
	emit_groups(&j, "llcs", llcs, nl);
	emit_groups(&j, "nodes", nodes, nn);
	gctl_emit(&j);
}

/* ---- the end --------------------------------------------------------------------- */

static void send_done(bool ok, int steps_done, int steps, int64_t elapsed_ms)
{
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_DONE, gutil_now_ns());
	gjson_bool(&j, "ok", ok);
	gjson_int(&j, "steps_done", steps_done);
	gjson_int(&j, "steps", steps);
	gjson_int(&j, "elapsed_ms", elapsed_ms);
	gjson_int(&j, "malformed", (int64_t)gctl_malformed());
	gctl_emit(&j);
}

static __attribute__((noreturn)) void power_off(void)
{
	sync();
	/* Give the host a moment to read the last lines before the port disappears. */
	gctl_sync();
	reboot(RB_POWER_OFF);
	gctl_console("reboot(RB_POWER_OFF) failed: %s; halting here", strerror(errno));
	for (;;)
		pause();
}

static __attribute__((noreturn)) void fail_and_off(const char *why)
{
	gctl_log("guest", "ktstr-init: %s", why);
	gctl_console("%s", why);
	send_done(false, 0, 1, 0);
	power_off();
}

/* --exec: run the command, say how it ended, and power off once the host has read all
 * of its output (its "stop"), or after EXEC_ACK_MS if the host never answers. */
#define EXEC_ACK_MS 60000
static __attribute__((noreturn)) void exec_and_off(const char *port_dev, const char *cmd)
{
	gctl_stage("exec");
	uint64_t bytes = 0;
	int st = gshell_exec(port_dev, cmd, &bytes);
	if (st < 0)
		fail_and_off("cannot start the --exec command (see the log lines above)");
	gctl_log("guest", "exec: the command exited with status %d (%llu bytes of output)", st,
		 (unsigned long long)bytes);
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_EXEC, gutil_now_ns());
	gjson_int(&j, "status", st);
	gjson_int(&j, "bytes", (int64_t)bytes);
	gctl_emit(&j);
	int waited = 0;
	for (; waited < EXEC_ACK_MS && !gctl_stop_requested(); waited += 50) {
		gproc_reap();
		gutil_sleep_ms(50);
	}
	if (waited >= EXEC_ACK_MS)
		gctl_log("guest", "exec: no stop from the host within %d ms; powering off", EXEC_ACK_MS);
	send_done(true, 0, 0, 0);
	power_off();
}

static double uptime_ms(void)
{
	char buf[128];
	if (gutil_read_file("/proc/uptime", buf, sizeof(buf)) < 0)
		return -1;
	return strtod(buf, NULL) * 1000.0;
}

static void send_step(int done, int total, int64_t elapsed_ms)
{
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_STEP, gutil_now_ns());
	gjson_int(&j, "done", done);
	gjson_int(&j, "total", total);
	gjson_int(&j, "elapsed_ms", elapsed_ms);
	gctl_emit(&j);
}

/* ---- the stages ------------------------------------------------------------------ */

/* What a PID 1 sets up before anything else. */
static void setup_process(void)
{
	if (getpid() != 1)
		fprintf(stderr, "ktstr-init: not PID 1; this binary is the guest's init and will "
			"mount filesystems and power the machine off\n");
	signal(SIGPIPE, SIG_IGN);
	/* jansson seeds its hash from /dev/urandom, which blocks until the CRNG is ready:
	 * ~2 s of a TCG boot. Hash flooding is no concern for our own inputs. */
	json_object_seed(0x6b747374);
	gworkers_init();
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin:/include-files", 1);
	setenv("HOME", "/root", 1);
}

struct ports {
	bool have_ctl, have_shell;
	char ctl_dev[256], shell_dev[256];
};

/* The control port (opened: every line after this goes there) and the shell port. */
static void open_ports(struct ports *p)
{
	/* The port is normally there before init runs; give a slow probe a moment anyway. */
	for (int i = 0; i < 30 && !(p->have_ctl = find_port(KTSTR_PORT_CTL, p->ctl_dev, sizeof(p->ctl_dev))); i++)
		gutil_sleep_ms(100);
	if (p->have_ctl)
		gctl_open(p->ctl_dev);
	else
		gctl_console("no virtio port named %s; writing protocol lines to the console",
			     KTSTR_PORT_CTL);
	p->have_shell = find_port(KTSTR_PORT_SHELL, p->shell_dev, sizeof(p->shell_dev));
}

static void send_hello(double boot_ms)
{
	struct utsname u;
	uname(&u);
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_HELLO, gutil_now_ns());
	gjson_int(&j, "proto", KTSTR_PROTO_VERSION);
	gjson_str(&j, "kernel", u.release);
	gjson_int(&j, "kernel_boot_ms", (int64_t)boot_ms);
	gctl_emit(&j);
	gjson_begin(&j, KTSTR_MSG_SYS_RDY, gutil_now_ns());
	gctl_emit(&j);
}

/* "stage mounts" with what did not mount; a machine that cannot go on ends here. */
static void report_mounts(bool init_ok)
{
	gctl_stage("mounts");
	for (int i = 0; i < nmount_notes; i++)
		gctl_logline("guest", mount_notes[i]);
	if (mounts_fatal)
		fail_and_off("a required filesystem could not be mounted (see the log lines above)");
	if (!init_ok)
		fail_and_off("/.ktstr_init_ok is missing: the initramfs was not extracted completely "
			     "(most likely the guest ran out of memory; give the VM more memory)");
}

/* ktstr.mode=shell: the --exec command, or an interactive shell until it exits or the host
 * says stop; then power-off. */
static __attribute__((noreturn)) void shell_and_off(struct ports *p, const char *cmdline)
{
	if (!p->have_shell) {
		/* Shell mode without a shell port: the control port carries the shell. */
		if (!p->have_ctl)
			fail_and_off("shell mode needs a virtio port named org.ktstr.shell");
		snprintf(p->shell_dev, sizeof(p->shell_dev), "%s", p->ctl_dev);
	}
	static char exec_cmd[KTSTR_EXEC_MAX + 1];
	int en = gutil_read_file(KTSTR_GUEST_EXEC, exec_cmd, sizeof(exec_cmd));
	if (en >= 0)
		exec_and_off(p->shell_dev, exec_cmd);
	if (en != -ENOENT)
		gctl_log("guest", "cannot read %s: %s; starting an interactive shell", KTSTR_GUEST_EXEC,
			 strerror(-en));
	gctl_stage("shell");
	pid_t sh = gshell_start(p->shell_dev, cmdline);
	if (sh < 0)
		fail_and_off("cannot start the shell (see the log lines above)");
	int st = 0;
	while (!gproc_exited(sh, &st) && !gctl_stop_requested()) {
		gproc_reap();
		gutil_sleep_ms(50);
	}
	gctl_log("guest", "shell exited with status %d; powering off", gproc_exit_code(st));
	send_done(true, 0, 0, 0);
	power_off();
}

/* The scenario the host put in the archive; a bad one ends the run here. */
static void load_scenario(struct gscn *scn)
{
	static char text[256 * 1024];
	int n = gutil_read_file(KTSTR_GUEST_SCENARIO, text, sizeof(text));
	if (n < 0) {
		char why[512];
		snprintf(why, sizeof(why), "cannot read %s: %s (the host puts it in the per-run "
			 "initramfs archive)", KTSTR_GUEST_SCENARIO, strerror(-n));
		fail_and_off(why);
	}
	char err[1024];
	if (gscn_parse(text, scn, err, sizeof(err))) {
		gctl_error("%s", err);
		send_done(false, 0, 1, 0);
		power_off();
	}
}

/* Scheduler, tracer, cgroups and workers, up to the start line; a failure ends the run. */
static void set_up(const struct gscn *scn)
{
	/* A repro VM's probes (in place of the timeline): the trigger before the scheduler
	 * starts, the scheduler's own programs once it is attached, all before the workload. */
	bool probes = scn->has_sched && gprobe_wanted();
	if (scn->has_sched) {
		gctl_stage("scheduler");
		if (probes)
			gprobe_start();
		if (gsched_start(scn) || gsched_wait_attached()) {
			gsched_stop();
			send_done(false, 0, scn->steps, 0);
			power_off();
		}
		gmon_maps(gsched_pid());
		if (probes)
			gprobe_go();
	}
	/* Else the tracer loads (slow under TCG) while cgroups and workers are set up. */
	if (!probes)
		gtrace_start();
	gctl_stage("cgroups");
	if (gworkers_cgroups(scn)) {
		gsched_stop();
		send_done(false, 0, scn->steps, 0);
		power_off();
	}
	gctl_stage("workers");
	if (gdisk_prepare(scn) || gworkers_spawn(scn)) {
		gworkers_stop();
		gsched_stop();
		send_done(false, 0, scn->steps, 0);
		power_off();
	}
	static int tids[GSCN_MAX_WORKERS];
	gtrace_track(tids, gworkers_tids(tids, GSCN_MAX_WORKERS));
}

enum watch { WATCH_DONE, WATCH_SCHED_DIED, WATCH_STOPPED, WATCH_OP_FAILED };

/* Until step_end: the step's ops when due, a sample every KTSTR_SAMPLE_MS, the
 * scheduler's health, the host's stop. step is 1-based (1 for the implicit step). */
static enum watch watch_until(const struct gscn *scn, int step, int64_t t0, int64_t step_start,
			      int64_t step_end, int64_t *last_sample)
{
	gops_step_begin(scn, step);
	if (gops_run_due(scn, step, 0))
		return WATCH_OP_FAILED;
	for (;;) {
		gutil_sleep_ms(GSCHED_POLL_MS);
		gproc_reap();
		int64_t now = gutil_now_ns();
		if (scn->has_sched && gsched_check())
			return WATCH_SCHED_DIED;
		if (now < step_end && gops_run_due(scn, step, (now - step_start) / 1000000))
			return WATCH_OP_FAILED;
		if (now - *last_sample >= KTSTR_SAMPLE_MS * 1000000LL) {
			gworkers_sample((now - t0) / 1000000);
			*last_sample = now;
		}
		if (now >= step_end)
			return WATCH_DONE;
		if (gctl_stop_requested()) {
			gctl_log("guest", "host asked to stop at %lld ms", (long long)((now - t0) / 1000000));
			return WATCH_STOPPED;
		}
	}
}

/* Releases the workers, runs the steps, stops and reports; then "done" and power-off. */
static __attribute__((noreturn)) void run_and_off(const struct gscn *scn)
{
	bool ok = true;
	gctl_stage("running");
	int64_t t0 = gworkers_release(), last_sample = t0;
	gtrace_t0(t0);
	enum watch w = WATCH_DONE;
	/* The backdrop runs throughout; each listed step adds its cgroups for its duration.
	 * Without a list there is one step of duration_ms and no step cgroups. */
	int nsteps = scn->nstep ? scn->nstep : 1, steps_done = 0;
	for (int k = 0; k < nsteps && ok && w == WATCH_DONE; k++) {
		/* A step holds its duration from its own start: the time the previous one took
		 * to stop its workers does not shorten it. */
		int64_t step_start = k ? gutil_now_ns() : t0;
		int64_t step_end = step_start +
				   (int64_t)(scn->nstep ? scn->step[k].duration_ms : scn->duration_ms) * 1000000LL;
		if (scn->nstep && gworkers_step_begin(scn, k)) {
			ok = false;
			break;
		}
		w = watch_until(scn, k + 1, t0, step_start, step_end, &last_sample);
		if (w == WATCH_OP_FAILED) {
			ok = false;
			w = WATCH_DONE;
			break;
		}
		if (w != WATCH_DONE)
			break;
		if (scn->nstep) {
			/* The step's workers stop now: their "worker" lines, then "step". A run
			 * without a list keeps the old order (reports first, then "step"). */
			gworkers_step_end(scn, k);
			gops_step_end(scn, k + 1);
			steps_done = k + 1;
			send_step(steps_done, nsteps, (gutil_now_ns() - t0) / 1000000);
		}
	}
	int64_t elapsed_ms = (gutil_now_ns() - t0) / 1000000;
	gworkers_sample(elapsed_ms);
	gworkers_stop();
	if (!scn->nstep)
		gops_step_end(scn, 1);
	gdisk_report(scn);
	gtrace_stop();
	gprobe_stop(); /* after the exit: the trigger's events are sent before "done" */
	gctl_stage("report");
	gworkers_report();
	if (w == WATCH_SCHED_DIED) {
		ok = false;
	} else if (!scn->nstep && ok) {
		steps_done = scn->steps;
		send_step(scn->steps, scn->steps, elapsed_ms);
	}
	if (scn->has_sched)
		gsched_stop();
	send_done(ok, steps_done, nsteps == 1 ? scn->steps : nsteps, elapsed_ms);
	power_off();
}

/* ktstr.wait=1: the snapshot point. Nothing before it may depend on the run; its data
 * comes over the control port (guest/grun.h). The guest answers (hello, sys_rdy) once the
 * header has reset its clock and identity, then takes the archive. */
static bool wait_for_run(const struct ports *p, double boot_ms)
{
	char cmdline[4096] = "", v[8] = "", err[512];
	gutil_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	gutil_cmdline_get(cmdline, "ktstr.wait", v, sizeof(v));
	if (strcmp(v, "1")) {
		send_hello(boot_ms);
		return false;
	}
	if (!p->have_ctl)
		fail_and_off("ktstr.wait=1 needs the control port for the run's data");
	size_t size = 0;
	if (grun_header(gctl_fd(), &size, err, sizeof(err)))
		fail_and_off(err);
	send_hello(boot_ms);
	/* The monitor's addresses do not wait for the archive (a run, never a shell, waits). */
	gmon_ksyms_start();
	if (grun_archive(gctl_fd(), size, err, sizeof(err)))
		fail_and_off(err);
	return true;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	static struct ports ports;
	static struct gscn scn;

	setup_process();
	mount_all();
	double boot_ms = uptime_ms();
	bool init_ok = !access(KTSTR_GUEST_INIT_OK, F_OK);
	if (!init_ok)
		gctl_console("%s is missing: the initramfs was not extracted completely (most likely "
			     "the guest ran out of memory; give the VM more memory)", KTSTR_GUEST_INIT_OK);
	open_ports(&ports);
	bool waited = wait_for_run(&ports, boot_ms);
	gctl_start_reader();
	report_mounts(init_ok);
	send_topo();

	char cmdline[4096] = "", mode[32] = "";
	gutil_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	gutil_cmdline_get(cmdline, "ktstr.mode", mode, sizeof(mode));
	if (!strcmp(mode, "shell"))
		shell_and_off(&ports, cmdline);
	if (!waited)
		gmon_ksyms_start();
	if (ports.have_shell && gshell_start(ports.shell_dev, cmdline) < 0)
		gctl_log("guest", "the shell port is present but the shell did not start");

	gsched_kmsg_start();
	load_scenario(&scn);
	set_up(&scn);
	run_and_off(&scn);
}
