/* The workstation's main loop: poll() on the terminal and the engine's event fd with a
 * 150 ms timeout, redraw the active pane from the run model under run_lock, dispatch keys
 * through the keymap and act on what the pane answers. Panes live in views/ (the list in
 * views/panes.c); this file only lays out and dispatches. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernels.h"
#include "engine/report.h"
#include "tui/app.h"
#include "tui/tui.h"
#include "views/model.h"

void app_status(struct app *a, bool err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_err = err;
}

void app_pick_kernel(struct app *a, const char *spec)
{
	snprintf(a->ctx.kernel_pick, sizeof(a->ctx.kernel_pick), "%s", spec);
	app_status(a, false, "kernel for the next run: %s", spec);
}

/* The kernels pane shows the outcome in full; on another pane the status bar says it. */
static void kernel_removed(struct app *a, const struct engine_event *ev)
{
	if (!ev->rc && !strcmp(a->ctx.kernel_pick, ev->key))
		a->ctx.kernel_pick[0] = 0;
	int says = -1;  /* the pane that tells the outcome */
	for (int i = 0; i < view_count; i++)
		if (a->views[i].ops->kernel_removed) {
			a->views[i].ops->kernel_removed(&a->views[i], ev->key, ev->rc, ev->text ? ev->text : "");
			says = says < 0 ? i : says;
		}
	if (says == a->active)
		return;
	if (ev->rc && says >= 0)
		app_status(a, true, "kernel %s was not removed; the %s pane (%c) says why", ev->key,
			   view_all[says]->title, view_key(says));
	else if (ev->rc)
		app_status(a, true, "kernel %s was not removed: %s", ev->key, ev->text ? ev->text : "");
	else
		app_status(a, false, "removed %s", ev->key);
}

void app_set_run(struct app *a, struct run *r)
{
	if (a->cur == r)
		return;
	if (a->cur)
		run_put(a->cur);
	a->cur = r ? run_get(r) : NULL;
	a->ctx.cur_dir[0] = 0;
	if (r) {
		run_lock(r);
		snprintf(a->ctx.cur_dir, sizeof(a->ctx.cur_dir), "%s", r->dir);
		run_unlock(r);
	}
	for (int i = 0; i < view_count; i++)
		if (a->views[i].ops->reset)
			a->views[i].ops->reset(&a->views[i]);
}

/* Opening a run shows the pane that explains it best (view_ops.explains). */
static int best_pane(struct run *r)
{
	int best = 0;
	enum view_fit fit = FIT_NONE;
	run_lock(r);
	for (int i = 0; i < view_count; i++) {
		enum view_fit f = view_all[i]->explains ? view_all[i]->explains(r) : FIT_NONE;
		if (f > fit) {
			best = i;
			fit = f;
		}
	}
	run_unlock(r);
	return best;
}

/* A gauntlet or verifier sweep directory opens as a matrix in the Runs pane. */
static bool open_sweep(struct app *a, const char *dir)
{
	char res[1200];
	snprintf(res, sizeof(res), "%s/result.json", dir);
	if (!access(res, F_OK) || sweep_kind_of(dir) == RUNS_RUN)
		return false;
	snprintf(a->ctx.sweep_open, sizeof(a->ctx.sweep_open), "%s", dir);
	a->ctx.sweep_gen++;
	for (int i = 0; i < view_count; i++)
		if (!strcmp(view_all[i]->name, "runs"))
			a->active = i;
	app_status(a, false, "opened %s (Enter opens a cell's run, Esc comes back)", dir);
	return true;
}

int app_open_dir(struct app *a, const char *dir)
{
	struct run *r;
	char err[1024];
	if (open_sweep(a, dir))
		return 0;
	int rc = report_load_dir(dir, &r, err, sizeof(err));
	if (rc) {
		app_status(a, true, "%s", err);
		return rc;
	}
	app_set_run(a, r);
	run_put(r);
	a->active = best_pane(r);
	app_status(a, false, "opened %s", dir);
	return 0;
}

