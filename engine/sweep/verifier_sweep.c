/* The verifier sweep's cells: each one is an ordinary run (a generated scenario: the
 * scheduler, one SpinWait worker per CPU for a second) through the engine, moved to
 * DIR/cells/<cell> when it ends, and read back into the cell's verdict and programs. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/fsutil.h"
#include "engine/report.h"
#include "engine/sched.h"
#include "engine/sweep/verifier_sweep.h"
#include "engine/sweep/vsweep_priv.h"

#define PROBE_MS 1000

/* ktstr's own schedulers print their verifier stats when asked; others cannot be. */
static bool takes_stats_flag(const char *sched)
{
	const char *base = strrchr(sched, '/');
	base = base ? base + 1 : sched;
	return !strncmp(base, "ktstr_sched", 11);
}

/* The cell's scenario as a file in the sweep directory (kept: it says what ran). */
static int write_scenario(const struct vsweep_opts *o, const struct vsweep_cell *c, int cpus,
			  const char *path, char *err, size_t errlen)
{
	json_t *args = json_array();
	for (int i = 0; i < c->profile->nflags; i++) {
		char a[80];
		snprintf(a, sizeof(a), "--%s", c->profile->flags[i]);
		json_array_append_new(args, json_string(a));
	}
	for (int i = 0; i < o->nsched_args; i++)
		json_array_append_new(args, json_string(o->sched_args[i]));
	if (takes_stats_flag(o->sched))
		json_array_append_new(args, json_string("--verifier-stats"));
	json_t *sc = json_pack("{s:s, s:o}", strchr(o->sched, '/') ? "path" : "name", o->sched,
			       "args", args);
	json_t *s = json_pack("{s:s, s:s, s:i, s:o, s:i, s:[{s:s, s:i, s:s}]}", "name", "verifier",
			      "topology", c->preset, "memory_mb", 512, "scheduler", sc, "duration_ms",
			      PROBE_MS, "cgroups", "name", "probe", "workers", cpus, "work", "SpinWait");
	char *text = s ? json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(s);
	if (!text) {
		snprintf(err, errlen, "out of memory writing %s", path);
		return -ENOMEM;
	}
	int rc = fs_write_atomic(path, text, strlen(text), 0644);
	free(text);
	if (rc)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	return rc;
}

/* Waits for the run's EV_RESULT, saying on stderr when it boots. */
static void wait_run(struct engine *e, struct run *run, bool quiet)
{
	bool finished = false, said = false;
	while (!finished) {
		struct pollfd p = { .fd = engine_event_fd(e), .events = POLLIN };
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			break;
		struct engine_event ev;
		while (engine_next_event(e, &ev)) {
			if (ev.type == EV_BOOT && !said && !quiet && !ev.text) {
				run_lock(run);
				fprintf(stderr, "ktstr: verifier:   guest ready after %lld ms\n",
					(long long)run->sys_rdy_ms);
				run_unlock(run);
				said = true;
			}
			if (ev.type == EV_RESULT && ev.run == run)
				finished = true;
			engine_event_done(&ev);
		}
	}
}

/* The run directory goes to its cell's place; result.json and report.txt are written
 * again there so they name it. */
static void move_run(struct run *r, const char *dest)
{
	char err[512];
	if (rename(r->dir, dest)) {
		fprintf(stderr, "ktstr: verifier: cannot move %s to %s: %s\n", r->dir, dest, strerror(errno));
		return;
	}
	run_lock(r);
	snprintf(r->dir, sizeof(r->dir), "%s", dest);
	run_unlock(r);
	if (report_write_dir(r, err, sizeof(err)))
		fprintf(stderr, "ktstr: verifier: %s\n", err);
}

