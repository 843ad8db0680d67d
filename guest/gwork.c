/* Work loops and progress metering of a guest worker (see gwork.h). Each worker is its own
 * process; the only thing it shares is its slot (and a pair's pipe or futex word). */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "guest/gutil.h"
#include "guest/gwork.h"
#include "guest/gwork_churn.h"
#include "guest/gwork_meter.h"
#include "guest/gwork_io.h"
#include "guest/work_types.h"

#define ST(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

static int64_t cpu_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct meter {
	struct gwork_ctx *c;
	int64_t start_ns, start_cpu, last_ns, last_cpu_upd;
	uint64_t units, iters, max_gap, max_gap_at;
	int last_cpu;
	uint32_t migrations;
};

static void meter_publish(struct meter *m, int64_t now)
{
	struct gwork_slot *s = m->c->slot;
	ST(s->cpu_ns, (uint64_t)(cpu_now_ns() - m->start_cpu));
	ST(s->wall_ns, (uint64_t)(now - m->start_ns));
	m->last_cpu_upd = now;
}

static void checkpoint(struct meter *m)
{
	struct gwork_slot *s = m->c->slot;
	int64_t now = gutil_now_ns();
	int cpu = sched_getcpu();
	uint64_t gap = (uint64_t)(now - m->last_ns);
	if (gap > m->max_gap) {
		int64_t t0 = *m->c->t0_ns;
		m->max_gap = gap;
		ST(s->max_gap_ns, gap);
		ST(s->max_gap_cpu, cpu);
		ST(s->max_gap_at_ns, (uint64_t)(now > t0 ? now - t0 : 0));
	}
	m->last_ns = now;
	ST(s->units, m->units);
	if (cpu >= 0) {
		if (m->last_cpu >= 0 && cpu != m->last_cpu) {
			ST(s->migrations, ++m->migrations);
			if (gmeter_node(cpu) != gmeter_node(m->last_cpu))
				ST(s->xnode_migrations, s->xnode_migrations + 1);
		}
		m->last_cpu = cpu;
		ST(s->cpu, cpu);
		if (cpu < GCPU_MAX && !gcpu_isset(s->cpus, cpu))
			__atomic_or_fetch(&s->cpus[cpu / 64], 1ull << (cpu % 64), __ATOMIC_RELAXED);
	}
	/* CPU time is a syscall: refresh it at most every 10 ms of wall time. */
	if (now - m->last_cpu_upd >= 10000000)
		meter_publish(m, now);
}

/* Counts units of work; every GWORK_CHECK_UNITS a checkpoint. */
static inline void units(struct meter *m, uint64_t n)
{
	uint64_t before = m->units / GWORK_CHECK_UNITS;
	m->units += n;
	if (m->units / GWORK_CHECK_UNITS != before)
		checkpoint(m);
}

static inline void iter_done(struct meter *m)
{
	m->iters++;
	ST(m->c->slot->iters, m->iters);
}

static void spin(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		__builtin_ia32_pause();
}

