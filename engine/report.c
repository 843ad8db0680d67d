/* The run report: text sections (each only when relevant, in the seed's order), the
 * --json object (docs/json.md), writing a run directory atomically, and loading one back
 * into a run model so the TUI can open a run a CI machine produced. */
#include "engine/report.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/checks.h"
#include "engine/collapse.h"
#include "engine/fsutil.h"
#include "engine/json_util.h"
#include "engine/verifier.h"

#define CONSOLE_TAIL 20
#define CYCLE_MAX_BLOCK 16
#define LOAD_MAX_JSON (64u << 20)
#define LOAD_MAX_LINE 65536

static const char *const STAGE_NO_INIT = "init script never started (kernel or mount failure)";
static const char *const STAGE_NO_PAYLOAD = "init started but payload never ran (cgroup/scheduler setup failed)";
static const char *const STAGE_NO_RESULT = "payload started but produced no test result";
static const char *const STAGE_DONE = "payload completed and reported a result";
static const char *const STAGE_SHELL = "shell mode: init started the shell or the --exec command (no scenario payload)";

/* ---- helpers ---------------------------------------------------------------------- */

static void cpulist(uint64_t mask, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < 64 && o < len; i++) {
		if (!(mask >> i & 1))
			continue;
		int j = i;
		while (j + 1 < 64 && (mask >> (j + 1) & 1))
			j++;
		if (j > i)
			o += (size_t)snprintf(buf + o, len - o, "%s%d-%d", o ? "," : "", i, j);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%d", o ? "," : "", i);
		i = j;
	}
	if (!buf[0])
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
	char topo[64], cpus[256];
	scn_topo_label(&r->scn.topo, topo, sizeof(topo));
	int ncpu = r->guest_cpus > 0 ? r->guest_cpus : scn_topo_cpus(&r->scn.topo);
	int64_t dur = r->guest_elapsed_ms >= 0 ? r->guest_elapsed_ms : r->scn.duration_ms;
	const char *kernel = r->guest_kernel[0] ? r->guest_kernel : r->kernel_version[0] ? r->kernel_version : "?";
	fprintf(f, "kernel: %s  topology: %s (%d cpus)  scheduler: %s  scenario: %s  duration: %.1fs\n", kernel,
		topo, ncpu, r->sched_label, r->scn.name, (double)dur / 1000.0);
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		cpulist(w->cpus_mask, cpus, sizeof(cpus));
		fprintf(f, "  tid %d  %s  %s  gap=%.0fms@cpu%d at +%lldms  cpus=%s  migrations=%d  iters=%llu\n",
			w->tid, w->cgroup[0] ? w->cgroup : "-", w->work[0] ? w->work : "-", w->max_gap_ms,
			w->max_gap_cpu, (long long)w->max_gap_at_ms, cpus, w->migrations,
			(unsigned long long)w->iters);
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
	uint64_t all = 0;
	int mig = 0;
	double worst_spread = 0, worst_gap = 0;
	char cpus[256];
	for (int i = 0; i < r->nworkers; i++) {
		all |= r->workers[i].cpus_mask;
		mig += r->workers[i].migrations;
		if (r->workers[i].max_gap_ms > worst_gap)
			worst_gap = r->workers[i].max_gap_ms;
	}
	for (int i = 0; i < r->ncgroups; i++)
		if (r->cgroups[i].spread_pct > worst_spread)
			worst_spread = r->cgroups[i].spread_pct;
	fprintf(f, "%d workers, %d cpus, %d migrations, worst_spread=%.1f%%, worst_gap=%.0fms\n", r->nworkers,
		__builtin_popcountll(all), mig, worst_spread, worst_gap);
	for (int i = 0; i < r->ncgroups; i++) {
		const struct run_cgroup *c = &r->cgroups[i];
		char spread[32];
		if (c->workers >= 2)
			snprintf(spread, sizeof(spread), "%.1f%%", c->spread_pct);
		else
			snprintf(spread, sizeof(spread), "n/a");
		fprintf(f, "  %s: workers=%d cpus=%d spread=%s gap=%.0fms migrations=%d iter=%llu\n", c->name,
			c->workers, c->cpus, spread, c->max_gap_ms, c->migrations, (unsigned long long)c->iters);
	}
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		double off = w->wall_ns ? 100.0 * ((double)w->wall_ns - (double)(w->cpu_ns > w->wall_ns ? w->wall_ns : w->cpu_ns)) /
						  (double)w->wall_ns : 0;
		cpulist(w->cpus_mask, cpus, sizeof(cpus));
		fprintf(f, "  tid %d: cgroup=%s off=%.1f%% cpu=%llums wall=%llums iters=%llu gap=%.0fms migrations=%d cpus=%s\n",
			w->tid, w->cgroup[0] ? w->cgroup : "-", off, (unsigned long long)(w->cpu_ns / 1000000),
			(unsigned long long)(w->wall_ns / 1000000), (unsigned long long)w->iters, w->max_gap_ms,
			w->migrations, cpus);
	}
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

