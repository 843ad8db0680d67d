/* The Runs pane's matrix: a sweep's cells by row (scenario x profile x kernel, or kernel x
 * profile for a verifier sweep) and column (topology preset), each its verdict and wall
 * time; Enter opens the cell's run directory like any run, Esc goes back to the list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/runs_matrix.h"

#define MX_CELL_W 13
#define MX_DETAIL 4            /* rows under the matrix: the selected cell */

void mx_open(struct runs_mx *x, const char *dir)
{
	mx_close(x);
	matm_load(dir, &x->m);  /* an error stays in x->m.err and is what the pane shows */
	snprintf(x->m.dir, sizeof(x->m.dir), "%s", dir);
	x->on = true;
	x->row = x->col = x->toprow = x->leftcol = 0;
	x->msg[0] = 0;
}

void mx_close(struct runs_mx *x)
{
	x->m.err[0] = 0;
	matm_free(&x->m);
	x->m.err[0] = 0;
	x->on = false;
}

static int status_col(const char *st)
{
	return !strcmp(st, "pass") ? DC_OK : !strcmp(st, "fail") || !strcmp(st, "error") ? DC_FAIL :
	       !strcmp(st, "skip") ? DC_DIM : DC_WARN;
}

static void clamp(struct runs_mx *x, int vis_rows, int vis_cols)
{
	const struct matm *m = &x->m;
	x->row = x->row >= m->nrows ? m->nrows - 1 : x->row < 0 ? 0 : x->row;
	x->col = x->col >= m->ncols ? m->ncols - 1 : x->col < 0 ? 0 : x->col;
	if (vis_rows < 1)
		vis_rows = 1;
	if (vis_cols < 1)
		vis_cols = 1;
	if (x->toprow > x->row)
		x->toprow = x->row;
	if (x->row >= x->toprow + vis_rows)
		x->toprow = x->row - vis_rows + 1;
	if (x->leftcol > x->col)
		x->leftcol = x->col;
	if (x->col >= x->leftcol + vis_cols)
		x->leftcol = x->col - vis_cols + 1;
}

void mx_draw(struct runs_mx *x, struct dwin *w, const struct view_ctx *ctx)
{
	const struct matm *m = &x->m;
	const char *what = m->kind == RUNS_VERIFIER ? "Verifier sweep" : "Gauntlet";
	int cx = dw_text(w, 0, 0, DC_HEAD, what, 0);
	dw_text(w, 0, cx + 2, DC_NORMAL, m->dir, 0);
	if (m->err[0] || !m->ncells) {
		dw_text(w, 2, 2, DC_FAIL, m->err[0] ? m->err : "no cells in this sweep", 0);
		dw_text(w, 4, 2, DC_DIM, "Esc goes back to the runs list.", 0);
		return;
	}
	char line[256];
	int l = snprintf(line, sizeof(line), "%d cells: %d pass  %d fail  %d error  %d skip", m->ncells, m->npass,
			 m->nfail, m->nerror, m->nskip);
	if (m->wall_s >= 0)
		l += snprintf(line + l, sizeof(line) - (size_t)l, "   wall %.1fs", m->wall_s);
	if (m->shard[0])
		l += snprintf(line + l, sizeof(line) - (size_t)l, "   shard %s", m->shard);
	if (m->nleft_out)
		snprintf(line + l, sizeof(line) - (size_t)l, "   %d left out", m->nleft_out);
	dw_text(w, 1, 0, m->nfail || m->nerror ? DC_FAIL : DC_OK, line, 0);
	int lw = 8;
	for (int i = 0; i < m->nrows; i++)
		lw = (int)strlen(m->rows[i]) > lw ? (int)strlen(m->rows[i]) : lw;
	lw = lw > 40 ? 40 : lw;
	int vis_rows = dw_rows(w) - 3 - MX_DETAIL, vis_cols = (dw_cols(w) - lw - 2) / MX_CELL_W;
	clamp(x, vis_rows, vis_cols);
	dw_printf(w, 2, 0, DC_HEAD, "%-*s", lw + 2, m->kind == RUNS_VERIFIER ? "kernel" : "scenario");
	for (int c = x->leftcol; c < m->ncols && c < x->leftcol + vis_cols; c++)
		dw_printf(w, 2, lw + 2 + (c - x->leftcol) * MX_CELL_W, DC_HEAD, "%-*.*s", MX_CELL_W - 1, MX_CELL_W - 1,
			  m->cols[c]);
	for (int y = 0; y < vis_rows && x->toprow + y < m->nrows; y++) {
		int row = x->toprow + y;
		dw_printf(w, 3 + y, 0, row == x->row ? DC_HEAD : DC_NORMAL, "%-*.*s", lw, lw, m->rows[row]);
		for (int c = x->leftcol; c < m->ncols && c < x->leftcol + vis_cols; c++) {
			int i = matm_at(m, row, c), xx = lw + 2 + (c - x->leftcol) * MX_CELL_W;
			bool sel = row == x->row && c == x->col;
			if (i < 0) {
				dw_text(w, 3 + y, xx, sel ? DC_SEL : DC_DIM, sel ? "  -         " : "  -", 0);
				continue;
			}
			const struct matm_cell *e = &m->cells[i];
			char wall[16] = "";
			if (e->wall_s >= 0 && strcmp(e->status, "skip"))
				snprintf(wall, sizeof(wall), "%.1fs", e->wall_s);
			bool open = ctx && e->dir[0] && !strcmp(ctx->cur_dir, e->dir);
			dw_printf(w, 3 + y, xx, sel ? DC_SEL : status_col(e->status), "%s%-5s%6s ", open ? "*" : " ",
				  e->status, wall);
		}
	}
	int dy = dw_rows(w) - MX_DETAIL;
	int i = matm_at(m, x->row, x->col);
	dw_fill(w, dy, 0, dw_cols(w), DC_DIM, dw_glyph(G_HLINE));
	if (i >= 0) {
		const struct matm_cell *e = &m->cells[i];
		cx = dw_text(w, dy + 1, 0, DC_HEAD, "cell ", 0);
		cx = dw_text(w, dy + 1, cx, DC_NORMAL, e->name[0] ? e->name : "(unnamed)", 0);
		dw_printf(w, dy + 1, cx + 2, status_col(e->status), "%s%s%s", e->status, e->reason[0] ? ": " : "", e->reason);
		dw_printf(w, dy + 2, 0, DC_DIM, "dir  %s", e->dir[0] ? e->dir : "(none: the cell never ran)");
	}
	dw_text(w, dy + 3, 0, x->msg[0] ? DC_FAIL : DC_DIM, x->msg[0] ? x->msg :
		"arrows move  Enter opens the cell's run (all panes)  Esc back to the list  R reload", 0);
}