static bool live_running(struct app *a)
{
	if (!a->live)
		return false;
	run_lock(a->live);
	bool on = a->live->state != RUN_DONE;
	run_unlock(a->live);
	return on;
}

static void next_run_line(struct app *a)
{
	char topo[32];
	scn_topo_label(&a->scn.topo, topo, sizeof(topo));
	snprintf(a->ctx.next_run, sizeof(a->ctx.next_run), "scenario %s  kernel %s  topo %s  sched %s",
		 a->scn.name[0] ? a->scn.name : "(default)", a->ctx.kernel_pick[0] ? a->ctx.kernel_pick : "(default)",
		 topo, a->scn.sched.kind == SCHED_EEVDF ? "eevdf" : a->scn.sched.spec);
}

int app_start_run(struct app *a)
{
	if (!a->eng) {
		app_status(a, true, "the engine could not start, so no runs from here; use `ktstr run`");
		return -ENODEV;
	}
	if (live_running(a)) {
		app_status(a, true, "a run is already going; x stops it");
		return -EBUSY;
	}
	char err[1024] = "";
	if (scn_validate(&a->scn, err, sizeof(err))) {
		app_status(a, true, "%s", err);
		return -EINVAL;
	}
	app_status(a, false, "starting %s (resolving the kernel, building the initramfs)...",
		   a->scn.name[0] ? a->scn.name : "run");
	struct run_request req = {
		.scn = a->scn,
		.kernel_spec = a->ctx.kernel_pick[0] ? a->ctx.kernel_pick : NULL,
		.shell_port = true,
		.log_events = false,  /* panes read the rings; per-line events would only be dropped */
	};
	struct run *r = NULL;
	int rc = engine_start(a->eng, &req, &r, err, sizeof(err));
	if (rc) {
		app_status(a, true, "%s", err);
		return rc;
	}
	if (a->live)
		run_put(a->live);
	a->live = r;
	app_set_run(a, r);
	run_lock(r);
	app_status(a, false, "started %s", r->id);
	run_unlock(r);
	return 0;
}

/* The pane `a` switches to. */
static void show_pane(struct app *a, const char *name)
{
	for (int i = 0; i < view_count; i++)
		if (!strcmp(view_all[i]->name, name))
			a->active = i;
}

/* Auto-repro of the displayed run (`a`, or by itself after a live scheduler failure). */
static void app_repro(struct app *a)
{
	char err[1024];
	if (!a->cur) {
		app_status(a, true, "no run to reproduce: open a failed run first");
		return;
	}
	if (!a->eng) {
		app_status(a, true, "the engine could not start, so no repro VM can run; use `ktstr repro DIR`");
		return;
	}
	if (engine_repro(a->eng, a->cur, err, sizeof(err))) {
		app_status(a, true, "auto-repro: %s", err);
		return;
	}
	app_status(a, false, "auto-repro: a second VM reruns the failure with BPF probes on the crash path");
	show_pane(a, "repro");
}

static void repro_event(struct app *a, struct run *r)
{
	run_lock(r);
	const struct repro_result *rr = r->repro;
	bool over = rr && rr->state >= REPRO_DONE;
	if (over && rr->state == REPRO_DONE)
		app_status(a, false, "auto-repro of %s: %s, %d events of %s[%d] (repro VM %.1fs)", r->id,
			   rr->fired ? "the trigger fired" : rr->reproduced ? "reproduced, no trigger" :
			   "did not reproduce", rr->nevents, rr->task_comm, rr->task_pid,
			   (double)rr->duration_ms / 1000.0);
	else if (over)
		app_status(a, true, "auto-repro of %s: %s", r->id, rr->reason);
	run_unlock(r);
}

