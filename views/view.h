/* The pane interface (htop's Panel, tig's view_ops): every pane in views/ is a struct
 * view_ops plus its private state. The app only dispatches: it maps keys to requests
 * through one keymap table (tui/keymap.c), calls draw/handle/search with the run locked
 * and acts on what handle answers. */
#ifndef KTSTR_VIEW_H
#define KTSTR_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include "engine/run.h"
#include "tui/draw.h"

/* What a pane's handle answers (htop's HANDLED / IGNORED / BREAK_LOOP): the app acts on
 * it once the run is unlocked. The frame after a key is drawn anyway, so "handled" is also
 * "redraw". Past VIEW_HANDLED the answer is a request, its argument in view.arg. */
enum view_rc {
	VIEW_IGNORED,                     /* not this pane's key */
	VIEW_HANDLED,                     /* the pane changed itself */
	VIEW_OPEN_RUN,                    /* show the finished run in the directory arg */
	VIEW_OPEN_LIVE,                   /* show the running run */
	VIEW_PICK_KERNEL,                 /* arg (spec or cache key) runs the next run */
	VIEW_REMOVE_KERNEL,               /* remove the cache entry arg; view_ops.kernel_removed
					   * tells how it ended */
	VIEW_BUILD_KERNEL,                /* ask for a source directory and build it; the
					   * build's events go to view_ops.kernel_build */
	VIEW_FETCH_KERNEL,                /* ask for a kernel.org version, download and build it */
	VIEW_CANCEL_BUILD,                /* stop the running kernel build */
};

/* Requests (tig's REQ_*): the keymap turns keys into these. */
enum req {
	REQ_NONE,
	/* global; REQ_PANE is a number key, '1' for the first pane of view_all */
	REQ_QUIT, REQ_HELP, REQ_NEXT_PANE, REQ_PREV_PANE, REQ_PANE, REQ_CMD, REQ_SEARCH,
	REQ_SEARCH_NEXT, REQ_SEARCH_PREV, REQ_RUN, REQ_STOP, REQ_SHELL, REQ_REFRESH, REQ_REPRO,
	/* navigation, every pane */
	REQ_UP, REQ_DOWN, REQ_PGUP, REQ_PGDN, REQ_TOP, REQ_BOTTOM, REQ_LEFT, REQ_RIGHT, REQ_ENTER,
	/* pane-specific */
	REQ_ZOOM_IN, REQ_ZOOM_OUT, REQ_ZOOM_FIT, REQ_NEXT_INSN, REQ_PREV_INSN, REQ_REJECTED,
	REQ_EXPAND_ALL, REQ_FOLD_ALL, REQ_CHECK, REQ_DELETE, REQ_FOLLOW, REQ_BUILD, REQ_FETCH,
	REQ_BUILD_LOG, REQ_COMPARE, REQ_PROVENANCE,
	/* back: a pane closes its list, panel or matrix; else the app shows the Runs pane */
	REQ_BACK,
	REQ__COUNT
};

/* How well a pane explains a run: a run opens on the pane that fits it best (the first in
 * tab order on a tie). */
enum view_fit { FIT_NONE, FIT_ANY, FIT_FAILURE, FIT_CAUSE };

struct view;
struct engine_event;

/* What the app shows panes of its own state; panes only read it. */
struct view_ctx {
	const char *runs_root;            /* "" when unknown */
	char kernel_pick[1024];           /* kernel for the next run: spec or key ("" default) */
	char next_run[256];               /* "scenario X  kernel K  topo T  sched S" */
	char live_line[256];              /* the running run's one-line state, "" none */
	char cur_dir[1024];               /* the displayed run's directory */
	char sweep_open[1024];            /* a sweep directory opened with --open / :open ... */
	unsigned sweep_gen;               /* ... bumped each time: the Runs pane shows its matrix */
};

struct view_ops {
	const char *name;                 /* "runs", "timeline" ... (keymap scope) */
	const char *title;                /* tab label */
	bool needs_run;                   /* draw only with a run (else a hint) */
	void (*init)(struct view *v);
	void (*done)(struct view *v);
	void (*reset)(struct view *v);    /* the displayed run changed */
	/* r may be NULL when needs_run is false; the caller holds r's lock. */
	void (*draw)(struct view *v, struct dwin *w, struct run *r);
	/* key is the raw key for panes in a modal state (y/n); r locked as for draw. */
	enum view_rc (*handle)(struct view *v, struct run *r, enum req q, int key);
	/* How well this pane explains r (locked); NULL: FIT_NONE. */
	enum view_fit (*explains)(const struct run *r);
	/* Moves to the next (dir 1) / previous (-1) match of pat; false when none. */
	bool (*search)(struct view *v, struct run *r, const char *pat, int dir);
	/* One line of pane-specific hints for the status bar, or NULL. */
	const char *(*hint)(struct view *v);
	/* A VIEW_REMOVE_KERNEL request ended, or could not start: rc 0 (removed) or -errno, msg
	 * says which. No run lock. */
	void (*kernel_removed)(struct view *v, const char *key, int rc, const char *msg);
	/* A kernel build (VIEW_BUILD_KERNEL, VIEW_FETCH_KERNEL) goes on: an EV_KERNEL_BUILD
	 * (engine/engine.h), rc 1 with progress or a status line, then its end (rc 0 or
	 * -errno). When the build starts, the app sends a status line of its own ("building
	 * WHAT") first; a build that could not start gets only the end. No run lock. */
	void (*kernel_build)(struct view *v, const struct engine_event *ev);
};

struct view {
	const struct view_ops *ops;
	const struct view_ctx *ctx;
	void *priv;
	bool modal;                       /* wants raw keys (a y/n question is open) */
	const char *search;               /* the app's current search pattern, for highlighting */
	char arg[1024];                   /* a request's argument (enum view_rc) */
};

/* Shared cursor/scroll arithmetic for list panes. */
struct listpos { long cur, top; int height; };
void listpos_clamp(struct listpos *p, long n);
/* Applies a navigation request; returns true when it was one. */
bool listpos_nav(struct listpos *p, long n, enum req q);
/* Horizontal scroll by 8 columns for Left/Right; returns true when q was one of them. */
bool hscroll_nav(int *xoff, enum req q);

/* Every pane, in tab order (views/panes.c): a pane's number key is its place, '1' first
 * and '0' the tenth, as on the keyboard's row. Tabs, number keys, the help's pane list and
 * the pane a run opens on come from here. */
#define VIEW_MAX 10                       /* number keys 1-9, 0 */
extern const struct view_ops *const view_all[];
extern const int view_count;
int view_key(int pane);                   /* '1'..'9', '0'; 0 past VIEW_MAX */
int view_of_key(int key);                 /* the pane of a number key; -1 none */

extern const struct view_ops view_runs, view_timeline, view_spread, view_verifier, view_kernels,
	view_repro, view_monitor;
/* The three log panes (schedlog, dump, console) are declared in views/logpane.h. */

#endif
