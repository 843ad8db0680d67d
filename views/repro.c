/* Pane 9: auto-repro (docs/auto-repro.md). While the repro VM runs, its progress (booting,
 * probes attached, waiting for the exit, the trigger fired); then the stitched chain, one
 * row per event (time from the exit, function, kind, task, CPU, key fields). j/k step from
 * event to event as in the verifier pane, Enter expands one event's fields, e all of them.
 * Reads run->repro (engine/repro/chain.h) under the run's lock; post-mortem the same
 * object comes from result.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/view.h"

#define HEAD_ROWS 5

struct rpriv {
	struct listpos pos;   /* over display rows */
	long sel;             /* the selected event */
	bool *open;           /* per event: fields shown */
	int nopen;
	bool all;
	int xoff;
};

static void init(struct view *v)
{
	v->priv = calloc(1, sizeof(struct rpriv));
}

static void done(struct view *v)
{
	struct rpriv *p = v->priv;
	if (p)
		free(p->open);
	free(p);
	v->priv = NULL;
}

static void reset(struct view *v)
{
	struct rpriv *p = v->priv;
	if (!p)
		return;
	free(p->open);
	*p = (struct rpriv){ .pos.height = p->pos.height };
}

/* Keeps one open flag per event (the chain grows only from nothing to final). */
static void sync_open(struct rpriv *p, int n)
{
	if (n == p->nopen)
		return;
	bool *o = calloc((size_t)(n > 0 ? n : 1), sizeof(*o));
	if (!o)
		return;
	free(p->open);
	p->open = o;
	p->nopen = n;
	for (int i = 0; i < n; i++)
		o[i] = p->all;
}

static int event_rows(const struct rpriv *p, const struct repro_event *e, int i)
{
	return 1 + (i < p->nopen && p->open[i] ? e->nfields + 1 : 0);
}

/* The display row where event i starts. */
static long row_of(const struct rpriv *p, const struct repro_result *r, long i)
{
	long row = 0;
	for (long k = 0; k < i && k < r->nevents; k++)
		row += event_rows(p, &r->ev[k], (int)k);
	return row;
}

static void draw_progress(struct dwin *w, int y, const struct repro_result *r)
{
	static const enum repro_state steps[] = { REPRO_BOOTING, REPRO_ATTACHED, REPRO_WAITING, REPRO_FIRED };
	int x = 0;
	for (int i = 0; i < 4; i++) {
		char lab[64];
		if (steps[i] == REPRO_ATTACHED)
			snprintf(lab, sizeof(lab), "%d. probes attached: %d", i + 1, r->probes_attached);
		else
			snprintf(lab, sizeof(lab), "%d. %s", i + 1, repro_state_name(steps[i]));
		int col = r->state == steps[i] ? DC_SEL : r->state > steps[i] ? DC_OK : DC_DIM;
		x = dw_text(w, y, x, col, lab, 0);
		if (i < 3)
			x = dw_text(w, y, x, DC_DIM, "  >  ", 0);
	}
}

