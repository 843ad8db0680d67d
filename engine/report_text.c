/* The run's text report: the verdict line and failed checks, then the seed's sections in
 * order, each only when relevant. The sections' bodies are also the JSON's "sections"
 * (report_priv.h). */
#include "engine/report.h"
#include "engine/monitor/mreport.h"
#include "engine/report_priv.h"

#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/collapse.h"
#include "engine/repro/report.h"
#include "engine/verifier.h"
#include "engine/worker_figs.h"
#include "guest/work_types.h"

#define CONSOLE_TAIL 20
#define CYCLE_MAX_BLOCK 16

static const char *const STAGE_NO_INIT = "init script never started (kernel or mount failure)";
static const char *const STAGE_NO_PAYLOAD = "init started but payload never ran (cgroup/scheduler setup failed)";
static const char *const STAGE_NO_RESULT = "payload started but produced no test result";
static const char *const STAGE_DONE = "payload completed and reported a result";
static const char *const STAGE_SHELL = "shell mode: init started the shell or the --exec command (no scenario payload)";

/* ---- helpers ---------------------------------------------------------------------- */

static void cpulist(const struct cpumask *mask, char *buf, size_t len)
{
	if (!cpumask_format(mask, buf, len))
		snprintf(buf, len, "-");
}

static const char **ring_lines(const struct ring *rg, size_t *n)
{
	*n = ring_count(rg);
	const char **v = malloc((*n ? *n : 1) * sizeof(*v));
	if (!v) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		v[i] = ring_get(rg, i);
	return v;
}

static bool diag_wanted(const struct run *r)
{
	const char *e = getenv("KTSTR_DIAGNOSTICS");
	if (e && !strcmp(e, "1") && r->result != RESULT_PASS)
		return true;
	return r->sched_died || (r->sched_load_failed && r->scn.sched.kind != SCHED_EEVDF) || !r->guest_done ||
	       r->result == RESULT_ERROR;
}

static const char *stage_label(const struct run *r)
{
	if (!r->guest_hello && !r->stage[0])
		return STAGE_NO_INIT;
	if (r->shell)
		return STAGE_SHELL;
	if (r->workload_start_ns < 0 && strcmp(r->stage, "running") && strcmp(r->stage, "report"))
		return STAGE_NO_PAYLOAD;
	return r->guest_done ? STAGE_DONE : STAGE_NO_RESULT;
}

static void print_folded(FILE *f, const char *const *lines, size_t n)
{
	struct fold *folds = malloc((n ? n : 1) * sizeof(*folds));
	if (!folds) {
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s\n", lines[i]);
		return;
	}
	size_t nf = collapse_cycles(lines, n, CYCLE_MAX_BLOCK, folds, n);
	for (size_t i = 0; i < nf; i++) {
		for (size_t j = 0; j < folds[i].len; j++)
			fprintf(f, "%s\n", lines[folds[i].first + j]);
		if (folds[i].repeat > 1)
			fprintf(f, "  [previous %zu line%s repeated %zu time%s]\n", folds[i].len,
				folds[i].len == 1 ? "" : "s", folds[i].repeat - 1, folds[i].repeat == 2 ? "" : "s");
	}
	free(folds);
}

/* ---- sections (bodies only; the caller prints the "--- x ---" heading) ------------ */

static bool has_verifier(const struct run *r)
{
	return ring_count(r->verifier) > 0;
}

static void body_verifier_stats(struct run *r, FILE *f)
{
	size_t n;
	const char **v = ring_lines(r->verifier, &n);
	struct verifier_summary s;
	char line[128];
	if (!v)
		return;
	verifier_parse(v, n, &s);
	verifier_stats_line(&s, line, sizeof(line));
	fprintf(f, "  %s\n", line);
	/* The first line is the verifier's own summary unless the log starts with state. */
	if (s.headline[0] && !(s.headline[0] >= '0' && s.headline[0] <= '9'))
		fprintf(f, "  summary: %s\n", s.headline);
	if (s.rejected[0])
		fprintf(f, "  rejected: %s\n", s.rejected);
	if (s.rejected_insn[0])
		fprintf(f, "  at: %s\n", s.rejected_insn);
	if (s.source[0])
		fprintf(f, "  source: %s\n", s.source);
	free(v);
}

