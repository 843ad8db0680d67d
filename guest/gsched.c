/* Scheduler supervision in the guest: spawn the sched_ext scheduler with its output
 * forwarded live (and verifier logs picked out), wait for sched_ext to report it enabled,
 * watch it during the run, and collect why it went away (kernel log, debug dump). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest/gctl.h"
#include "guest/gline.h"
#include "guest/gproc.h"
#include "guest/gprogs.h"
#include "guest/gsched.h"
#include "guest/gutil.h"

#define SCX_STATE "/sys/kernel/sched_ext/state"
#define SCX_OPS "/sys/kernel/sched_ext/root/ops"

static pid_t sched_pid = -1;
static bool sched_attached, sched_reported;
static char sched_ops[128];
static int sched_out_fd = -1;
static pthread_t sched_reader_th;
static bool sched_reader_on;

/* Why sched_ext disabled the scheduler, from the kernel log; guarded by reason_lock. */
static pthread_mutex_t reason_lock = PTHREAD_MUTEX_INITIALIZER;
static char reason[1024];
static char reason_name[128];
static int reason_seq;     /* bumped when a "disabled" line arrives */
static bool reason_msg;    /* the message line after it arrived */

/* ---- scheduler output ------------------------------------------------------------ */

struct outstate { bool in_log; };

static void on_sched_line(const char *line, bool cut, void *ctx)
{
	struct outstate *o = ctx;
	(void)cut;
	gctl_logline("sched", line);
	/* libbpf prints the verifier log between these markers (its own lines carry the
	 * "libbpf: prog 'x': " prefix, the log lines do not). */
	if (strstr(line, "-- BEGIN PROG LOAD LOG --")) {
		o->in_log = true;
		return;
	}
	if (strstr(line, "-- END PROG LOAD LOG --")) {
		o->in_log = false;
		return;
	}
	if (o->in_log) {
		struct gjson j;
		gjson_begin(&j, KTSTR_MSG_VERIFIER, gutil_now_ns());
		gjson_str(&j, "line", line);
		gctl_emit(&j);
	}
}

static void *sched_reader(void *arg)
{
	(void)arg;
	static struct gline gl;
	struct outstate st = { false };
	char buf[4096];
	for (;;) {
		ssize_t n = read(sched_out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		gline_feed(&gl, buf, (size_t)n, on_sched_line, &st);
	}
	gline_flush(&gl, on_sched_line, &st);
	return NULL;
}

/* ---- kernel log ------------------------------------------------------------------ */

static void *kmsg_reader(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char rec[8192];
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && (errno == EINTR || errno == EPIPE || errno == EINVAL))
			continue; /* EPIPE: records were overwritten; keep going */
		if (n <= 0)
			break;
		rec[n] = 0;
		char *t = gutil_kmsg_text(rec);
		if (!t || !strstr(t, "sched_ext"))
			continue;
		gctl_logline("kernel", t);
		char name[128], kind[128];
		pthread_mutex_lock(&reason_lock);
		if (gutil_scx_disabled_line(t, name, sizeof(name), kind, sizeof(kind))) {
			snprintf(reason, sizeof(reason), "%s", strstr(t, "BPF scheduler"));
			snprintf(reason_name, sizeof(reason_name), "%s", name);
			reason_seq++;
			reason_msg = false;
		} else if (reason_seq && !reason_msg) {
			/* "sched_ext: NAME: message" follows an error exit. */
			char pre[160];
			snprintf(pre, sizeof(pre), "sched_ext: %s: ", reason_name);
			const char *p = strstr(t, pre);
			if (p) {
				size_t l = strlen(reason);
				snprintf(reason + l, sizeof(reason) - l, ": %s", p + strlen(pre));
				reason_msg = true;
			}
		}
		pthread_mutex_unlock(&reason_lock);
	}
	close(fd);
	return NULL;
}

void gsched_kmsg_start(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		gctl_log("guest", "cannot open /dev/kmsg: %s (kernel sched_ext lines will not be "
			 "forwarded)", strerror(errno));
		return;
	}
	pthread_t th;
	if (pthread_create(&th, NULL, kmsg_reader, (void *)(intptr_t)fd)) {
		close(fd);
		return;
	}
	pthread_detach(th);
}

