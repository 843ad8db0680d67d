/* The reference's optional worker checks (see checks_worker.h). The figures come from
 * engine/worker_figs.c; this file only judges them and words the verdicts. */
#include "engine/checks_worker.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/worker_figs.h"

int check_fmt_isolation(char *buf, size_t len, int tid, const struct cpumask *unexpected)
{
	/* The CPU set as Rust's Debug prints a BTreeSet: "{2, 3}". */
	int n = snprintf(buf, len, "tid %d ran on unexpected CPUs {", tid);
	const char *sep = "";
	cpumask_for_each(c, unexpected) {
		if (n < 0 || (size_t)n >= len)
			break;
		n += snprintf(buf + n, len - (size_t)n, "%s%d", sep, c);
		sep = ", ";
	}
	if (n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "}");
	return n;
}

int check_fmt_p99_wake(char *buf, size_t len, uint64_t p99_ns, uint64_t limit_ns, uint64_t samples)
{
	return snprintf(buf, len, "p99 wake latency %" PRIu64 "ns exceeds limit %" PRIu64 "ns (%" PRIu64 " samples)",
			p99_ns, limit_ns, samples);
}

int check_fmt_wake_cv(char *buf, size_t len, double cv, double limit, double mean_ns)
{
	return snprintf(buf, len, "wake latency CV %.3f exceeds limit %.3f (mean=%.0fns)", cv, limit, mean_ns);
}

int check_fmt_iter_rate(char *buf, size_t len, int tid, double rate, double floor)
{
	return snprintf(buf, len, "worker %d iteration rate %.1f/s below floor %.1f/s", tid, rate, floor);
}

int check_fmt_work_rate(char *buf, size_t len, int tid, double rate, double floor)
{
	return snprintf(buf, len, "worker %d throughput %.0f work/cpu_s below floor %.0f", tid, rate, floor);
}

int check_fmt_throughput_cv(char *buf, size_t len, double cv, double limit, double mean)
{
	return snprintf(buf, len, "throughput CV %.3f exceeds limit %.3f (mean=%.0f work/cpu_s)", cv, limit, mean);
}

int check_fmt_migration(char *buf, size_t len, double ratio, double limit, int migrations, uint64_t iters)
{
	return snprintf(buf, len, "migration ratio %.4f exceeds threshold %.4f (%d migrations / %" PRIu64 " iterations)",
			ratio, limit, migrations, iters);
}

int check_fmt_xnode(char *buf, size_t len, double ratio, double limit, int xnode, int migrations)
{
	return snprintf(buf, len, "cross-node migration ratio %.4f exceeds threshold %.4f (%d/%d migrations crossed "
			"a NUMA node)", ratio, limit, xnode, migrations);
}

int check_fmt_run_delay(char *buf, size_t len, int tid, double delay_us, double limit_us)
{
	return snprintf(buf, len, "tid %d waited %.0fus runnable (run delay) above limit %.0fus", tid, delay_us,
			limit_us);
}

static const char *cg_of(const struct run_worker *w)
{
	return w->cgroup[0] ? w->cgroup : "(none)";
}

#define HAS(id) (r->scn.checks.has[id])
#define LIM(id) (r->scn.checks.wc[id])
#define KEY(id) scn_worker_check_key(id)

static const char no_wake[] = "%s is set but no worker measured a wake latency; use a work type that sleeps "
			      "or blocks (Bursty, PipeIo, FutexPingPong, CachePipe, FutexFanOut, FanOutCompute)";

static void isolation(struct run *r)
{
	char msg[512];
	int bad = 0, checked = 0;
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		struct cpumask allowed = { { 0 } }, out;
		bool declared = false;
		/* Step cgroups may reuse a name: any cpuset declared under it is allowed. */
		for (int k = 0; k < r->scn.ncgroups; k++) {
			struct cpumask m;
			const struct scn_cgroup *g = &r->scn.cgroups[k];
			if (strcmp(g->name, cg_of(w)) || !g->cpuset[0] || cpumask_parse(g->cpuset, &m))
				continue;
			declared = true;
			cpumask_or(&allowed, &m);
		}
		if (!declared || cpumask_empty(&w->cpus_mask))
			continue;
		checked++;
		if (cpumask_andnot(&out, &w->cpus_mask, &allowed)) {
			check_fmt_isolation(msg, sizeof(msg), w->tid, &out);
			run_add_check(r, "isolation", false, "%s", msg);
			bad++;
		}
	}
	if (!bad)
		run_add_check(r, "isolation", true, checked ? "all %d workers of cgroups with a cpuset ran only on it"
			      : "no worker's cgroup declares a cpuset (%d checked)", checked);
}