enum { SEC_VSTATS, SEC_SCHEDLOG, SEC_DIAG, SEC_DUMP, SEC_TIMELINE, SEC_STATS, SEC__N };
static const struct { const char *heading, *json; body_fn fn; } sections[SEC__N] = {
	[SEC_VSTATS] = { "--- verifier stats ---", "verifier_stats", body_verifier_stats },
	[SEC_SCHEDLOG] = { "--- scheduler log ---", "scheduler_log", body_schedlog },
	[SEC_DIAG] = { "--- diagnostics ---", "diagnostics", body_diagnostics },
	[SEC_DUMP] = { "--- sched_ext dump ---", "sched_ext_dump", body_dump },
	[SEC_TIMELINE] = { "--- timeline ---", "timeline", body_timeline },
	[SEC_STATS] = { "--- stats ---", "stats", body_stats },
};

static bool section_relevant(struct run *r, int s)
{
	switch (s) {
	case SEC_VSTATS: return has_verifier(r);
	case SEC_SCHEDLOG: return ring_count(r->schedlog) || has_verifier(r);
	case SEC_DIAG: return r->result != RESULT_PASS && diag_wanted(r);
	case SEC_DUMP: return ring_count(r->dump) > 0;
	default: return r->nworkers > 0;
	}
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

static void text_pass(struct run *r, FILE *out, const char *tags)
{
	fprintf(out, "ktstr: '%s' %s passed%s\n", r->scn.name, tags,
		r->scn.expect_err ? " (expected failure observed)" : "");
	fprintf(out, "  boot: accel=%s sys_rdy_ms=%lld kernel_boot_ms=%lld budget_ms=%d%s\n",
		r->accel[0] ? r->accel : "?", (long long)r->sys_rdy_ms, (long long)r->kernel_boot_ms, r->boot_budget_ms,
		r->boot_budget_missed ? " (budget missed)" : "");
	for (int i = 0; i < r->ncgroups; i++) {
		const struct run_cgroup *c = &r->cgroups[i];
		if (c->workers >= 2)
			fprintf(out, "  %s: spread=%.1f%% (%.1f-%.1f%%) %d workers on %d cpus\n", c->name, c->spread_pct,
				c->min_off_pct, c->max_off_pct, c->workers, c->cpus);
		else
			fprintf(out, "  %s: spread=n/a %d worker on %d cpus\n", c->name, c->workers, c->cpus);
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
		if (!section_relevant(r, s))
			continue;
		char *body = capture(sections[s].fn, r);
		fprintf(out, "%s\n%s", sections[s].heading, body ? body : "");
		free(body);
	}
	if (r->dir[0])
		fprintf(out, "run dir: %s\n", r->dir);
}

/* ---- JSON ------------------------------------------------------------------------- */

static json_t *jnum(double d)
{
	return json_real(isfinite(d) ? d : 0);
}

static json_t *jmask_list(uint64_t m)
{
	json_t *a = json_array();
	for (int i = 0; i < 64; i++)
		if (m >> i & 1)
			json_array_append_new(a, json_integer(i));
	return a;
}

static json_t *jgroups(const uint64_t *masks, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n && i < RUN_MAX_CPUS; i++)
		json_array_append_new(a, jmask_list(masks[i]));
	return a;
}

/* Guest text is cut into fixed buffers and console bytes are raw: never let one invalid
 * UTF-8 sequence drop a field (jansson refuses such strings), replace bad bytes with '?'. */
