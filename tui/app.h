/* TUI internals shared by the tui/ files: the application state, the keymap, the command
 * line, shell attach and signal handling. */
#ifndef KTSTR_TUI_APP_H
#define KTSTR_TUI_APP_H

#include <curses.h>
#include <signal.h>
#include <stdbool.h>
#include "engine/engine.h"
#include "views/view.h"
#include "tui/keymap.h"

struct app {
	struct engine *eng;
	struct run *cur;              /* displayed run (a reference) or NULL */
	struct run *live;             /* the run we started (a reference) or NULL */
	struct scenario scn;          /* the scenario `r` runs */
	bool have_scn;
	char kernel_spec[1024];       /* --kernel; then ctx.kernel_pick is the one used */
	char runs_root[1024];
	struct view views[VIEW_MAX];      /* one per view_all[] entry */
	int active;
	bool help;
	bool quit;
	char search[256];
	char status[512];
	bool status_err;
	struct view_ctx ctx;
};

/* cmdline.c: ':' prompt through readline, history in ~/.cache/ktstr/tui_history. */
/* Reads one line (outside curses); returns false on EOF/empty. */
bool cmdline_read(const char *prompt, char *buf, size_t len);
void cmdline_exec(struct app *a, const char *line);

/* shell.c */
void shell_attach_tui(struct app *a);

/* signals.c */
extern volatile sig_atomic_t tui_stop_signal;
void tui_signals_install(void);
void tui_signals_restore(void);

/* app.c */
void app_status(struct app *a, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int app_start_run(struct app *a);
int app_open_dir(struct app *a, const char *dir);
void app_set_run(struct app *a, struct run *r);   /* takes a reference */
void app_pick_kernel(struct app *a, const char *spec);  /* for the next run */
void app_draw(struct app *a);                     /* one frame of the whole screen */

/* kbuild.c: the Kernels pane's builds. app_kernel_build reads the source directory (or,
 * fetch, the kernel.org version) on the command line and starts the build. */
void app_kernel_build(struct app *a, bool fetch);
void app_kernel_build_cancel(struct app *a);
void app_kernel_build_event(struct app *a, const struct engine_event *ev);

/* bench.c: per-pane frame times on a screen drawn to /dev/null; prints, returns 0. */
int tui_bench(struct app *a, int frames, int cols, int rows);

#endif
