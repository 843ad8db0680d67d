/* The Monitor pane's model (views/model_monitor.c) without a terminal: a CPU's clock age and
 * stall streak from the series, which thresholds it breaks in the latest window, the
 * DSQ-depth sparkline's scale, and the event rows (totals, last-second rates, which rows). */
#include <criterion/criterion.h>
#include "views/model.h"

#define T0 2000   /* ms since QEMU start of sample 0; samples every 100 ms */

/* A 2-CPU series of n samples: cpu0 calm (clock moving, DSQ 0), cpu1 with nr1 runnable
 * tasks, DSQ depth depth1[i] (NULL: 0) and a clock that stops moving at sample stop1. */
static struct mon_series *two_cpus(int n, uint32_t nr1, const uint32_t *depth1, int stop1)
{
	struct mon_series *s = mon_series_new(2);
	cr_assert_not_null(s);
	for (int i = 0; i < n; i++) {
		int64_t t = T0 + 100 * i;
		struct mon_cpu c[2] = {
			{ .nr_running = 1, .scx_nr_running = 1, .clock = (uint64_t)t * 1000000, .flags = 1 },
			{ .nr_running = nr1, .scx_nr_running = nr1, .dsq_depth = depth1 ? depth1[i] : 0,
			  .clock = (uint64_t)(i < stop1 ? t : T0 + 100 * stop1) * 1000000 + 7, .flags = 9 },
		};
		cr_assert_eq(mon_series_push(s, t, c, NULL, NULL), 0);
	}
	return s;
}

static struct mon_thresholds th(void)
{
	struct mon_thresholds t;
	mon_thresholds_default(&t);   /* depth 50, sustained 5, fail_on_stall */
	return t;
}

Test(views_monitor, clock_age_walks_back_to_the_last_sample_where_it_moved)
{
	struct mon_series *s = two_cpus(30, 2, NULL, 20);
	struct mon_thresholds t = th();
	struct monm_cpu c;
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect_eq(c.clock_age_ms, 900, "cpu1's clock last moved at sample 20 (t=4000), now t=4900: got %lld",
		     (long long)c.clock_age_ms);
	cr_expect_not(c.age_floor);
	cr_expect_eq(c.stalled, 9, "samples 21..29 kept sample 20's clock with tasks runnable: got %d", c.stalled);
	cr_expect(c.stall, "9 >= sustained_samples 5");
	cr_expect_not(c.deep);
	cr_expect_not(c.stuck, "stuck only comes from the verdict");
	cr_expect(monm_hot(&c));
	cr_expect_eq(c.now.nr_running, 2);
	cr_expect_eq(c.now.flags, 9);
	monm_cpu(s, 0, &t, NULL, &c);
	cr_expect_eq(c.clock_age_ms, 0, "cpu0's clock moved in the latest sample");
	cr_expect_eq(c.stalled, 0);
	cr_expect_not(monm_hot(&c));
	mon_series_free(s);
}

Test(views_monitor, a_short_stall_or_an_idle_cpu_is_not_flagged)
{
	struct mon_thresholds t = th();
	struct monm_cpu c;
	struct mon_series *s = two_cpus(30, 2, NULL, 26);   /* 3 samples stopped: under 5 */
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect_eq(c.stalled, 3);
	cr_expect_not(c.stall);
	mon_series_free(s);
	s = two_cpus(30, 0, NULL, 10);                      /* idle: NOHZ may stop its tick */
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect_eq(c.clock_age_ms, 1900, "the age is shown all the same");
	cr_expect_eq(c.stalled, 0, "no runnable task, no stall");
	cr_expect_not(c.stall);
	mon_series_free(s);
	s = two_cpus(30, 2, NULL, 10);
	t.fail_on_stall = false;
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect_eq(c.stalled, 19);
	cr_expect_not(c.stall, "fail_on_stall off: counted, not flagged");
	mon_series_free(s);
}

Test(views_monitor, a_clock_that_never_moved_is_an_age_of_at_least_the_samples_held)
{
	struct mon_series *s = two_cpus(12, 1, NULL, 0);
	struct mon_thresholds t = th();
	struct monm_cpu c;
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect(c.age_floor);
	cr_expect_eq(c.clock_age_ms, 1100);
	cr_expect_eq(c.stalled, 11);
	mon_series_free(s);
	s = two_cpus(1, 1, NULL, 0);   /* one sample: nothing to compare */
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect_not(c.age_floor);
	cr_expect_eq(c.clock_age_ms, 0);
	cr_expect_eq(c.stalled, 0);
	mon_series_free(s);
}

Test(views_monitor, the_walk_back_stops_at_ten_minutes_of_samples)
{
	struct mon_series *s = two_cpus(7000, 1, NULL, 0);
	struct mon_thresholds t = th();
	struct monm_cpu c;
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect(c.age_floor, "never moved in the last 6000 samples: at least");
	cr_expect_eq(c.clock_age_ms, 600000, "got %lld", (long long)c.clock_age_ms);
	cr_expect_eq(c.stalled, 6000);
	mon_series_free(s);
	s = two_cpus(7000, 1, NULL, 1000);   /* moved at sample 1000: exactly 6000 back */
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect_not(c.age_floor, "the move is at the walk's end");
	cr_expect_eq(c.clock_age_ms, 599900);
	mon_series_free(s);
}

