/* Pane 5: the BPF verifier log. Summary on top (stats, headline, rejected instruction and
 * its source line), then the log with identical loop iterations collapsed; j/k step by
 * instruction, ! jumps to the rejected one, Enter/e shows the omitted iterations; v puts
 * another run's log beside it (verifier_side.c), p answers where a register's type came
 * from (verifier_regs.c). */
#include <stdlib.h>
#include <string.h>

#include "views/verifier_priv.h"

static void init(struct view *v)
{
	struct vpriv *p = calloc(1, sizeof(*p));
	if (p)
		verm_init(&p->m);
	v->priv = p;
}

static void done(struct view *v)
{
	struct vpriv *p = v->priv;
	if (p) {
		verm_done(&p->m);
		vside_free(&p->side);
		free(p->cand);
	}
	free(p);
	v->priv = NULL;
}

static void reset(struct view *v)
{
	struct vpriv *p = v->priv;
	if (!p)
		return;
	verm_done(&p->m);
	verm_init(&p->m);
	p->pos = (struct listpos){ 0, 0, p->pos.height };
	p->jumped = false;
	vside_free(&p->side);
	free(p->cand);
	p->cand = NULL;
	p->ncand = 0;
	p->mode = VM_LOG;
	p->prov_on = false;
	p->msg[0] = 0;
}

void vpane_goto(struct vpriv *p, long line)
{
	if (!p->m.expanded)  /* provenance lines count every iteration */
		verm_toggle(&p->m, p->pos.cur);
	p->pos.cur = line;
	p->pos.top = line - p->pos.height / 2;
	listpos_clamp(&p->pos, (long)verm_count(&p->m));
	if (p->side.on) {
		vside_sync(p);
		p->side.pos.cur = vside_row_of_left(p, line);
		p->side.pos.top = p->side.pos.cur - p->side.pos.height / 2;
		listpos_clamp(&p->side.pos, (long)p->side.nrows);
	}
}

static int line_col(const struct verm *m, const char *s, bool rejected)
{
	if (rejected)
		return DC_FAIL;
	if (verm_is_omitted(s))
		return DC_WARN;
	if (s[0] == ';')
		return DC_HEAD;
	if (m->sum.rejected[0] && strstr(s, m->sum.rejected))
		return DC_FAIL;
	return verifier_is_insn(s) ? DC_NORMAL : DC_DIM;
}