static void body_schedlog(struct run *r, FILE *f)
{
	size_t ns = ring_count(r->schedlog), nv = ring_count(r->verifier);
	/* The scheduler's own output may already carry the verifier log (libbpf prints it);
	 * append the verifier ring only when it does not. */
	bool dup = false;
	for (size_t i = 0; nv && i < ns && !dup; i++)
		dup = !strcmp(ring_get(r->schedlog, i), ring_get(r->verifier, 0));
	size_t n = ns + (dup ? 0 : nv);
	const char **v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < ns; i++)
		v[i] = ring_get(r->schedlog, i);
	for (size_t i = ns; i < n; i++)
		v[i] = ring_get(r->verifier, i - ns);
	/* Verifier loop iterations first (they differ in register state, so plain cycle
	 * folding misses them), then repeated blocks of any text. */
	char **c;
	size_t nc;
	if (!verifier_collapse(v, n, &c, &nc)) {
		print_folded(f, (const char *const *)c, nc);
		verifier_lines_free(c, nc);
	} else {
		print_folded(f, v, n);
	}
	free(v);
}

static void body_diagnostics(struct run *r, FILE *f)
{
	fprintf(f, "stage: %s\n", stage_label(r));
	if (r->stage[0])
		fprintf(f, "last stage reported: %s\n", r->stage);
	if (r->vm_exit_code >= 0)
		fprintf(f, "exit_code=%d\n", r->vm_exit_code);
	else
		fprintf(f, "exit_code=unknown (QEMU still running or killed)\n");
	if (r->sched_exit_code)
		fprintf(f, "scheduler exit status: %d%s\n", r->sched_exit_code,
			r->sched_exit_code < 0 ? " (killed by a signal)" : "");
	if (r->sched_exit_reason[0])
		fprintf(f, "scheduler exit reason: %s\n", r->sched_exit_reason);
	if (r->error[0])
		fprintf(f, "error: %s\n", r->error);
	if (r->malformed_lines)
		fprintf(f, "malformed control lines: %llu\n", (unsigned long long)r->malformed_lines);
	size_t n = ring_count(r->console);
	uint64_t total = ring_total(r->console);
	size_t from = n > CONSOLE_TAIL ? n - CONSOLE_TAIL : 0;
	/* A panic further up is the cause; show from it (bounded) rather than only the tail. */
	for (size_t i = 0; i < from; i++) {
		const char *l = ring_get(r->console, i);
		if (strstr(l, "Kernel panic") || strstr(l, "PANIC:") || strstr(l, "BUG:")) {
			from = n - i > 200 ? n - 200 : i;
			break;
		}
	}
	fprintf(f, "console (%llu lines%s):\n", (unsigned long long)total, total > n - from ? ", truncated" : "");
	for (size_t i = from; i < n; i++)
		fprintf(f, "  %s\n", ring_get(r->console, i));
}

static void body_dump(struct run *r, FILE *f)
{
	for (size_t i = 0; i < ring_count(r->dump); i++)
		fprintf(f, "%s\n", ring_get(r->dump, i));
}

static void body_timeline(struct run *r, FILE *f)
{
	char topo[64], cpus[1024];
	scn_topo_label(&r->scn.topo, topo, sizeof(topo));
	int ncpu = r->guest_cpus > 0 ? r->guest_cpus : scn_topo_cpus(&r->scn.topo);
	int64_t dur = r->guest_elapsed_ms >= 0 ? r->guest_elapsed_ms : r->scn.duration_ms;
	const char *kernel = r->guest_kernel[0] ? r->guest_kernel : r->kernel_version[0] ? r->kernel_version : "?";
	fprintf(f, "kernel: %s  topology: %s (%d cpus)  scheduler: %s  scenario: %s  duration: %.1fs\n", kernel,
		topo, ncpu, r->sched_label, r->scn.name, (double)dur / 1000.0);
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		cpulist(&w->cpus_mask, cpus, sizeof(cpus));
		const char *fname = work_type_figure(work_type_from_name(w->work));
		char fig[64] = "";
		if (fname && w->figure >= 0)
			snprintf(fig, sizeof(fig), "  %s=%lld", fname, (long long)w->figure);
		fprintf(f, "  tid %d  %s  %s  gap=%.0fms@cpu%d at +%lldms  cpus=%s  migrations=%d  iters=%llu%s\n",
			w->tid, w->cgroup[0] ? w->cgroup : "-", w->work[0] ? w->work : "-", w->max_gap_ms,
			w->max_gap_cpu, (long long)w->max_gap_at_ms, cpus, w->migrations,
			(unsigned long long)w->iters, fig);
	}
	if (r->nslices) {
		size_t run = 0;
		for (size_t i = 0; i < r->nslices; i++)
			run += run_slice_at(r, i)->state == 'r';
		fprintf(f, "  slices: %zu (%zu running, %zu waiting)\n", r->nslices, run, r->nslices - run);
	}
	if (r->sched_died)
		fprintf(f, "  >>> scheduler died at +%lldms\n", (long long)r->sched_died_ms);
}

