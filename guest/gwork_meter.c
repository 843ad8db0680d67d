/* Worker figures beside progress (see gwork_meter.h). The node map and the schedstat
 * baseline are per worker process: each worker is forked, so statics are its own. */
#include <stdio.h>
#include <string.h>

#include "guest/gcpu.h"
#include "guest/gutil.h"
#include "guest/gwork_meter.h"

#define MAX_NODES 64

static int8_t node_of[GCPU_MAX];
static int64_t rd0 = -1, rc0;

/* /proc/self/schedstat: "cpu_time_ns run_delay_ns timeslices" (CONFIG_SCHED_INFO). */
static int schedstat(int64_t *delay, int64_t *count)
{
	char b[128];
	long long a, d, c;
	if (gutil_read_file("/proc/self/schedstat", b, sizeof(b)) < 0 ||
	    sscanf(b, "%lld %lld %lld", &a, &d, &c) != 3)
		return -1;
	*delay = d;
	*count = c;
	return 0;
}

void gmeter_start(struct gwork_slot *s)
{
	char p[96], b[1024];
	uint64_t m[GCPU_WORDS];
	memset(node_of, 0, sizeof(node_of));
	for (int n = 0; n < MAX_NODES; n++) {
		snprintf(p, sizeof(p), "/sys/devices/system/node/node%d/cpulist", n);
		if (gutil_read_file(p, b, sizeof(b)) < 0 || gcpu_parse(b, m) < 0)
			continue;
		for (int c = 0; c < GCPU_MAX; c++)
			if (gcpu_isset(m, c))
				node_of[c] = (int8_t)n;
	}
	__atomic_store_n(&s->run_delay_ns, (int64_t)-1, __ATOMIC_RELAXED);
	if (schedstat(&rd0, &rc0))
		rd0 = -1;
}

void gmeter_end(struct gwork_slot *s)
{
	int64_t d, c;
	if (rd0 < 0 || schedstat(&d, &c))
		return;
	__atomic_store_n(&s->run_count, c - rc0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->run_delay_ns, d >= rd0 ? d - rd0 : 0, __ATOMIC_RELAXED);
}

int gmeter_node(int cpu)
{
	return cpu >= 0 && cpu < GCPU_MAX ? node_of[cpu] : 0;
}

void gmeter_stamp(struct gwork_slot *self)
{
	__atomic_store_n(&self->wake_stamp_ns, (uint64_t)gutil_now_ns(), __ATOMIC_RELEASE);
}

void gmeter_record(struct gwork_slot *self, int64_t ns)
{
	if (ns >= 0)
		gwake_record(&self->wake, (uint64_t)ns);
}

void gmeter_woke(struct gwork_slot *self, const struct gwork_slot *waker)
{
	if (!waker)
		return;
	uint64_t t = __atomic_load_n(&waker->wake_stamp_ns, __ATOMIC_ACQUIRE);
	if (t)
		gmeter_record(self, gutil_now_ns() - (int64_t)t);
}

void gmeter_report(struct gjson *j, const struct gwork_slot *s)
{
	const struct gwake *w = &s->wake;
	gjson_int(j, "units", (int64_t)s->units);
	gjson_int(j, "run_delay_ns", s->run_delay_ns);
	if (s->run_delay_ns >= 0)
		gjson_int(j, "run_count", s->run_count);
	gjson_int(j, "cross_node_migrations", s->xnode_migrations);
	gjson_int(j, "wake_samples", (int64_t)w->n);
	if (!w->n)
		return;
	gjson_int(j, "wake_sum_ns", (int64_t)w->sum);
	gjson_dbl(j, "wake_sumsq_us2", w->sumsq / 1e6);
	/* Only the buckets in use, as [index, count] pairs: a few hundred bytes. */
	gjson_arr_open(j, "wake_hist");
	for (int i = 0; i < GWAKE_BUCKETS; i++)
		if (w->b[i]) {
			gjson_arr_open(j, NULL);
			gjson_int(j, NULL, i);
			gjson_int(j, NULL, w->b[i]);
			gjson_arr_close(j);
		}
	gjson_arr_close(j);
}