static json_t *jsafe(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (j)
		return j;
	size_t n = strlen(s);
	char *c = malloc(n + 1);
	if (!c)
		return json_string("");
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		int len = p[i] < 0x80 ? 1 : (p[i] >> 5) == 6 ? 2 : (p[i] >> 4) == 14 ? 3 : (p[i] >> 3) == 30 ? 4 : 0;
		bool ok = len > 0 && i + (size_t)len <= n;
		for (int k = 1; ok && k < len; k++)
			ok = (p[i + k] & 0xC0) == 0x80;
		if (ok && len > 1) {
			/* let jansson judge overlongs/surrogates on the single sequence */
			char tmp[5] = { 0 };
			memcpy(tmp, s + i, (size_t)len);
			json_t *t = json_string(tmp);
			ok = t != NULL;
			json_decref(t);
		}
		if (ok) {
			memcpy(c + i, s + i, (size_t)len);
			i += (size_t)len;
		} else {
			c[i++] = '?';
		}
	}
	c[n] = 0;
	j = json_string(c);
	free(c);
	return j ? j : json_string("");
}

static json_t *jstr_or_null(const char *s)
{
	return s && *s ? jsafe(s) : json_null();
}

static json_t *build_json(struct run *r)
{
	json_t *o = json_object(), *a;
	char topo[64];
	scn_topo_label(&r->scn.topo, topo, sizeof(topo));

	json_object_set_new(o, "ktstr_result_version", json_integer(1));
	json_object_set_new(o, "result", json_string(run_result_name(r->result)));
	json_object_set_new(o, "exit_code", json_integer(r->exit_code));
	json_object_set_new(o, "error", jstr_or_null(r->error));
	json_object_set_new(o, "id", jsafe(r->id));
	json_object_set_new(o, "run_dir", jstr_or_null(r->dir));
	json_object_set_new(o, "warning", r->warning[0] ? json_string(r->warning) : json_null());
	json_object_set_new(o, "started_unix", json_integer(r->started_unix));
	json_object_set_new(o, "ktstr", json_pack("{s:o, s:o, s:o, s:o, s:o}", "version",
						  jstr_or_null(r->tool.version), "commit", jstr_or_null(r->tool.commit),
						  "libbpf", jstr_or_null(r->tool.libbpf), "qemu",
						  jstr_or_null(r->tool.qemu), "qemu_path", jstr_or_null(r->tool.qemu_path)));

	a = json_array();
	for (int i = 0; i < r->nchecks; i++)
		json_array_append_new(a, json_pack("{s:o, s:b, s:o}", "name", jsafe(r->checks[i].name), "ok",
						   r->checks[i].ok, "message", jsafe(r->checks[i].message)));
	json_object_set_new(o, "checks", a);

	json_object_set_new(o, "boot", json_pack("{s:o, s:I, s:I, s:i, s:b, s:b}", "accel", jsafe(r->accel),
						 "sys_rdy_ms", (json_int_t)r->sys_rdy_ms, "kernel_boot_ms",
						 (json_int_t)r->kernel_boot_ms, "budget_ms", r->boot_budget_ms,
						 "budget_missed", r->boot_budget_missed, "tcg_relaxed", r->tcg_relaxed));
	json_object_set_new(o, "guest", json_pack("{s:i, s:o, s:o, s:o, s:i, s:b, s:b, s:o, s:i, s:i, s:I, s:I}",
						  "cpus", r->guest_cpus, "llcs", jgroups(r->llcs, r->nllcs),
						  "nodes", jgroups(r->nodes, r->nnodes), "kernel", jsafe(r->guest_kernel),
						  "proto", r->guest_proto, "hello", r->guest_hello, "done", r->guest_done,
						  "stage", jsafe(r->stage), "steps_done", r->steps_done, "steps", r->steps,
						  "elapsed_ms", (json_int_t)r->guest_elapsed_ms,
						  "malformed_lines", (json_int_t)r->malformed_lines));
	json_object_set_new(json_object_get(o, "guest"), "ok", json_boolean(r->guest_ok));

	a = json_array();
	for (int i = 0; i < r->nworkers; i++) {
		const struct run_worker *w = &r->workers[i];
		json_array_append_new(a, json_pack("{s:i, s:o, s:o, s:f, s:f, s:I, s:o, s:i, s:I, s:o, s:i, s:b, s:b}",
						   "tid", w->tid, "cgroup", jsafe(w->cgroup), "work", jsafe(w->work),
						   "cpu_ms", (double)w->cpu_ns / 1e6, "wall_ms", (double)w->wall_ns / 1e6,
						   "iters", (json_int_t)w->iters, "max_gap_ms", jnum(w->max_gap_ms),
						   "max_gap_cpu", w->max_gap_cpu, "max_gap_at_ms",
						   (json_int_t)w->max_gap_at_ms, "cpus", jmask_list(w->cpus_mask),
						   "migrations", w->migrations, "completed", w->completed,
						   "reported", w->reported));
	}
	json_object_set_new(o, "workers", a);

	a = json_array();
	for (int i = 0; i < r->ncgroups; i++) {
		const struct run_cgroup *c = &r->cgroups[i];
		json_array_append_new(a, json_pack("{s:o, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:i, s:I}", "name", jsafe(c->name),
						   "workers", c->workers, "cpus", c->cpus, "spread_pct",
						   jnum(c->spread_pct), "min_off_pct", jnum(c->min_off_pct),
						   "max_off_pct", jnum(c->max_off_pct), "mean_off_pct",
						   jnum(c->mean_off_pct), "max_gap_ms", jnum(c->max_gap_ms),
						   "migrations", c->migrations, "iters", (json_int_t)c->iters));
	}
	json_object_set_new(o, "cgroups", a);

	json_object_set_new(o, "thresholds", json_pack("{s:o, s:o, s:b}", "max_gap_ms", jnum(r->gap_threshold_ms),
						       "max_spread_pct", jnum(r->spread_threshold_pct),
						       "tcg_relaxed", r->tcg_relaxed));

	json_t *sc = json_pack("{s:o, s:s, s:o, s:s, s:i, s:i, s:b, s:b}", "name", jsafe(r->scn.name), "topology", topo,
			       "scheduler", jsafe(r->scn.sched.kind == SCHED_EEVDF ? "eevdf" : r->scn.sched.spec),
			       "scheduler_kind", r->scn.sched.kind == SCHED_PATH ? "path" :
			       r->scn.sched.kind == SCHED_NAME ? "name" : "eevdf",
			       "duration_ms", r->scn.duration_ms, "memory_mb", r->scn.memory_mb,
			       "expect_err", r->scn.expect_err, "performance_mode", r->scn.performance_mode);
	a = json_array();
	for (int i = 0; i < r->scn.ncgroups; i++) {
		const struct scn_cgroup *g = &r->scn.cgroups[i];
		json_t *cg = json_pack("{s:o, s:i, s:s}", "name", jsafe(g->name), "workers", g->workers, "work",
				       work_type_name(g->work));
		if (g->cpuset[0])
			json_object_set_new(cg, "cpuset", json_string(g->cpuset));
		if (g->step > 0) /* a step's own cgroup (1-based step); absent: the backdrop */
			json_object_set_new(cg, "step", json_integer(g->step));
		json_array_append_new(a, cg);
	}
	json_object_set_new(sc, "cgroups", a);
	if (r->scn.nsteps > 0) {
		a = json_array();
		for (int k = 0; k < r->scn.nsteps && k < SCN_MAX_STEPS; k++)
			json_array_append_new(a, json_pack("{s:o, s:i}", "name", jsafe(r->scn.steps[k].name),
							   "duration_ms", r->scn.steps[k].duration_ms));
		json_object_set_new(sc, "steps", a);
	}
	json_object_set_new(o, "scenario", sc);

	json_object_set_new(o, "kernel", json_pack("{s:o, s:o, s:o}", "key", jsafe(r->kernel_key), "path",
						   jsafe(r->kernel_path), "version", jsafe(r->kernel_version)));
	json_object_set_new(o, "scheduler", json_pack("{s:o, s:o, s:b, s:b, s:b, s:b, s:o, s:i, s:I}", "label",
						      jsafe(r->sched_label), "ops", jsafe(r->sched_ops), "started", r->sched_started,
						      "attached", r->sched_attached, "load_failed",
						      r->sched_load_failed, "died", r->sched_died, "exit_reason",
						      jstr_or_null(r->sched_exit_reason), "exit_code",
						      r->sched_exit_code, "died_ms", (json_int_t)r->sched_died_ms));
	json_object_set_new(o, "vm_exit_code", json_integer(r->vm_exit_code));
	json_object_set_new(o, "shell", !r->shell ? json_null() :
			    json_pack("{s:b, s:o, s:I, s:o}", "exec", r->exec, "exec_status",
				      r->exec_status >= 0 ? json_integer(r->exec_status) : json_null(),
				      "exec_bytes", (json_int_t)r->exec_bytes, "ended", jsafe(r->vm_end)));

	json_t *secs = json_object();
	for (int s = 0; s < SEC__N; s++) {
		char *body = section_relevant(r, s) ? capture(sections[s].fn, r) : NULL;
		json_object_set_new(secs, sections[s].json, body ? jsafe(body) : json_null());
		free(body);
	}
	json_object_set_new(o, "sections", secs);
	return o;
}