static void body_stats(struct run *r, FILE *f)
{
	struct cpumask all = { { 0 } };
	int mig = 0;
	double worst_spread = 0, worst_gap = 0;
	char cpus[1024];
	for (int i = 0; i < r->nworkers; i++) {
		cpumask_or(&all, &r->workers[i].cpus_mask);
		mig += r->workers[i].migrations;
		if (r->workers[i].max_gap_ms > worst_gap)
			worst_gap = r->workers[i].max_gap_ms;
	}
	for (int i = 0; i < r->ncgroups; i++)
		if (r->cgroups[i].spread_pct > worst_spread)
			worst_spread = r->cgroups[i].spread_pct;
	fprintf(f, "%d workers, %d cpus, %d migrations, worst_spread=%.1f%%, worst_gap=%.0fms\n", r->nworkers,
		cpumask_weight(&all), mig, worst_spread, worst_gap);
	for (int i = 0; i < r->ncgroups; i++) {
		const struct run_cgroup *c = &r->cgroups[i];
		char spread[32];
		if (c->workers >= 2)
			snprintf(spread, sizeof(spread), "%.1f%%", c->spread_pct);
		else
			snprintf(spread, sizeof(spread), "n/a");
		fprintf(f, "  %s: workers=%d cpus=%d spread=%s gap=%.0fms migrations=%d iter=%llu\n", c->name,
			c->workers, c->cpus, spread, c->max_gap_ms, c->migrations, (unsigned long long)c->iters);
		char set[768];
		wattr_cgroup_summary(r, c->name, set, sizeof(set));
		if (set[0])
			fprintf(f, "    settings: %s\n", set);
		char figs[512];
		wfigs_cgroup_line(c, WFIGS_WAKE | WFIGS_SCHED, figs, sizeof(figs));
		if (figs[0])
			fprintf(f, "    %s\n", figs);
	}
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		double off = w->wall_ns ? 100.0 * ((double)w->wall_ns - (double)(w->cpu_ns > w->wall_ns ? w->wall_ns : w->cpu_ns)) /
						  (double)w->wall_ns : 0;
		cpulist(&w->cpus_mask, cpus, sizeof(cpus));
		fprintf(f, "  tid %d: cgroup=%s off=%.1f%% cpu=%llums wall=%llums iters=%llu gap=%.0fms migrations=%d cpus=%s\n",
			w->tid, w->cgroup[0] ? w->cgroup : "-", off, (unsigned long long)(w->cpu_ns / 1000000),
			(unsigned long long)(w->wall_ns / 1000000), (unsigned long long)w->iters, w->max_gap_ms,
			w->migrations, cpus);
	}
}

static void body_pipeline(struct run *r, FILE *f)
{
	repro_report_pipeline(r->repro, f);
}

static void body_repro(struct run *r, FILE *f)
{
	repro_report_body(r->repro, f);
}

typedef void (*body_fn)(struct run *, FILE *);

