/* Monitor pane model: per-CPU rows (latest sample, clock age, thresholds broken now), the
 * DSQ-depth sparkline and the event-counter rows, computed from the series without any
 * curses. Every walk per frame is bounded: WALK_MAX samples back, or the window drawn. */
#include "views/model.h"

#define WALK_MAX 6000   /* samples walked back for a clock's age: 10 minutes at 100 ms */

void monm_cpu(const struct mon_series *s, int cpu, const struct mon_thresholds *t,
	      const struct cpumask *stuck_cpus, struct monm_cpu *out)
{
	*out = (struct monm_cpu){ .clock_age_ms = 0 };
	size_t n = mon_series_len(s);
	if (!n || cpu < 0 || cpu >= s->ncpus)
		return;
	size_t last = n - 1;
	out->now = mon_cpu_at(s, last)[cpu];
	/* One walk back to the latest sample whose clock differs from the one before it,
	 * counting the stall on the way with the checks' rule (engine/monitor/eval.c):
	 * runnable tasks and an unmoved clock; an idle CPU's tick may be stopped (NOHZ). At
	 * most WALK_MAX samples per frame, so 256 stuck CPUs an hour in stay cheap to draw. */
	size_t moved = last, stop = last > WALK_MAX ? last - WALK_MAX : 0;
	bool streak = true;
	while (moved > stop) {
		const struct mon_cpu *c = &mon_cpu_at(s, moved)[cpu], *p = &mon_cpu_at(s, moved - 1)[cpu];
		if (c->clock != p->clock)
			break;
		streak = streak && c->nr_running;
		out->stalled += streak;
		moved--;
	}
	out->age_floor = moved == stop && n > 1 &&
			 (stop == 0 || mon_cpu_at(s, stop)[cpu].clock == mon_cpu_at(s, stop - 1)[cpu].clock);
	out->clock_age_ms = mon_t(s, last) - mon_t(s, moved);
	if (out->clock_age_ms < 0)
		out->clock_age_ms = 0;
	int win = t->sustained_samples > 0 ? t->sustained_samples : 1;
	for (size_t k = 0; k < (size_t)win && k < n; k++)
		if ((int64_t)mon_cpu_at(s, last - k)[cpu].dsq_depth > (int64_t)t->max_local_dsq_depth)
			out->deep = true;
	out->stall = t->fail_on_stall && out->stalled >= win;
	out->stuck = stuck_cpus && cpumask_test(stuck_cpus, cpu);
}

bool monm_hot(const struct monm_cpu *c)
{
	return c->deep || c->stall || c->stuck;
}

uint32_t monm_spark_max(const struct mon_series *s, int n)
{
	size_t held = mon_series_len(s), k = n > 0 && (size_t)n < held ? (size_t)n : held;
	uint32_t max = 0;
	for (size_t i = held - k; i < held; i++)
		for (int c = 0; c < s->ncpus; c++)
			if (mon_cpu_at(s, i)[c].dsq_depth > max)
				max = mon_cpu_at(s, i)[c].dsq_depth;
	return max;
}

int monm_spark(const struct mon_series *s, int cpu, int n, uint32_t max, unsigned char *lv)
{
	size_t held = mon_series_len(s);
	if (n <= 0 || !held || cpu < 0 || cpu >= s->ncpus)
		return 0;
	size_t k = (size_t)n < held ? (size_t)n : held, first = held - k;
	for (size_t i = first; i < held; i++) {
		uint64_t d = mon_cpu_at(s, i)[cpu].dsq_depth;
		if (d > max)
			d = max;
		/* ceil(d * LEVELS / max): any queued task shows at least the lowest bar */
		lv[i - first] = d ? (unsigned char)((d * MONM_LEVELS + max - 1) / max) : 0;
	}
	return (int)k;
}

int monm_events(const struct mon_series *s, struct monm_ev out[MON_NEV])
{
	size_t held = mon_series_len(s);
	if (!held || !s->have_ev)
		return 0;
	size_t last = held - 1, back = last;
	int64_t tl = mon_t(s, last);
	while (back > 0 && tl - mon_t(s, back) < 1000)
		back--;
	double secs = (double)(tl - mon_t(s, back)) / 1000.0;
	const int64_t *e1 = mon_ev_at(s, last), *e0 = mon_ev_at(s, 0), *eb = mon_ev_at(s, back);
	int n = 0;
	for (int e = 0; e < MON_NEV; e++) {
		/* A drop means the scheduler was replaced and its counters restarted. */
		int64_t total = e1[e] >= e0[e] ? e1[e] - e0[e] : e1[e];
		int64_t d = e1[e] >= eb[e] ? e1[e] - eb[e] : e1[e];
		if (!total && e != MON_EV_SELECT_CPU_FALLBACK && e != MON_EV_DISPATCH_KEEP_LAST)
			continue;
		out[n++] = (struct monm_ev){ e, total, secs > 0 ? (double)d / secs : 0 };
	}
	return n;
}