Test(views_monitor, a_deep_dsq_is_flagged_while_in_the_last_sustained_samples)
{
	uint32_t d[30] = { 0 };
	d[25] = 51;   /* 5th from the end: inside the window of 5 */
	struct mon_series *s = two_cpus(30, 2, d, 30);
	struct mon_thresholds t = th();
	struct monm_cpu c;
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect(c.deep, "depth 51 > 50 at sample 25 of 30");
	cr_expect_eq(c.now.dsq_depth, 0, "the row shows the latest depth");
	mon_series_free(s);
	d[25] = 0;
	d[24] = 200;  /* 6th from the end: out of the window */
	d[29] = 50;   /* at the threshold, not over it */
	s = two_cpus(30, 2, d, 30);
	monm_cpu(s, 1, &t, NULL, &c);
	cr_expect_not(c.deep);
	cr_expect_not(monm_hot(&c));
	mon_series_free(s);
}

Test(views_monitor, stuck_cpus_come_from_the_verdict)
{
	struct mon_series *s = two_cpus(30, 2, NULL, 30);
	struct mon_thresholds t = th();
	struct monm_cpu c;
	struct cpumask stuck = { { 0 } };
	cpumask_set(&stuck, 1);
	monm_cpu(s, 1, &t, &stuck, &c);
	cr_expect(c.stuck);
	cr_expect(monm_hot(&c));
	monm_cpu(s, 0, &t, &stuck, &c);
	cr_expect_not(c.stuck);
	mon_series_free(s);
}

Test(views_monitor, sparkline_scales_every_cpu_to_the_deepest_dsq_in_the_window)
{
	uint32_t d[40];
	for (int i = 0; i < 40; i++)
		d[i] = i < 30 ? 1000 : (uint32_t)(8 * (i - 30));   /* 0, 8, ... 72 in the last 10 */
	struct mon_series *s = two_cpus(40, 2, d, 40);
	cr_expect_eq(monm_spark_max(s, 10), 72, "the window leaves the 1000s out");
	cr_expect_eq(monm_spark_max(s, 11), 1000);
	unsigned char lv[64];
	int k = monm_spark(s, 1, 10, 72, lv);
	cr_assert_eq(k, 10);
	cr_expect_eq(lv[0], 0, "an empty DSQ is level 0");
	cr_expect_eq(lv[1], 1, "8 of 72: the lowest bar");
	cr_expect_eq(lv[9], MONM_LEVELS, "the deepest is a full bar");
	cr_expect_eq(lv[5], 5, "40 of 72: ceil(4.4)");
	k = monm_spark(s, 0, 10, 72, lv);
	cr_expect_eq(k, 10);
	cr_expect_eq(lv[9], 0, "cpu0 never queued");
	cr_expect_eq(monm_spark(s, 1, 64, 1000, lv), 40, "fewer samples held than asked");
	cr_expect_eq(monm_spark(s, 2, 10, 72, lv), 0, "no such CPU");
	mon_series_free(s);
}

Test(views_monitor, event_rows_totals_and_last_second_rates)
{
	struct mon_series *s = mon_series_new(1);
	s->have_ev = true;
	for (int i = 0; i < 30; i++) {
		struct mon_cpu c = { .nr_running = 1, .clock = (uint64_t)i * 100000000 };
		int64_t ev[MON_NEV] = { 0 };
		ev[MON_EV_SELECT_CPU_FALLBACK] = 100 + 5 * i;             /* 50/s */
		ev[MON_EV_REFILL_SLICE_DFL] = i < 20 ? 1000 + 10 * i : 3 * (i - 20);  /* restarted */
		ev[MON_EV_BYPASS_DURATION] = 7;                           /* never moves */
		cr_assert_eq(mon_series_push(s, T0 + 100 * i, &c, ev, NULL), 0);
	}
	struct monm_ev rows[MON_NEV];
	int n = monm_events(s, rows);
	cr_assert_eq(n, 3, "fallback, keep_last (always) and refill (non-zero): got %d", n);
	cr_expect_eq(rows[0].ev, MON_EV_SELECT_CPU_FALLBACK);
	cr_expect_eq(rows[0].total, 145, "since the first sample held: 245 - 100");
	cr_expect_float_eq(rows[0].rate, 50.0, 1e-9, "5 per 100 ms over the last second: %f", rows[0].rate);
	cr_expect_eq(rows[1].ev, MON_EV_DISPATCH_KEEP_LAST);
	cr_expect_eq(rows[1].total, 0);
	cr_expect_eq(rows[2].ev, MON_EV_REFILL_SLICE_DFL);
	cr_expect_eq(rows[2].total, 27, "a counter that dropped restarted: counts from zero");
	cr_expect_float_eq(rows[2].rate, 27.0, 1e-9, "%f", rows[2].rate);
	s->have_ev = false;
	cr_expect_eq(monm_events(s, rows), 0, "no counters in this kernel: no rows");
	mon_series_free(s);
}