char *report_json(struct run *r)
{
	json_t *o = build_json(r);
	if (!o)
		return NULL;
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* ---- run directory ---------------------------------------------------------------- */

/* DIR/NAME through fs_write_atomic (temp file, fsync, rename, fsync of the directory). */
static int write_file(const char *dir, const char *name, const char *data, size_t len, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	int rc = fs_write_atomic(path, data, len, 0644);
	if (rc)
		snprintf(err, errlen, "%s: cannot write: %s (is the run directory writable?)", path, strerror(-rc));
	return rc;
}

static char *ring_text(const struct ring *rg, size_t *len)
{
	char *buf = NULL;
	*len = 0;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < ring_count(rg); i++)
		fprintf(f, "%s\n", ring_get(rg, i));
	fclose(f);
	return buf;
}

/* timeline.tsv: the timeline slices, oldest first; times in ns since the workload started. */
#define TIMELINE_HEADER "# tid\tcpu\tstart_ns\tend_ns\tstate (r run, w wait)"

static char *timeline_text(const struct run *r, size_t *len)
{
	char *buf = NULL;
	*len = 0;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "%s\n", TIMELINE_HEADER);
	for (size_t i = 0; i < r->nslices; i++) {
		const struct run_slice *s = run_slice_at(r, i);
		fprintf(f, "%d\t%d\t%lld\t%lld\t%c\n", s->tid, s->cpu, (long long)s->start_ns,
			(long long)s->end_ns, s->state == 'r' ? 'r' : 'w');
	}
	fclose(f);
	return buf;
}

