/* Log pane body shared by schedlog, dump and console: sync the model (incremental), draw
 * the visible window, fold/unfold, follow the tail, horizontal scroll, search. */
#include <stdio.h>

#include <stdlib.h>

#include "views/logpane.h"

void logpane_init(struct logpane *p, enum logm_kind kind, const char *label, const char *empty)
{
	logm_init(&p->m, kind, 8);
	p->pos = (struct listpos){ 0, 0, 1 };
	p->xoff = 0;
	p->follow = kind != LOGM_SECTIONS;
	p->label = label;
	p->empty = empty;
}

void logpane_done(struct logpane *p)
{
	logm_done(&p->m);
}

void logpane_reset(struct logpane *p)
{
	logm_reset(&p->m);
	p->pos = (struct listpos){ 0, 0, p->pos.height };
	p->xoff = 0;
	p->follow = p->m.kind != LOGM_SECTIONS;
}

static void sync(struct logpane *p, const struct ring *r)
{
	size_t lost = logm_sync(&p->m, r);
	long n = (long)logm_rows(&p->m);
	if (lost && !p->follow) {  /* keep the same lines in view when old ones drop off */
		p->pos.cur -= (long)lost;
		p->pos.top -= (long)lost;
	}
	if (p->follow)
		p->pos.cur = n - 1;
	listpos_clamp(&p->pos, n);
}

void logpane_draw(struct logpane *p, struct view *v, struct dwin *w, const struct ring *r)
{
	sync(p, r);
	long n = (long)logm_rows(&p->m);
	p->pos.height = dw_rows(w) - 1;
	listpos_clamp(&p->pos, n);
	int x = dw_printf(w, 0, 0, DC_HEAD, "%s", p->label);
	x = dw_printf(w, 0, x + 2, DC_DIM, "row %ld/%ld", n ? p->pos.cur + 1 : 0, n);
	if (r && ring_total(r) > ring_count(r))
		x = dw_printf(w, 0, x, DC_DIM, "  (%llu oldest dropped)",
			      (unsigned long long)(ring_total(r) - ring_count(r)));
	if (p->follow)
		x = dw_text(w, 0, x + 2, DC_DIM, "[follow]", 0);
	if (p->xoff)
		dw_printf(w, 0, x + 2, DC_DIM, "[col %d]", p->xoff);
	if (!n) {
		dw_text(w, 2, 2, DC_DIM, p->empty, 0);
		return;
	}
	for (int y = 0; y < p->pos.height; y++) {
		long row = p->pos.top + y;
		struct logm_row lr;
		if (row >= n || !logm_row(&p->m, r, (size_t)row, &lr))
			break;
		bool sel = row == p->pos.cur;
		int base = sel ? DC_SEL : DC_NORMAL;
		if (sel)
			dw_row(w, y + 1, DC_SEL);
		char head[160];
		switch (lr.kind) {
		case LR_CYCLE_HEAD:
			snprintf(head, sizeof(head), "%s %zu line%s repeated %zu times%s",
				 dw_glyph(lr.open ? G_OPEN : G_CLOSED), lr.len, lr.len == 1 ? "" : "s",
				 lr.repeat, lr.open ? "" : " (Enter expands)");
			dw_text(w, y + 1, 0, sel ? DC_SEL : DC_HEAD, head, 0);
			break;
		case LR_SECTION_HEAD: {
			int cx = dw_text(w, y + 1, 0, sel ? DC_SEL : DC_HEAD,
					 dw_glyph(lr.len <= 1 ? G_DOT : lr.open ? G_OPEN : G_CLOSED), 0);
			cx = dw_text_hl(w, y + 1, cx + 1, sel ? DC_SEL : DC_HEAD, lr.text, p->xoff, v->search);
			if (!lr.open && lr.len > 1)
				dw_printf(w, y + 1, cx + 1, DC_DIM, "(+%zu lines)", lr.len - 1);
			break;
		}
		default: {
			bool in_fold = lr.repeat > 1 || p->m.kind == LOGM_SECTIONS;
			int indent = in_fold && !(p->m.kind == LOGM_SECTIONS && lr.group == 0 && !p->m.g[0].head) ? 2 : 0;
			if (indent)
				dw_text(w, y + 1, 0, sel ? DC_SEL : DC_DIM, dw_glyph(G_VLINE), 0);
			dw_text_hl(w, y + 1, indent, base, lr.text, p->xoff, v->search);
		}
		}
	}
}

enum view_rc logpane_handle(struct logpane *p, const struct ring *r, enum req q)
{
	long n = (long)logm_rows(&p->m);
	switch (q) {
	case REQ_ENTER: {
		size_t row = (size_t)(p->pos.cur < 0 ? 0 : p->pos.cur);
		if (!logm_toggle(&p->m, &row))
			return VIEW_IGNORED;
		p->pos.cur = (long)row;
		p->follow = false;
		listpos_clamp(&p->pos, (long)logm_rows(&p->m));
		return VIEW_HANDLED;
	}
	case REQ_EXPAND_ALL:
	case REQ_FOLD_ALL:
		logm_set_all(&p->m, q == REQ_EXPAND_ALL);
		p->follow = false;
		listpos_clamp(&p->pos, (long)logm_rows(&p->m));
		return VIEW_HANDLED;
	case REQ_FOLLOW:
		p->follow = !p->follow;
		return VIEW_HANDLED;
	default:
		break;
	}
	(void)r;
	if (hscroll_nav(&p->xoff, q))
		return VIEW_HANDLED;
	if (!listpos_nav(&p->pos, n, q))
		return VIEW_IGNORED;
	p->follow = q == REQ_BOTTOM || (q != REQ_TOP && p->pos.cur == n - 1 && p->m.kind != LOGM_SECTIONS);
	return VIEW_HANDLED;
}

bool logpane_search(struct logpane *p, const struct ring *r, const char *pat, int dir)
{
	sync(p, r);
	long row = logm_search(&p->m, r, (size_t)(p->pos.cur < 0 ? 0 : p->pos.cur), pat, dir);
	if (row < 0)
		return false;
	p->pos.cur = row;
	p->follow = false;
	p->pos.top = row - p->pos.height / 2;
	listpos_clamp(&p->pos, (long)logm_rows(&p->m));
	return true;
}

static const struct logpane_ops *spec(const struct view *v)
{
	return (const struct logpane_ops *)v->ops;
}

void logpane_view_init(struct view *v)
{
	struct logpane *p = calloc(1, sizeof(*p));
	if (p)
		logpane_init(p, spec(v)->kind, spec(v)->label, spec(v)->empty);
	v->priv = p;
}

void logpane_view_done(struct view *v)
{
	if (v->priv)
		logpane_done(v->priv);
	free(v->priv);
	v->priv = NULL;
}

void logpane_view_reset(struct view *v)
{
	if (v->priv)
		logpane_reset(v->priv);
}

void logpane_view_draw(struct view *v, struct dwin *w, struct run *r)
{
	if (v->priv)
		logpane_draw(v->priv, v, w, r ? spec(v)->ring(r) : NULL);
}

enum view_rc logpane_view_handle(struct view *v, struct run *r, enum req q, int key)
{
	(void)key;
	return v->priv ? logpane_handle(v->priv, r ? spec(v)->ring(r) : NULL, q) : VIEW_IGNORED;
}

bool logpane_view_search(struct view *v, struct run *r, const char *pat, int dir)
{
	return v->priv && r && logpane_search(v->priv, spec(v)->ring(r), pat, dir);
}
