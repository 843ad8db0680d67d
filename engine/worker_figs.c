/* Worker-check figures: reading, writing and pooling per cgroup (see worker_figs.h). */
#include "engine/worker_figs.h"

#include <math.h>
#include <string.h>

#include "engine/json_util.h"

static bool num(json_t *o, const char *k, double lo, double hi, double *out)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return true;
	if (!json_is_number(v))
		return false;
	double d = json_number_value(v);
	if (!(d >= lo && d <= hi))
		return false;
	*out = d;
	return true;
}

/* [[bucket, count], ...]; anything else is malformed. */
static bool hist(json_t *o, uint32_t *b)
{
	json_t *a = json_object_get(o, "wake_hist"), *e;
	size_t i;
	if (!a)
		return true;
	if (!json_is_array(a))
		return false;
	uint32_t tmp[GWAKE_BUCKETS] = { 0 };
	json_array_foreach(a, i, e) {
		json_t *k = json_array_get(e, 0), *n = json_array_get(e, 1);
		if (!json_is_integer(k) || !json_is_integer(n) || json_array_size(e) != 2)
			return false;
		json_int_t ki = json_integer_value(k), ni = json_integer_value(n);
		if (ki < 0 || ki >= GWAKE_BUCKETS || ni < 0 || ni > UINT32_MAX)
			return false;
		tmp[ki] = (uint32_t)ni;
	}
	memcpy(b, tmp, sizeof(tmp));
	return true;
}

bool wfigs_read(struct run_worker *w, json_t *o)
{
	double units = (double)w->units, rd = (double)w->run_delay_ns, rc = (double)w->run_count;
	double xn = w->xnode_migrations, wn = (double)w->wake_n;
	double sum = w->wake_sum_ns, sq = w->wake_sumsq_us2;
	if (!num(o, "units", 0, 1e19, &units) || !num(o, "run_delay_ns", -1, 9e18, &rd) ||
	    !num(o, "run_count", -1, 9e18, &rc) || !num(o, "cross_node_migrations", 0, 4e9, &xn) ||
	    !num(o, "wake_samples", 0, 1e19, &wn) || !num(o, "wake_sum_ns", 0, 1e30, &sum) ||
	    !num(o, "wake_sumsq_us2", 0, 1e300, &sq) || !hist(o, w->wake_hist))
		return false;
	w->units = (uint64_t)units;
	w->run_delay_ns = (int64_t)rd;
	w->run_count = (int64_t)rc;
	w->xnode_migrations = (int)xn;
	w->wake_n = (uint64_t)wn;
	w->wake_sum_ns = sum;
	w->wake_sumsq_us2 = sq;
	return true;
}

uint64_t wfigs_wake_pct(const struct run_worker *w, double pct)
{
	return w->wake_n ? gwake_pct(w->wake_hist, pct) : 0;
}

double wfigs_wake_mean(const struct run_worker *w)
{
	return w->wake_n ? w->wake_sum_ns / (double)w->wake_n : 0;
}

double wfigs_wake_cv(const struct run_worker *w)
{
	return gwake_cv(w->wake_n, w->wake_sum_ns, w->wake_sumsq_us2 * 1e6);
}

double wfigs_work_rate(const struct run_worker *w)
{
	return w->cpu_ns ? (double)w->units / ((double)w->cpu_ns / 1e9) : 0;
}

double wfigs_iter_rate(const struct run_worker *w)
{
	return w->wall_ns ? (double)w->iters / ((double)w->wall_ns / 1e9) : 0;
}

void wfigs_worker_json(const struct run_worker *w, json_t *o)
{
	json_object_set_new(o, "units", json_integer((json_int_t)w->units));
	json_object_set_new(o, "run_delay_ns", json_integer((json_int_t)w->run_delay_ns));
	json_object_set_new(o, "run_count", json_integer((json_int_t)w->run_count));
	json_object_set_new(o, "cross_node_migrations", json_integer(w->xnode_migrations));
	json_object_set_new(o, "wake_samples", json_integer((json_int_t)w->wake_n));
	if (!w->wake_n)
		return;
	json_object_set_new(o, "wake_p50_ns", json_integer((json_int_t)wfigs_wake_pct(w, 50)));
	json_object_set_new(o, "wake_p99_ns", json_integer((json_int_t)wfigs_wake_pct(w, 99)));
	json_object_set_new(o, "wake_mean_ns", json_real(wfigs_wake_mean(w)));
	json_object_set_new(o, "wake_cv", json_real(wfigs_wake_cv(w)));
	json_object_set_new(o, "wake_sum_ns", json_real(w->wake_sum_ns));
	json_object_set_new(o, "wake_sumsq_us2", json_real(w->wake_sumsq_us2));
	json_t *a = json_array();
	for (int i = 0; i < GWAKE_BUCKETS; i++)
		if (w->wake_hist[i])
			json_array_append_new(a, json_pack("[i, I]", i, (json_int_t)w->wake_hist[i]));
	json_object_set_new(o, "wake_hist", a);
}