static void draw_head(struct dwin *w, const struct repro_result *r)
{
	int x = dw_text(w, 0, 0, DC_HEAD, "Auto-repro  ", 0);
	x = dw_text(w, 0, x, r->state == REPRO_FAILED || r->state == REPRO_SKIPPED ? DC_FAIL : DC_NORMAL,
		    repro_state_name(r->state), 0);
	if (r->trigger[0])
		x = dw_printf(w, 0, x, DC_DIM, "  trigger %s", r->trigger);
	if (r->state >= REPRO_DONE)
		dw_printf(w, 0, x, DC_DIM, "  probes %d  events %llu sent/%llu seen, %llu dropped  VM %.1fs",
			  r->probes_attached, (unsigned long long)r->events_sent,
			  (unsigned long long)r->events_seen, (unsigned long long)r->events_dropped,
			  (double)r->duration_ms / 1000.0);
	if (r->state < REPRO_DONE)
		draw_progress(w, 1, r);
	else if (r->state == REPRO_SKIPPED || r->state == REPRO_FAILED)
		dw_text(w, 1, 0, DC_FAIL, r->reason, 0);
	else
		dw_printf(w, 1, 0, r->fired ? DC_FAIL : DC_WARN, "exit: %s%s%s", r->exit_kind[0] ? r->exit_kind : "-",
			  r->exit_msg[0] ? ": " : "", r->exit_msg);
	if (r->state == REPRO_DONE) {
		x = 0;
		if (r->task_pid >= 0)
			x = dw_printf(w, 2, 0, DC_NORMAL, "task %s[%d]  ", r->task_comm, r->task_pid);
		dw_text(w, 2, x, r->reproduced ? DC_OK : DC_WARN, r->reproduced ? "reproduced" :
			"did not reproduce in the repro VM", 0);
	}
	if (!r->primary_reached_workload && r->state >= REPRO_DONE)
		dw_printf(w, 3, 0, DC_WARN, "PRIMARY DID NOT REACH WORKLOAD \u2014 auto-repro is not load-bearing (%s)",
			  r->primary_reason);
	dw_fill(w, HEAD_ROWS - 1, 0, dw_cols(w), DC_DIM, dw_glyph(G_HLINE));
}

