/* Auto-repro's orchestration (docs/auto-repro.md): builds the probe spec from the failed
 * run's logs and its kernel's BTF, starts the repro VM through engine_start, follows its
 * "probe" messages and, when it ends, stitches them into the primary's result and rewrites
 * the primary's run directory. The pieces it drives live in engine/repro/. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "engine/engine.h"
#include "engine/engine_repro.h"
#include "engine/fsutil.h"
#include "engine/kernel/btf.h"
#include "engine/kernel/cache.h"
#include "engine/report.h"
#include "engine/repro/report.h"
#include "engine/repro/spec.h"
#include "engine/repro/stitch.h"

/* A failed run's scheduler binary, kept under its own name (the report's label). */
#define REPRO_SCHED_DIR "scheduler"

static bool env_off(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0");
}

/* The scheduler failed after it attached: it died (error exit, stall, crash), or the guest
 * never reported a result. A verifier reject or a run that only failed a threshold has no
 * crash path to probe. */
static bool sched_failed(const struct run *r)
{
	return r->sched_attached && (r->sched_died || !r->guest_done);
}

bool engine_repro_wanted(const struct run *r)
{
	return !env_off("KTSTR_NO_AUTO_REPRO") && r->scn.sched.kind != SCHED_EEVDF && !r->scn.expect_err &&
	       !r->shell && !r->repro_of[0] && (r->result == RESULT_FAIL || r->result == RESULT_ERROR) &&
	       sched_failed(r);
}

void engine_repro_keep_scheduler(struct run *r)
{
	char src[sizeof(r->sched_bin)], dst[PATH_MAX], sdir[PATH_MAX];
	run_lock(r);
	bool want = r->sched_bin[0] && r->dir[0] && !r->repro_of[0] && r->scn.sched.kind != SCHED_EEVDF &&
		    (r->result == RESULT_FAIL || r->result == RESULT_ERROR);
	snprintf(src, sizeof(src), "%s", r->sched_bin);
	const char *base = strrchr(src, '/');
	snprintf(sdir, sizeof(sdir), "%s/" REPRO_SCHED_DIR, r->dir);
	snprintf(dst, sizeof(dst), "%s/%s", sdir, base ? base + 1 : src);
	run_unlock(r);
	if (want && strcmp(src, dst) && !fs_mkdir_p(sdir, 0755))
		fs_copy_file(src, dst, 0755);
}

static char *ring_join(const struct ring *rg, size_t last)
{
	char *buf = NULL;
	size_t len = 0, n = ring_count(rg);
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	size_t from = last && n > last ? n - last : 0;
	for (size_t i = from; i < n; i++)
		fprintf(f, "%s%s", i > from ? "\n" : "", ring_get(rg, i));
	fclose(f);
	return buf;
}

bool engine_repro_line(struct run *primary, const char *line)
{
	run_lock(primary);
	bool changed = primary->repro && repro_progress(primary->repro, line);
	run_unlock(primary);
	return changed;
}