static void drain_events(struct app *a)
{
	struct engine_event ev;
	while (a->eng && engine_next_event(a->eng, &ev)) {
		if (ev.type == EV_RESULT && ev.run && ev.run == a->live) {
			run_lock(ev.run);
			app_status(a, ev.run->result != RESULT_PASS, "run %s finished: %s (exit %d)", ev.run->id,
				   run_result_name(ev.run->result), ev.run->exit_code);
			run_unlock(ev.run);
			/* The seed's next step after a scheduler death: the repro VM, by itself. */
			if (ev.run == a->cur && engine_repro_wanted(ev.run))
				app_repro(a);
		}
		if (ev.type == EV_REPRO && ev.run)
			repro_event(a, ev.run);
		if (ev.type == EV_KERNEL_RM && ev.key)
			kernel_removed(a, &ev);
		if (ev.type == EV_KERNEL_BUILD)
			app_kernel_build_event(a, &ev);
		engine_event_done(&ev);
	}
}

/* ---- drawing ---- */

/* The tabs' widest form that fits: " 1 Runs " (pad 1), else "1 Runs" (pad 0), else that with
 * every other tab's title cut to `cut` characters (the active one stays whole). */
static void tabs_fit(struct app *a, int cols, int *pad, int *cut)
{
	for (*pad = 1; *pad >= 0; (*pad)--)
		for (*cut = 32; *cut >= (*pad ? 32 : 0); (*cut)--) {  /* padded: whole titles only */
			int width = 0;
			for (int i = 0; i < view_count; i++) {
				int tl = (int)strlen(view_all[i]->title);
				width += 2 + 2 * *pad + (i == a->active || tl < *cut ? tl : *cut) + !*pad;
			}
			if (width <= cols)
				return;
		}
	*pad = 0;
	*cut = 0;
}

static void draw_tabs(struct app *a, struct dwin *w)
{
	dw_row(w, 0, DC_TAB);
	int x = 0, pad, cut;
	tabs_fit(a, dw_cols(w), &pad, &cut);
	for (int i = 0; i < view_count; i++) {
		char lab[48];
		snprintf(lab, sizeof(lab), "%s%c %.*s%s", pad ? " " : "", view_key(i), i == a->active ? 32 : cut,
			 view_all[i]->title, pad ? " " : "");
		x = dw_text(w, 0, x, i == a->active ? DC_TAB_ON : DC_TAB, lab, 0) + !pad;
	}
	if (x + 8 < dw_cols(w))
		dw_text(w, 0, dw_cols(w) - 7, DC_TAB, "? help", 0);
}

static int result_col(enum run_result r)
{
	return r == RESULT_PASS ? DC_OK : r == RESULT_NONE || r == RESULT_SKIP ? DC_WARN : DC_FAIL;
}

static void draw_header(struct app *a, struct dwin *w)
{
	struct run *r = a->cur;
	if (!r) {
		dw_text(w, 1, 0, DC_DIM, "No run open: r starts one, 1 lists past runs, :open RUN_DIR opens one.", 0);
		return;
	}
	run_lock(r);
	char topo[32];
	scn_topo_label(&r->scn.topo, topo, sizeof(topo));
	int x = dw_text(w, 1, 0, DC_HEAD, r->id[0] ? r->id : "(run)", 0);
	if (r->state != RUN_DONE)
		x = dw_printf(w, 1, x + 1, DC_WARN, "%s%s%s", run_state_name(r->state), r->stage[0] ? ":" : "",
			      r->stage);
	else
		x = dw_printf(w, 1, x + 1, result_col(r->result), "%s", run_result_name(r->result));
	int failed = 0;
	for (int i = 0; i < r->nchecks; i++)
		failed += !r->checks[i].ok;
	if (failed)
		x = dw_printf(w, 1, x + 1, DC_FAIL, "(%d check%s failed)", failed, failed == 1 ? "" : "s");
	/* Live: time since QEMU started; finished: how long the workload ran. */
	bool done = r->state == RUN_DONE && r->guest_elapsed_ms > 0;
	dw_printf(w, 1, x + 1, DC_NORMAL, "%s  %s  %s  %s %.1fs", r->kernel_version[0] ? r->kernel_version : r->kernel_key,
		  topo, r->sched_label[0] ? r->sched_label : "eevdf", done ? "workload" : "T+",
		  (double)(done ? r->guest_elapsed_ms : r->elapsed_ms) / 1000.0);
	run_unlock(r);
}

