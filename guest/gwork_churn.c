/* The churn and pressure work types (see gwork_churn.h): what one iteration of each does and
 * the figure it counts. Shared words of a group live in its first slot (MAP_SHARED), so
 * futexes here are shared ones, not PRIVATE. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest/gutil.h"
#include "guest/gwork_churn.h"
#include "guest/gwork_meter.h"
#include "guest/work_types.h"

#ifndef SCHED_EXT
#define SCHED_EXT 7
#endif

#define WAIT_NS (GWORK_WAIT_POLL_MS * 1000000L)

uint64_t gchurn_xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

size_t gchurn_cache_pass(uint64_t *buf, size_t words, size_t stride_bytes)
{
	size_t step = stride_bytes / sizeof(uint64_t), lines = 0;
	if (!step)
		step = 1;
	for (size_t i = 0; i < words; i += step, lines++)
		buf[i] = buf[i] * 6364136223846793005ull + 1; /* read-modify-write: dirties the line */
	return lines;
}

bool gchurn_matmul(const uint64_t *a, const uint64_t *b, uint64_t *c, int n,
		   const volatile sig_atomic_t *stop)
{
	for (int i = 0; i < n; i++) {
		if (stop && *stop)
			return false;
		for (int j = 0; j < n; j++) {
			uint64_t s = 0;
			for (int k = 0; k < n; k++)
				s += a[i * n + k] * b[k * n + j];
			c[i * n + j] = s;
		}
	}
	return true;
}

int gchurn_matrix_order(size_t kib)
{
	int n = 1;
	while ((size_t)(n + 1) * (size_t)(n + 1) * 3 * sizeof(uint64_t) <= kib * 1024)
		n++;
	return n;
}

int gchurn_next_nice(int cur, bool allow_negative)
{
	int v = cur >= 19 ? -20 : cur + 1;
	return v < 0 && !allow_negative ? 0 : v;
}

static const struct { int policy; const char *name; } policies[] = {
	{ SCHED_OTHER, "SCHED_OTHER" }, { SCHED_BATCH, "SCHED_BATCH" },
	{ SCHED_IDLE, "SCHED_IDLE" }, { SCHED_EXT, "SCHED_EXT" },
};
#define NPOL ((int)(sizeof(policies) / sizeof(policies[0])))

int gchurn_next_policy(int i, bool have_ext)
{
	int n = (i + 1) % NPOL;
	return policies[n].policy == SCHED_EXT && !have_ext ? 0 : n;
}

int gchurn_policy_of(int i)
{
	return policies[i >= 0 && i < NPOL ? i : 0].policy;
}

const char *gchurn_policy_name(int i)
{
	return policies[i >= 0 && i < NPOL ? i : 0].name;
}

int gchurn_pick_cpu(const uint64_t *mask, uint64_t r)
{
	int n = gcpu_count(mask);
	if (n <= 0)
		return -1;
	int want = (int)(r % (uint64_t)n);
	for (int cpu = 0; cpu < GCPU_MAX; cpu++)
		if (gcpu_isset(mask, cpu) && want-- == 0)
			return cpu;
	return -1;
}

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* Waits while *w == val, waking every GWORK_WAIT_POLL_MS to notice stop. 1 changed, 0 stop. */
static int wait_change(struct gwork_ctx *c, uint32_t *w, uint32_t val)
{
	struct timespec to = { 0, WAIT_NS };
	while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == val) {
		if (*c->stop)
			return 0;
		if (futex(w, FUTEX_WAIT, val, &to) < 0 && errno != EAGAIN && errno != EINTR &&
		    errno != ETIMEDOUT)
			return -errno;
	}
	return 1;
}

static void spin(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		__builtin_ia32_pause();
}

static void figure_add(struct gwork_ctx *c, struct gchurn *st, uint64_t n)
{
	st->figure += n;
	__atomic_store_n(&c->slot->figure, st->figure, __ATOMIC_RELAXED);
}

static long minflt(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_minflt;
}