enum view_rc mx_handle(struct runs_mx *x, struct view *v, enum req q)
{
	const struct matm *m = &x->m;
	x->msg[0] = 0;
	switch (q) {
	case REQ_BACK:
		mx_close(x);
		return VIEW_HANDLED;
	case REQ_REFRESH: {
		char dir[1024];
		snprintf(dir, sizeof(dir), "%s", m->dir);
		int row = x->row, col = x->col;
		mx_open(x, dir);
		x->row = row;
		x->col = col;
		return VIEW_HANDLED;
	}
	case REQ_UP: x->row--; break;
	case REQ_DOWN: x->row++; break;
	case REQ_LEFT: x->col--; break;
	case REQ_RIGHT: x->col++; break;
	case REQ_PGUP: x->row -= 10; break;
	case REQ_PGDN: x->row += 10; break;
	case REQ_TOP: x->row = 0; break;
	case REQ_BOTTOM: x->row = m->nrows - 1; break;
	case REQ_ENTER: {
		int i = matm_at(m, x->row, x->col);
		if (i < 0) {
			snprintf(x->msg, sizeof(x->msg), "no cell here");
			return VIEW_HANDLED;
		}
		if (!m->cells[i].dir[0]) {
			snprintf(x->msg, sizeof(x->msg), "%s has no run directory (%s%s%s)", m->cells[i].name,
				 m->cells[i].status, m->cells[i].reason[0] ? ": " : "", m->cells[i].reason);
			return VIEW_HANDLED;
		}
		snprintf(v->arg, sizeof(v->arg), "%s", m->cells[i].dir);
		return VIEW_OPEN_RUN;
	}
	default:
		return VIEW_IGNORED;
	}
	clamp(x, 1 << 20, 1 << 20);
	return VIEW_HANDLED;
}

bool mx_search(struct runs_mx *x, const char *pat, int dir)
{
	const struct matm *m = &x->m;
	int n = m->nrows * m->ncols, at = x->row * m->ncols + x->col;
	if (n <= 0 || !m->grid)
		return false;
	for (int k = 1; k <= n; k++) {
		int j = ((at + (dir < 0 ? -k : k)) % n + n) % n, i = m->grid[j];
		if (i >= 0 && (strcasestr(m->cells[i].name, pat) || strcasestr(m->cells[i].status, pat))) {
			x->row = j / m->ncols;
			x->col = j % m->ncols;
			return true;
		}
	}
	return false;
}