static void draw(struct view *v, struct dwin *w, struct run *r)
{
	struct vpriv *p = v->priv;
	if (!p)
		return;
	verm_sync(&p->m, r ? r->verifier : NULL);
	long n = (long)verm_count(&p->m);
	if (!n) {
		dw_text(w, 0, 0, DC_HEAD, "Verifier", 0);
		dw_text(w, 2, 2, DC_DIM, "No verifier log: the scheduler's BPF programs loaded, or no sched_ext "
			"scheduler ran.", 0);
		return;
	}
	const struct verifier_summary *s = &p->m.sum;
	char stats[128] = "";
	verifier_stats_line(s, stats, sizeof(stats));
	int x = dw_text(w, 0, 0, DC_HEAD, "Verifier  ", 0);
	x = dw_text(w, 0, x, DC_NORMAL, stats, 0);
	int stats_end = x;
	dw_text(w, 1, 0, DC_FAIL, s->headline[0] ? s->headline : "(no headline)", 0);
	x = dw_text(w, 2, 0, DC_HEAD, "rejected: ", 0);
	x = dw_text(w, 2, x, DC_FAIL, s->rejected_insn[0] ? s->rejected_insn : "-", 0);
	if (s->rejected[0]) {
		x = dw_text(w, 2, x, DC_DIM, "  ", 0);
		dw_text(w, 2, x, DC_FAIL, s->rejected, 0);
	}
	x = dw_text(w, 3, 0, DC_HEAD, "source:   ", 0);
	dw_text(w, 3, x, DC_NORMAL, s->source[0] ? s->source : "-", 0);
	int ph = vregs_height(p), bottom = dw_rows(w) - ph - (p->msg[0] ? 1 : 0);
	if (p->msg[0])
		dw_text(w, dw_rows(w) - 1, 0, DC_WARN, p->msg, 0);
	if (ph)
		vregs_draw(p, w, bottom, ph);
	if (p->side.on && p->mode != VM_PICK) {
		for (int y = 0; y < 5; y++)
			dw_row(w, y, DC_NORMAL);
		vside_draw(v, p, w, r, bottom);
		return;
	}
	dw_fill(w, 4, 0, dw_cols(w), DC_DIM, dw_glyph(G_HLINE));
	int top = 5;
	if (p->mode == VM_PICK) {
		vside_draw_pick(p, w, top, bottom - top);
		return;
	}
	p->pos.height = bottom - top;
	long rej = verm_rejected(&p->m);
	if (!p->jumped && rej >= 0) {  /* open on the rejection: that is what one looks for */
		p->pos.cur = rej;
		p->pos.top = rej - p->pos.height / 2;
		p->jumped = true;
	}
	listpos_clamp(&p->pos, n);
	dw_printf(w, 0, stats_end + 2, DC_DIM, "line %ld/%ld%s", p->pos.cur + 1, n, p->m.expanded ? " (all iterations)" : "");
	for (int y = 0; y < p->pos.height; y++) {
		long i = p->pos.top + y;
		if (i >= n)
			break;
		const char *line = verm_line(&p->m, (size_t)i);
		bool sel = i == p->pos.cur;
		if (sel)
			dw_row(w, top + y, DC_SEL);
		int cx = 0;
		if (i == rej)
			cx = dw_text(w, top + y, 0, sel ? DC_SEL : DC_FAIL, "> ", 0);
		else
			cx = 2;
		dw_text_hl(w, top + y, cx, sel ? DC_SEL : line_col(&p->m, line, i == rej), line, p->xoff, v->search);
	}
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	struct vpriv *p = v->priv;
	(void)key;
	if (!p)
		return VIEW_IGNORED;
	p->msg[0] = 0;
	enum view_rc rc = VIEW_IGNORED;
	if (p->mode == VM_PICK)
		return vside_key(v, p, r, q);
	if (p->mode == VM_REGS || q == REQ_PROVENANCE || p->prov_on)
		rc = vregs_key(p, q);
	if (rc == VIEW_IGNORED && (q == REQ_COMPARE || p->side.on))
		rc = vside_key(v, p, r, q);
	if (rc != VIEW_IGNORED)
		return rc;
	long n = (long)verm_count(&p->m), at;
	switch (q) {
	case REQ_NEXT_INSN:
	case REQ_PREV_INSN:
		at = verm_step(&p->m, p->pos.cur, q == REQ_NEXT_INSN ? 1 : -1);
		if (at < 0)
			return VIEW_HANDLED;
		p->pos.cur = at;
		break;
	case REQ_REJECTED:
		at = verm_rejected(&p->m);
		if (at < 0)
			return VIEW_HANDLED;
		p->pos.cur = at;
		p->pos.top = at - p->pos.height / 2;
		break;
	case REQ_ENTER:
		if (!verm_is_omitted(verm_line(&p->m, (size_t)(p->pos.cur < 0 ? 0 : p->pos.cur))) && !p->m.expanded)
			return VIEW_IGNORED;
		/* fall through */
	case REQ_EXPAND_ALL:
		p->pos.cur = verm_toggle(&p->m, p->pos.cur);
		p->pos.top = p->pos.cur - p->pos.height / 2;
		n = (long)verm_count(&p->m);
		break;
	default:
		return hscroll_nav(&p->xoff, q) || listpos_nav(&p->pos, n, q) ? VIEW_HANDLED : VIEW_IGNORED;
	}
	listpos_clamp(&p->pos, n);
	return VIEW_HANDLED;
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	struct vpriv *p = v->priv;
	if (!p || !r)
		return false;
	verm_sync(&p->m, r->verifier);
	long n = (long)verm_count(&p->m);
	for (long k = 1; k <= n; k++) {
		long i = ((p->pos.cur + (dir < 0 ? -k : k)) % n + n) % n;
		if (strcasestr(verm_line(&p->m, (size_t)i), pat)) {
			p->pos.cur = i;
			p->pos.top = i - p->pos.height / 2;
			listpos_clamp(&p->pos, n);
			if (p->side.on) {  /* side by side: this log's match, on its row */
				vside_sync(p);
				p->side.pos.cur = vside_row_of_left(p, i);
				p->side.pos.top = p->side.pos.cur - p->side.pos.height / 2;
				listpos_clamp(&p->side.pos, (long)p->side.nrows);
			}
			return true;
		}
	}
	return false;
}

static const char *hint(struct view *v)
{
	(void)v;
	return "j/k insn  ! rejected  e iterations  v side by side  p provenance";
}

/* A rejected BPF program is the run's cause, whatever else failed after it. */
static enum view_fit explains(const struct run *r)
{
	return r->verifier && ring_count(r->verifier) ? FIT_CAUSE : FIT_NONE;
}

const struct view_ops view_verifier = {
	.name = "verifier", .title = "Verifier", .needs_run = true,
	.init = init, .done = done, .reset = reset, .draw = draw, .handle = handle,
	.search = search, .hint = hint, .explains = explains,
};