static void draw_status(struct app *a, struct dwin *w)
{
	int y = dw_rows(w) - 1;
	dw_row(w, y, DC_NORMAL);
	if (a->status[0]) {
		dw_text(w, y, 0, a->status_err ? DC_FAIL : DC_OK, a->status, 0);
		return;
	}
	struct view *v = &a->views[a->active];
	const char *h = v->ops->hint ? v->ops->hint(v) : NULL;
	int x = dw_text(w, y, 0, DC_DIM, "q quit  ? help  : cmd  / search  r run  x stop  s shell", 0);
	if (h)
		x = dw_text(w, y, x + 2, DC_DIM, h, 0);
	if (a->search[0] && dw_cols(w) - 20 > x + 2)
		dw_printf(w, y, dw_cols(w) - 20, DC_DIM, "/%.18s", a->search);
}

static void live_line(struct app *a)
{
	a->ctx.live_line[0] = 0;
	if (!a->live)
		return;
	struct run *r = a->live;
	run_lock(r);
	if (r->state == RUN_DONE) {  /* finished: it is in the history list now */
		run_unlock(r);
		return;
	}
	char topo[32];
	scn_topo_label(&r->scn.topo, topo, sizeof(topo));
	snprintf(a->ctx.live_line, sizeof(a->ctx.live_line), "%-16s %7.1fs  %-24.24s %-9.9s %-12.12s %s",
		 r->stage[0] ? r->stage : run_state_name(r->state),
		 (double)r->elapsed_ms / 1000.0, r->kernel_version[0] ? r->kernel_version : r->kernel_key, topo,
		 r->sched_label, r->id);
	run_unlock(r);
}

void app_draw(struct app *a)
{
	int H, W;
	getmaxyx(stdscr, H, W);
	erase();
	struct dwin whole = dw_area(0, 0, H, W);
	if (H < 8 || W < 30) {
		dw_printf(&whole, 0, 0, DC_FAIL, "terminal %dx%d is too small; ktstr needs 80x24", W, H);
		refresh();
		return;
	}
	next_run_line(a);
	live_line(a);
	draw_tabs(a, &whole);
	draw_header(a, &whole);
	struct dwin pane = dw_area(2, 0, H - 3, W);
	struct view *v = &a->views[a->active];
	if (a->help) {
		keymap_help(&pane, v->ops->name);
	} else if (v->ops->needs_run && !a->cur) {
		dw_text(&pane, 1, 2, DC_DIM, "No run open. Press 1 for the runs list (Enter opens one), r to start "
			"a run, or :open RUN_DIR.", 0);
	} else {
		if (a->cur)
			run_lock(a->cur);
		v->ops->draw(v, &pane, a->cur);
		if (a->cur)
			run_unlock(a->cur);
	}
	draw_status(a, &whole);
	refresh();
}

/* ---- keys ---- */

static void do_search(struct app *a, int dir)
{
	struct view *v = &a->views[a->active];
	if (!a->search[0]) {
		app_status(a, true, "no search yet: / and a pattern first");
		return;
	}
	if (!v->ops->search || (v->ops->needs_run && !a->cur)) {
		app_status(a, true, "the %s pane has nothing to search", v->ops->title);
		return;
	}
	if (a->cur)
		run_lock(a->cur);
	bool found = v->ops->search(v, a->cur, a->search, dir);
	if (a->cur)
		run_unlock(a->cur);
	if (!found)
		app_status(a, true, "pattern not found: %s", a->search);
}