static void link_dirs(const char *from_dir, const char *name, const char *to_dir)
{
	char link[PATH_MAX], tmp[PATH_MAX];
	snprintf(link, sizeof(link), "%s/%s", from_dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", from_dir, name);
	unlink(tmp);
	if (!symlink(to_dir, tmp) && rename(tmp, link))
		unlink(tmp);
}

void engine_repro_done(struct run *primary, struct run *repro)
{
	run_lock(repro);
	size_t n = ring_count(repro->probe);
	const char **lines = calloc(n + 1, sizeof(*lines));
	/* Copies: the lines must outlive the repro run's lock while primary's is held. */
	char **own = calloc(n + 1, sizeof(*own));
	for (size_t i = 0; lines && own && i < n; i++)
		lines[i] = own[i] = strdup(ring_get(repro->probe, i));
	char *console = ring_join(repro->console, 0), *dump = ring_join(repro->dump, 0);
	char *sched_tail = ring_join(repro->schedlog, REPRO_TAIL_LINES);
	char *dump_tail = ring_join(repro->dump, REPRO_TAIL_LINES);
	char *dmesg_tail = ring_join(repro->console, REPRO_TAIL_LINES);
	bool reproduced = repro->sched_died || (repro->sched_attached && !repro->guest_done);
	int64_t duration = repro->elapsed_ms;
	char dir[sizeof(repro->dir)], error[sizeof(repro->error)];
	snprintf(dir, sizeof(dir), "%s", repro->dir);
	snprintf(error, sizeof(error), "%s", repro->error);
	bool attached = repro->sched_attached;
	run_unlock(repro);

	run_lock(primary);
	struct repro_result *r = primary->repro;
	if (r) {
		snprintf(r->dir, sizeof(r->dir), "%s", dir);
		r->duration_ms = duration;
		r->reproduced = reproduced;
		free(r->sched_tail);
		free(r->dump_tail);
		free(r->dmesg_tail);
		r->sched_tail = sched_tail;
		r->dump_tail = dump_tail;
		r->dmesg_tail = dmesg_tail;
		sched_tail = dump_tail = dmesg_tail = NULL;
		if (!lines || !own || repro_stitch(lines, n, console ? console : "", dump ? dump : "", r)) {
			r->state = REPRO_FAILED;
			snprintf(r->reason, sizeof(r->reason), "out of memory stitching the probe events");
		} else if (!n && error[0] && !attached) {
			r->state = REPRO_FAILED;
			snprintf(r->reason, sizeof(r->reason), "the repro VM did not run: %s", error);
		} else {
			r->state = REPRO_DONE;
		}
	}
	char pdir[sizeof(primary->dir)];
	snprintf(pdir, sizeof(pdir), "%s", primary->dir);
	run_unlock(primary);

	for (size_t i = 0; own && i < n; i++)
		free(own[i]);
	free(own);
	free(lines);
	free(console);
	free(dump);
	free(sched_tail);
	free(dump_tail);
	free(dmesg_tail);
	if (pdir[0] && dir[0]) {
		link_dirs(pdir, "repro", dir);
		link_dirs(dir, "primary", pdir);
	}
	char err[1024];
	if (pdir[0] && report_write_dir(primary, err, sizeof(err)))
		fprintf(stderr, "ktstr: %s\n", err);
}

/* The scenario to rerun: the run directory's scenario.json when there is one (a loaded run
 * knows only a summary of its scenario), with the scheduler binary kept beside it. */
static int repro_scenario(const struct run *p, struct scenario *out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/scenario.json", p->dir);
	int rc;
	/* Every run directory since auto-repro keeps it; without one the scenario is only the
	 * summary in result.json (no scheduler arguments, no knobs): not the same run. */
	if (p->dir[0] && access(path, R_OK)) {
		/* The fix first: a status line shows only the start of a long path. */
		snprintf(err, errlen, "no scenario.json, rerun the scenario with `ktstr run` instead "
			 "(run directories keep one since ktstr has auto-repro): %s", p->dir);
		return -EINVAL;
	}
	if (p->dir[0] ? (rc = scn_load(path, out, err, errlen)) : (rc = scn_copy(out, &p->scn))) {
		if (!p->dir[0])
			snprintf(err, errlen, "out of memory");
		return rc;
	}
	const char *slash = strrchr(out->sched.spec, '/');
	snprintf(path, sizeof(path), "%s/" REPRO_SCHED_DIR "/%s", p->dir, slash ? slash + 1 : out->sched.spec);
	if (p->dir[0] && !access(path, X_OK) && out->sched.kind != SCHED_EEVDF) {
		out->sched.kind = SCHED_PATH;
		snprintf(out->sched.spec, sizeof(out->sched.spec), "%s", path);
	}
	return 0;
}

/* Marks primary's repro as ended without a VM (skipped or failed) and records it. */
static void end_early(struct run *primary, struct repro_result *res, enum repro_state st,
		      const char *reason)
{
	res->state = st;
	snprintf(res->reason, sizeof(res->reason), "%s", reason);
	run_lock(primary);
	repro_free(primary->repro);
	primary->repro = res;
	run_unlock(primary);
	char err[1024];
	if (primary->dir[0] && report_write_dir(primary, err, sizeof(err)))
		fprintf(stderr, "ktstr: %s\n", err);
}

int engine_repro(struct engine *e, struct run *primary, char *err, size_t errlen)
{
	char link[PATH_MAX];
	run_lock(primary);
	/* A loaded repro VM's run knows its primary by the link engine_repro_done made. */
	snprintf(link, sizeof(link), "%s/primary", primary->dir);
	if (primary->dir[0] && !primary->repro_of[0] && !access(link, F_OK))
		snprintf(primary->repro_of, sizeof(primary->repro_of), "%s", link);
	const char *why = primary->state != RUN_DONE ? "the run has not finished yet" :
			  primary->shell ? "a shell VM has no scenario to reproduce" :
			  primary->repro_of[0] ? "this run is itself a repro VM; reproduce its primary instead" :
			  primary->scn.sched.kind == SCHED_EEVDF ? "auto-repro needs a failed run with a scheduler (this one ran EEVDF)" :
			  primary->scn.expect_err ? "auto-repro never runs for expect_err scenarios" :
			  primary->result != RESULT_FAIL && primary->result != RESULT_ERROR ?
			  "auto-repro needs a failed run with a scheduler (this one did not fail)" :
			  primary->repro && primary->repro->state >= REPRO_BOOTING &&
			  primary->repro->state <= REPRO_FIRED ? "a repro of this run is already running" : NULL;
	if (why) {
		bool busy = primary->repro && primary->repro->state >= REPRO_BOOTING &&
			    primary->repro->state <= REPRO_FIRED;
		snprintf(err, errlen, "%s", why);
		run_unlock(primary);
		return busy ? -EBUSY : -EINVAL;
	}
	char *console = ring_join(primary->console, 0), *sched = ring_join(primary->schedlog, 0);
	char *dump = ring_join(primary->dump, 0);
	char key[sizeof(primary->kernel_key)], kpath[sizeof(primary->kernel_path)];
	snprintf(key, sizeof(key), "%s", primary->kernel_key);
	snprintf(kpath, sizeof(kpath), "%s", primary->kernel_path);
	bool reached = primary->workload_start_ns >= 0 || !strcmp(primary->stage, "running") ||
		       !strcmp(primary->stage, "report") || primary->nworkers > 0;
	char stage[sizeof(primary->stage)];
	snprintf(stage, sizeof(stage), "%s", primary->stage);
	struct scenario scn;
	int rc = repro_scenario(primary, &scn, err, errlen);
	run_unlock(primary);
	if (rc || !console || !sched || !dump) {
		if (!rc)
			snprintf(err, errlen, "out of memory");
		free(console);
		free(sched);
		free(dump);
		return rc ? rc : -ENOMEM;
	}

	struct repro_result *res = repro_new();
	struct repro_plan *plan = calloc(1, sizeof(*plan));
	rc = -ENOMEM;
	if (!res || !plan) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	res->primary_reached_workload = reached;
	if (!reached)
		snprintf(res->primary_reason, sizeof(res->primary_reason), "the first VM stopped at "
			 "stage '%s', before the workload started", stage[0] ? stage : "boot");

	struct kernel_entry ke;
	if ((rc = cache_resolve(key[0] ? key : kpath, &ke, err, errlen)))
		goto out;
	struct btf *btf = btf_open_kernel(ke.vmlinux, ke.image, err, errlen);
	if (!btf) {
		rc = -ENOENT;
		goto out;
	}
	rc = repro_plan_build(console, sched, dump, btf, plan);
	btf__free(btf);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	sel_format_stats(&plan->sel, res->pipeline, sizeof(res->pipeline));
	res->extracted = plan->sel.extracted;
	res->passed = plan->sel.passed;
	static const char *const trig[] = { [SEL_TRIG_TP_BTF] = "tp_btf", [SEL_TRIG_FENTRY] = "fexit",
					    [SEL_TRIG_KPROBE] = "kprobe", [SEL_TRIG_NONE] = "none" };
	snprintf(res->trigger, sizeof(res->trigger), "%s %s", trig[plan->trig.kind], plan->trig.target);
	if (plan->trig.kind == SEL_TRIG_NONE) {
		end_early(primary, res, REPRO_SKIPPED, plan->trig.reason);
		res = NULL;
		rc = 0;
		goto out;
	}

	char runs[PATH_MAX];
	snprintf(runs, sizeof(runs), "%s", primary->dir);
	struct run_request req = {
		.scn = scn, .kernel_spec = key[0] ? key : kpath, .runs_root = dirname(runs),
		.probe_spec = plan->spec, .repro_of = primary,
		/* Cold: a restored VM re-translates code and faults its memory in during its
		 * first seconds, late for a failure that comes soon after the start. */
		.no_snapshot = true,
	};
	res->state = REPRO_BOOTING;
	run_lock(primary);
	repro_free(primary->repro);
	primary->repro = res;
	run_unlock(primary);
	struct run *rr = NULL;
	res = NULL;
	rc = engine_start(e, &req, &rr, err, errlen);
	if (rc) {
		struct repro_result *failed = repro_new();
		if (failed) {
			memcpy(failed->pipeline, primary->repro->pipeline, sizeof(failed->pipeline));
			snprintf(failed->trigger, sizeof(failed->trigger), "%s", primary->repro->trigger);
			failed->primary_reached_workload = reached;
			char why2[600];
			snprintf(why2, sizeof(why2), "the repro VM could not start: %s", err);
			end_early(primary, failed, REPRO_FAILED, why2);
		}
	} else {
		run_put(rr);
	}
out:
	repro_free(res);
	if (plan)
		repro_plan_free(plan);
	free(plan);
	scn_free(&scn);
	free(console);
	free(sched);
	free(dump);
	return rc;
}
