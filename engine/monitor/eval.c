/* The monitor's checks over a series (engine/monitor/eval.h), with the reference project's
 * rules: the first MON_SKIP_SAMPLES are not evaluated, implausible samples are skipped
 * (and break a run of violations), and a violation counts only when it lasts
 * sustained_samples samples in a row; each episode is reported once, at its end. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/monitor/eval.h"

static bool plausible(const struct mon_series *s, size_t i)
{
	const struct mon_cpu *c = mon_cpu_at(s, i);
	bool all_equal = s->ncpus > 1;
	for (int k = 0; k < s->ncpus; k++) {
		if (c[k].dsq_depth > MON_MAX_DSQ_PLAUSIBLE)
			return false;
		if (c[k].clock != c[0].clock)
			all_equal = false;
	}
	return !all_equal;
}

__attribute__((format(printf, 2, 3)))
static void viol(struct mon_summary *o, const char *fmt, ...)
{
	if (o->nviol >= MON_MAX_VIOL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->viol[o->nviol++], sizeof(o->viol[0]), fmt, ap);
	va_end(ap);
}

/* One check's current run of violating samples. */
struct streak { int n; double worst; uint64_t clock; size_t end; };

static double imbalance(const struct mon_cpu *c, int ncpus)
{
	uint32_t mx = 0, mn = UINT32_MAX;
	for (int k = 0; k < ncpus; k++) {
		if (c[k].nr_running > mx)
			mx = c[k].nr_running;
		if (c[k].nr_running < mn)
			mn = c[k].nr_running;
	}
	return (double)mx / (double)(mn ? mn : 1);
}

/* A counter's increase between two samples; a drop (the scheduler was replaced, its
 * counters restarted) counts as nothing. */
static int64_t delta(const struct mon_series *s, size_t i, int ev)
{
	int64_t d = mon_ev_at(s, i)[ev] - mon_ev_at(s, i - 1)[ev];
	return d > 0 ? d : 0;
}

/* Ends the streaks that did not continue at sample i (or all of them at the end). */
static void flush(struct mon_summary *o, const struct mon_thresholds *t, struct streak *st,
		  int kind, int cpu)
{
	if (st->n >= t->sustained_samples) {
		switch (kind) {
		case 0:
			viol(o, "imbalance ratio %.1f exceeded threshold %.1f for %d consecutive samples "
			     "(ending at sample %zu)", st->worst, t->max_imbalance_ratio, st->n, st->end);
			break;
		case 1:
			viol(o, "local DSQ depth %.0f on cpu%d exceeded threshold %d for %d consecutive "
			     "samples (ending at sample %zu)", st->worst, cpu, t->max_local_dsq_depth,
			     st->n, st->end);
			break;
		case 2:
			viol(o, "rq_clock stall on cpu%d for %d consecutive samples (ending at sample "
			     "%zu, clock=%llu)", cpu, st->n, st->end, (unsigned long long)st->clock);
			cpumask_set(&o->stuck_cpus, cpu);
			break;
		case 3:
			viol(o, "fallback rate %.1f/s exceeded threshold %.1f/s for %d consecutive "
			     "intervals (ending at sample %zu)", st->worst, t->max_fallback_rate, st->n,
			     st->end);
			break;
		case 4:
			viol(o, "keep_last rate %.1f/s exceeded threshold %.1f/s for %d consecutive "
			     "intervals (ending at sample %zu)", st->worst, t->max_keep_last_rate, st->n,
			     st->end);
			break;
		}
	}
	st->n = 0;
	st->worst = 0;
}

static void step(struct streak *st, bool bad, double v, size_t i, struct mon_summary *o,
		 const struct mon_thresholds *t, int kind, int cpu)
{
	if (!bad) {
		flush(o, t, st, kind, cpu);
		return;
	}
	st->n++;
	st->end = i;
	if (v > st->worst)
		st->worst = v;
}

static void totals(const struct mon_series *s, size_t held, struct mon_summary *o)
{
	if (held < 2 || !s->have_ev)
		return;
	double secs = (double)(mon_t(s, held - 1) - mon_t(s, 0)) / 1000.0;
	for (size_t i = 1; i < held; i++)
		for (int e = 0; e < MON_NEV; e++)
			o->ev_total[e] += delta(s, i, e);
	for (int e = 0; e < MON_NEV; e++)
		o->ev_rate[e] = secs > 0 ? (double)o->ev_total[e] / secs : 0;
}

static void verdict(struct mon_summary *o)
{
	if (!o->nviol) {
		snprintf(o->verdict, sizeof(o->verdict), "monitor OK");
		return;
	}
	int n = snprintf(o->verdict, sizeof(o->verdict), "monitor FAILED: %d violation(s): ", o->nviol);
	for (int i = 0; i < o->nviol && n < (int)sizeof(o->verdict); i++)
		n += snprintf(o->verdict + n, sizeof(o->verdict) - (size_t)n, "%s%s", i ? "; " : "",
			      o->viol[i]);
}

