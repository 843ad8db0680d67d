/* The guest's PID 1: mounts, the control port (writer lock, host commands), topology,
 * the scenario's order of stages, and power-off. Never returns: a PID 1 exit panics. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest/gcpu.h"
#include "guest/gline.h"
#include "guest/guest.h"
#include "guest/gutil.h"
#include "guest/proto.h"

volatile int g_stop_req;
volatile sig_atomic_t g_wstop;
int g_ctl_fd = -1;
static pthread_mutex_t g_wlock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t g_malformed;

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the host went away: nothing better to do than drop */
		s += w;
		n -= (size_t)w;
	}
}

void g_console(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n = snprintf(buf, sizeof(buf), "ktstr-init: ");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(buf, "\n");
	write_all(2, buf, strlen(buf));
}

void g_emit(struct gj *j)
{
	if (gj_end(j)) {
		/* Only fixed-size messages could get here, and samples split themselves. */
		gj_begin(j, KTSTR_MSG_LOG, gutil_now_ns());
		gj_str(j, "src", "guest");
		gj_str(j, "line", "ktstr-init: a message exceeded KTSTR_LINE_MAX and was dropped");
		if (gj_end(j))
			return;
	}
	pthread_mutex_lock(&g_wlock);
	/* Without a control port (manual boots) the console gets the lines. */
	write_all(g_ctl_fd >= 0 ? g_ctl_fd : 1, j->buf, j->len);
	pthread_mutex_unlock(&g_wlock);
}

void g_logline(const char *src, const char *line)
{
	struct gj j;
	gj_begin(&j, KTSTR_MSG_LOG, gutil_now_ns());
	gj_str(&j, "src", src);
	gj_str(&j, "line", line);
	g_emit(&j);
}

void g_log(const char *src, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	g_logline(src, buf);
}

void g_error(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct gj j;
	gj_begin(&j, KTSTR_MSG_ERROR, gutil_now_ns());
	gj_str(&j, "msg", buf);
	g_emit(&j);
	g_console("error: %s", buf);
}

void g_stage(const char *stage)
{
	struct gj j;
	gj_begin(&j, KTSTR_MSG_STAGE, gutil_now_ns());
	gj_str(&j, "stage", stage);
	g_emit(&j);
}

void g_sysrq_dump(void)
{
	int rc = gutil_write_file("/proc/sysrq-trigger", "D");
	if (rc)
		g_log("guest", "cannot write 'D' to /proc/sysrq-trigger: %s", strerror(-rc));
}

/* ---- reaper ---------------------------------------------------------------------- */

#define G_TRACK_MAX (GSCN_MAX_WORKERS + 16)
static struct { pid_t pid; int status; bool exited; } g_tracked[G_TRACK_MAX];
static int g_ntracked;

void g_track(pid_t pid)
{
	for (int i = 0; i < g_ntracked; i++)
		if (g_tracked[i].pid == pid) {
			g_tracked[i].exited = false;
			return;
		}
	if (g_ntracked < G_TRACK_MAX)
		g_tracked[g_ntracked++].pid = pid;
}

void g_reap(void)
{
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		for (int i = 0; i < g_ntracked; i++)
			if (g_tracked[i].pid == p) {
				g_tracked[i].status = st;
				g_tracked[i].exited = true;
			}
}

bool g_exited(pid_t pid, int *status)
{
	for (int i = 0; i < g_ntracked; i++)
		if (g_tracked[i].pid == pid && g_tracked[i].exited) {
			if (status)
				*status = g_tracked[i].status;
			return true;
		}
	return false;
}

int g_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return 0;
}

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
		g_console("mount %s on %s failed: %s", type, dst, strerror(e));
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

static void on_host_line(const char *line, bool cut, void *ctx)
{
	(void)ctx;
	if (!*line)
		return;
	json_error_t je;
	json_t *o = cut ? NULL : json_loads(line, 0, &je);
	const char *t = o && json_is_object(o) ? json_string_value(json_object_get(o, KTSTR_MSG_KEY_TYPE)) : NULL;
	if (!t) {
		__atomic_add_fetch(&g_malformed, 1, __ATOMIC_RELAXED);
	} else if (!strcmp(t, KTSTR_CMD_STOP)) {
		__atomic_store_n(&g_stop_req, 1, __ATOMIC_RELEASE);
	} else if (!strcmp(t, KTSTR_CMD_DUMP)) {
		g_sysrq_dump();
	} /* other types: a newer host; ignored */
	json_decref(o);
}