/* A pane asked the engine to remove a kernel; a refusal goes back to the pane at once. */
static void remove_kernel(struct app *a, struct view *v, const char *key)
{
	char root[4096], err[1024];
	int rc = -ENODEV;
	if (!a->eng)
		snprintf(err, sizeof(err), "the engine could not start, so kernels cannot be removed here; use "
			 "`ktstr kernel rm %s`", key);
	else if (!(rc = engine_cache_root(root, sizeof(root), err, sizeof(err))))
		rc = engine_kernel_remove(a->eng, root, key, err, sizeof(err));
	if (rc && v->ops->kernel_removed)
		v->ops->kernel_removed(v, key, rc, err);
}

/* What a pane's answer asks for, done with no run locked: opening a run may drop the last
 * reference to the one displayed. */
static void act(struct app *a, struct view *v, enum view_rc rc)
{
	switch (rc) {
	case VIEW_IGNORED:
	case VIEW_HANDLED:
		break;  /* the next frame shows it */
	case VIEW_OPEN_RUN:
		app_open_dir(a, v->arg);
		break;
	case VIEW_OPEN_LIVE:
		app_set_run(a, a->live);
		break;
	case VIEW_PICK_KERNEL:
		app_pick_kernel(a, v->arg);
		break;
	case VIEW_REMOVE_KERNEL:
		remove_kernel(a, v, v->arg);
		break;
	case VIEW_BUILD_KERNEL:
	case VIEW_FETCH_KERNEL:
		app_kernel_build(a, rc == VIEW_FETCH_KERNEL);
		break;
	case VIEW_CANCEL_BUILD:
		app_kernel_build_cancel(a);
		break;
	}
}

static enum view_rc pass_to_view(struct app *a, enum req q, int key)
{
	struct view *v = &a->views[a->active];
	if (v->ops->needs_run && !a->cur)
		return VIEW_IGNORED;
	if (a->cur)
		run_lock(a->cur);
	enum view_rc rc = v->ops->handle(v, a->cur, q, key);
	if (a->cur)
		run_unlock(a->cur);
	act(a, v, rc);
	return rc;
}

static void handle_key(struct app *a, int ch)
{
	if (ch == KEY_RESIZE) {
		clearok(curscr, TRUE);
		return;
	}
	if (a->help) {
		a->help = false;
		return;
	}
	a->status[0] = 0;
	struct view *v = &a->views[a->active];
	if (v->modal) {
		pass_to_view(a, REQ_NONE, ch);
		return;
	}
	enum req q = keymap_lookup(v->ops->name, ch);
	char buf[256];
	switch (q) {
	case REQ_NONE:
		return;
	case REQ_QUIT:
		a->quit = true;
		return;
	case REQ_HELP:
		a->help = true;
		return;
	case REQ_NEXT_PANE:
	case REQ_PREV_PANE:
		a->active = (a->active + (q == REQ_NEXT_PANE ? 1 : view_count - 1)) % view_count;
		return;
	case REQ_PANE:
		if (view_of_key(ch) >= 0)  /* the keymap binds one number key per pane */
			a->active = view_of_key(ch);
		return;
	case REQ_CMD:
		if (cmdline_read(":", buf, sizeof(buf)))
			cmdline_exec(a, buf);
		return;
	case REQ_SEARCH:
		if (cmdline_read("/", buf, sizeof(buf))) {
			snprintf(a->search, sizeof(a->search), "%s", buf);
			do_search(a, 1);
		}
		return;
	case REQ_SEARCH_NEXT:
	case REQ_SEARCH_PREV:
		do_search(a, q == REQ_SEARCH_NEXT ? 1 : -1);
		return;
	case REQ_RUN:
		app_start_run(a);
		return;
	case REQ_STOP:
		if (pass_to_view(a, q, ch) != VIEW_IGNORED)
			return;  /* the pane's own thing to stop (the Kernels pane's build) */
		if (live_running(a)) {
			engine_stop(a->eng, a->live);
			app_status(a, false, "stopping the VM...");
		} else {
			app_status(a, true, "no run is going");
		}
		return;
	case REQ_SHELL:
		shell_attach_tui(a);
		return;
	case REQ_REPRO:
		/* From the Runs pane: the selected row (Enter opens it), then that run. */
		if (!strcmp(v->ops->name, "runs"))
			pass_to_view(a, REQ_ENTER, '\n');
		app_repro(a);
		return;
	case REQ_BACK:
		/* The pane closes what it has open; else back to the Runs pane, which still
		 * shows the matrix a cell was opened from. */
		if (pass_to_view(a, q, ch) == VIEW_IGNORED)
			show_pane(a, "runs");
		return;
	default:
		pass_to_view(a, q, ch);
	}
}