void mon_eval(const struct mon_series *s, const struct mon_thresholds *t, bool eevdf,
	      struct mon_summary *o)
{
	memset(o, 0, sizeof(*o));
	o->max_dsq_cpu = -1;
	size_t held = s ? mon_series_len(s) : 0;
	o->samples = (int)held;
	if (!held) {
		snprintf(o->verdict, sizeof(o->verdict), "no monitor samples");
		return;
	}
	totals(s, held, o);
	int nk = s->ncpus, used = 0;
	struct streak imb = { 0 }, fb = { 0 }, kl = { 0 }, dsq[MON_MAX_CPUS] = { { 0 } },
		      stall[MON_MAX_CPUS] = { { 0 } };
	if (nk > (int)(sizeof(dsq) / sizeof(dsq[0])))
		nk = (int)(sizeof(dsq) / sizeof(dsq[0]));
	bool prev_ok = false;
	double sum_imb = 0, sum_nr = 0, sum_dsq = 0;
	for (size_t i = MON_SKIP_SAMPLES; i < held; i++) {
		if (!plausible(s, i)) {
			o->implausible = true;
			for (int k = 0; k < nk; k++) {
				flush(o, t, &dsq[k], 1, k);
				flush(o, t, &stall[k], 2, k);
			}
			flush(o, t, &imb, 0, 0), flush(o, t, &fb, 3, 0), flush(o, t, &kl, 4, 0);
			prev_ok = false;
			continue;
		}
		const struct mon_cpu *c = mon_cpu_at(s, i), *p = prev_ok ? mon_cpu_at(s, i - 1) : NULL;
		double ib = imbalance(c, nk);
		used++;
		sum_imb += ib;
		if (ib > o->max_imbalance)
			o->max_imbalance = ib;
		step(&imb, ib > t->max_imbalance_ratio, ib, i, o, t, 0, 0);
		for (int k = 0; k < nk; k++) {
			sum_nr += c[k].nr_running;
			sum_dsq += c[k].dsq_depth;
			if ((int)c[k].dsq_depth > o->max_dsq_depth) {
				o->max_dsq_depth = (int)c[k].dsq_depth;
				o->max_dsq_cpu = k;
			}
			step(&dsq[k], (int)c[k].dsq_depth > t->max_local_dsq_depth, c[k].dsq_depth, i, o,
			     t, 1, k);
			if (!p)
				continue;
			/* A CPU idle in both samples may have its tick stopped (NOHZ): exempt. */
			bool stuck = t->fail_on_stall && c[k].nr_running > 0 &&
				     c[k].clock == p[k].clock;
			step(&stall[k], stuck, 0, i, o, t, 2, k);
			stall[k].clock = c[k].clock;
		}
		if (p && s->have_ev) {
			double secs = (double)(mon_t(s, i) - mon_t(s, i - 1)) / 1000.0;
			double fr = secs > 0 ? (double)delta(s, i, MON_EV_SELECT_CPU_FALLBACK) / secs : 0;
			double kr = secs > 0 ? (double)delta(s, i, MON_EV_DISPATCH_KEEP_LAST) / secs : 0;
			step(&fb, fr > t->max_fallback_rate, fr, i, o, t, 3, 0);
			step(&kl, kr > t->max_keep_last_rate, kr, i, o, t, 4, 0);
		}
		prev_ok = true;
	}
	for (int k = 0; k < nk; k++) {
		flush(o, t, &dsq[k], 1, k);
		flush(o, t, &stall[k], 2, k);
	}
	flush(o, t, &imb, 0, 0), flush(o, t, &fb, 3, 0), flush(o, t, &kl, 4, 0);
	o->stuck = cpumask_weight(&o->stuck_cpus);
	if (used) {
		o->avg_imbalance = sum_imb / used;
		o->avg_nr_running = sum_nr / used / nk;
		o->avg_dsq = sum_dsq / used / nk;
	}
	if (eevdf) { /* the reference skips EEVDF: nothing of the user's to judge */
		o->nviol = 0;
		o->stuck = 0;
		o->stuck_cpus = (struct cpumask){ { 0 } };
		snprintf(o->verdict, sizeof(o->verdict), "not evaluated (EEVDF)");
		return;
	}
	o->evaluated = true;
	/* Nothing left to judge: every sample settling (the reference drops those before
	 * evaluating, leaving none), or none plausible. */
	if (!used)
		snprintf(o->verdict, sizeof(o->verdict), "%s", o->implausible ?
			 "monitor data not yet initialized" : "no monitor samples");
	else
		verdict(o);
	o->failed = o->nviol > 0 && t->enforce;
}