static char *capture(body_fn fn, struct run *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fn(r, f);
	fclose(f);
	if (buf && !len) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void body_monitor(struct run *r, FILE *out)
{
	mon_report_section(r, out);
}

enum { SEC_VSTATS, SEC_SCHEDLOG, SEC_DIAG, SEC_MONITOR, SEC_DUMP, SEC_TIMELINE, SEC_STATS,
       SEC_PIPELINE, SEC_REPRO, SEC__N };
_Static_assert(SEC__N == REPORT_NSECTIONS, "report_priv.h counts the sections");
static const struct { const char *heading, *json; body_fn fn; } sections[SEC__N] = {
	[SEC_VSTATS] = { "--- verifier stats ---", "verifier_stats", body_verifier_stats },
	[SEC_SCHEDLOG] = { "--- scheduler log ---", "scheduler_log", body_schedlog },
	[SEC_DIAG] = { "--- diagnostics ---", "diagnostics", body_diagnostics },
	[SEC_MONITOR] = { "--- monitor ---", "monitor", body_monitor },
	[SEC_DUMP] = { "--- sched_ext dump ---", "sched_ext_dump", body_dump },
	[SEC_TIMELINE] = { "--- timeline ---", "timeline", body_timeline },
	[SEC_STATS] = { "--- stats ---", "stats", body_stats },
	[SEC_PIPELINE] = { "--- probe pipeline ---", "probe_pipeline", body_pipeline },
	[SEC_REPRO] = { "--- auto-repro ---", "auto_repro", body_repro },
};

bool report_section_relevant(struct run *r, int s)
{
	switch (s) {
	case SEC_VSTATS: return has_verifier(r);
	case SEC_SCHEDLOG: return ring_count(r->schedlog) || has_verifier(r);
	case SEC_DIAG: return r->result != RESULT_PASS && diag_wanted(r);
	/* No samples is news only for a run that got to its workload (a verifier reject ends
	 * before the guest's addresses arrive). */
	case SEC_MONITOR: return r->mon && !r->shell &&
				 (mon_series_len(r->mon) || r->workload_start_ms >= 0);
	case SEC_DUMP: return ring_count(r->dump) > 0;
	case SEC_PIPELINE: return repro_report_relevant(r->repro) && r->repro->pipeline[0];
	case SEC_REPRO: return repro_report_relevant(r->repro);
	default: return r->nworkers > 0;
	}
}

const char *report_section_key(int s)
{
	return sections[s].json;
}

char *report_section_body(struct run *r, int s)
{
	return capture(sections[s].fn, r);
}

/* ---- text ------------------------------------------------------------------------- */

static void header_tags(struct run *r, char *buf, size_t len)
{
	char topo[64];
	scn_topo_label(&r->scn.topo, topo, sizeof(topo));
	/* [sched=] is left out under EEVDF, as the Rust ktstr does: there is no scheduler. */
	if (r->scn.sched.kind == SCHED_EEVDF)
		snprintf(buf, len, "[topo=%s]", topo);
	else
		snprintf(buf, len, "[sched=%s] [topo=%s]", r->sched_label, topo);
}

/* " restored from snapshot (N ms)" or " cold boot" (docs/snapshot.md). */
static const char *boot_kind(const struct run *r, char *buf, size_t len)
{
	if (r->restored)
		snprintf(buf, len, " restored from snapshot (%lld ms)", (long long)r->restore_ms);
	else
		snprintf(buf, len, " cold boot%s", r->snapshot_save_ms >= 0 ? ", snapshot saved" : "");
	return buf;
}

static void text_pass(struct run *r, FILE *out, const char *tags)
{
	char kind[96];
	fprintf(out, "ktstr: '%s' %s passed%s\n", r->scn.name, tags,
		r->scn.expect_err ? " (expected failure observed)" : "");
	fprintf(out, "  boot: accel=%s sys_rdy_ms=%lld kernel_boot_ms=%lld budget_ms=%d%s%s\n",
		r->accel[0] ? r->accel : "?", (long long)r->sys_rdy_ms, (long long)r->kernel_boot_ms, r->boot_budget_ms,
		r->boot_budget_missed ? " (budget missed)" : "", boot_kind(r, kind, sizeof(kind)));
	for (int i = 0; i < r->ncgroups; i++) {
		const struct run_cgroup *c = &r->cgroups[i];
		if (c->workers >= 2)
			fprintf(out, "  %s: spread=%.1f%% (%.1f-%.1f%%) %d workers on %d cpus\n", c->name, c->spread_pct,
				c->min_off_pct, c->max_off_pct, c->workers, c->cpus);
		else
			fprintf(out, "  %s: spread=n/a %d worker on %d cpus\n", c->name, c->workers, c->cpus);
		char set[768];
		wattr_cgroup_summary(r, c->name, set, sizeof(set));
		if (set[0])
			fprintf(out, "    settings: %s\n", set);
	}
	int worst = -1;
	for (int i = 0; i < r->nworkers; i++)
		if (worst < 0 || r->workers[i].max_gap_ms > r->workers[worst].max_gap_ms)
			worst = i;
	if (worst >= 0)
		fprintf(out, "  worst gap: %.0fms (tid %d on cpu%d)\n", r->workers[worst].max_gap_ms, r->workers[worst].tid,
			r->workers[worst].max_gap_cpu);
	if (r->gap_threshold_ms >= 0) {
		fprintf(out, "  thresholds: max_gap_ms=%.0f max_spread_pct=%.0f", r->gap_threshold_ms,
			r->spread_threshold_pct);
		if (r->tcg_relaxed)
			fprintf(out, " (defaults relaxed for TCG: gap %dms x%d, spread %.0f%% -> %.0f%%; "
				"explicit scenario values are kept)", CHECK_DEFAULT_GAP_MS, CHECK_TCG_GAP_FACTOR,
				CHECK_DEFAULT_SPREAD_PCT, CHECK_TCG_SPREAD_PCT);
		fputc('\n', out);
	}
	char wc[512];
	wfigs_checks_line(&r->scn.checks, wc, sizeof(wc));
	if (wc[0])
		fprintf(out, "  worker checks: %s\n", wc);
	mon_report_passline(r, out);
	if (r->dir[0])
		fprintf(out, "  run dir: %s\n", r->dir);
}

/* A shell VM that ended normally: how it ended, not a scenario verdict. */
static void text_shell(struct run *r, FILE *out, const char *tags)
{
	fprintf(out, "ktstr: shell VM %s ended: %s\n", tags, r->vm_end[0] ? r->vm_end : "-");
	if (r->exec && r->exec_status >= 0)
		fprintf(out, "  --exec command: exit status %d, %llu bytes of output\n", r->exec_status,
			(unsigned long long)r->exec_bytes);
	fprintf(out, "  boot: accel=%s sys_rdy_ms=%lld kernel_boot_ms=%lld budget_ms=%d%s\n",
		r->accel[0] ? r->accel : "?", (long long)r->sys_rdy_ms, (long long)r->kernel_boot_ms,
		r->boot_budget_ms, r->boot_budget_missed ? " (budget missed)" : "");
	if (r->dir[0])
		fprintf(out, "  run dir: %s\n", r->dir);
}

/* The reference's header when the scenario's own checks passed and only the monitor's
 * thresholds were crossed. */
static bool only_monitor_failed(const struct run *r)
{
	bool mon = false;
	for (int i = 0; i < r->nchecks; i++) {
		if (r->checks[i].ok)
			continue;
		if (strcmp(r->checks[i].name, "monitor"))
			return false;
		mon = true;
	}
	return mon;
}

void report_text(struct run *r, FILE *out)
{
	char tags[400];
	header_tags(r, tags, sizeof(tags));
	if (r->warning[0])
		fprintf(out, "warning: %s\n", r->warning);
	if (r->shell && r->result == RESULT_PASS) {
		text_shell(r, out, tags);
		return;
	}
	if (r->result == RESULT_PASS) {
		text_pass(r, out, tags);
		return;
	}
	if (r->result == RESULT_SKIP) {
		fprintf(out, "ktstr: '%s' %s skipped: performance_mode scenario under --no-perf-mode\n",
			r->scn.name, tags);
		return;
	}
	if (r->result == RESULT_NONE)
		fprintf(out, "ktstr: '%s' %s %s (stage %s):\n", r->scn.name, tags, run_state_name(r->state),
			r->stage[0] ? r->stage : "-");
	else if (r->result == RESULT_ERROR && r->error[0])
		fprintf(out, "ktstr: '%s' %s error: %s\n", r->scn.name, tags, r->error);
	else if (r->result == RESULT_ERROR)
		fprintf(out, "ktstr: '%s' %s error:\n", r->scn.name, tags);
	else if (only_monitor_failed(r))
		fprintf(out, "ktstr: '%s' %s passed scenario but monitor failed:\n", r->scn.name, tags);
	else
		fprintf(out, "ktstr: '%s' %s failed:\n", r->scn.name, tags);
	for (int i = 0; i < r->nchecks; i++) {
		if (r->checks[i].ok)
			continue;
		fprintf(out, "  %s\n", r->checks[i].message);
		if (!strcmp(r->checks[i].name, "scheduler") && r->sched_died && r->sched_exit_reason[0] &&
		    strstr(r->checks[i].message, "died"))
			fprintf(out, "  %s\n", r->sched_exit_reason);
	}
	if (r->sched_load_failed && !r->sched_attached && r->scn.sched.kind != SCHED_EEVDF)
		fprintf(out, "  scheduler: NOT ATTACHED — %s\n", checks_not_attached_why(r));
	for (int s = 0; s < SEC__N; s++) {
		if (!report_section_relevant(r, s))
			continue;
		char *body = report_section_body(r, s);
		fprintf(out, "%s\n%s", sections[s].heading, body ? body : "");
		free(body);
	}
	if (r->dir[0])
		fprintf(out, "run dir: %s\n", r->dir);
}
