/* Pane 4: the scheduler's log, repeated blocks folded (collapse_cycles); Enter expands a block. */
#include <stdlib.h>

#include "views/logpane.h"

static void init(struct view *v)
{
	struct logpane *p = calloc(1, sizeof(*p));
	if (p)
		logpane_init(p, LOGM_CYCLES, "Scheduler log", "No scheduler output (EEVDF runs have none; a sched_ext scheduler's stdout/stderr lands here).");
	v->priv = p;
}

static void done(struct view *v)
{
	if (v->priv)
		logpane_done(v->priv);
	free(v->priv);
	v->priv = NULL;
}

static void reset(struct view *v)
{
	if (v->priv)
		logpane_reset(v->priv);
}

static void draw(struct view *v, struct dwin *w, struct run *r)
{
	if (v->priv)
		logpane_draw(v->priv, v, w, r ? r->schedlog : NULL);
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	(void)key;
	return v->priv ? logpane_handle(v->priv, r ? r->schedlog : NULL, q) : VIEW_IGNORED;
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	return v->priv && r && logpane_search(v->priv, r->schedlog, pat, dir);
}

const struct view_ops view_schedlog = {
	.name = "schedlog", .title = "Sched log", .key = '4', .needs_run = true,
	.init = init, .done = done, .reset = reset, .draw = draw, .handle = handle, .search = search,
};