/* ---- debug dump ------------------------------------------------------------------ */

static void on_trace_line(const char *line, bool cut, void *ctx)
{
	(void)cut;
	(void)ctx;
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_DUMP, gutil_now_ns());
	gjson_str(&j, "line", gutil_trace_dump_text(line));
	gctl_emit(&j);
}

static void *trace_reader(void *arg)
{
	int fd = (int)(intptr_t)arg;
	static struct gline gl;
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		gline_feed(&gl, buf, (size_t)n, on_trace_line, NULL);
	}
	close(fd);
	return NULL;
}

static void dump_start(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (size_t i = 0; i < 2; i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s/events/sched_ext/sched_ext_dump/enable", roots[i]);
		if (gutil_write_file(p, "1"))
			continue;
		snprintf(p, sizeof(p), "%s/tracing_on", roots[i]);
		gutil_write_file(p, "1");
		snprintf(p, sizeof(p), "%s/trace_pipe", roots[i]);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		pthread_t th;
		if (fd < 0 || pthread_create(&th, NULL, trace_reader, (void *)(intptr_t)fd)) {
			if (fd >= 0)
				close(fd);
			break;
		}
		pthread_detach(th);
		return;
	}
	gctl_log("guest", "sched_ext_dump tracepoint unavailable (tracefs not mounted or no "
		 "sched_ext events): no debug dump will be captured");
}

/* ---- lifecycle ------------------------------------------------------------------- */

static void sched_event(const char *ev, int code, bool with_code, const char *why)
{
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_SCHED, gutil_now_ns());
	gjson_str(&j, "event", ev);
	if (sched_pid > 0)
		gjson_int(&j, "pid", sched_pid);
	if (sched_ops[0])
		gjson_str(&j, "ops", sched_ops);
	if (with_code)
		gjson_int(&j, "code", code);
	if (why && *why)
		gjson_str(&j, "reason", why);
	gctl_emit(&j);
}