int gchurn_init(struct gwork_ctx *c, struct gchurn *st)
{
	memset(st, 0, sizeof(*st));
	st->rng = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull | 1;
	st->nice = 19; /* the first step goes to -20 */
	st->spins = gwork_param(c, "spin_iters");
	st->hold = gwork_param(c, "hold_iters");
	st->work_iters = gwork_param(c, "work_iters");
	st->touches = gwork_param(c, "touches_per_cycle");
	st->touch_spins = st->spins;
	st->ops = gwork_param(c, "operations");
	st->sleep_us = gwork_param(c, "sleep_usec");
	st->stride = gwork_param(c, "stride");
	if (!st->stride)
		st->stride = 64; /* CachePipe: one per line */
	switch (c->work) {
	case WORK_CACHE_PRESSURE:
	case WORK_CACHE_YIELD:
	case WORK_CACHE_PIPE:
		st->words = (size_t)gwork_param(c, "size_kib") * 1024 / sizeof(uint64_t);
		st->buf = calloc(st->words, sizeof(uint64_t));
		return st->buf ? 0 : -ENOMEM;
	case WORK_FAN_OUT_COMPUTE:
		if (c->role == 0)
			return 0;
		st->n = gchurn_matrix_order((size_t)gwork_param(c, "cache_footprint_kib"));
		st->words = (size_t)st->n * (size_t)st->n * 3;
		st->buf = malloc(st->words * sizeof(uint64_t));
		if (!st->buf)
			return -ENOMEM;
		for (size_t i = 0; i < st->words; i++)
			st->buf[i] = gchurn_xorshift(&st->rng);
		return 0;
	case WORK_PAGE_FAULT_CHURN: {
		size_t len = (size_t)gwork_param(c, "region_kib") * 1024;
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		madvise(p, len, MADV_NOHUGEPAGE); /* one fault per 4 KiB page, not per 2 MiB */
		st->region = p;
		st->pages = len / 4096;
		st->minflt0 = minflt();
		return 0;
	}
	case WORK_AFFINITY_CHURN: {
		cpu_set_t set;
		if (sched_getaffinity(0, sizeof(set), &set))
			return -errno;
		for (int cpu = 0; cpu < GCPU_MAX && cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &set))
				gcpu_set(st->cpus, cpu);
		return 0;
	}
	case WORK_FUTEX_FAN_OUT:
		st->seen = __atomic_load_n(&c->group->futex, __ATOMIC_ACQUIRE);
		return 0;
	default:
		return 0;
	}
}

static long fork_exit(struct gwork_ctx *c, struct gchurn *st)
{
	pid_t pid = fork();
	if (pid < 0)
		return errno == EAGAIN || errno == ENOMEM ? GWORK_CHECK_UNITS : -errno; /* load, not a fault */
	if (pid == 0)
		_exit(0);
	int status;
	/* Reaped even when the stop interrupts: the child exits at once. */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	figure_add(c, st, 1);
	/* Slow iterations (a fork, a fault cycle, a wake) are one checkpoint each, so a gap is
	 * time between two of them, not the length of several. */
	return GWORK_CHECK_UNITS;
}

static long nice_sweep(struct gwork_ctx *c, struct gchurn *st)
{
	spin(GCHURN_NICE_SPINS);
	st->nice = gchurn_next_nice(st->nice, !st->no_negative_nice);
	if (setpriority(PRIO_PROCESS, 0, st->nice) == 0)
		figure_add(c, st, 1);
	else if (st->nice < 0 && (errno == EPERM || errno == EACCES))
		st->no_negative_nice = true; /* no CAP_SYS_NICE: sweep 0..19 only */
	sched_yield();
	return GCHURN_NICE_SPINS;
}

static long affinity_churn(struct gwork_ctx *c, struct gchurn *st)
{
	spin((unsigned)st->spins);
	int cpu = gchurn_pick_cpu(st->cpus, gchurn_xorshift(&st->rng));
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) == 0)
			figure_add(c, st, 1);
		/* EINVAL: the CPU left the cpuset; the next pick tries another. */
	}
	sched_yield();
	/* A whole checkpoint each round, so the CPU it landed on is recorded. */
	return GWORK_CHECK_UNITS;
}