int report_write_dir(struct run *r, char *err, size_t errlen)
{
	char dir[sizeof(r->dir)];
	enum { NFILES = 7 };
	struct { const char *name; char *data; size_t len; } files[NFILES] = {
		{ "sched.log", NULL, 0 }, { "verifier.log", NULL, 0 }, { "dump.log", NULL, 0 },
		{ "guest.log", NULL, 0 }, { "timeline.tsv", NULL, 0 }, { "report.txt", NULL, 0 },
		{ "result.json", NULL, 0 },
	};
	int rc = 0;

	run_lock(r);
	snprintf(dir, sizeof(dir), "%s", r->dir);
	if (!dir[0]) {
		run_unlock(r);
		snprintf(err, errlen, "run '%s' has no run directory to write the report into", r->scn.name);
		return -EINVAL;
	}
	files[0].data = ring_text(r->schedlog, &files[0].len);
	files[1].data = ring_text(r->verifier, &files[1].len);
	files[2].data = ring_text(r->dump, &files[2].len);
	files[3].data = ring_text(r->guestlog, &files[3].len);
	files[4].data = timeline_text(r, &files[4].len);
	FILE *f = open_memstream(&files[5].data, &files[5].len);
	if (f) {
		report_text(r, f);
		fclose(f);
	}
	files[6].data = report_json(r);
	files[6].len = files[6].data ? strlen(files[6].data) : 0;
	run_unlock(r);

	/* result.json last: a directory with it is complete. */
	for (int i = 0; i < NFILES && !rc; i++) {
		if (!files[i].data) {
			snprintf(err, errlen, "%s/%s: out of memory building it", dir, files[i].name);
			rc = -ENOMEM;
			break;
		}
		rc = write_file(dir, files[i].name, files[i].data, files[i].len, err, errlen);
	}
	for (int i = 0; i < NFILES; i++)
		free(files[i].data);
	return rc;
}

/* ---- loading ---------------------------------------------------------------------- */