int gsched_start(const struct gscn *s)
{
	if (access("/sys/kernel/sched_ext", F_OK)) {
		gctl_log("guest", "this kernel has no /sys/kernel/sched_ext (CONFIG_SCHED_CLASS_EXT=n?)");
		sched_event("not_attached", 0, false, "sched_ext sysfs absent");
		return -1;
	}
	dump_start();
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		gctl_log("guest", "pipe: %s", strerror(errno));
		sched_event("not_attached", 0, false, "cannot create the output pipe");
		return -1;
	}
	char *argv[GSCN_MAX_ARGS + 2];
	int a = 0;
	argv[a++] = (char *)(s->sched_name[0] ? s->sched_name : s->sched_path);
	for (int i = 0; i < s->nargs; i++)
		argv[a++] = (char *)s->sched_args[i];
	argv[a] = NULL;
	pid_t pid = fork();
	if (pid < 0) {
		gctl_log("guest", "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		sched_event("not_attached", 0, false, "fork failed");
		return -1;
	}
	if (pid == 0) {
		gproc_child_setup();
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(s->sched_path, argv);
		dprintf(2, "ktstr-init: cannot execute scheduler %s: %s\n", s->sched_path, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	sched_pid = pid;
	gproc_track(pid);
	sched_out_fd = p[0];
	sched_reader_on = !pthread_create(&sched_reader_th, NULL, sched_reader, NULL);
	sched_event("started", 0, false, NULL);
	return 0;
}

static bool scx_enabled(void)
{
	char st[64];
	return gutil_read_file(SCX_STATE, st, sizeof(st)) >= 0 && !strcmp(st, "enabled");
}

/* Lets the output reader drain so the log is complete before a verdict goes out. */
static void drain_output(int ms)
{
	if (!sched_reader_on)
		return;
	for (int waited = 0; waited < ms; waited += 20) {
		if (pthread_tryjoin_np(sched_reader_th, NULL) == 0) {
			sched_reader_on = false;
			return;
		}
		gutil_sleep_ms(20);
	}
}

pid_t gsched_pid(void)
{
	return sched_pid;
}

int gsched_wait_attached(void)
{
	int64_t deadline = gutil_now_ns() + GSCHED_ATTACH_MS * 1000000LL;
	int st;
	for (;;) {
		gproc_reap();
		if (scx_enabled()) {
			gutil_read_file(SCX_OPS, sched_ops, sizeof(sched_ops));
			sched_attached = true;
			sched_event("attached", 0, false, NULL);
			gprogs_send(sched_pid);
			return 0;
		}
		if (gproc_exited(sched_pid, &st)) {
			drain_output(1000);
			sched_event("not_attached", gproc_exit_code(st), true,
				    "scheduler process exited during BPF load/startup");
			sched_reported = true;
			return -1;
		}
		if (gutil_now_ns() > deadline) {
			char why[128];
			snprintf(why, sizeof(why), "timeout: sched_ext not enabled after %d ms",
				 GSCHED_ATTACH_MS);
			sched_event("not_attached", 0, false, why);
			sched_reported = true;
			return -1;
		}
		gutil_sleep_ms(GSCHED_POLL_MS);
	}
}

/* Error exits (scx_bpf_error, runtime error, stall) print their message on the line after
 * "disabled (KIND)"; other kinds print none. */
static bool reason_has_message(const char *r)
{
	return strstr(r, "(scx_bpf_error)") || strstr(r, "(runtime error)") ||
	       strstr(r, "(runnable task stall)");
}

/* Waits for the kernel's "disabled" line and, for error kinds, its message: under TCG a
 * busy guest can take a while to hand them to the kmsg reader. */
static void wait_reason(int seq0, char *out, size_t len)
{
	for (int i = 0; i < 160; i++) {
		pthread_mutex_lock(&reason_lock);
		bool have = reason_seq != seq0 && reason_msg;
		bool any = reason_seq != seq0;
		if (have || (any && !reason_has_message(reason)) || (any && i >= 120)) {
			snprintf(out, len, "%s", reason);
			pthread_mutex_unlock(&reason_lock);
			return;
		}
		pthread_mutex_unlock(&reason_lock);
		gutil_sleep_ms(25);
	}
	pthread_mutex_lock(&reason_lock);
	snprintf(out, len, "%s", reason_seq ? reason : "");
	pthread_mutex_unlock(&reason_lock);
}

bool gsched_check(void)
{
	static int seq0 = -1;
	if (sched_reported)
		return true;
	if (seq0 < 0) {
		pthread_mutex_lock(&reason_lock);
		seq0 = reason_seq;
		pthread_mutex_unlock(&reason_lock);
	}
	int st;
	bool died = gproc_exited(sched_pid, &st), enabled = scx_enabled();
	if (!died && enabled)
		return false;
	sched_reported = true;
	/* A dump now, while anything of the scheduler is left to dump (a stalled or dying
	 * scheduler); the kernel also dumps by itself on an error exit. */
	gctl_sysrq_dump();
	char why[1024];
	wait_reason(seq0, why, sizeof(why));
	if (!enabled)
		sched_event("disabled", 0, false, why);
	/* A loader usually exits right after the kernel disabled it: wait a moment so the
	 * host also gets its exit code. */
	for (int i = 0; !died && i < 50; i++) {
		gproc_reap();
		died = gproc_exited(sched_pid, &st);
		if (!died)
			gutil_sleep_ms(20);
	}
	if (died) {
		drain_output(500);
		sched_event("exited", gproc_exit_code(st), true, why);
	}
	gutil_sleep_ms(300); /* let the trace reader forward the dump */
	return true;
}

void gsched_stop(void)
{
	if (sched_pid <= 0)
		return;
	int st;
	gproc_reap();
	if (!gproc_exited(sched_pid, &st)) {
		kill(-sched_pid, SIGTERM);
		kill(sched_pid, SIGTERM);
		for (int i = 0; i < 100 && !gproc_exited(sched_pid, &st); i++) {
			gutil_sleep_ms(20);
			gproc_reap();
		}
		if (!gproc_exited(sched_pid, &st)) {
			kill(-sched_pid, SIGKILL);
			kill(sched_pid, SIGKILL);
			for (int i = 0; i < 50 && !gproc_exited(sched_pid, &st); i++) {
				gutil_sleep_ms(20);
				gproc_reap();
			}
		}
	}
	drain_output(500);
}