static long policy_churn(struct gwork_ctx *c, struct gchurn *st)
{
	spin((unsigned)st->spins);
	st->policy = gchurn_next_policy(st->policy, !st->no_ext);
	struct sched_param sp = { 0 };
	int pol = gchurn_policy_of(st->policy);
	if (sched_setscheduler(0, pol, &sp) == 0) {
		/* Counted only when the kernel says the policy is now the one asked for. */
		if ((sched_getscheduler(0) & ~SCHED_RESET_ON_FORK) == pol)
			figure_add(c, st, 1);
	} else if (pol == SCHED_EXT && errno == EINVAL) {
		st->no_ext = true; /* a kernel without sched_ext */
	}
	sched_yield();
	return st->spins;
}

static long page_fault_churn(struct gwork_ctx *c, struct gchurn *st)
{
	for (long k = 0; k < st->touches; k++) {
		size_t page = (size_t)(gchurn_xorshift(&st->rng) % st->pages);
		st->region[page * 4096] = (char)k;
		spin((unsigned)st->touch_spins);
	}
	madvise(st->region, st->pages * 4096, MADV_DONTNEED); /* the next touches fault again */
	long f = minflt() - st->minflt0;
	if (f > 0 && (uint64_t)f > st->figure)
		figure_add(c, st, (uint64_t)f - st->figure);
	return GWORK_CHECK_UNITS;
}

/* Drepper's futex mutex on the group's word: 0 free, 1 held, 2 held with waiters. */
static long mutex_contention(struct gwork_ctx *c, struct gchurn *st)
{
	uint32_t *w = &c->group->futex, z = 0;
	if (!__atomic_compare_exchange_n(w, &z, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		struct timespec to = { 0, WAIT_NS };
		while (__atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE) != 0) {
			if (*c->stop)
				return 0;
			if (futex(w, FUTEX_WAIT, 2, &to) < 0 && errno != EAGAIN && errno != EINTR &&
			    errno != ETIMEDOUT)
				return -errno;
		}
	}
	spin((unsigned)st->hold);
	figure_add(c, st, 1);
	if (__atomic_exchange_n(w, 0, __ATOMIC_RELEASE) == 2)
		futex(w, FUTEX_WAKE, 1, NULL);
	spin((unsigned)st->work_iters);
	return st->hold + st->work_iters > 0 ? st->hold + st->work_iters : 1;
}

/* Messenger: a burst, then the next generation and one FUTEX_WAKE of every receiver
 * (figure: receivers the kernel woke). Receiver: a wait for a new generation (figure:
 * generations seen). */
static long futex_fan_out(struct gwork_ctx *c, struct gchurn *st)
{
	uint32_t *gen = &c->group->futex;
	if (c->role == 0) {
		spin((unsigned)st->spins);
		__atomic_store_n(&c->group->stamp_ns, (uint64_t)gutil_now_ns(), __ATOMIC_RELAXED);
		__atomic_add_fetch(gen, 1, __ATOMIC_RELEASE);
		long n = futex(gen, FUTEX_WAKE, INT_MAX, NULL);
		if (n > 0)
			figure_add(c, st, (uint64_t)n);
		return st->spins;
	}
	int r = wait_change(c, gen, st->seen);
	if (r <= 0)
		return r;
	st->seen = __atomic_load_n(gen, __ATOMIC_ACQUIRE);
	gmeter_record(c->slot, gutil_now_ns() - (int64_t)__atomic_load_n(&c->group->stamp_ns, __ATOMIC_RELAXED));
	figure_add(c, st, 1);
	return GWORK_CHECK_UNITS;
}

/* Messenger: stamps the time, opens a generation, wakes the receivers and waits until all
 * of them are done with it. Receiver: waits for the generation, sleeps, then runs the
 * multiplies (figure: multiplies done) and says it is done. */
