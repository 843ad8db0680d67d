/* The timeline in the guest: runs the BPF tracer (/ktstr/trace/bin, see bpf/ktstr_trace.c)
 * with its output on pipes, hands it the worker tids, and on a thread turns its records
 * into downsampled "tl" lines (guest/gtl.c) flushed every KTSTR_SAMPLE_MS. Optional: when
 * the tracer is absent or cannot load, a "log" line says why and the run goes on. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest/gctl.h"
#include "guest/gline.h"
#include "guest/gproc.h"
#include "guest/gtl.h"
#include "guest/gtrace.h"
#include "guest/gutil.h"
#include "guest/proto.h"
#include "guest/trace_wire.h"

#define GTRACE_READY_MS 5000 /* tracer load + tid map fill; TCG parses the kernel BTF slowly */
#define GTRACE_STOP_MS 3000  /* final drain after the workers stopped */

static struct gtl tl;
static pid_t tr_pid = -1;
static int tr_in = -1, tr_out = -1, tr_err = -1;
static pthread_t tr_th;
static bool tr_th_on;
static int64_t tr_t0 = -1;     /* set by gtrace_t0 (atomic) */
static int tr_ready, tr_dead;  /* atomics: READY record seen / tracer output ended */
static uint64_t tr_lost;

static void emit_tl(const struct gtl_slice *s, void *ctx)
{
	(void)ctx;
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_TL, gutil_now_ns());
	gjson_int(&j, "tid", s->tid);
	gjson_int(&j, "cpu", s->cpu);
	gjson_int(&j, "start_ns", s->start_ns);
	gjson_int(&j, "end_ns", s->end_ns);
	gjson_str(&j, "state", s->state == 'r' ? "run" : "wait");
	gctl_emit(&j);
}

static void on_err_line(const char *line, bool cut, void *ctx)
{
	(void)cut;
	(void)ctx;
	if (*line)
		gctl_log("guest", "timeline tracer: %s", line);
}

static int64_t take_t0(int64_t *next_flush)
{
	int64_t t0 = __atomic_load_n(&tr_t0, __ATOMIC_ACQUIRE);
	if (t0 >= 0 && tl.t0 == INT64_MAX) {
		gtl_set_t0(&tl, t0);
		*next_flush = t0 + GTL_INTERVAL_NS;
	}
	return t0;
}