/* "name=value" or "name=entry→exit", the first three fields. */
static void key_fields(const struct repro_event *e, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = 0;
	for (int i = 0; i < e->nfields && i < 3 && at < len; i++) {
		const struct repro_field *f = &e->f[i];
		int n = f->exit[0] ? snprintf(buf + at, len - at, "%s%s=%s\u2192%s", i ? "  " : "", f->name, f->value, f->exit)
				   : snprintf(buf + at, len - at, "%s%s=%s", i ? "  " : "", f->name, f->value);
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

static void draw(struct view *v, struct dwin *w, struct run *r)
{
	struct rpriv *p = v->priv;
	if (!p || !r)
		return;
	const struct repro_result *rr = r->repro;
	if (!rr) {
		dw_text(w, 0, 0, DC_HEAD, "Auto-repro", 0);
		bool can = r->scn.sched.kind != SCHED_EEVDF && (r->result == RESULT_FAIL || r->result == RESULT_ERROR);
		dw_text(w, 2, 2, DC_DIM, can ? "No auto-repro for this run; press a to rerun it in a second VM with "
			"BPF probes on the crash path." : "Auto-repro needs a failed run with a scheduler; this run has "
			"nothing to reproduce.", 0);
		return;
	}
	draw_head(w, rr);
	sync_open(p, rr->nevents);
	if (!rr->nevents) {
		if (rr->state == REPRO_DONE)
			dw_text(w, HEAD_ROWS, 2, DC_DIM, rr->fired ? "The trigger fired but no event of the task was "
				"captured (see the report's --- auto-repro --- section)." : rr->reproduced ?
				"No probe data: the failure reproduced but the trigger did not fire." :
				"No probe data: the failure did not reproduce in the repro VM.", 0);
		return;
	}
	p->pos.height = dw_rows(w) - HEAD_ROWS;
	if (p->sel >= rr->nevents)
		p->sel = rr->nevents - 1;
	long total = row_of(p, rr, rr->nevents);
	p->pos.cur = row_of(p, rr, p->sel);
	listpos_clamp(&p->pos, total);
	long row = 0;
	char line[1024], keyf[600];
	for (long i = 0; i < rr->nevents && row < p->pos.top + p->pos.height; i++) {
		const struct repro_event *e = &rr->ev[i];
		bool sel = i == p->sel;
		int y = (int)(row - p->pos.top) + HEAD_ROWS;
		if (row >= p->pos.top) {
			key_fields(e, keyf, sizeof(keyf));
			snprintf(line, sizeof(line), "%s %+10.3fms  %-24s %-7s %s[%d] cpu%-3d %s",
				 p->open[i] ? dw_glyph(G_OPEN) : dw_glyph(G_CLOSED), (double)e->ts_ns / 1e6, e->func,
				 e->kind, e->comm, e->pid, e->cpu, keyf);
			if (sel)
				dw_row(w, y, DC_SEL);
			dw_text_hl(w, y, 0, sel ? DC_SEL : !strcmp(e->kind, "trigger") ? DC_FAIL : DC_NORMAL, line,
				   p->xoff, v->search);
		}
		row++;
		if (!p->open[i])
			continue;
		for (int f = -1; f < e->nfields; f++, row++) {
			if (row < p->pos.top || row >= p->pos.top + p->pos.height)
				continue;
			y = (int)(row - p->pos.top) + HEAD_ROWS;
			if (f < 0)
				snprintf(line, sizeof(line), "      at %s", e->loc[0] ? e->loc : "-");
			else if (e->f[f].exit[0])
				snprintf(line, sizeof(line), "      %-20s %s \u2192 %s", e->f[f].name, e->f[f].value, e->f[f].exit);
			else
				snprintf(line, sizeof(line), "      %-20s %s", e->f[f].name, e->f[f].value);
			dw_text_hl(w, y, 0, f < 0 ? DC_DIM : DC_NORMAL, line, p->xoff, v->search);
		}
	}
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	struct rpriv *p = v->priv;
	(void)key;
	if (!p || !r || !r->repro || !r->repro->nevents)
		return VIEW_IGNORED;
	long n = r->repro->nevents;
	sync_open(p, (int)n);
	int h = p->pos.height > 1 ? p->pos.height : 2;
	switch (q) {
	case REQ_NEXT_INSN: case REQ_DOWN: p->sel++; break;
	case REQ_PREV_INSN: case REQ_UP: p->sel--; break;
	case REQ_PGDN: p->sel += h / 2; break;
	case REQ_PGUP: p->sel -= h / 2; break;
	case REQ_TOP: p->sel = 0; break;
	case REQ_BOTTOM: p->sel = n - 1; break;
	case REQ_ENTER:
		if (p->sel >= 0 && p->sel < n)
			p->open[p->sel] = !p->open[p->sel];
		break;
	case REQ_EXPAND_ALL:
		p->all = !p->all;
		for (long i = 0; i < n; i++)
			p->open[i] = p->all;
		break;
	default:
		return hscroll_nav(&p->xoff, q) ? VIEW_HANDLED : VIEW_IGNORED;
	}
	if (p->sel >= n)
		p->sel = n - 1;
	if (p->sel < 0)
		p->sel = 0;
	return VIEW_HANDLED;
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	struct rpriv *p = v->priv;
	if (!p || !r || !r->repro || !r->repro->nevents)
		return false;
	long n = r->repro->nevents;
	for (long k = 1; k <= n; k++) {
		long i = ((p->sel + (dir < 0 ? -k : k)) % n + n) % n;
		const struct repro_event *e = &r->repro->ev[i];
		bool hit = strcasestr(e->func, pat) || strcasestr(e->comm, pat);
		for (int f = 0; f < e->nfields && !hit; f++)
			hit = strcasestr(e->f[f].name, pat) || strcasestr(e->f[f].value, pat) ||
			      strcasestr(e->f[f].exit, pat);
		if (hit) {
			p->sel = i;
			return true;
		}
	}
	return false;
}

static const char *hint(struct view *v)
{
	(void)v;
	return "j/k event  Enter fields  e all fields  a rerun with probes";
}

/* A chain of events is the cause of a scheduler failure, as far as ktstr can show it. */
static enum view_fit explains(const struct run *r)
{
	return r->repro && r->repro->nevents ? FIT_CAUSE : FIT_NONE;
}

const struct view_ops view_repro = {
	.name = "repro", .title = "Repro", .needs_run = true,
	.init = init, .done = done, .reset = reset, .draw = draw, .handle = handle,
	.search = search, .hint = hint, .explains = explains,
};
