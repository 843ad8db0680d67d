/* A scrollable, searchable, foldable log pane over a ring: the common body of the
 * scheduler log, dump and console panes. Only the visible rows are drawn. */
#ifndef KTSTR_LOGPANE_H
#define KTSTR_LOGPANE_H

#include "views/model.h"
#include "views/view.h"

struct logpane {
	struct logm m;
	struct listpos pos;
	int xoff;
	bool follow;               /* keep the cursor on the newest line */
	const char *label;
	const char *empty;         /* shown when the ring is empty */
};

void logpane_init(struct logpane *p, enum logm_kind kind, const char *label, const char *empty);
void logpane_done(struct logpane *p);
void logpane_reset(struct logpane *p);
void logpane_draw(struct logpane *p, struct view *v, struct dwin *w, const struct ring *r);
enum view_rc logpane_handle(struct logpane *p, const struct ring *r, enum req q);
bool logpane_search(struct logpane *p, const struct ring *r, const char *pat, int dir);

/* A log pane is its view_ops plus what tells it apart from the others: which ring of the
 * run it shows and how. ops comes first, so the generic callbacks below recover the spec
 * from view->ops. */
struct logpane_ops {
	struct view_ops ops;
	enum logm_kind kind;
	const char *label, *empty;
	struct ring *(*ring)(struct run *r);
};
void logpane_view_init(struct view *v);
void logpane_view_done(struct view *v);
void logpane_view_reset(struct view *v);
void logpane_view_draw(struct view *v, struct dwin *w, struct run *r);
enum view_rc logpane_view_handle(struct view *v, struct run *r, enum req q, int key);
bool logpane_view_search(struct view *v, struct run *r, const char *pat, int dir);
#define LOGPANE_CALLBACKS .init = logpane_view_init, .done = logpane_view_done, \
	.reset = logpane_view_reset, .draw = logpane_view_draw, .handle = logpane_view_handle, \
	.search = logpane_view_search

extern const struct logpane_ops view_schedlog, view_dump, view_console;

#endif
