/* Pane 7: the kernel console (ttyS0), searchable, following the tail. */
#include <stdlib.h>

#include "views/logpane.h"

static void init(struct view *v)
{
	struct logpane *p = calloc(1, sizeof(*p));
	if (p)
		logpane_init(p, LOGM_PLAIN, "Kernel console", "No console output yet.");
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
		logpane_draw(v->priv, v, w, r ? r->console : NULL);
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	(void)key;
	return v->priv ? logpane_handle(v->priv, r ? r->console : NULL, q) : VIEW_IGNORED;
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	return v->priv && r && logpane_search(v->priv, r->console, pat, dir);
}

const struct view_ops view_console = {
	.name = "console", .title = "Console", .key = '7', .needs_run = true,
	.init = init, .done = done, .reset = reset, .draw = draw, .handle = handle, .search = search,
};