/* ---- setup ---- */

static void usage(FILE *f)
{
	fputs("usage: ktstr tui [SCENARIO] [--open RUN_DIR] [--kernel SPEC]\n"
	      "  SCENARIO       scenario file `r` runs (default: 1x1x2x1, eevdf, 3 s, cg0: 2 SpinWait)\n"
	      "  --open RUN_DIR open a finished run (a directory with result.json), or a gauntlet or\n"
	      "                 verifier sweep directory (its matrix)\n"
	      "  --kernel SPEC  kernel for runs started here (path or cache key)\n", f);
}

static int parse_args(struct app *a, int argc, char **argv, const char **open_dir, const char **scn_path,
		      int *bench)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(s, "--bench-frames") && i + 1 < argc) {
			/* Undocumented in usage: the benchmark's entry (tui/bench.c). */
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || n < 1 || n > 1000000) {
				fprintf(stderr, "ktstr: --bench-frames takes a count of frames (1..1000000)\n");
				return 2;
			}
			*bench = (int)n;
		} else if (!strcmp(s, "--open") || !strcmp(s, "--kernel")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ktstr: %s needs a value\n", s);
				usage(stderr);
				return 2;
			}
			if (!strcmp(s, "--open"))
				*open_dir = argv[++i];
			else
				snprintf(a->kernel_spec, sizeof(a->kernel_spec), "%s", argv[++i]);
		} else if (s[0] == '-') {
			fprintf(stderr, "ktstr: unknown option '%s' for tui\n", s);
			usage(stderr);
			return 2;
		} else if (!*scn_path) {
			*scn_path = s;
		} else {
			fprintf(stderr, "ktstr: tui takes one scenario, got '%s' and '%s'\n", *scn_path, s);
			return 2;
		}
	}
	return 0;
}

static void app_free(struct app *a)
{
	for (int i = 0; i < view_count; i++)
		if (a->views[i].ops && a->views[i].ops->done)
			a->views[i].ops->done(&a->views[i]);
	if (a->eng)
		engine_free(a->eng);  /* stops every VM and joins the run threads */
	if (a->cur)
		run_put(a->cur);
	if (a->live)
		run_put(a->live);
	if (a->have_scn)
		scn_free(&a->scn);
	free(a);
}

/* What the engine prints on stderr (apt, pahole provisioning during a kernel build) would
 * garble the screen: while curses owns it, stderr goes to <cache root>/tui-stderr.log
 * (started afresh past 1 MiB). Returns the terminal's stderr to put back, -1 when it was
 * left alone. */