static const char *cg_of(const struct run_worker *w)
{
	return w->cgroup[0] ? w->cgroup : "(none)";
}

static void pool(struct run *r, struct run_cgroup *c)
{
	uint32_t b[GWAKE_BUCKETS] = { 0 };
	double sum = 0, sq = 0, rd_sum = 0, rates[SCN_MAX_WORKERS];
	int nrd = 0, nrate = 0;
	c->wake_n = 0;
	c->worst_run_delay_us = -1;
	c->xnode_migrations = 0;
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		if (strcmp(cg_of(w), c->name))
			continue;
		for (int k = 0; w->wake_n && k < GWAKE_BUCKETS; k++) /* live workers have none yet */
			b[k] = UINT32_MAX - b[k] < w->wake_hist[k] ? UINT32_MAX : b[k] + w->wake_hist[k];
		c->wake_n += w->wake_n;
		sum += w->wake_sum_ns;
		sq += w->wake_sumsq_us2 * 1e6;
		c->xnode_migrations += w->xnode_migrations;
		if (w->run_delay_ns >= 0) {
			double us = (double)w->run_delay_ns / 1e3;
			rd_sum += us;
			nrd++;
			if (us > c->worst_run_delay_us)
				c->worst_run_delay_us = us;
		}
		if (w->cpu_ns && nrate < SCN_MAX_WORKERS)
			rates[nrate++] = wfigs_work_rate(w);
	}
	c->wake_p50_ns = c->wake_n ? gwake_pct(b, 50) : 0;
	c->wake_p99_ns = c->wake_n ? gwake_pct(b, 99) : 0;
	c->wake_mean_ns = c->wake_n ? sum / (double)c->wake_n : 0;
	c->wake_cv = gwake_cv(c->wake_n, sum, sq);
	c->wake_tail_ratio = c->wake_p50_ns ? (double)c->wake_p99_ns / (double)c->wake_p50_ns : 0;
	c->mean_run_delay_us = nrd ? rd_sum / nrd : -1;
	c->migration_ratio = c->iters ? (double)c->migrations / (double)c->iters : 0;
	c->xnode_ratio = c->migrations ? (double)c->xnode_migrations / (double)c->migrations : 0;
	double m = 0, v = 0;
	for (int i = 0; i < nrate; i++)
		m += rates[i];
	m = nrate ? m / nrate : 0;
	for (int i = 0; i < nrate; i++)
		v += (rates[i] - m) * (rates[i] - m);
	c->work_rate = m;
	c->throughput_cv = nrate >= 2 && m > 0 ? sqrt(v / nrate) / m : 0;
}

void wfigs_cgroups(struct run *r)
{
	for (int i = 0; i < r->ncgroups; i++)
		pool(r, &r->cgroups[i]);
}

