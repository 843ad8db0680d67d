/* The Runs pane's matrix mode: a gauntlet or verifier sweep directory, one cell per run. */
#ifndef KTSTR_VIEWS_RUNS_MATRIX_H
#define KTSTR_VIEWS_RUNS_MATRIX_H

#include "views/model.h"
#include "views/view.h"

struct runs_mx {
	struct matm m;
	bool on;
	int row, col, toprow, leftcol;
	unsigned gen;              /* the view_ctx.sweep_gen shown */
	char msg[512];             /* the last thing Enter could not do */
};

void mx_open(struct runs_mx *x, const char *dir);
void mx_close(struct runs_mx *x);
void mx_draw(struct runs_mx *x, struct dwin *w, const struct view_ctx *ctx);
enum view_rc mx_handle(struct runs_mx *x, struct view *v, enum req q);
bool mx_search(struct runs_mx *x, const char *pat, int dir);

#endif