static struct vsweep_prog *prog_slot(struct vsweep_cell *c, const char *name)
{
	for (int i = 0; i < c->nprogs; i++)
		if (!strcmp(c->progs[i].name, name))
			return &c->progs[i];
	if (c->nprogs == VSWEEP_MAX_PROGS)
		return NULL;
	struct vsweep_prog *p = &c->progs[c->nprogs++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->verified_insns = -1;
	p->processed = p->states_peak = p->states_total = p->time_us = -1;
	return p;
}

/* The cell's verdict and numbers from its finished run (caller holds the run lock). */
static void read_cell(struct vsweep_cell *c, struct run *r, int cpus)
{
	c->ran = r->guest_hello;
	c->attached = r->sched_attached && !r->sched_died;
	int progressed = 0;
	for (int i = 0; i < r->nworkers; i++)
		progressed += r->workers[i].units > 0;
	c->dispatched = c->attached && r->nworkers >= cpus && progressed == r->nworkers;
	c->pass = c->attached && c->dispatched;
	if (!c->ran)
		snprintf(c->reason, sizeof(c->reason), "no VM result: %s",
			 r->error[0] ? r->error : "the guest never reported");
	else if (!r->sched_attached)
		snprintf(c->reason, sizeof(c->reason), "scheduler: NOT ATTACHED — %s",
			 r->sched_exit_reason[0] ? r->sched_exit_reason
						 : "scheduler process exited during BPF load/startup");
	else if (r->sched_died)
		snprintf(c->reason, sizeof(c->reason), "scheduler: died after attaching%s%s",
			 r->sched_exit_reason[0] ? ": " : "", r->sched_exit_reason);
	else if (!c->dispatched)
		snprintf(c->reason, sizeof(c->reason), "dispatch probe: %d of %d SpinWait workers "
			 "made progress (%d expected)", progressed, r->nworkers, cpus);
	else
		snprintf(c->reason, sizeof(c->reason), "%d SpinWait worker%s made progress",
			 r->nworkers, r->nworkers == 1 ? "" : "s");

	for (int i = 0; i < r->nprogs; i++) {
		struct vsweep_prog *p = prog_slot(c, r->progs[i].name);
		if (p)
			p->verified_insns = r->progs[i].verified_insns;
	}
	/* ktstr_sched --verifier-stats lines, and the program libbpf says it failed to load. */
	char failed[128] = "";
	for (size_t i = 0; i < ring_count(r->schedlog); i++) {
		const char *line = ring_get(r->schedlog, i);
		struct vsweep_prog s;
		if (!vsweep_parse_stats_line(line, &s)) {
			struct vsweep_prog *p = prog_slot(c, s.name);
			if (p) {
				p->processed = s.processed;
				p->states_peak = s.states_peak;
				p->states_total = s.states_total;
				p->time_us = s.time_us;
				snprintf(p->stack, sizeof(p->stack), "%s", s.stack);
			}
		}
		if (!failed[0])
			vsweep_parse_libbpf_prog(line, failed, sizeof(failed));
	}
	/* A rejected program's numbers come from its own log's summary line. */
	struct vsweep_prog s;
	for (size_t i = 0; failed[0] && i < ring_count(r->verifier); i++)
		if (!vsweep_parse_processed_line(ring_get(r->verifier, i), &s)) {
			struct vsweep_prog *p = prog_slot(c, failed);
			if (p) {
				p->processed = s.processed;
				p->states_peak = s.states_peak;
				p->states_total = s.states_total;
			}
		}
}

/* One cell: its scenario, its run, its verdict; the report section printed at once. */
static int run_cell(const struct vsweep_opts *o, struct vsweep_cell *c, const char *runs,
		    char *err, size_t errlen)
{
	struct vm_topology t;
	if (scn_topo_parse(c->preset, &t, err, errlen))
		return -EINVAL;
	int cpus = scn_topo_cpus(&t);
	char path[4096], dest[4096];
	snprintf(path, sizeof(path), "%s/scenarios/%s.json", o->out_dir, c->dir + 6 /* "cells/" */);
	snprintf(dest, sizeof(dest), "%s/%s", o->out_dir, c->dir);
	int rc = write_scenario(o, c, cpus, path, err, errlen);
	if (rc)
		return rc;
	struct run_request req = { .runs_root = runs, .kernel_spec = c->kernel->spec[0] ? c->kernel->spec : NULL };
	if ((rc = scn_load(path, &req.scn, err, errlen)))
		return rc;
	if ((rc = scn_validate(&req.scn, err, errlen))) {
		scn_free(&req.scn);
		return rc;
	}
	struct engine *e = engine_new();
	if (!e) {
		scn_free(&req.scn);
		snprintf(err, errlen, "cannot start the engine (out of memory or file descriptors)");
		return -ENOMEM;
	}
	struct run *run = NULL;
	rc = engine_start(e, &req, &run, err, errlen);
	scn_free(&req.scn);
	if (rc) {
		engine_free(e);
		return rc;
	}
	wait_run(e, run, o->quiet);
	engine_free(e);
	move_run(run, dest);
	run_lock(run);
	read_cell(c, run, cpus);
	if (o->out)
		vsweep_print_cell(o, c, run);
	run_unlock(run);
	run_put(run);
	return 0;
}

static void build_cells(const struct vsweep_opts *o, struct vsweep_cell *cells, int *n,
			const struct vsweep_kernel *kernels, int nk, const char *const *topos, int nt,
			const struct vsweep_profile *profiles, int np)
{
	const char *slash = strrchr(o->sched, '/');
	const char *sname = slash ? slash + 1 : o->sched;
	*n = 0;
	for (int k = 0; k < nk; k++)
		for (int t = 0; t < nt; t++)
			for (int p = 0; p < np; p++) {
				struct vsweep_cell *c = &cells[(*n)++];
				memset(c, 0, sizeof(*c));
				c->kernel = &kernels[k];
				c->profile = &profiles[p];
				snprintf(c->preset, sizeof(c->preset), "%s", topos[t]);
				snprintf(c->name, sizeof(c->name), "verifier/%s/%s/%s%s%s", sname,
					 kernels[k].label, topos[t], np > 1 ? "/" : "",
					 np > 1 ? profiles[p].name : "");
				char d[500];
				vsweep_cell_dirname(c->name, d, sizeof(d));
				snprintf(c->dir, sizeof(c->dir), "cells/%s", d);
			}
}

int vsweep_run(const struct vsweep_opts *o, FILE *json_out, char *err, size_t errlen)
{
	static const char *const def_topo[] = { "1x1x1x1" };
	static const struct vsweep_profile def_prof = { .name = "default" };
	const char *const *topos = o->ntopos ? o->topos : def_topo;
	int nt = o->ntopos ? o->ntopos : 1;
	const struct vsweep_profile *profiles = o->nprofiles ? o->profiles : &def_prof;
	int np = o->nprofiles ? o->nprofiles : 1;
	for (int t = 0; t < nt; t++) {
		struct vm_topology vt;
		if (scn_topo_parse(topos[t], &vt, err, errlen)) {
			char m[512];
			snprintf(m, sizeof(m), "%s", err);
			snprintf(err, errlen, "--topo %s: %s", topos[t], m);
			return 2;
		}
	}
	char path[4096];
	/* Bad input before anything is written: the scheduler must exist. */
	struct scn_scheduler ss = { .kind = strchr(o->sched, '/') ? SCHED_PATH : SCHED_NAME };
	snprintf(ss.spec, sizeof(ss.spec), "%s", o->sched);
	if (!strcmp(o->sched, "eevdf")) {
		snprintf(err, errlen, "the verifier sweep needs a BPF scheduler, not eevdf");
		return 2;
	}
	if (sched_resolve(&ss, path, sizeof(path), err, errlen))
		return 2;
	snprintf(path, sizeof(path), "%s/verifier.json", o->out_dir);
	if (!access(path, F_OK)) {
		snprintf(err, errlen, "--out %s already holds a verifier sweep (verifier.json); pick "
			 "another directory or remove it", o->out_dir);
		return 2;
	}
	char runs[4096];
	snprintf(runs, sizeof(runs), "%s/.runs", o->out_dir);
	snprintf(path, sizeof(path), "%s/scenarios", o->out_dir);
	int rc;
	if ((rc = fs_mkdir_p(path, 0755)) || (rc = fs_mkdir_p(runs, 0755))) {
		snprintf(err, errlen, "cannot create %s: %s (pick a writable --out)", path, strerror(-rc));
		return 2;
	}
	snprintf(path, sizeof(path), "%s/cells", o->out_dir);
	if ((rc = fs_mkdir_p(path, 0755))) {
		snprintf(err, errlen, "cannot create %s: %s (pick a writable --out)", path, strerror(-rc));
		return 2;
	}
	int nk = o->nkernels;
	int ncells = nk * nt * np;
	struct vsweep_cell *cells = calloc((size_t)(ncells ? ncells : 1), sizeof(*cells));
	if (!cells) {
		snprintf(err, errlen, "out of memory");
		return 3;
	}
	build_cells(o, cells, &ncells, o->kernels, nk, topos, nt, profiles, np);
	int code = 0;
	for (int i = 0; i < ncells; i++) {
		struct vsweep_cell *c = &cells[i];
		if (!o->quiet)
			fprintf(stderr, "ktstr: verifier: cell %d of %d: %s\n", i + 1, ncells, c->name);
		rc = run_cell(o, c, runs, err, errlen);
		if (rc) {
			/* The first cell's bad input (no such scheduler, kernel) stops the sweep. */
			code = rc == -EINVAL || rc == -ENOENT ? 2 : 3;
			if (i == 0 && code == 2)
				break;
			snprintf(c->reason, sizeof(c->reason), "%s", err);
			fprintf(stderr, "ktstr: verifier: %s: %s\n", c->name, err);
			continue;
		}
		if (!c->ran && code < 3)
			code = 3;
		else if (!c->pass && code < 1)
			code = 1;
		if (!o->quiet)
			fprintf(stderr, "ktstr: verifier:   %s: %s\n", c->pass ? "pass" : "FAIL", c->reason);
	}
	fs_rm_rf(runs); /* the engine's run locks; every run moved out */
	if (code != 2) {
		if (o->out)
			vsweep_print_summary(o, cells, ncells, nk, nt, np);
		if (vsweep_write_json(o, cells, ncells, json_out, err, errlen) && code < 3) {
			fprintf(stderr, "ktstr: verifier: %s\n", err);
			code = 3;
		}
	}
	free(cells);
	return code;
}
