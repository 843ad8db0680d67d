/* The verifier pane side by side: `v` lists the other runs with a verifier log (the cells
 * of this run's sweep first, the same program before others), Enter on one loads its
 * verifier.log and splits the pane: this run left, that one right, each under its kernel,
 * aligned by instruction (engine/verifier_align.c), one cursor for both, rows that differ
 * marked in the middle. `v` again or Esc closes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/verifier_priv.h"

void vside_free(struct vside *s)
{
	verifier_lines_free(s->raw, s->nraw);
	if (s->col)
		verifier_lines_free(s->col, s->ncol);
	free(s->rows);
	int h = s->pos.height;
	memset(s, 0, sizeof(*s));
	s->pos.height = h;
}

static const char *side_line(const struct vside *s, bool expanded, long i)
{
	bool raw = expanded || !s->col;
	if (i < 0 || i >= (long)(raw ? s->nraw : s->ncol))
		return NULL;
	return raw ? s->raw[i] : s->col[i];
}

void vside_sync(struct vpriv *p)
{
	struct vside *s = &p->side;
	if (!s->on || (s->al_valid && s->al_expanded == p->m.expanded && s->al_total == p->m.seen_total))
		return;
	free(s->rows);
	s->rows = NULL;
	s->nrows = 0;
	bool raw = p->m.expanded || !s->col;
	const char **a = malloc((verm_count(&p->m) + 1) * sizeof(*a));
	if (a) {
		for (size_t i = 0; i < verm_count(&p->m); i++)
			a[i] = verm_line(&p->m, i);
		verifier_align(a, verm_count(&p->m), (const char *const *)(raw ? s->raw : s->col), raw ? s->nraw : s->ncol,
			       &s->rows, &s->nrows);
		free(a);
	}
	s->al_valid = true;
	s->al_expanded = p->m.expanded;
	s->al_total = p->m.seen_total;
}

long vside_row_of_left(const struct vpriv *p, long line)
{
	for (size_t i = 0; i < p->side.nrows; i++)
		if (p->side.rows[i].a >= line && p->side.rows[i].a >= 0)
			return (long)i;
	return -1;
}

static void prog_of_run(struct vpriv *p, const struct run *r)
{
	p->prog[0] = 0;
	for (size_t i = 0; r && r->schedlog && i < ring_count(r->schedlog) && !p->prog[0]; i++)
		vcand_prog_of_line(ring_get(r->schedlog, i), p->prog, sizeof(p->prog));
}

static void load_side(struct vpriv *p, const struct vcand *c)
{
	struct vside *s = &p->side;
	char path[1200], err[1400];
	vside_free(s);
	snprintf(path, sizeof(path), "%s/verifier.log", c->dir);
	if (verifier_load_file(path, &s->raw, &s->nraw, err, sizeof(err))) {
		snprintf(p->msg, sizeof(p->msg), "%s", err);
		return;
	}
	if (verifier_collapse((const char *const *)s->raw, s->nraw, &s->col, &s->ncol)) {
		s->col = NULL;
		s->ncol = 0;
	}
	verifier_parse((const char *const *)s->raw, s->nraw, &s->sum);
	snprintf(s->dir, sizeof(s->dir), "%s", c->dir);
	snprintf(s->id, sizeof(s->id), "%s", c->id);
	snprintf(s->kernel, sizeof(s->kernel), "%s", c->kernel[0] ? c->kernel : "?");
	s->on = true;
	vside_sync(p);
	/* Start where the log view was: its line's row. */
	s->pos.cur = vside_row_of_left(p, p->pos.cur);
	s->pos.top = s->pos.cur - s->pos.height / 2;
	listpos_clamp(&s->pos, (long)s->nrows);
}

static enum view_rc open_pick(struct view *v, struct vpriv *p, struct run *r)
{
	free(p->cand);
	p->cand = NULL;
	p->ncand = 0;
	prog_of_run(p, r);
	vcand_scan(v->ctx ? v->ctx->cur_dir : "", v->ctx ? v->ctx->runs_root : "", p->prog, &p->cand, &p->ncand);
	if (!p->ncand) {
		snprintf(p->msg, sizeof(p->msg), "no other run with a verifier log (in this sweep or under %s)",
			 v->ctx && v->ctx->runs_root && *v->ctx->runs_root ? v->ctx->runs_root : "the runs root");
		return VIEW_HANDLED;
	}
	p->cpos = (struct listpos){ 0, 0, p->cpos.height };
	p->mode = VM_PICK;
	return VIEW_HANDLED;
}

