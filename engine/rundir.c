/* The run directory: writing the logs, timeline.tsv, report.txt and result.json of a run
 * (each atomically, result.json last), and loading a finished one back into a run model
 * so the TUI can open a run a CI machine produced. */
#include "engine/monitor/mreport.h"
#include "engine/monitor/tsv.h"
#include "engine/report.h"
#include "engine/repro/repro_json.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/fsutil.h"
#include "engine/json_util.h"
#include "engine/worker_figs.h"

#define LOAD_MAX_JSON (64u << 20)
#define LOAD_MAX_LINE 65536

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
	enum { NFILES = 9 };
	/* probe.log (a repro VM's probe messages) only when there are any. */
	struct { const char *name; char *data; size_t len; } files[NFILES] = {
		{ "sched.log", NULL, 0 }, { "verifier.log", NULL, 0 }, { "dump.log", NULL, 0 },
		{ "guest.log", NULL, 0 }, { "timeline.tsv", NULL, 0 }, { "probe.log", NULL, 0 },
		{ MON_TSV, NULL, 0 }, { "report.txt", NULL, 0 }, { "result.json", NULL, 0 },
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
	files[5].data = ring_text(r->probe, &files[5].len);
	/* monitor.tsv only when the run was sampled. */
	files[6].data = r->mon ? mon_tsv_text(r->mon, &files[6].len) : strdup("");
	FILE *f = open_memstream(&files[7].data, &files[7].len);
	if (f) {
		report_text(r, f);
		fclose(f);
	}
	files[8].data = report_json(r);
	files[8].len = files[8].data ? strlen(files[8].data) : 0;
	run_unlock(r);

	/* result.json last: a directory with it is complete. */
	for (int i = 0; i < NFILES && !rc; i++) {
		if (!files[i].data) {
			snprintf(err, errlen, "%s/%s: out of memory building it", dir, files[i].name);
			rc = -ENOMEM;
			break;
		}
		if ((i == 5 || i == 6) && !files[i].len)
			continue;
		rc = write_file(dir, files[i].name, files[i].data, files[i].len, err, errlen);
	}
	for (int i = 0; i < NFILES; i++)
		free(files[i].data);
	return rc;
}

/* ---- loading ---------------------------------------------------------------------- */

static void jgroups_load(json_t *a, struct cpumask *masks, int *n)
{
	size_t i;
	json_t *g;
	*n = 0;
	if (!json_is_array(a))
		return;
	json_array_foreach(a, i, g) {
		if (i >= RUN_MAX_CPUS)
			break;
		ju_cpu_mask(g, &masks[i]);
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

/* A ms field back into ns: 0 when negative or past what a uint64_t holds (the cast
 * would be undefined). */
static uint64_t ms_to_ns(double ms)
{
	double ns = ms * 1e6;
	return ns >= 0 && ns < 1.8e19 ? (uint64_t)ns : 0;
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
	r->workload_start_ms = ju_int_or(x, "workload_start_ms", -1);
	r->kernel_boot_ms = ju_int_or(x, "kernel_boot_ms", -1);
	r->boot_budget_ms = (int)ju_int_or(x, "budget_ms", 0);
	r->boot_budget_missed = ju_true(x, "budget_missed");
	r->tcg_relaxed = ju_true(x, "tcg_relaxed");
	r->restored = ju_true(x, "restored");
	r->restore_ms = ju_int_or(x, "restore_ms", -1);
	r->snapshot_save_ms = ju_int_or(x, "snapshot_save_ms", -1);

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
		w->cpu_ns = ms_to_ns(ju_num_or(e, "cpu_ms", 0));
		w->wall_ns = ms_to_ns(ju_num_or(e, "wall_ms", 0));
		w->iters = (uint64_t)ju_int_or(e, "iters", 0);
		w->max_gap_ms = ju_num_or(e, "max_gap_ms", 0);
		w->max_gap_cpu = (int)ju_int_or(e, "max_gap_cpu", -1);
		w->max_gap_at_ms = ju_int_or(e, "max_gap_at_ms", 0);
		ju_cpu_mask(json_object_get(e, "cpus"), &w->cpus_mask);
		w->migrations = (int)ju_int_or(e, "migrations", 0);
		w->figure = ju_int_or(e, "figure", -1);
		w->completed = ju_true(e, "completed");
		w->reported = json_object_get(e, "reported") ? ju_true(e, "reported") : true;
		if (!wattr_from_json(e, &w->attr))
			memset(&w->attr, 0, sizeof(w->attr));
		wfigs_read(w, e); /* a bad member is left at its default */
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
		wfigs_cgroup_read(c, e);
	}
	x = json_object_get(o, "thresholds");
	wfigs_thresholds_read(&r->scn.checks, json_object_get(x, "worker"));
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
	json_t *progs = json_object_get(o, "bpf_progs"), *pv;
	size_t pi;
	json_array_foreach(progs, pi, pv) {
		if (r->nprogs == RUN_MAX_PROGS || !json_is_object(pv))
			break;
		struct run_prog *p = &r->progs[r->nprogs++];
		CPY(p->name, ju_str_or(pv, "name", ""));
		CPY(p->type, ju_str_or(pv, "type", ""));
		p->verified_insns = ju_int_or(pv, "verified_insns", -1);
	}

	load_logs(dir, "console.log", r->console);
	load_logs(dir, "sched.log", r->schedlog);
	load_logs(dir, "verifier.log", r->verifier);
	load_logs(dir, "dump.log", r->dump);
	load_logs(dir, "guest.log", r->guestlog);
	load_logs(dir, "probe.log", r->probe);
	load_timeline(dir, r);
	/* A damaged auto_repro object costs the chain, never the run. */
	json_t *ar = json_object_get(o, "auto_repro");
	if (ar && !json_is_null(ar) && !(r->repro = repro_from_json(ar, e2, sizeof(e2))) && !r->warning[0])
		snprintf(r->warning, sizeof(r->warning), "result.json: %s; the auto-repro chain is not shown", e2);
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
	/* A damaged monitor.tsv is an error with its line, as a damaged result.json is. */
	int rc = mon_report_load(r, json_object_get(o, "monitor"), dir, err, errlen);
	json_decref(o);
	if (rc) {
		run_put(r);
		return rc;
	}
	*out = r;
	return 0;
}