static long fan_out_compute(struct gwork_ctx *c, struct gchurn *st)
{
	struct gwork_slot *g = c->group;
	uint32_t receivers = (uint32_t)(c->group_size > 1 ? c->group_size - 1 : 1);
	if (c->role == 0) {
		__atomic_store_n(&g->aux, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&g->stamp_ns, (uint64_t)gutil_now_ns(), __ATOMIC_RELAXED);
		__atomic_add_fetch(&g->futex, 1, __ATOMIC_RELEASE);
		futex(&g->futex, FUTEX_WAKE, INT_MAX, NULL);
		uint32_t done;
		while ((done = __atomic_load_n(&g->aux, __ATOMIC_ACQUIRE)) < receivers) {
			int r = wait_change(c, &g->aux, done);
			if (r <= 0)
				return r;
		}
		return GWORK_CHECK_UNITS;
	}
	int r = wait_change(c, &g->futex, st->seen);
	if (r <= 0)
		return r;
	st->seen = __atomic_load_n(&g->futex, __ATOMIC_ACQUIRE);
	gmeter_record(c->slot, gutil_now_ns() - (int64_t)__atomic_load_n(&g->stamp_ns, __ATOMIC_RELAXED));
	struct timespec ts = { st->sleep_us / 1000000, st->sleep_us % 1000000 * 1000L };
	if (st->sleep_us)
		nanosleep(&ts, NULL);
	size_t nn = (size_t)st->n * (size_t)st->n;
	for (long k = 0; k < st->ops; k++) {
		if (!gchurn_matmul(st->buf, st->buf + nn, st->buf + 2 * nn, st->n, c->stop))
			return 0;
		figure_add(c, st, 1);
	}
	__atomic_add_fetch(&g->aux, 1, __ATOMIC_RELEASE);
	futex(&g->aux, FUTEX_WAKE, 1, NULL);
	return GWORK_CHECK_UNITS;
}

long gchurn_iter(struct gwork_ctx *c, struct gchurn *st)
{
	switch (c->work) {
	case WORK_CACHE_PRESSURE:
	case WORK_CACHE_YIELD:
	case WORK_CACHE_PIPE: {
		size_t lines = gchurn_cache_pass(st->buf, st->words, (size_t)st->stride);
		figure_add(c, st, lines);
		if (c->work == WORK_CACHE_YIELD)
			sched_yield();
		return (long)lines;
	}
	case WORK_FORK_EXIT:
		return fork_exit(c, st);
	case WORK_NICE_SWEEP:
		return nice_sweep(c, st);
	case WORK_AFFINITY_CHURN:
		return affinity_churn(c, st);
	case WORK_POLICY_CHURN:
		return policy_churn(c, st);
	case WORK_PAGE_FAULT_CHURN:
		return page_fault_churn(c, st);
	case WORK_MUTEX_CONTENTION:
		return mutex_contention(c, st);
	case WORK_FUTEX_FAN_OUT:
		return futex_fan_out(c, st);
	case WORK_FAN_OUT_COMPUTE:
		return fan_out_compute(c, st);
	default:
		return -ENOSYS;
	}
}

void gchurn_done(struct gwork_ctx *c, struct gchurn *st)
{
	if (c->work == WORK_NICE_SWEEP)
		setpriority(PRIO_PROCESS, 0, 0);
	if (c->work == WORK_POLICY_CHURN) {
		struct sched_param sp = { 0 };
		sched_setscheduler(0, SCHED_OTHER, &sp);
	}
	if (c->work == WORK_AFFINITY_CHURN && gcpu_count(st->cpus) > 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		for (int cpu = 0; cpu < GCPU_MAX && cpu < CPU_SETSIZE; cpu++)
			if (gcpu_isset(st->cpus, cpu))
				CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	free(st->buf);
	st->buf = NULL;
	if (st->region)
		munmap(st->region, st->pages * 4096);
	st->region = NULL;
}
