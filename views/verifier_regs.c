/* The verifier pane's register provenance: `p` lists the registers at the rejected
 * instruction (the one the error names first), Enter on one walks the log back to the
 * instruction that gave it its type (engine/verifier_prov.c) and a panel under the log shows
 * the chain; up/down walk it, Enter jumps the log there, Esc closes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/verifier_priv.h"

#define PANEL_MAX 10

/* Opens the register list: the log switches to every iteration (the chain's lines are
 * real ones, not a folded loop's first copy). */
static enum view_rc open_regs(struct vpriv *p)
{
	if (!p->m.expanded)
		p->pos.cur = verm_toggle(&p->m, p->pos.cur);
	long at = verm_rejected(&p->m);
	if (at < 0) {
		snprintf(p->msg, sizeof(p->msg), "no rejected instruction in this log: provenance starts there");
		return VIEW_HANDLED;
	}
	p->err_reg = verifier_error_reg(p->m.sum.rejected);
	int used[11], nu = verifier_insn_regs(verm_line(&p->m, (size_t)at), used, 11);
	p->nregs = 0;
	if (p->err_reg >= 0)
		p->regs[p->nregs++] = p->err_reg;
	for (int pass = 0; pass < 2; pass++)  /* the instruction's registers, then the rest */
		for (int i = 0; i < (pass ? 11 : nu); i++) {
			int r = pass ? i : used[i];
			bool seen = false;
			for (int k = 0; k < p->nregs; k++)
				seen |= p->regs[k] == r;
			if (!seen)
				p->regs[p->nregs++] = r;
		}
	for (int i = 0; i < p->nregs; i++) {
		struct vprov t;
		verifier_provenance((const char *const *)p->m.raw, p->m.nraw, (size_t)at, p->regs[i], &t);
		snprintf(p->reg_type[i], sizeof(p->reg_type[i]), "%s", t.type_at[0] ? t.type_at : "?");
	}
	p->rpos = (struct listpos){ 0, 0, p->rpos.height };
	p->mode = VM_REGS;
	return VIEW_HANDLED;
}

static void jump_step(struct vpriv *p)
{
	if (p->psel >= 0 && p->psel < p->prov.n && p->prov.step[p->psel].line >= 0)
		vpane_goto(p, p->prov.step[p->psel].line);
}

enum view_rc vregs_key(struct vpriv *p, enum req q)
{
	if (q == REQ_PROVENANCE)
		return open_regs(p);
	if (p->mode == VM_REGS) {
		switch (q) {
		case REQ_BACK:
			p->mode = VM_LOG;
			return VIEW_HANDLED;
		case REQ_ENTER: {
			long at = verm_rejected(&p->m);
			if (at < 0 || !p->m.expanded) {
				p->mode = VM_LOG;
				return VIEW_HANDLED;
			}
			verifier_provenance((const char *const *)p->m.raw, p->m.nraw, (size_t)at,
					    p->regs[p->rpos.cur], &p->prov);
			p->mode = VM_LOG;
			p->prov_on = true;
			p->psel = 0;
			jump_step(p);
			return VIEW_HANDLED;
		}
		case REQ_NEXT_INSN: q = REQ_DOWN; break;
		case REQ_PREV_INSN: q = REQ_UP; break;
		default: break;
		}
		listpos_nav(&p->rpos, p->nregs, q);
		return VIEW_HANDLED;  /* the list has the keys while it is open */
	}
	if (!p->prov_on)
		return VIEW_IGNORED;
	switch (q) {
	case REQ_BACK:
		p->prov_on = false;
		return VIEW_HANDLED;
	case REQ_UP: case REQ_PREV_INSN:
		p->psel = p->psel > 0 ? p->psel - 1 : 0;
		break;
	case REQ_DOWN: case REQ_NEXT_INSN:
		p->psel = p->psel + 1 < p->prov.n ? p->psel + 1 : p->psel;
		break;
	case REQ_ENTER:
		break;
	default:
		return VIEW_IGNORED;
	}
	jump_step(p);
	return VIEW_HANDLED;
}

int vregs_height(const struct vpriv *p)
{
	if (p->mode == VM_REGS)
		return p->nregs + 2;
	if (p->prov_on)
		return (p->prov.n + 2 > PANEL_MAX ? PANEL_MAX : p->prov.n + 2);
	return 0;
}

void vregs_draw(struct vpriv *p, struct dwin *w, int top, int h)
{
	dw_fill(w, top, 0, dw_cols(w), DC_DIM, dw_glyph(G_HLINE));
	if (p->mode == VM_REGS) {
		dw_printf(w, top, 2, DC_HEAD, " Provenance at insn %ld: which register? (Enter picks, Esc cancels) ",
			  verm_rejected(&p->m) >= 0 ? strtol(verm_line(&p->m, (size_t)verm_rejected(&p->m)), NULL, 10) : -1L);
		p->rpos.height = h - 1;
		listpos_clamp(&p->rpos, p->nregs);
		for (int y = 0; y < h - 1 && p->rpos.top + y < p->nregs; y++) {
			int i = (int)p->rpos.top + y;
			bool sel = i == p->rpos.cur;
			if (sel)
				dw_row(w, top + 1 + y, DC_SEL);
			dw_printf(w, top + 1 + y, 2, sel ? DC_SEL : DC_NORMAL, "R%-3d %-60.60s %s", p->regs[i], p->reg_type[i],
				  p->regs[i] == p->err_reg ? "(the error names it)" : "");
		}
		return;
	}
	const struct vprov *v = &p->prov;
	dw_printf(w, top, 2, DC_HEAD, " Why R%d? ", v->reg);
	dw_text(w, top + 1, 0, DC_WARN, v->answer, 0);
	int rows = h - 2;
	int first = p->psel >= rows ? p->psel - rows + 1 : 0;
	for (int y = 0; y < rows && first + y < v->n; y++) {
		int i = first + y;
		const struct vprov_step *s = &v->step[i];
		bool sel = i == p->psel;
		if (sel)
			dw_row(w, top + 2 + y, DC_SEL);
		char times[16] = "", ins[24] = "-";
		if (s->times > 1)
			snprintf(times, sizeof(times), " (x%d)", s->times);
		if (s->insn >= 0)
			snprintf(ins, sizeof(ins), "%ld:", s->insn);
		dw_printf(w, top + 2 + y, 0, sel ? DC_SEL : i == v->n - 1 ? DC_FAIL : DC_NORMAL,
			  "%s %6s %-7s R%-2d %-34.34s %-30.30s %s%s", sel ? ">" : " ", ins,
			  verifier_prov_kind_name(s->kind), s->reg, s->text, s->type, s->why, times);
	}
}