static int stderr_to_log(void)
{
	char root[4096], path[4200], err[256];
	if (engine_cache_root(root, sizeof(root), err, sizeof(err)) || fs_mkdir_p(root, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/tui-stderr.log", root);
	struct stat st;
	bool big = !stat(path, &st) && st.st_size > (1 << 20);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (big ? O_TRUNC : 0), 0644);
	if (fd < 0)
		return -1;
	fflush(stderr);
	int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (saved >= 0 && dup2(fd, STDERR_FILENO) < 0) {
		close(saved);
		saved = -1;
	}
	close(fd);
	return saved;
}

static void stderr_back(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

int tui_main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	struct app *a = calloc(1, sizeof(*a));
	if (!a)
		return 3;
	const char *open_dir = NULL, *scn_path = NULL;
	int bench = 0;
	int rc = parse_args(a, argc, argv, &open_dir, &scn_path, &bench);
	if (rc) {
		free(a);
		return rc == 1 ? 0 : rc;
	}
	if (!bench && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "ktstr: the workstation needs a terminal on stdin and stdout; for scripts "
			"use `ktstr run SCENARIO` (add --json for machines)\n");
		free(a);
		return 2;
	}
	char err[1024] = "";
	if (scn_path) {
		if (scn_load(scn_path, &a->scn, err, sizeof(err))) {
			fprintf(stderr, "ktstr: %s\n", err);
			free(a);
			return 2;
		}
	} else {
		/* Defaults plus one cgroup of two spinners, so `r` runs something checkable. */
		scn_init_default(&a->scn);
		snprintf(a->scn.name, sizeof(a->scn.name), "default");
		a->scn.ncgroups = 1;
		snprintf(a->scn.cgroups[0].name, sizeof(a->scn.cgroups[0].name), "cg0");
		a->scn.cgroups[0].workers = 2;
		a->scn.cgroups[0].work = WORK_SPIN_WAIT;
	}
	a->have_scn = true;
	if (runs_root(a->runs_root, sizeof(a->runs_root), err, sizeof(err)))
		a->runs_root[0] = 0;
	a->ctx.runs_root = a->runs_root;
	snprintf(a->ctx.kernel_pick, sizeof(a->ctx.kernel_pick), "%s", a->kernel_spec);
	for (int i = 0; i < view_count; i++) {
		a->views[i] = (struct view){ .ops = view_all[i], .ctx = &a->ctx, .search = a->search };
		if (view_all[i]->init)
			view_all[i]->init(&a->views[i]);
	}
	if (open_dir && open_sweep(a, open_dir)) {
		open_dir = NULL;
	} else if (open_dir) {
		struct run *r;
		if (report_load_dir(open_dir, &r, err, sizeof(err))) {
			fprintf(stderr, "ktstr: %s\n", err);
			app_free(a);
			return 2;
		}
		app_set_run(a, r);
		run_put(r);
		a->active = best_pane(a->cur);
	}
	if (bench) {
		rc = tui_bench(a, bench, 200, 50);
		app_free(a);
		return rc;
	}
	a->eng = engine_new();
	if (!a->eng)
		app_status(a, true, "the engine could not start; finished runs can still be opened");

	tui_signals_install();
	int saved_stderr = stderr_to_log();
	if (!initscr()) {
		stderr_back(saved_stderr);
		tui_signals_restore();
		app_free(a);
		fprintf(stderr, "ktstr: cannot initialise the terminal (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
		return 3;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	dw_setup();
	if (!a->status[0] && a->cur)
		app_status(a, false, "opened %s  (? for keys)", a->ctx.cur_dir);

	while (!a->quit && !tui_stop_signal) {
		drain_events(a);
		app_draw(a);
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
				       { .fd = a->eng ? engine_event_fd(a->eng) : -1, .events = POLLIN } };
		int n = poll(p, 2, 150);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (p[0].revents & (POLLHUP | POLLERR)) && !(p[0].revents & POLLIN))
			break;  /* the terminal went away */
		int ch;
		while (!a->quit && (ch = getch()) != ERR)
			handle_key(a, ch);
	}
	bool stopping = live_running(a);
	endwin();
	stderr_back(saved_stderr);
	tui_signals_restore();
	if (stopping)
		fprintf(stderr, "ktstr: stopping the running VM...\n");
	int sig = tui_stop_signal;
	app_free(a);
	return sig ? 128 + sig : 0;
}
