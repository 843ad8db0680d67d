/* The monitor in the report: the `--- monitor ---` section, the pass line, the
 * result.json object and its loader (engine/monitor/mreport.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/json_util.h"
#include "engine/monitor/eval.h"
#include "engine/monitor/mreport.h"
#include "engine/monitor/tsv.h"
#include "engine/run.h"

static double span_s(const struct mon_series *s)
{
	size_t n = mon_series_len(s);
	return n > 1 ? (double)(mon_t(s, n - 1) - mon_t(s, 0)) / 1000.0 : 0;
}

void mon_report_section(const struct run *r, FILE *out)
{
	const struct mon_series *s = r->mon;
	const struct mon_summary *m = &r->monsum;
	if (!s || !mon_series_len(s)) {
		fprintf(out, "no monitor samples%s%s\n", s && s->status[0] ? ": " : "",
			s && s->status[0] ? s->status : "");
		return;
	}
	if (s->status[0])
		fprintf(out, "status: %s\n", s->status);
	fprintf(out, "samples=%d max_imbalance=%.2f max_dsq_depth=%d stuck=%d\n", m->samples,
		m->max_imbalance, m->max_dsq_depth, m->stuck);
	fprintf(out, "avg: imbalance=%.2f nr_running/cpu=%.1f dsq/cpu=%.1f\n", m->avg_imbalance,
		m->avg_nr_running, m->avg_dsq);
	if (s->have_ev) {
		fprintf(out, "events: fallback=%lld (%.1f/s) keep_last=%lld (%.1f/s) offline=%lld\n",
			(long long)m->ev_total[MON_EV_SELECT_CPU_FALLBACK],
			m->ev_rate[MON_EV_SELECT_CPU_FALLBACK],
			(long long)m->ev_total[MON_EV_DISPATCH_KEEP_LAST],
			m->ev_rate[MON_EV_DISPATCH_KEEP_LAST],
			(long long)m->ev_total[MON_EV_DISPATCH_LOCAL_DSQ_OFFLINE]);
		bool any = false;
		for (int e = 0; e < MON_NEV; e++) {
			if (e == MON_EV_SELECT_CPU_FALLBACK || e == MON_EV_DISPATCH_KEEP_LAST ||
			    e == MON_EV_DISPATCH_LOCAL_DSQ_OFFLINE || !m->ev_total[e])
				continue;
			fprintf(out, "%s%s=%lld", any ? " " : "events+: ", mon_ev_name[e],
				(long long)m->ev_total[e]);
			any = true;
		}
		if (any)
			fputc('\n', out);
	}
	if (!cpumask_empty(&m->stuck_cpus)) {
		const char *sep = " ";
		fprintf(out, "stuck cpus:");
		cpumask_for_each(c, &m->stuck_cpus) {
			fprintf(out, "%scpu%d", sep, c);
			sep = ",";
		}
		fputc('\n', out);
	}
	double secs = span_s(s);
	fprintf(out, "sampler: %.1f ms of host CPU over %.1f s (%.3f%% of one core)",
		(double)s->sampler_cpu_ns / 1e6, secs,
		secs > 0 ? (double)s->sampler_cpu_ns / 1e7 / secs : 0.0);
	if (s->guest_silence_max_ms >= 1000)
		fprintf(out, "; the guest was silent for up to %.1f s while it sampled",
			(double)s->guest_silence_max_ms / 1000.0);
	fputc('\n', out);
	fprintf(out, "verdict: %s\n", m->verdict[0] ? m->verdict : "not evaluated");
}

void mon_report_passline(const struct run *r, FILE *out)
{
	if (!r->mon)
		return;
	const struct mon_summary *m = &r->monsum;
	fprintf(out, "  monitor: %s (%d samples, max imbalance %.2f, max local DSQ depth %d)\n",
		m->verdict[0] ? m->verdict : "not evaluated", m->samples, m->max_imbalance,
		m->max_dsq_depth);
}

static json_t *series_json(const struct mon_series *s, json_t **cpus)
{
	size_t n = mon_series_len(s);
	json_t *t = json_array();
	*cpus = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(t, json_integer(mon_t(s, i)));
	for (int c = 0; c < s->ncpus; c++) {
		json_t *a[5];
		for (int k = 0; k < 5; k++)
			a[k] = json_array();
		for (size_t i = 0; i < n; i++) {
			const struct mon_cpu *x = &mon_cpu_at(s, i)[c];
			json_array_append_new(a[0], json_integer(x->nr_running));
			json_array_append_new(a[1], json_integer(x->scx_nr_running));
			json_array_append_new(a[2], json_integer(x->dsq_depth));
			json_array_append_new(a[3], json_integer((json_int_t)x->clock));
			json_array_append_new(a[4], json_integer(x->flags));
		}
		json_array_append_new(*cpus, json_pack("{s:i, s:o, s:o, s:o, s:o, s:o}", "cpu", c,
						       "nr_running", a[0], "scx_nr_running", a[1],
						       "dsq_depth", a[2], "clock", a[3], "flags", a[4]));
	}
	return t;
}

json_t *mon_report_json(const struct run *r)
{
	const struct mon_series *s = r->mon;
	const struct mon_summary *m = &r->monsum;
	const struct mon_thresholds *th = &r->scn.monitor;
	if (!s)
		return json_null();
	json_t *ev = json_object(), *viol = json_array(), *stuck = json_array(), *glob = json_array();
	for (int e = 0; e < MON_NEV; e++)
		json_object_set_new(ev, mon_ev_name[e], json_pack("{s:I, s:f}", "total",
								  (json_int_t)m->ev_total[e], "rate",
								  m->ev_rate[e]));
	for (int i = 0; i < m->nviol; i++)
		json_array_append_new(viol, json_string(m->viol[i]));
	cpumask_for_each(c, &m->stuck_cpus)
		json_array_append_new(stuck, json_integer(c));
	for (int i = 0; i < s->ntree; i++)
		json_array_append_new(glob, json_pack("{s:i, s:s, s:s}", "depth", s->tree[i].depth,
						      "name", s->tree[i].name, "value",
						      s->tree[i].value));
	json_t *cpus, *t = series_json(s, &cpus);
	json_t *summary = json_pack(
		"{s:b, s:f, s:f, s:f, s:f, s:i, s:i, s:i, s:o, s:b, s:o, s:o, s:s, s:b}",
		"evaluated", m->evaluated, "max_imbalance", m->max_imbalance, "avg_imbalance",
		m->avg_imbalance, "avg_nr_running", m->avg_nr_running, "avg_dsq", m->avg_dsq,
		"max_dsq_depth", m->max_dsq_depth, "max_dsq_cpu", m->max_dsq_cpu, "stuck", m->stuck,
		"stuck_cpus", stuck, "implausible", m->implausible, "events", ev, "violations", viol,
		"verdict", m->verdict, "failed", m->failed);
	json_t *thr = json_pack("{s:f, s:i, s:b, s:i, s:f, s:f, s:b}", "max_imbalance_ratio",
				th->max_imbalance_ratio, "max_local_dsq_depth",
				th->max_local_dsq_depth, "fail_on_stall", th->fail_on_stall,
				"sustained_samples", th->sustained_samples, "max_fallback_rate",
				th->max_fallback_rate, "max_keep_last_rate", th->max_keep_last_rate,
				"enforce", th->enforce);
	return json_pack("{s:s, s:i, s:i, s:i, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "status",
			 s->status, "interval_ms", MON_INTERVAL_MS, "ncpus", s->ncpus, "samples",
			 (int)mon_series_len(s), "sampler_cpu_ns", (json_int_t)s->sampler_cpu_ns,
			 "guest_silence_max_ms", (json_int_t)s->guest_silence_max_ms, "thresholds",
			 thr, "summary", summary, "globals", glob, "t_ms", t, "cpus", cpus);
}

int mon_report_load(struct run *r, json_t *o, const char *dir, char *err, size_t errlen)
{
	if (!json_is_object(o))
		return 0;
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, MON_TSV);
	struct mon_series *s = NULL;
	int rc = mon_tsv_load(path, &s, err, errlen);
	if (rc == -ENOENT)  /* removed, as a damaged file's message suggests: no series */
		return 0;
	if (rc)
		return rc;
	r->mon = s;
	s->sampler_cpu_ns = (uint64_t)ju_int_or(o, "sampler_cpu_ns", 0);
	s->guest_silence_max_ms = ju_int_or(o, "guest_silence_max_ms", 0);
	json_t *th = json_object_get(o, "thresholds"), *g = json_object_get(o, "globals"), *x;
	if (json_is_object(th)) {
		struct mon_thresholds *t = &r->scn.monitor;
		t->max_imbalance_ratio = ju_num_or(th, "max_imbalance_ratio", t->max_imbalance_ratio);
		t->max_local_dsq_depth = (int)ju_int_or(th, "max_local_dsq_depth", t->max_local_dsq_depth);
		t->fail_on_stall = ju_true(th, "fail_on_stall");
		t->sustained_samples = (int)ju_int_or(th, "sustained_samples", t->sustained_samples);
		t->max_fallback_rate = ju_num_or(th, "max_fallback_rate", t->max_fallback_rate);
		t->max_keep_last_rate = ju_num_or(th, "max_keep_last_rate", t->max_keep_last_rate);
		t->enforce = ju_true(th, "enforce");
	}
	mon_eval(s, &r->scn.monitor, r->scn.sched.kind == SCHED_EEVDF, &r->monsum);
	size_t i;
	json_array_foreach(g, i, x) {
		if (s->ntree >= MON_MAX_TREE || !json_is_object(x))
			break;
		struct mon_tree_line *l = &s->tree[s->ntree++];
		l->depth = (uint8_t)ju_int_or(x, "depth", 0);
		snprintf(l->name, sizeof(l->name), "%s", ju_str_or(x, "name", ""));
		snprintf(l->value, sizeof(l->value), "%s", ju_str_or(x, "value", ""));
	}
	return 0;
}
