/* The sampler thread (engine/monitor/sampler.h). Reads happen without the run lock (guest
 * RAM is ours to read at any time); only the push into run->mon takes it, briefly. */
#include <bpf/btf.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/kernel/btf.h"
#include "engine/monitor/gmaps.h"
#include "engine/monitor/kmem.h"
#include "engine/monitor/layout.h"
#include "engine/monitor/sampler.h"
#include "engine/run.h"
#include "vmm/guestmem.h"

struct mon_sampler {
	struct run *run;
	struct guestmem *gm;
	char vmlinux[4096], image[4096];
	int64_t vm_started_ms;
	void (*notify)(void *ctx);
	void *ctx;
	pthread_t th;
	volatile int stop;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

__attribute__((format(printf, 2, 3)))
static void set_status(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	run_lock(r);
	if (r->mon)
		vsnprintf(r->mon->status, sizeof(r->mon->status), fmt, ap);
	run_unlock(r);
	va_end(ap);
}

static void ts_add_ms(struct timespec *t, long ms)
{
	t->tv_nsec += ms * 1000000L;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

/* Sleeps until the absolute CLOCK_MONOTONIC time next (ns); false when asked to stop. */
static bool tick(struct mon_sampler *s, struct timespec *next)
{
	ts_add_ms(next, MON_INTERVAL_MS);
	/* A host too busy to keep up skips ticks rather than bursting to catch up. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > next->tv_sec + 1)
		*next = now;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
	return !__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE);
}

/* Waits for the guest's addresses; false when stopped first. */
static bool wait_ksyms(struct mon_sampler *s, struct kmem_syms *syms, int *ncpus)
{
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		run_lock(s->run);
		bool have = s->run->have_ksyms;
		*syms = s->run->ksyms;
		*ncpus = s->run->mon ? s->run->mon->ncpus : 0;
		run_unlock(s->run);
		if (have)
			return true;
		/* Poll faster than the sample interval: the first sample comes soon after. */
		ts_add_ms(&next, 20);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
			return false;
	}
}

/* The scheduler's globals, once its maps are known: opened on first sight of the ids. */
struct globals {
	struct mon_gmaps *g;
	bool tried;
	int nids;
};

/* Returns the CPU time spent opening the maps (a one-off, kept out of the per-sample cost). */
static uint64_t read_globals(struct mon_sampler *s, const struct kmem *k, const struct btf *btf,
			     struct globals *gl, int64_t *vals, int *nvals)
{
	uint64_t opened = 0;
	struct run *r = s->run;
	uint32_t ids[RUN_MAX_MAPS];
	run_lock(r);
	int n = r->nsched_maps;
	memcpy(ids, r->sched_map_ids, sizeof(ids));
	run_unlock(r);
	if (!n)
		return 0;
	if (!gl->tried || (n != gl->nids && !gl->g)) {
		char err[256] = "";
		uint64_t t0 = thread_cpu_ns();
		gl->tried = true;
		gl->nids = n;
		gl->g = mon_gmaps_open(k, btf, ids, n, err, sizeof(err));
		if (!gl->g)
			set_status(r, "monitor: scheduler globals not readable: %s", err);
		opened = thread_cpu_ns() - t0;
	}
	if (!gl->g)
		return opened;
	static __thread struct mon_tree_line tree[MON_MAX_TREE];
	char names[MON_MAX_GLOBALS][80];
	int ntree = 0;
	if (mon_gmaps_read(gl->g, k, tree, MON_MAX_TREE, &ntree, names, vals, nvals))
		return opened;
	run_lock(r);
	if (r->mon) {
		memcpy(r->mon->tree, tree, (size_t)ntree * sizeof(tree[0]));
		r->mon->ntree = ntree;
		if (r->mon->nglob == 0 && *nvals) {
			r->mon->nglob = *nvals;
			memcpy(r->mon->glob_name, names, sizeof(names));
		}
	}
	run_unlock(r);
	return opened;
}

static void *sampler_main(void *arg)
{
	struct mon_sampler *s = arg;
	struct run *r = s->run;
	char err[512] = "";
	struct btf *btf = btf_open_kernel(s->vmlinux[0] ? s->vmlinux : NULL, s->image, err,
					  sizeof(err));
	struct mon_layout lay;
	if (!btf) {
		set_status(r, "monitor: sampling disabled: no kernel BTF (%s)", err);
		return NULL;
	}
	if (mon_layout_init(&lay, btf, err, sizeof(err))) {
		set_status(r, "%s", err);
		btf__free(btf);
		return NULL;
	}
	struct kmem_syms syms;
	int ncpus = 0;
	if (!wait_ksyms(s, &syms, &ncpus)) {
		set_status(r, "monitor: the guest never sent its kernel addresses (\"ksyms\"); no "
			   "samples (a guest init older than the monitor, or one that stopped early)");
		btf__free(btf);
		return NULL;
	}
	struct kmem k;
	if (kmem_init(&k, guestmem_read, s->gm, &syms, ncpus, err, sizeof(err))) {
		set_status(r, "monitor: sampling disabled: %s", err);
		btf__free(btf);
		return NULL;
	}
	struct globals gl = { 0 };
	/* The host cost is the loop's: BTF parsing and the wait above are one-offs. */
	uint64_t cpu0 = thread_cpu_ns();
	struct mon_cpu cpu[KMEM_MAX_CPUS];
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	bool failing = false;
	do {
		int64_t ev[MON_NEV] = { 0 }, vals[MON_MAX_GLOBALS] = { 0 };
		int nvals = 0, bad_cpu = -1;
		for (int c = 0; c < k.ncpus && bad_cpu < 0; c++)
			if (mon_read_cpu(&k, &lay, c, &cpu[c]))
				bad_cpu = c;
		if (bad_cpu >= 0) {
			/* Guest RAM does not change shape: a failed read is a wrong address, and
			 * it will not get better. Say so once and keep trying (cheaply). */
			if (!failing) {
				set_status(r, "monitor: cannot read cpu%d's runqueue from guest memory", bad_cpu);
			}
			failing = true;
			continue;
		}
		mon_read_events(&k, &lay, ev);
		cpu0 += read_globals(s, &k, btf, &gl, vals, &nvals);
		int64_t t = mono_ms() - s->vm_started_ms;
		run_lock(r);
		if (r->mon) {
			if (failing)
				r->mon->status[0] = 0;
			r->mon->have_ev = true;
			mon_series_push(r->mon, t, cpu, ev, nvals ? vals : NULL);
			r->mon->last_ok_ms = t;
			if (r->last_guest_line_ms >= 0 && t - r->last_guest_line_ms > r->mon->guest_silence_max_ms)
				r->mon->guest_silence_max_ms = t - r->last_guest_line_ms;
			r->mon->sampler_cpu_ns = thread_cpu_ns() - cpu0;
		}
		run_unlock(r);
		failing = false;
		if (s->notify)
			s->notify(s->ctx);
	} while (tick(s, &next));
	mon_gmaps_free(gl.g);
	btf__free(btf);
	return NULL;
}

struct mon_sampler *mon_sampler_start(struct run *r, struct guestmem *gm, const char *vmlinux,
				      const char *image, int64_t vm_started_ms,
				      void (*notify)(void *ctx), void *ctx)
{
	int ncpus = scn_topo_cpus(&r->scn.topo);
	if (ncpus > KMEM_MAX_CPUS)
		ncpus = KMEM_MAX_CPUS;
	run_lock(r);
	if (!r->mon)
		r->mon = mon_series_new(ncpus);
	bool ok = r->mon != NULL;
	run_unlock(r);
	struct mon_sampler *s = ok && gm ? calloc(1, sizeof(*s)) : NULL;
	if (!s)
		return NULL;
	s->run = run_get(r);
	s->gm = gm;
	snprintf(s->vmlinux, sizeof(s->vmlinux), "%s", vmlinux ? vmlinux : "");
	snprintf(s->image, sizeof(s->image), "%s", image ? image : "");
	s->vm_started_ms = vm_started_ms;
	s->notify = notify;
	s->ctx = ctx;
	if (pthread_create(&s->th, NULL, sampler_main, s)) {
		set_status(r, "monitor: cannot start the sampler thread");
		run_put(s->run);
		free(s);
		return NULL;
	}
	return s;
}

void mon_sampler_stop(struct mon_sampler *s)
{
	if (!s)
		return;
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->th, NULL);
	run_put(s->run);
	free(s);
}