static void *tr_reader(void *arg)
{
	(void)arg;
	static struct gline gl;
	static struct ktrace_ev ev[512];
	size_t have = 0; /* bytes of a partial record at the front of ev */
	int64_t next_flush = 0;
	bool out_open = true, err_open = true;
	while (out_open) {
		int64_t t0 = take_t0(&next_flush);
		int timeout = 50;
		if (t0 >= 0) {
			int64_t now = gutil_now_ns();
			if (now >= next_flush) {
				gtl_flush(&tl, now);
				while (next_flush <= now)
					next_flush += GTL_INTERVAL_NS;
			}
			timeout = (int)((next_flush - now) / 1000000) + 1;
		}
		struct pollfd pf[2] = { { .fd = tr_out, .events = POLLIN },
					{ .fd = err_open ? tr_err : -1, .events = POLLIN } };
		if (poll(pf, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents) {
			char buf[1024];
			ssize_t n = read(tr_err, buf, sizeof(buf));
			if (n > 0)
				gline_feed(&gl, buf, (size_t)n, on_err_line, NULL);
			else if (n == 0 || errno != EINTR)
				err_open = false;
		}
		if (!pf[0].revents)
			continue;
		ssize_t n = read(tr_out, (char *)ev + have, sizeof(ev) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			out_open = false;
			break;
		}
		have += (size_t)n;
		take_t0(&next_flush); /* records read now may follow a release that just happened */
		size_t nrec = have / sizeof(ev[0]);
		for (size_t i = 0; i < nrec; i++) {
			const struct ktrace_ev *e = &ev[i];
			if (e->kind == KTRACE_READY)
				__atomic_store_n(&tr_ready, 1, __ATOMIC_RELEASE);
			else if (e->kind == KTRACE_LOST)
				tr_lost = e->ts;
			else
				gtl_event(&tl, (int)e->tid, e->cpu, (int64_t)e->ts, (int)e->kind);
		}
		have -= nrec * sizeof(ev[0]);
		memmove(ev, (char *)ev + nrec * sizeof(ev[0]), have);
	}
	/* stderr may still hold the reason the tracer quit. */
	char buf[1024];
	ssize_t n;
	while (err_open && (n = read(tr_err, buf, sizeof(buf))) > 0)
		gline_feed(&gl, buf, (size_t)n, on_err_line, NULL);
	gline_flush(&gl, on_err_line, NULL);
	if (tl.t0 != INT64_MAX)
		gtl_flush(&tl, gutil_now_ns());
	__atomic_store_n(&tr_dead, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int gtrace_start(void)
{
	gtl_init(&tl, GTL_CAP, GTL_RES_NS, GTL_INTERVAL_NS, emit_tl, NULL);
	if (access(KTSTR_GUEST_TRACE_BIN, X_OK)) {
		gctl_log("guest", "timeline: %s is absent (%s); no timeline for this run (build the "
			 "tracer with `make bpf`)", KTSTR_GUEST_TRACE_BIN, strerror(errno));
		return -1;
	}
	char *argv[] = { (char *)"ktstr_trace", NULL };
	pid_t pid = gproc_spawn_piped(KTSTR_GUEST_TRACE_BIN, argv, &tr_in, &tr_out, &tr_err);
	if (pid < 0) {
		gctl_log("guest", "timeline: cannot start the tracer: %s; no timeline for this run",
			 strerror(errno));
		return -1;
	}
	tr_pid = pid;
	if (pthread_create(&tr_th, NULL, tr_reader, NULL)) {
		gctl_log("guest", "timeline: cannot start the reader thread; no timeline for this run");
		kill(pid, SIGKILL);
		close_fd(&tr_in);
		close_fd(&tr_out);
		close_fd(&tr_err);
		return -1;
	}
	tr_th_on = true;
	return 0;
}

void gtrace_child(void)
{
	/* Forked workers must not hold the tracer's stdin open (its EOF is the stop). */
	close_fd(&tr_in);
	close_fd(&tr_out);
	close_fd(&tr_err);
}

void gtrace_track(const int *tids, int n)
{
	if (!tr_th_on)
		return;
	int added = 0;
	for (int i = 0; i < n; i++)
		added += !gtl_add_tid(&tl, tids[i]);
	/* Written before the thread sees any event of these tids: the tids pass the BPF filter
	 * only after the tracer read them from this pipe. */
	char line[32];
	for (int i = 0; i < n && tr_in >= 0; i++) {
		int len = snprintf(line, sizeof(line), "%d\n", tids[i]);
		if (write(tr_in, line, (size_t)len) != len)
			break;
	}
	if (tr_in < 0 || write(tr_in, "go\n", 3) != 3) {
		/* EPIPE: it exited (its stderr, forwarded above, says why). */
		gctl_log("guest", "timeline: the tracer exited before it was ready (see the lines "
			 "above); no timeline for this run");
		return;
	}
	int waited = 0;
	while (!__atomic_load_n(&tr_ready, __ATOMIC_ACQUIRE) && !__atomic_load_n(&tr_dead, __ATOMIC_ACQUIRE) &&
	       waited < GTRACE_READY_MS) {
		gutil_sleep_ms(10);
		waited += 10;
	}
	if (__atomic_load_n(&tr_ready, __ATOMIC_ACQUIRE))
		gctl_log("guest", "timeline: tracing %d worker tid(s) (ready after %d ms)", added, waited);
	else if (!__atomic_load_n(&tr_dead, __ATOMIC_ACQUIRE))
		gctl_log("guest", "timeline: tracer not ready after %d ms; the timeline may start late",
			 GTRACE_READY_MS);
	else
		gctl_log("guest", "timeline: the tracer exited before it was ready (see the lines "
			 "above); no timeline for this run");
}

void gtrace_t0(int64_t t0_ns)
{
	__atomic_store_n(&tr_t0, t0_ns, __ATOMIC_RELEASE);
}

void gtrace_stop(void)
{
	if (!tr_th_on)
		return;
	close_fd(&tr_in); /* the tracer drains, sends its drop count and exits */
	int waited = 0;
	while (pthread_tryjoin_np(tr_th, NULL) && waited < GTRACE_STOP_MS) {
		gutil_sleep_ms(10);
		waited += 10;
	}
	if (waited >= GTRACE_STOP_MS) {
		kill(tr_pid, SIGKILL); /* its pipes close, the thread ends */
		pthread_join(tr_th, NULL);
	}
	tr_th_on = false;
	close_fd(&tr_out);
	close_fd(&tr_err);
	gproc_reap();
	if (tl.t0 != INT64_MAX)
		gctl_log("guest", "timeline: %llu slice(s) sent over %llu interval(s), %llu dropped by "
			 "the %d-per-%d-ms cap, %llu event(s) lost in the ring buffer",
			 (unsigned long long)tl.sent, (unsigned long long)tl.intervals,
			 (unsigned long long)tl.dropped, GTL_CAP, KTSTR_SAMPLE_MS,
			 (unsigned long long)tr_lost);
}