static json_t *jfin(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

void wfigs_cgroup_json(const struct run_cgroup *c, json_t *o)
{
	json_object_set_new(o, "wake_samples", json_integer((json_int_t)c->wake_n));
	json_object_set_new(o, "median_wake_latency_us", jfin((double)c->wake_p50_ns / 1e3));
	json_object_set_new(o, "p99_wake_latency_us", jfin((double)c->wake_p99_ns / 1e3));
	json_object_set_new(o, "mean_wake_latency_us", jfin(c->wake_mean_ns / 1e3));
	json_object_set_new(o, "wake_latency_cv", jfin(c->wake_cv));
	json_object_set_new(o, "wake_latency_tail_ratio", jfin(c->wake_tail_ratio));
	json_object_set_new(o, "mean_run_delay_us", jfin(c->mean_run_delay_us));
	json_object_set_new(o, "worst_run_delay_us", jfin(c->worst_run_delay_us));
	json_object_set_new(o, "migration_ratio", jfin(c->migration_ratio));
	json_object_set_new(o, "cross_node_migrations", json_integer(c->xnode_migrations));
	json_object_set_new(o, "cross_node_migration_ratio", jfin(c->xnode_ratio));
	json_object_set_new(o, "work_rate", jfin(c->work_rate));
	json_object_set_new(o, "throughput_cv", jfin(c->throughput_cv));
}

void wfigs_cgroup_read(struct run_cgroup *c, const json_t *o)
{
	c->wake_n = (uint64_t)ju_int_or(o, "wake_samples", 0);
	c->wake_p50_ns = (uint64_t)llround(ju_num_or(o, "median_wake_latency_us", 0) * 1e3);
	c->wake_p99_ns = (uint64_t)llround(ju_num_or(o, "p99_wake_latency_us", 0) * 1e3);
	c->wake_mean_ns = ju_num_or(o, "mean_wake_latency_us", 0) * 1e3;
	c->wake_cv = ju_num_or(o, "wake_latency_cv", 0);
	c->wake_tail_ratio = ju_num_or(o, "wake_latency_tail_ratio", 0);
	c->mean_run_delay_us = ju_num_or(o, "mean_run_delay_us", -1);
	c->worst_run_delay_us = ju_num_or(o, "worst_run_delay_us", -1);
	/* Run directories from before these figures: the ratio from what they do have. */
	c->migration_ratio = ju_num_or(o, "migration_ratio", c->iters ? (double)c->migrations / (double)c->iters : 0);
	c->xnode_migrations = (int)ju_int_or(o, "cross_node_migrations", 0);
	c->xnode_ratio = ju_num_or(o, "cross_node_migration_ratio", 0);
	c->work_rate = ju_num_or(o, "work_rate", 0);
	c->throughput_cv = ju_num_or(o, "throughput_cv", 0);
}

#define APPEND(...)                                                            \
	do {                                                                   \
		if (n < len)                                                   \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);  \
	} while (0)

void wfigs_cgroup_line(const struct run_cgroup *c, int parts, char *buf, size_t len)
{
	size_t n = 0;
	if (!len)
		return;
	buf[0] = 0;
	if ((parts & WFIGS_WAKE) && c->wake_n)
		APPEND("wake p50=%.1fus p99=%.1fus cv=%.2f tail=%.1fx (%llu samples) ", (double)c->wake_p50_ns / 1e3,
		       (double)c->wake_p99_ns / 1e3, c->wake_cv, c->wake_tail_ratio, (unsigned long long)c->wake_n);
	if (!(parts & WFIGS_SCHED))
		goto out;
	if (c->mean_run_delay_us >= 0)
		APPEND("run_delay mean=%.0fus worst=%.0fus ", c->mean_run_delay_us, c->worst_run_delay_us);
	if (c->iters)
		APPEND("migration_ratio=%.4f cross_node=%d ", c->migration_ratio, c->xnode_migrations);
	if (c->work_rate > 0)
		APPEND("work_rate=%.0f/cpu_s cv=%.3f ", c->work_rate, c->throughput_cv);
out:
	if (n && n <= len && buf[n - 1] == ' ')
		buf[n - 1] = 0;
}

void wfigs_checks_line(const struct scn_checks *ck, char *buf, size_t len)
{
	size_t n = 0;
	if (!len)
		return;
	buf[0] = 0;
	if (ck->isolation)
		APPEND("isolation ");
	for (int i = 0; i < SCN_WC__COUNT; i++)
		if (ck->has[i]) {
			char v[64];
			scn_fmt_f64(ck->wc[i], v, sizeof(v));
			APPEND("%s=%s ", scn_worker_check_key((enum scn_worker_check)i), v);
		}
	if (n && n <= len && buf[n - 1] == ' ')
		buf[n - 1] = 0;
}

json_t *wfigs_thresholds_json(const struct scn_checks *ck)
{
	json_t *o = json_object();
	if (ck->isolation)
		json_object_set_new(o, "isolation", json_true());
	for (int i = 0; i < SCN_WC__COUNT; i++)
		if (ck->has[i])
			json_object_set_new(o, scn_worker_check_key((enum scn_worker_check)i), json_real(ck->wc[i]));
	return o;
}

void wfigs_thresholds_read(struct scn_checks *ck, const json_t *o)
{
	if (!json_is_object(o))
		return;
	ck->isolation = ju_true(o, "isolation");
	for (int i = 0; i < SCN_WC__COUNT; i++) {
		json_t *v = json_object_get(o, scn_worker_check_key((enum scn_worker_check)i));
		ck->has[i] = json_is_number(v);
		ck->wc[i] = ck->has[i] ? json_number_value(v) : 0;
	}
}