static void *host_reader(void *arg)
{
	(void)arg;
	static struct gline gl;
	char buf[4096];
	for (;;) {
		ssize_t n = read(g_ctl_fd, buf, sizeof(buf));
		if (n > 0) {
			gline_feed(&gl, buf, (size_t)n, on_host_line, NULL);
		} else if (n == 0 || (errno != EINTR)) {
			/* 0: host not connected (virtio-serial reads EOF then); try again later. */
			gutil_sleep_ms(100);
		}
	}
	return NULL;
}

/* ---- topology -------------------------------------------------------------------- */

static void emit_groups(struct gj *j, const char *key, uint64_t (*g)[GCPU_WORDS], int n)
{
	gj_arr_open(j, key);
	for (int i = 0; i < n; i++) {
		gj_arr_open(j, NULL);
		for (int c = 0; c < GCPU_MAX; c++)
			if (gcpu_isset(g[i], c))
				gj_int(j, NULL, c);
		gj_arr_close(j);
	}
	gj_arr_close(j);
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
	struct gj j;
	gj_begin(&j, KTSTR_MSG_TOPO, gutil_now_ns());
	gj_int(&j, "cpus", gcpu_count(online));
	emit_groups(&j, "llcs", llcs, nl);
	emit_groups(&j, "nodes", nodes, nn);
	g_emit(&j);
}

/* ---- the end --------------------------------------------------------------------- */

static void send_done(bool ok, int steps_done, int steps, int64_t elapsed_ms)
{
	struct gj j;
	gj_begin(&j, KTSTR_MSG_DONE, gutil_now_ns());
	gj_bool(&j, "ok", ok);
	gj_int(&j, "steps_done", steps_done);
	gj_int(&j, "steps", steps);
	gj_int(&j, "elapsed_ms", elapsed_ms);
	gj_int(&j, "malformed", (int64_t)__atomic_load_n(&g_malformed, __ATOMIC_RELAXED));
	g_emit(&j);
}

static __attribute__((noreturn)) void power_off(void)
{
	sync();
	/* Give the host a moment to read the last lines before the port disappears. */
	if (g_ctl_fd >= 0)
		fsync(g_ctl_fd);
	reboot(RB_POWER_OFF);
	g_console("reboot(RB_POWER_OFF) failed: %s; halting here", strerror(errno));
	for (;;)
		pause();
}

static __attribute__((noreturn)) void fail_and_off(const char *why)
{
	g_log("guest", "ktstr-init: %s", why);
	g_console("%s", why);
	send_done(false, 0, 1, 0);
	power_off();
}

/* --exec: run the command, say how it ended, and power off once the host has read all
 * of its output (its "stop"), or after EXEC_ACK_MS if the host never answers. */
#define EXEC_ACK_MS 60000
static __attribute__((noreturn)) void exec_and_off(const char *port_dev, const char *cmd)
{
	g_stage("exec");
	uint64_t bytes = 0;
	int st = gshell_exec(port_dev, cmd, &bytes);
	if (st < 0)
		fail_and_off("cannot start the --exec command (see the log lines above)");
	g_log("guest", "exec: the command exited with status %d (%llu bytes of output)", st,
	      (unsigned long long)bytes);
	struct gj j;
	gj_begin(&j, KTSTR_MSG_EXEC, gutil_now_ns());
	gj_int(&j, "status", st);
	gj_int(&j, "bytes", (int64_t)bytes);
	g_emit(&j);
	int waited = 0;
	for (; waited < EXEC_ACK_MS && !__atomic_load_n(&g_stop_req, __ATOMIC_ACQUIRE); waited += 50) {
		g_reap();
		gutil_sleep_ms(50);
	}
	if (waited >= EXEC_ACK_MS)
		g_log("guest", "exec: no stop from the host within %d ms; powering off", EXEC_ACK_MS);
	send_done(true, 0, 0, 0);
	power_off();
}

static void on_usr1(int sig)
{
	(void)sig;
	g_wstop = 1;
}

static double uptime_ms(void)
{
	char buf[128];
	if (gutil_read_file("/proc/uptime", buf, sizeof(buf)) < 0)
		return -1;
	return strtod(buf, NULL) * 1000.0;
}