enum view_rc vside_key(struct view *v, struct vpriv *p, struct run *r, enum req q)
{
	struct vside *s = &p->side;
	if (p->mode == VM_PICK) {
		switch (q) {
		case REQ_BACK: case REQ_COMPARE:
			p->mode = VM_LOG;
			return VIEW_HANDLED;
		case REQ_ENTER:
			p->mode = VM_LOG;
			if (p->cpos.cur >= 0 && p->cpos.cur < p->ncand)
				load_side(p, &p->cand[p->cpos.cur]);
			return VIEW_HANDLED;
		case REQ_NEXT_INSN: q = REQ_DOWN; break;
		case REQ_PREV_INSN: q = REQ_UP; break;
		default: break;
		}
		listpos_nav(&p->cpos, p->ncand, q);
		return VIEW_HANDLED;
	}
	if (q == REQ_COMPARE) {
		if (s->on) {
			vside_free(s);
			return VIEW_HANDLED;
		}
		return open_pick(v, p, r);
	}
	if (!s->on)
		return VIEW_IGNORED;
	if (q == REQ_BACK) {
		vside_free(s);
		return VIEW_HANDLED;
	}
	vside_sync(p);
	long n = (long)s->nrows;
	if (q == REQ_NEXT_INSN || q == REQ_PREV_INSN) {
		int d = q == REQ_NEXT_INSN ? 1 : -1;
		for (long i = s->pos.cur + d; i >= 0 && i < n; i += d) {
			const char *a = s->rows[i].a >= 0 ? verm_line(&p->m, (size_t)s->rows[i].a) : NULL;
			const char *b = side_line(s, p->m.expanded, s->rows[i].b);
			if ((a && verifier_is_insn(a)) || (b && verifier_is_insn(b))) {
				s->pos.cur = i;
				break;
			}
		}
		listpos_clamp(&s->pos, n);
		return VIEW_HANDLED;
	}
	if (q == REQ_REJECTED) {
		long at = verm_rejected(&p->m);
		if (at >= 0)
			vpane_goto(p, at);
		return VIEW_HANDLED;
	}
	return listpos_nav(&s->pos, n, q) ? VIEW_HANDLED : VIEW_IGNORED;
}

void vside_draw_pick(struct vpriv *p, struct dwin *w, int top, int h)
{
	dw_printf(w, top, 0, DC_HEAD, "Compare with which log? %s%s%s (Enter picks, Esc cancels)",
		  p->prog[0] ? "program " : "", p->prog, p->prog[0] ? ";" : "");
	p->cpos.height = h - 1;
	listpos_clamp(&p->cpos, p->ncand);
	for (int y = 0; y < h - 1 && p->cpos.top + y < p->ncand; y++) {
		long i = p->cpos.top + y;
		const struct vcand *c = &p->cand[i];
		bool sel = i == p->cpos.cur, same = p->prog[0] && !strcmp(c->prog, p->prog);
		if (sel)
			dw_row(w, top + 1 + y, DC_SEL);
		dw_printf(w, top + 1 + y, 0, sel ? DC_SEL : same ? DC_NORMAL : DC_DIM, "  %-8s %-28.28s %-20.20s %s",
			  c->sibling ? "cell" : "run", c->kernel[0] ? c->kernel : "?", c->prog[0] ? c->prog : "?", c->id);
	}
}

static int row_col(const char *s, bool rejected)
{
	if (!s)
		return DC_DIM;
	if (rejected)
		return DC_FAIL;
	if (verm_is_omitted(s))
		return DC_WARN;
	if (s[0] == ';')
		return DC_HEAD;
	return verifier_is_insn(s) ? DC_NORMAL : DC_DIM;
}

void vside_draw(struct view *v, struct vpriv *p, struct dwin *w, struct run *r, int h)
{
	struct vside *s = &p->side;
	vside_sync(p);
	long n = (long)s->nrows, ndiff = 0;
	for (long i = 0; i < n; i++)
		ndiff += s->rows[i].differ;
	int half = (dw_cols(w) - 3) / 2;
	struct dwin L = dw_area(w->y, w->x, h, half), R = dw_area(w->y, w->x + half + 3, h, dw_cols(w) - half - 3);
	dw_printf(w, 0, 0, DC_HEAD, "Verifier side by side  %ld of %ld rows differ  row %ld/%ld%s", ndiff, n,
		  s->pos.cur + 1, n, p->m.expanded ? " (all iterations)" : "");
	char st[128];
	verifier_stats_line(&p->m.sum, st, sizeof(st));
	dw_printf(&L, 1, 0, DC_HEAD, "this run  %s  %s", r && r->kernel_version[0] ? r->kernel_version :
		  r ? r->kernel_key : "?", st);
	verifier_stats_line(&s->sum, st, sizeof(st));
	dw_printf(&R, 1, 0, DC_HEAD, "%s  %s  %s", s->id, s->kernel, st);
	dw_text(&L, 2, 0, DC_FAIL, p->m.sum.rejected[0] ? p->m.sum.rejected : "(no rejection)", 0);
	dw_text(&R, 2, 0, DC_FAIL, s->sum.rejected[0] ? s->sum.rejected : "(no rejection)", 0);
	dw_fill(w, 3, 0, dw_cols(w), DC_DIM, dw_glyph(G_HLINE));
	int top = 4;
	s->pos.height = h - top;
	listpos_clamp(&s->pos, n);
	long rej = verm_rejected(&p->m);
	for (int y = 0; y < s->pos.height && s->pos.top + y < n; y++) {
		long i = s->pos.top + y;
		const struct valign_row *row = &s->rows[i];
		bool sel = i == s->pos.cur;
		const char *a = row->a >= 0 ? verm_line(&p->m, (size_t)row->a) : NULL;
		const char *b = side_line(s, p->m.expanded, row->b);
		if (sel)
			dw_row(w, top + y, DC_SEL);
		const char *mark = !row->differ ? "   " : !a ? " > " : !b ? " < " : " | ";
		dw_text(w, top + y, half, sel ? DC_SEL : DC_WARN, mark, 0);
		if (a)
			dw_text_hl(&L, top + y, 0, sel ? DC_SEL : row_col(a, row->a == rej), a, p->xoff, v->search);
		if (b)
			dw_text_hl(&R, top + y, 0, sel ? DC_SEL : row_col(b, false), b, p->xoff, v->search);
	}
}
