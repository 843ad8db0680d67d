/* The probe loader in the guest (see gprobe.h): /ktstr/probe/bin (bpf/ktstr_probe.c) with
 * its stdout and stderr on pipes read by a thread of its own. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest/gctl.h"
#include "guest/gline.h"
#include "guest/gprobe.h"
#include "guest/gproc.h"
#include "guest/gutil.h"
#include "guest/probe_wire.h"

/* Loading means parsing the kernel's BTF and attaching dozens of probes: seconds in TCG. */
#define GPROBE_READY_MS 30000
#define GPROBE_STOP_MS 5000

static pid_t pr_pid = -1;
static int pr_in = -1, pr_out = -1, pr_err = -1;
static pthread_t pr_th;
static bool pr_th_on;
static int pr_armed, pr_ready, pr_done, pr_dead; /* atomics */

bool gprobe_wanted(void)
{
	return !access(KTSTR_GUEST_PROBE_SPEC, R_OK);
}

static void on_out_line(const char *line, bool cut, void *ctx)
{
	(void)ctx;
	static const char head[] = "{\"t\":\"" KTSTR_MSG_PROBE "\",";
	if (cut || strncmp(line, head, sizeof(head) - 1)) {
		if (*line)
			gctl_log("guest", "probe: %s line from the loader dropped: %.120s",
				 cut ? "an over-long" : "a foreign", line);
		return;
	}
	gctl_raw(line);
	if (strstr(line, "\"ev\":\"armed\""))
		__atomic_store_n(&pr_armed, 1, __ATOMIC_RELEASE);
	else if (strstr(line, "\"ev\":\"ready\""))
		__atomic_store_n(&pr_ready, 1, __ATOMIC_RELEASE);
	else if (strstr(line, "\"ev\":\"done\""))
		__atomic_store_n(&pr_done, 1, __ATOMIC_RELEASE);
}

static void on_err_line(const char *line, bool cut, void *ctx)
{
	(void)cut;
	(void)ctx;
	if (*line)
		gctl_log("guest", "probe loader: %s", line);
}

static void *pr_reader(void *arg)
{
	(void)arg;
	static struct gline lo, le;
	bool out_open = true, err_open = true;
	while (out_open || err_open) {
		struct pollfd pf[2] = { { .fd = out_open ? pr_out : -1, .events = POLLIN },
					{ .fd = err_open ? pr_err : -1, .events = POLLIN } };
		if (poll(pf, 2, 200) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		char buf[8192];
		for (int i = 0; i < 2; i++) {
			if (!pf[i].revents)
				continue;
			ssize_t n = read(pf[i].fd, buf, sizeof(buf));
			if (n > 0)
				gline_feed(i ? &le : &lo, buf, (size_t)n, i ? on_err_line : on_out_line, NULL);
			else if (n == 0 || errno != EINTR)
				*(i ? &err_open : &out_open) = false;
		}
	}
	gline_flush(&lo, on_out_line, NULL);
	gline_flush(&le, on_err_line, NULL);
	__atomic_store_n(&pr_dead, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Until *flag or the loader's end, at most ms; returns the ms waited. */
static int wait_for(int *flag, int ms)
{
	int waited = 0;
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE) && !__atomic_load_n(&pr_dead, __ATOMIC_ACQUIRE) &&
	       waited < ms) {
		gutil_sleep_ms(10);
		waited += 10;
	}
	return waited;
}

/* Waits for the loader's "armed" or "ready" and says in a log line how it went. */
static void await_stage(int *flag, const char *what, const char *done)
{
	int waited = wait_for(flag, GPROBE_READY_MS);
	if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		gctl_log("guest", "probe: %s after %d ms", done, waited);
	else if (__atomic_load_n(&pr_dead, __ATOMIC_ACQUIRE))
		gctl_log("guest", "probe: the loader exited before it was %s (see the lines above)", what);
	else
		gctl_log("guest", "probe: the loader was not %s after %d ms; the run goes on without "
			 "waiting for it", what, waited);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void gprobe_start(void)
{
	if (access(KTSTR_GUEST_PROBE_BIN, X_OK)) {
		gctl_log("guest", "probe: %s is absent (%s); no probes in this repro VM",
			 KTSTR_GUEST_PROBE_BIN, strerror(errno));
		return;
	}
	char *argv[] = { (char *)"ktstr_probe", (char *)KTSTR_GUEST_PROBE_SPEC, NULL };
	pid_t pid = gproc_spawn_piped(KTSTR_GUEST_PROBE_BIN, argv, &pr_in, &pr_out, &pr_err);
	if (pid < 0) {
		gctl_log("guest", "probe: cannot start the loader: %s; no probes in this repro VM",
			 strerror(errno));
		return;
	}
	pr_pid = pid;
	if (pthread_create(&pr_th, NULL, pr_reader, NULL)) {
		gctl_log("guest", "probe: cannot start the reader thread; no probes in this repro VM");
		kill(pid, SIGKILL);
		close_fd(&pr_in);
		close_fd(&pr_out);
		close_fd(&pr_err);
		return;
	}
	pr_th_on = true;
	await_stage(&pr_armed, "armed", "trigger armed");
}

void gprobe_go(void)
{
	if (!pr_th_on || __atomic_load_n(&pr_dead, __ATOMIC_ACQUIRE))
		return;
	if (pr_in < 0 || write(pr_in, "go\n", 3) != 3)
		return; /* EPIPE: it exited; its stderr said why */
	await_stage(&pr_ready, "ready", "probes in");
}

void gprobe_child(void)
{
	close_fd(&pr_in);
	close_fd(&pr_out);
	close_fd(&pr_err);
}

void gprobe_stop(void)
{
	if (!pr_th_on)
		return;
	close_fd(&pr_in); /* the loader sends what it has, then "done" */
	wait_for(&pr_done, GPROBE_STOP_MS);
	if (!__atomic_load_n(&pr_done, __ATOMIC_ACQUIRE) && !__atomic_load_n(&pr_dead, __ATOMIC_ACQUIRE))
		gctl_log("guest", "probe: the loader sent no \"done\" within %d ms", GPROBE_STOP_MS);
	kill(pr_pid, SIGKILL); /* after done it is exiting anyway; its pipes close */
	pthread_join(pr_th, NULL);
	pr_th_on = false;
	close_fd(&pr_out);
	close_fd(&pr_err);
	gproc_reap();
}