static char scenario_text[256 * 1024];
static struct gscn scn;

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (getpid() != 1)
		fprintf(stderr, "ktstr-init: not PID 1; this binary is the guest's init and will "
			"mount filesystems and power the machine off\n");
	signal(SIGPIPE, SIG_IGN);
	/* jansson seeds its hash from /dev/urandom, which blocks until the CRNG is ready:
	 * ~2 s of a TCG boot. Hash flooding is no concern for our own inputs. */
	json_object_seed(0x6b747374);
	/* Workers inherit this: SIGUSR1 is their stop request (no SA_RESTART, so blocking
	 * calls return). */
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin:/include-files", 1);
	setenv("HOME", "/root", 1);

	mount_all();
	double boot_ms = uptime_ms();
	bool init_ok = !access(KTSTR_GUEST_INIT_OK, F_OK);
	if (!init_ok)
		g_console("%s is missing: the initramfs was not extracted completely (most likely "
			  "the guest ran out of memory; give the VM more memory)", KTSTR_GUEST_INIT_OK);

	char ctl_dev[256], shell_dev[256];
	bool have_ctl = false, have_shell;
	/* The port is normally there before init runs; give a slow probe a moment anyway. */
	for (int i = 0; i < 30 && !(have_ctl = find_port(KTSTR_PORT_CTL, ctl_dev, sizeof(ctl_dev))); i++)
		gutil_sleep_ms(100);
	if (have_ctl) {
		g_ctl_fd = open(ctl_dev, O_RDWR | O_CLOEXEC);
		if (g_ctl_fd < 0)
			g_console("cannot open control port %s: %s", ctl_dev, strerror(errno));
	} else {
		g_console("no virtio port named %s; writing protocol lines to the console",
			  KTSTR_PORT_CTL);
	}
	have_shell = find_port(KTSTR_PORT_SHELL, shell_dev, sizeof(shell_dev));

	struct utsname u;
	uname(&u);
	struct gj j;
	gj_begin(&j, KTSTR_MSG_HELLO, gutil_now_ns());
	gj_int(&j, "proto", KTSTR_PROTO_VERSION);
	gj_str(&j, "kernel", u.release);
	gj_int(&j, "kernel_boot_ms", (int64_t)boot_ms);
	g_emit(&j);
	gj_begin(&j, KTSTR_MSG_SYS_RDY, gutil_now_ns());
	g_emit(&j);
	if (g_ctl_fd >= 0) {
		pthread_t th;
		pthread_create(&th, NULL, host_reader, NULL);
	}
	g_stage("mounts");
	for (int i = 0; i < nmount_notes; i++)
		g_logline("guest", mount_notes[i]);
	if (mounts_fatal)
		fail_and_off("a required filesystem could not be mounted (see the log lines above)");
	if (!init_ok)
		fail_and_off("/.ktstr_init_ok is missing: the initramfs was not extracted completely "
			     "(most likely the guest ran out of memory; give the VM more memory)");
	send_topo();

	char cmdline[4096] = "", mode[32] = "";
	gutil_read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	gutil_cmdline_get(cmdline, "ktstr.mode", mode, sizeof(mode));
	if (!strcmp(mode, "shell")) {
		if (!have_shell) {
			/* Shell mode without a shell port: the control port carries the shell. */
			if (!have_ctl)
				fail_and_off("shell mode needs a virtio port named org.ktstr.shell");
			snprintf(shell_dev, sizeof(shell_dev), "%s", ctl_dev);
		}
		static char exec_cmd[KTSTR_EXEC_MAX + 1];
		int en = gutil_read_file(KTSTR_GUEST_EXEC, exec_cmd, sizeof(exec_cmd));
		if (en >= 0)
			exec_and_off(shell_dev, exec_cmd);
		if (en != -ENOENT)
			g_log("guest", "cannot read %s: %s; starting an interactive shell", KTSTR_GUEST_EXEC,
			      strerror(-en));
		g_stage("shell");
		pid_t sh = gshell_start(shell_dev, cmdline);
		if (sh < 0)
			fail_and_off("cannot start the shell (see the log lines above)");
		int st = 0;
		while (!g_exited(sh, &st) && !__atomic_load_n(&g_stop_req, __ATOMIC_ACQUIRE)) {
			g_reap();
			gutil_sleep_ms(50);
		}
		g_log("guest", "shell exited with status %d; powering off", g_exit_code(st));
		send_done(true, 0, 0, 0);
		power_off();
	}
	if (have_shell && gshell_start(shell_dev, cmdline) < 0)
		g_log("guest", "the shell port is present but the shell did not start");

	gsched_kmsg_start();

	int n = gutil_read_file(KTSTR_GUEST_SCENARIO, scenario_text, sizeof(scenario_text));
	if (n < 0) {
		char why[512];
		snprintf(why, sizeof(why), "cannot read %s: %s (the host puts it in the per-run "
			 "initramfs archive)", KTSTR_GUEST_SCENARIO, strerror(-n));
		fail_and_off(why);
	}
	char err[1024];
	if (gscn_parse(scenario_text, &scn, err, sizeof(err))) {
		g_error("%s", err);
		send_done(false, 0, 1, 0);
		power_off();
	}

	bool ok = true;
	if (scn.has_sched) {
		g_stage("scheduler");
		if (gsched_start(&scn) || gsched_wait_attached()) {
			gsched_stop();
			send_done(false, 0, scn.steps, 0);
			power_off();
		}
	}
	/* The tracer loads (slow under TCG) while cgroups and workers are set up. */
	gtrace_start();
	g_stage("cgroups");
	if (gwk_cgroups(&scn)) {
		gsched_stop();
		send_done(false, 0, scn.steps, 0);
		power_off();
	}
	g_stage("workers");
	if (gwk_spawn(&scn)) {
		gwk_stop();
		gsched_stop();
		send_done(false, 0, scn.steps, 0);
		power_off();
	}
	static int tids[GSCN_MAX_WORKERS];
	gtrace_track(tids, gwk_tids(tids, GSCN_MAX_WORKERS));
	g_stage("running");
	int64_t t0 = gwk_release(), last_sample = t0, now = t0;
	gtrace_t0(t0);
	bool sched_died = false, stopped = false;
	/* The backdrop runs throughout; each listed step adds its cgroups for its duration.
	 * Without a list there is one step of duration_ms and no step cgroups. */
	int nsteps = scn.nstep ? scn.nstep : 1, steps_done = 0;
	for (int k = 0; k < nsteps && ok && !sched_died && !stopped; k++) {
		/* A step holds its duration from its own start: the time the previous one took
		 * to stop its workers does not shorten it. */
		int64_t step_end = (k ? gutil_now_ns() : t0) +
				   (int64_t)(scn.nstep ? scn.step[k].duration_ms : scn.duration_ms) * 1000000LL;
		if (scn.nstep && gwk_step_begin(&scn, k)) {
			ok = false;
			break;
		}
		for (;;) {
			gutil_sleep_ms(GSCHED_POLL_MS);
			g_reap();
			now = gutil_now_ns();
			if (scn.has_sched && gsched_check()) {
				sched_died = true;
				break;
			}
			if (now - last_sample >= KTSTR_SAMPLE_MS * 1000000LL) {
				gwk_sample((now - t0) / 1000000);
				last_sample = now;
			}
			if (now >= step_end)
				break;
			if (__atomic_load_n(&g_stop_req, __ATOMIC_ACQUIRE)) {
				g_log("guest", "host asked to stop at %lld ms", (long long)((now - t0) / 1000000));
				stopped = true;
				break;
			}
		}
		if (sched_died || stopped)
			break;
		if (scn.nstep) {
			/* The step's workers stop now: their "worker" lines, then "step". A run
			 * without a list keeps the old order (reports first, then "step"). */
			gwk_step_end(&scn, k);
			steps_done = k + 1;
			gj_begin(&j, KTSTR_MSG_STEP, gutil_now_ns());
			gj_int(&j, "done", steps_done);
			gj_int(&j, "total", nsteps);
			gj_int(&j, "elapsed_ms", (gutil_now_ns() - t0) / 1000000);
			g_emit(&j);
		}
	}
	int64_t elapsed_ms = (gutil_now_ns() - t0) / 1000000;
	gwk_sample(elapsed_ms);
	gwk_stop();
	gtrace_stop();
	g_stage("report");
	gwk_report();
	if (sched_died) {
		ok = false;
	} else if (!scn.nstep && ok) {
		steps_done = scn.steps;
		gj_begin(&j, KTSTR_MSG_STEP, gutil_now_ns());
		gj_int(&j, "done", scn.steps);
		gj_int(&j, "total", scn.steps);
		gj_int(&j, "elapsed_ms", elapsed_ms);
		g_emit(&j);
	}
	if (scn.has_sched)
		gsched_stop();
	send_done(ok, steps_done, nsteps == 1 ? scn.steps : nsteps, elapsed_ms);
	power_off();
}
