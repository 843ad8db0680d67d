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

#endif
