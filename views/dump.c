/* Pane 6: the sched_ext dump, folded by CPU and task header lines; Enter opens a section. */
#include <stdlib.h>

#include "views/logpane.h"

static void init(struct view *v)
{
	struct logpane *p = calloc(1, sizeof(*p));
	if (p)
		logpane_init(p, LOGM_SECTIONS, "sched_ext dump", "No sched_ext dump (one arrives when a scheduler errors or stalls; SysRq-D asks for one).");
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
		logpane_draw(v->priv, v, w, r ? r->dump : NULL);
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	(void)key;
	return v->priv ? logpane_handle(v->priv, r ? r->dump : NULL, q) : VIEW_IGNORED;
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	return v->priv && r && logpane_search(v->priv, r->dump, pat, dir);
}

const struct view_ops view_dump = {
	.name = "dump", .title = "Dump", .key = '6', .needs_run = true,
	.init = init, .done = done, .reset = reset, .draw = draw, .handle = handle, .search = search,
};