static void per_worker(struct run *r)
{
	char msg[512];
	int bad[3] = { 0 }, n = 0;
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		if (!w->reported)
			continue;
		n++;
		if (HAS(SCN_WC_ITER_RATE) && wfigs_iter_rate(w) < LIM(SCN_WC_ITER_RATE)) {
			check_fmt_iter_rate(msg, sizeof(msg), w->tid, wfigs_iter_rate(w), LIM(SCN_WC_ITER_RATE));
			run_add_check(r, KEY(SCN_WC_ITER_RATE), false, "%s", msg);
			bad[0]++;
		}
		if (HAS(SCN_WC_WORK_RATE) && wfigs_work_rate(w) < LIM(SCN_WC_WORK_RATE)) {
			check_fmt_work_rate(msg, sizeof(msg), w->tid, wfigs_work_rate(w), LIM(SCN_WC_WORK_RATE));
			run_add_check(r, KEY(SCN_WC_WORK_RATE), false, "%s", msg);
			bad[1]++;
		}
		double rd = (double)w->run_delay_ns / 1e3;
		if (HAS(SCN_WC_RUN_DELAY) && w->run_delay_ns >= 0 && rd > LIM(SCN_WC_RUN_DELAY)) {
			check_fmt_run_delay(msg, sizeof(msg), w->tid, rd, LIM(SCN_WC_RUN_DELAY));
			run_add_check(r, KEY(SCN_WC_RUN_DELAY), false, "%s", msg);
			bad[2]++;
		}
	}
	if (HAS(SCN_WC_ITER_RATE) && !bad[0])
		run_add_check(r, KEY(SCN_WC_ITER_RATE), true, "all %d workers at or above %.1f iterations/s", n,
			      LIM(SCN_WC_ITER_RATE));
	if (HAS(SCN_WC_WORK_RATE) && !bad[1])
		run_add_check(r, KEY(SCN_WC_WORK_RATE), true, "all %d workers at or above %.0f work/cpu_s", n,
			      LIM(SCN_WC_WORK_RATE));
	if (HAS(SCN_WC_RUN_DELAY) && !bad[2])
		run_add_check(r, KEY(SCN_WC_RUN_DELAY), true, "all %d workers within %.0fus of run delay", n,
			      LIM(SCN_WC_RUN_DELAY));
}

static int rated_workers(const struct run *r, const char *cg)
{
	int n = 0;
	for (int i = 0; i < r->nworkers; i++)
		n += r->workers[i].cpu_ns && !strcmp(cg_of(&r->workers[i]), cg);
	return n;
}

/* One configured per-cgroup check: fails per cgroup over the limit, else one pass line;
 * a wake check with no samples anywhere fails (the threshold was never measured). */
static void per_cgroup(struct run *r, enum scn_worker_check id)
{
	char msg[512];
	int bad = 0, checked = 0;
	double lim = LIM(id);
	for (int i = 0; i < r->ncgroups; i++) {
		const struct run_cgroup *c = &r->cgroups[i];
		bool over = false;
		switch (id) {
		case SCN_WC_P99_WAKE:
			if (!c->wake_n)
				continue;
			over = (double)c->wake_p99_ns > lim;
			check_fmt_p99_wake(msg, sizeof(msg), c->wake_p99_ns, (uint64_t)lim, c->wake_n);
			break;
		case SCN_WC_WAKE_CV:
			if (c->wake_n < 2)
				continue;
			over = c->wake_cv > lim;
			check_fmt_wake_cv(msg, sizeof(msg), c->wake_cv, lim, c->wake_mean_ns);
			break;
		case SCN_WC_THROUGHPUT_CV:
			if (rated_workers(r, c->name) < 2)
				continue;
			over = c->throughput_cv > lim;
			check_fmt_throughput_cv(msg, sizeof(msg), c->throughput_cv, lim, c->work_rate);
			break;
		case SCN_WC_MIGRATION_RATIO:
			if (!c->iters)
				continue;
			over = c->migration_ratio > lim;
			check_fmt_migration(msg, sizeof(msg), c->migration_ratio, lim, c->migrations, c->iters);
			break;
		case SCN_WC_XNODE_RATIO:
			if (!c->migrations)
				continue;
			over = c->xnode_ratio > lim;
			check_fmt_xnode(msg, sizeof(msg), c->xnode_ratio, lim, c->xnode_migrations, c->migrations);
			break;
		default:
			return;
		}
		checked++;
		if (over) {
			run_add_check(r, KEY(id), false, "%s", msg);
			bad++;
		}
	}
	if (bad)
		return;
	if (!checked && (id == SCN_WC_P99_WAKE || id == SCN_WC_WAKE_CV))
		run_add_check(r, KEY(id), false, no_wake, KEY(id));
	else
	{
		char v[64];
		scn_fmt_f64(lim, v, sizeof(v));
		run_add_check(r, KEY(id), true, "all %d cgroups within %s=%s", checked, KEY(id), v);
	}
}

void checks_worker_eval(struct run *r)
{
	run_drop_checks(r, "isolation");
	for (int id = 0; id < SCN_WC__COUNT; id++)
		run_drop_checks(r, KEY(id));
	if (r->scn.checks.isolation)
		isolation(r);
	per_worker(r);
	static const enum scn_worker_check cg_checks[] = { SCN_WC_P99_WAKE, SCN_WC_WAKE_CV, SCN_WC_THROUGHPUT_CV,
							   SCN_WC_MIGRATION_RATIO, SCN_WC_XNODE_RATIO };
	for (size_t k = 0; k < sizeof(cg_checks) / sizeof(cg_checks[0]); k++)
		if (HAS(cg_checks[k]))
			per_cgroup(r, cg_checks[k]);
}