/* Waits for fd readable, waking every GWORK_WAIT_POLL_MS to notice stop. 1 ready, 0 stop. */
static int wait_readable(struct gwork_ctx *c, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (!*c->stop) {
		int r = poll(&p, 1, GWORK_WAIT_POLL_MS);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

static int pipe_exchange(struct gwork_ctx *c)
{
	char b = 'x';
	struct gwork_slot *partner = c->group ? c->group + (c->role ^ 1) : NULL;
	if (c->role == 0)
		gmeter_stamp(c->slot);
	/* EPIPE: the partner has gone (stop), not an error. */
	if (c->role == 0 && write(c->wfd, &b, 1) < 0 && errno != EINTR)
		return errno == EPIPE ? 0 : -errno;
	int r = wait_readable(c, c->rfd);
	if (r <= 0)
		return r;
	ssize_t n = read(c->rfd, &b, 1);
	if (n == 0)
		return 0; /* partner gone */
	if (n < 0 && errno != EINTR && errno != EAGAIN)
		return -errno;
	if (n > 0)
		gmeter_woke(c->slot, partner); /* the partner stamped just before its write */
	if (c->role == 1)
		gmeter_stamp(c->slot);
	if (c->role == 1 && write(c->wfd, &b, 1) < 0 && errno != EINTR)
		return errno == EPIPE ? 0 : -errno;
	return 1;
}

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* Turn word: the worker whose role equals it goes next. Shared (not PRIVATE) futex: the
 * pair are separate processes over a MAP_SHARED page. */
static int futex_exchange(struct gwork_ctx *c)
{
	uint32_t me = (uint32_t)c->role, other = me ^ 1;
	if (__atomic_load_n(c->futex, __ATOMIC_ACQUIRE) == me) {
		gmeter_stamp(c->slot);
		__atomic_store_n(c->futex, other, __ATOMIC_RELEASE);
		futex(c->futex, FUTEX_WAKE, 1, NULL);
	}
	struct timespec to = { 0, GWORK_WAIT_POLL_MS * 1000000L };
	while (__atomic_load_n(c->futex, __ATOMIC_ACQUIRE) != me) {
		if (*c->stop)
			return 0;
		if (futex(c->futex, FUTEX_WAIT, other, &to) < 0 && errno != EAGAIN &&
		    errno != EINTR && errno != ETIMEDOUT)
			return -errno;
	}
	gmeter_woke(c->slot, c->group ? c->group + (me ^ 1) : NULL);
	return 1;
}

/* Bursty's and Sequence's timed pieces: spin or yield for ms, or sleep ms, metered. */
static void spin_for(struct meter *m, long ms)
{
	int64_t end = gutil_now_ns() + ms * 1000000LL;
	while (!*m->c->stop && gutil_now_ns() < end) {
		spin(GWORK_SPINS);
		units(m, GWORK_SPINS);
	}
}

static void yield_for(struct meter *m, long ms)
{
	int64_t end = gutil_now_ns() + ms * 1000000LL;
	while (!*m->c->stop && gutil_now_ns() < end) {
		sched_yield();
		units(m, 1);
	}
}

static void sleep_for(struct meter *m, long ms)
{
	struct gwork_ctx *c = m->c;
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
	int64_t t0 = gutil_now_ns();
	while (!*c->stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
	/* Wake latency: how long past the requested sleep it took to run again. */
	if (!*c->stop && ms)
		gmeter_record(c->slot, gutil_now_ns() - t0 - ms * 1000000LL);
	/* The sleep is part of the pattern: count it as one checkpoint of its own. */
	units(m, GWORK_CHECK_UNITS - m->units % GWORK_CHECK_UNITS);
}

int gwork_run(struct gwork_ctx *c)
{
	struct meter m = { .c = c, .last_cpu = -1 };
	struct gchurn st;
	struct gio io = { .fd = -1 };
	int rc = gchurn_init(c, &st);
	if (!rc)
		rc = gio_init(c, &io);
	if (rc) {
		__atomic_store_n(&c->slot->done, 0u, __ATOMIC_RELEASE);
		gio_done(&io);
		gchurn_done(c, &st);
		return rc;
	}
	/* The type's parameters (work_params.h), read once. */
	long burst_ms = gwork_param(c, "burst_ms"), sleep_ms = gwork_param(c, "sleep_ms");
	long burst = c->work == WORK_FUTEX_PING_PONG ? gwork_param(c, "spin_iters") : gwork_param(c, "burst_iters");
	uint64_t phases = 0;
	gmeter_start(c->slot);
	m.start_ns = m.last_ns = m.last_cpu_upd = gutil_now_ns();
	m.start_cpu = cpu_now_ns();
	checkpoint(&m);
	while (!*c->stop && !rc) {
		switch (c->work) {
		case WORK_SPIN_WAIT:
			spin(GWORK_SPINS);
			units(&m, GWORK_SPINS);
			break;
		case WORK_MIXED:
			spin(GWORK_SPINS);
			sched_yield();
			units(&m, GWORK_SPINS);
			break;
		case WORK_YIELD_HEAVY:
			sched_yield();
			units(&m, 1);
			break;
		case WORK_BURSTY:
			spin_for(&m, burst_ms);
			sleep_for(&m, sleep_ms);
			break;
		case WORK_SEQUENCE:
			for (int i = 0; i < c->seq->n && !*c->stop; i++) {
				const struct work_phase *ph = &c->seq->p[i];
				if (ph->kind == WORK_PHASE_SPIN)
					spin_for(&m, ph->ms);
				else if (ph->kind == WORK_PHASE_SLEEP)
					sleep_for(&m, ph->ms);
				else
					yield_for(&m, ph->ms);
				if (!*c->stop)
					__atomic_store_n(&c->slot->figure, ++phases, __ATOMIC_RELAXED);
			}
			break;
		case WORK_PIPE_IO:
		case WORK_CACHE_PIPE:
		case WORK_FUTEX_PING_PONG: {
			/* A burst (CachePipe: a pass over its buffer), then one exchange with the
			 * partner (pipe byte or futex word). */
			long n = burst;
			if (c->work == WORK_CACHE_PIPE) {
				/* Passes over the buffer until burst_iters lines were written. */
				long r;
				for (n = 0; n < burst && (r = gchurn_iter(c, &st)) > 0;)
					n += r;
			} else
				spin((unsigned)burst);
			int r = c->work == WORK_FUTEX_PING_PONG ? futex_exchange(c) : pipe_exchange(c);
			if (r < 0)
				rc = r;
			else if (r == 0)
				goto out;
			units(&m, (uint64_t)n);
			break;
		}
		default: {
			long n = work_type_needs_disk(c->work) ? gio_iter(c, &io) : gchurn_iter(c, &st);
			if (n < 0)
				rc = (int)n;
			if (n <= 0)
				goto out;
			units(&m, (uint64_t)n);
			break;
		}
		}
		iter_done(&m);
	}
out:
	gio_done(&io);
	gchurn_done(c, &st);
	checkpoint(&m);
	gmeter_end(c->slot);
	meter_publish(&m, gutil_now_ns());
	__atomic_store_n(&c->slot->done, rc ? 0u : 1u, __ATOMIC_RELEASE);
	return rc;
}