static void jgroups_load(json_t *a, uint64_t *masks, int *n)
{
	size_t i;
	json_t *g;
	*n = 0;
	if (!json_is_array(a))
		return;
	json_array_foreach(a, i, g) {
		if (i >= RUN_MAX_CPUS)
			break;
		masks[i] = ju_cpu_mask(g);
		*n = (int)i + 1;
	}
}

#define CPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void load_logs(const char *dir, const char *name, struct ring *rg)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > LOAD_MAX_LINE)
			line[LOAD_MAX_LINE] = 0;
		ring_push(rg, line);
	}
	free(line);
	fclose(f);
}

/* timeline.tsv back into the slices ring; lines that do not parse are skipped. */
static void load_timeline(const char *dir, struct run *r)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	if (snprintf(path, sizeof(path), "%s/timeline.tsv", dir) >= (int)sizeof(path))
		return;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) >= 0) {
		int tid, cpu, used = 0;
		long long a, b;
		char st;
		if (line[0] == '#' ||
		    sscanf(line, "%d\t%d\t%lld\t%lld\t%c%n", &tid, &cpu, &a, &b, &st, &used) != 5 ||
		    (line[used] && line[used] != '\n') || tid < 0 || cpu < -1 || cpu >= 4096 || a < 0 ||
		    b < a || (st != 'r' && st != 'w'))
			continue;
		struct run_slice s = { tid, cpu, a, b, st };
		run_add_slice(r, &s);
	}
	free(line);
	fclose(f);
}

