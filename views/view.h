/* The pane interface (htop's Panel, tig's view_ops): every pane in views/ is a struct
 * view_ops plus its private state. The app only dispatches: it maps keys to requests
 * through one keymap table (tui/keymap.c) and calls draw/handle/search with the run
 * locked. */
#ifndef KTSTR_VIEW_H
#define KTSTR_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include "engine/run.h"
#include "tui/draw.h"

enum view_rc { VIEW_IGNORED, VIEW_HANDLED, VIEW_REDRAW, VIEW_BREAK };

/* Requests (tig's REQ_*): the keymap turns keys into these. */
enum req {
	REQ_NONE,
	/* global */
	REQ_QUIT, REQ_HELP, REQ_NEXT_PANE, REQ_PREV_PANE, REQ_PANE1, REQ_PANE2, REQ_PANE3,
	REQ_PANE4, REQ_PANE5, REQ_PANE6, REQ_PANE7, REQ_PANE8, REQ_CMD, REQ_SEARCH,
	REQ_SEARCH_NEXT, REQ_SEARCH_PREV, REQ_RUN, REQ_STOP, REQ_SHELL, REQ_REFRESH,
	/* navigation, every pane */
	REQ_UP, REQ_DOWN, REQ_PGUP, REQ_PGDN, REQ_TOP, REQ_BOTTOM, REQ_LEFT, REQ_RIGHT, REQ_ENTER,
	/* pane-specific */
	REQ_ZOOM_IN, REQ_ZOOM_OUT, REQ_ZOOM_FIT, REQ_NEXT_INSN, REQ_PREV_INSN, REQ_REJECTED,
	REQ_EXPAND_ALL, REQ_FOLD_ALL, REQ_CHECK, REQ_DELETE, REQ_FOLLOW,
	REQ__COUNT
};

struct view;

/* What a pane may ask of the application (no curses, no engine internals). */
struct tui_ctx {
	struct run *live;                 /* the running run, or NULL */
	const char *runs_root;            /* "" when unknown */
	char kernel_pick[1024];           /* kernel for the next run: spec or key ("" default) */
	char next_run[256];               /* "scenario X  kernel K  topo T  sched S" */
	char live_line[256];              /* the running run's one-line state, "" none */
	char cur_dir[1024];               /* the displayed run's directory */
	/* dir NULL: show the live run. */
	void (*open_run)(struct tui_ctx *c, const char *dir);
	void (*status)(struct tui_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	/* Starts removing the kernel cache entry key under root off the UI thread (a run
	 * using it holds its lock); 0 or -errno with err filled. The end comes back through
	 * view_ops.kernel_removed. */
	int (*remove_kernel)(struct tui_ctx *c, const char *root, const char *key, char *err, size_t errlen);
};

struct view_ops {
	const char *name;                 /* "runs", "timeline" ... (keymap scope) */
	const char *title;                /* tab label */
	int key;                          /* '1'..'8' */
	bool needs_run;                   /* draw only with a run (else a hint) */
	void (*init)(struct view *v);
	void (*done)(struct view *v);
	void (*reset)(struct view *v);    /* the displayed run changed */
	/* r may be NULL when needs_run is false; the caller holds r's lock. */
	void (*draw)(struct view *v, struct dwin *w, struct run *r);
	/* key is the raw key for panes in a modal state (y/n); r locked as for draw. */
	enum view_rc (*handle)(struct view *v, struct run *r, enum req q, int key);
	/* Moves to the next (dir 1) / previous (-1) match of pat; false when none. */
	bool (*search)(struct view *v, struct run *r, const char *pat, int dir);
	/* One line of pane-specific hints for the status bar, or NULL. */
	const char *(*hint)(struct view *v);
	/* A remove_kernel request ended: rc 0 (removed) or -errno, msg says which. No run lock. */
	void (*kernel_removed)(struct view *v, const char *key, int rc, const char *msg);
};

struct view {
	const struct view_ops *ops;
	struct tui_ctx *ctx;
	void *priv;
	bool modal;                       /* wants raw keys (a y/n question is open) */
	const char *search;               /* the app's current search pattern, for highlighting */
};

/* Shared cursor/scroll arithmetic for list panes. */
struct listpos { long cur, top; int height; };
void listpos_clamp(struct listpos *p, long n);
/* Applies a navigation request; returns true when it was one. */
bool listpos_nav(struct listpos *p, long n, enum req q);

extern const struct view_ops view_runs, view_timeline, view_spread, view_verifier, view_kernels;
/* The three log panes (schedlog, dump, console) are declared in views/logpane.h. */

#endif