static void load_model(struct run *r, json_t *o, const char *dir)
{
	json_t *x, *e;
	size_t i;
	char e2[256];

	json_t *sc = json_object_get(o, "scenario");
	CPY(r->scn.name, ju_str_or(sc, "name", "?"));
	scn_topo_parse(ju_str_or(sc, "topology", "1n1l2c1t"), &r->scn.topo, e2, sizeof(e2));
	r->scn.duration_ms = (int)ju_int_or(sc, "duration_ms", r->scn.duration_ms);
	r->scn.memory_mb = (int)ju_int_or(sc, "memory_mb", r->scn.memory_mb);
	r->scn.expect_err = ju_true(sc, "expect_err");
	r->scn.performance_mode = ju_true(sc, "performance_mode");
	const char *kind = ju_str_or(sc, "scheduler_kind", NULL), *spec = ju_str_or(sc, "scheduler", "eevdf");
	if (!strcmp(spec, "eevdf") && (!kind || !strcmp(kind, "eevdf"))) {
		r->scn.sched.kind = SCHED_EEVDF;
	} else {
		r->scn.sched.kind = (kind && !strcmp(kind, "path")) || strchr(spec, '/') ? SCHED_PATH : SCHED_NAME;
	}
	CPY(r->scn.sched.spec, spec);
	json_array_foreach(json_object_get(sc, "cgroups"), i, e) {
		if (r->scn.ncgroups >= SCN_MAX_CGROUPS)
			break;
		struct scn_cgroup *g = &r->scn.cgroups[r->scn.ncgroups++];
		CPY(g->name, ju_str_or(e, "name", "?"));
		g->workers = (int)ju_int_or(e, "workers", 0);
		int w = work_type_from_name(ju_str_or(e, "work", ""));
		g->work = w < 0 ? WORK_SPIN_WAIT : (enum work_type)w;
		CPY(g->cpuset, ju_str_or(e, "cpuset", ""));
		g->step = (int)ju_int_or(e, "step", 0);
	}
	json_array_foreach(json_object_get(sc, "steps"), i, e) {
		if (r->scn.nsteps >= SCN_MAX_STEPS)
			break;
		struct scn_step *st = &r->scn.steps[r->scn.nsteps++];
		CPY(st->name, ju_str_or(e, "name", ""));
		st->duration_ms = (int)ju_int_or(e, "duration_ms", 0);
	}
	/* first_cgroup/ncgroups from the cgroups' step numbers (written in step order). */
	for (int c = 0; c < r->scn.ncgroups; c++) {
		int k = r->scn.cgroups[c].step;
		if (k < 1 || k > r->scn.nsteps)
			continue;
		if (!r->scn.steps[k - 1].ncgroups++)
			r->scn.steps[k - 1].first_cgroup = c;
	}

	const char *res = ju_str_or(o, "result", "none");
	r->result = !strcmp(res, "pass") ? RESULT_PASS : !strcmp(res, "fail") ? RESULT_FAIL :
		    !strcmp(res, "error") ? RESULT_ERROR : !strcmp(res, "skip") ? RESULT_SKIP : RESULT_NONE;
	r->exit_code = (int)ju_int_or(o, "exit_code", 0);
	json_t *sh = json_object_get(o, "shell");
	if (json_is_object(sh)) {
		r->shell = true;
		r->exec = ju_true(sh, "exec");
		int64_t es = ju_int_or(sh, "exec_status", -1), eb = ju_int_or(sh, "exec_bytes", 0);
		r->exec_status = es >= 0 && es <= 255 ? (int)es : -1;
		r->exec_bytes = eb > 0 ? (uint64_t)eb : 0;
		CPY(r->vm_end, ju_str_or(sh, "ended", ""));
	}
	CPY(r->error, ju_str_or(o, "error", ""));
	CPY(r->warning, ju_str_or(o, "warning", ""));
	CPY(r->id, ju_str_or(o, "id", ""));
	CPY(r->dir, dir);
	r->started_unix = ju_int_or(o, "started_unix", 0);
	json_t *kt = json_object_get(o, "ktstr"); /* absent in run directories older than it */
	CPY(r->tool.version, ju_str_or(kt, "version", ""));
	CPY(r->tool.commit, ju_str_or(kt, "commit", ""));
	CPY(r->tool.libbpf, ju_str_or(kt, "libbpf", ""));
	CPY(r->tool.qemu, ju_str_or(kt, "qemu", ""));
	CPY(r->tool.qemu_path, ju_str_or(kt, "qemu_path", ""));
	r->state = RUN_DONE;

	json_array_foreach(json_object_get(o, "checks"), i, e) {
		if (json_is_object(e))
			run_add_check(r, ju_str_or(e, "name", "?"), ju_true(e, "ok"), "%s", ju_str_or(e, "message", ""));
	}
	x = json_object_get(o, "boot");
	CPY(r->accel, ju_str_or(x, "accel", ""));
	r->sys_rdy_ms = ju_int_or(x, "sys_rdy_ms", -1);
	r->kernel_boot_ms = ju_int_or(x, "kernel_boot_ms", -1);
	r->boot_budget_ms = (int)ju_int_or(x, "budget_ms", 0);
	r->boot_budget_missed = ju_true(x, "budget_missed");
	r->tcg_relaxed = ju_true(x, "tcg_relaxed");

	x = json_object_get(o, "guest");
	r->guest_cpus = (int)ju_int_or(x, "cpus", 0);
	jgroups_load(json_object_get(x, "llcs"), r->llcs, &r->nllcs);
	jgroups_load(json_object_get(x, "nodes"), r->nodes, &r->nnodes);
	CPY(r->guest_kernel, ju_str_or(x, "kernel", ""));
	r->guest_proto = (int)ju_int_or(x, "proto", 0);
	r->guest_hello = ju_true(x, "hello");
	r->guest_done = ju_true(x, "done");
	r->guest_ok = ju_true(x, "ok");
	CPY(r->stage, ju_str_or(x, "stage", ""));
	r->steps_done = (int)ju_int_or(x, "steps_done", 0);
	r->steps = (int)ju_int_or(x, "steps", 0);
	r->guest_elapsed_ms = ju_int_or(x, "elapsed_ms", -1);
	r->malformed_lines = (uint64_t)ju_int_or(x, "malformed_lines", 0);
	if (r->stage[0] && (!strcmp(r->stage, "running") || !strcmp(r->stage, "report")))
		r->workload_start_ns = 0;

	json_array_foreach(json_object_get(o, "workers"), i, e) {
		if (!json_is_object(e) || r->nworkers >= SCN_MAX_WORKERS)
			continue;
		struct run_worker *w = run_worker_by_tid(r, (int)ju_int_or(e, "tid", -1));
		if (!w)
			break;
		CPY(w->cgroup, ju_str_or(e, "cgroup", ""));
		CPY(w->work, ju_str_or(e, "work", ""));
		w->cpu_ns = (uint64_t)(ju_num_or(e, "cpu_ms", 0) * 1e6);
		w->wall_ns = (uint64_t)(ju_num_or(e, "wall_ms", 0) * 1e6);
		w->iters = (uint64_t)ju_int_or(e, "iters", 0);
		w->max_gap_ms = ju_num_or(e, "max_gap_ms", 0);
		w->max_gap_cpu = (int)ju_int_or(e, "max_gap_cpu", -1);
		w->max_gap_at_ms = ju_int_or(e, "max_gap_at_ms", 0);
		w->cpus_mask = ju_cpu_mask(json_object_get(e, "cpus"));
		w->migrations = (int)ju_int_or(e, "migrations", 0);
		w->completed = ju_true(e, "completed");
		w->reported = json_object_get(e, "reported") ? ju_true(e, "reported") : true;
	}
	json_array_foreach(json_object_get(o, "cgroups"), i, e) {
		if (!json_is_object(e) || r->ncgroups >= SCN_MAX_CGROUPS)
			continue;
		struct run_cgroup *c = &r->cgroups[r->ncgroups++];
		CPY(c->name, ju_str_or(e, "name", "?"));
		c->workers = (int)ju_int_or(e, "workers", 0);
		c->cpus = (int)ju_int_or(e, "cpus", 0);
		c->spread_pct = ju_num_or(e, "spread_pct", 0);
		c->min_off_pct = ju_num_or(e, "min_off_pct", 0);
		c->max_off_pct = ju_num_or(e, "max_off_pct", 0);
		c->mean_off_pct = ju_num_or(e, "mean_off_pct", 0);
		c->max_gap_ms = ju_num_or(e, "max_gap_ms", 0);
		c->migrations = (int)ju_int_or(e, "migrations", 0);
		c->iters = (uint64_t)ju_int_or(e, "iters", 0);
	}
	x = json_object_get(o, "thresholds");
	r->gap_threshold_ms = ju_num_or(x, "max_gap_ms", -1);
	r->spread_threshold_pct = ju_num_or(x, "max_spread_pct", -1);

	x = json_object_get(o, "kernel");
	CPY(r->kernel_key, ju_str_or(x, "key", ""));
	CPY(r->kernel_path, ju_str_or(x, "path", ""));
	CPY(r->kernel_version, ju_str_or(x, "version", ""));

	x = json_object_get(o, "scheduler");
	CPY(r->sched_label, ju_str_or(x, "label", r->sched_label));
	CPY(r->sched_ops, ju_str_or(x, "ops", ""));
	r->sched_started = ju_true(x, "started");
	r->sched_attached = ju_true(x, "attached");
	r->sched_load_failed = ju_true(x, "load_failed");
	r->sched_died = ju_true(x, "died");
	CPY(r->sched_exit_reason, ju_str_or(x, "exit_reason", ""));
	r->sched_exit_code = (int)ju_int_or(x, "exit_code", 0);
	r->sched_died_ms = ju_int_or(x, "died_ms", 0);
	r->vm_exit_code = (int)ju_int_or(o, "vm_exit_code", -1);

	load_logs(dir, "console.log", r->console);
	load_logs(dir, "sched.log", r->schedlog);
	load_logs(dir, "verifier.log", r->verifier);
	load_logs(dir, "dump.log", r->dump);
	load_logs(dir, "guest.log", r->guestlog);
	load_timeline(dir, r);
}

int report_load_dir(const char *dir, struct run **out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	json_error_t je;
	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/result.json", dir) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory; give a run directory (it holds result.json)", dir);
		return -ENOENT;
	}
	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: no result.json; not a finished ktstr run directory "
			 "(the run may still be going, or was killed before its report)", dir);
		return -ENOENT;
	}
	if (st.st_size > (off_t)LOAD_MAX_JSON) {
		snprintf(err, errlen, "%s: %lld bytes, over the %u-byte limit", path, (long long)st.st_size,
			 LOAD_MAX_JSON);
		return -EFBIG;
	}
	json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		snprintf(err, errlen, "%s:%d:%d: %s (the file is damaged; re-run the scenario)", path, je.line,
			 je.column < 1 ? 1 : je.column, je.text);
		return -EINVAL;
	}
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "result")) ||
	    !json_is_object(json_object_get(o, "scenario"))) {
		json_decref(o);
		snprintf(err, errlen, "%s: not a ktstr result (no \"result\" or \"scenario\"); "
			 "was it written by another tool?", path);
		return -EINVAL;
	}
	struct run *r = run_new(NULL);
	if (!r) {
		json_decref(o);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	load_model(r, o, dir);
	json_decref(o);
	*out = r;
	return 0;
}
