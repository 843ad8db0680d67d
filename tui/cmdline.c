/* The `:` command line: GNU readline on the terminal's bottom line with curses suspended
 * (def_prog_mode/endwin ... reset_prog_mode), history in <cache root>/tui_history; and
 * the commands it runs: run FILE, kernel KEY, topo NxLxCxT, sched NAME|PATH, open DIR,
 * quit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "engine/kernels.h"
#include "tui/app.h"

#define HISTORY_MAX 500

static bool history_path(char *buf, size_t len)
{
	char root[4096], err[256];
	if (engine_cache_root(root, sizeof(root), err, sizeof(err)))
		return false;
	mkdir(root, 0755);
	snprintf(buf, len, "%s/tui_history", root);
	return true;
}

bool cmdline_read(const char *prompt, char *buf, size_t len)
{
	static bool loaded;
	char hist[4200];
	bool have_hist = history_path(hist, sizeof(hist));
	if (!loaded && have_hist) {
		using_history();
		read_history(hist);
		loaded = true;
	}
	def_prog_mode();
	endwin();
	/* Bottom line of the normal screen, cleared, so the prompt sits where curses' status
	 * line was. Readline must leave our signal handlers alone. */
	printf("\033[%d;1H\033[K", LINES > 0 ? LINES : 24);
	fflush(stdout);
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	char *line = readline(prompt);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (!line)
		return false;
	char *s = line;
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = 0;
	bool got = n > 0;
	if (got) {
		snprintf(buf, len, "%s", s);
		HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
		if (!last || strcmp(last->line, s)) {
			add_history(s);
			if (have_hist) {
				if (access(hist, F_OK))
					write_history(hist);
				else
					append_history(1, hist);
				history_truncate_file(hist, HISTORY_MAX);
			}
		}
	}
	free(line);
	return got;
}

static void set_sched(struct scenario *s, const char *spec)
{
	if (!strcmp(spec, "eevdf"))
		s->sched.kind = SCHED_EEVDF;
	else
		s->sched.kind = strchr(spec, '/') ? SCHED_PATH : SCHED_NAME;
	snprintf(s->sched.spec, sizeof(s->sched.spec), "%s", spec);
}

void cmdline_exec(struct app *a, const char *line)
{
	char verb[32] = "", arg[4096] = "";
	const char *sp = strchr(line, ' ');
	snprintf(verb, sizeof(verb), "%.*s", sp ? (int)(sp - line) : (int)strlen(line), line);
	if (sp) {
		while (*sp == ' ')
			sp++;
		snprintf(arg, sizeof(arg), "%s", sp);
	}
	char err[1024] = "";
	bool need_arg = !strcmp(verb, "kernel") || !strcmp(verb, "topo") || !strcmp(verb, "sched") ||
			!strcmp(verb, "open");
	if (need_arg && !arg[0]) {
		app_status(a, true, "%s needs an argument (e.g. `:%s %s`)", verb,
			   verb, !strcmp(verb, "topo") ? "1x1x2x1" : !strcmp(verb, "sched") ? "eevdf" :
			   !strcmp(verb, "kernel") ? "KEY" : "DIR");
		return;
	}
	if (!strcmp(verb, "quit") || !strcmp(verb, "q")) {
		a->quit = true;
	} else if (!strcmp(verb, "help")) {
		a->help = true;
	} else if (!strcmp(verb, "run")) {
		if (arg[0]) {
			struct scenario s;
			if (scn_load(arg, &s, err, sizeof(err))) {
				app_status(a, true, "%s", err);
				return;
			}
			if (a->have_scn)
				scn_free(&a->scn);
			a->scn = s;
			a->have_scn = true;
		}
		app_start_run(a);
	} else if (!strcmp(verb, "kernel")) {
		app_pick_kernel(a, arg);
	} else if (!strcmp(verb, "topo")) {
		struct vm_topology t;
		if (scn_topo_parse(arg, &t, err, sizeof(err))) {
			app_status(a, true, "%s", err);
			return;
		}
		struct vm_topology old = a->scn.topo;
		a->scn.topo = t;
		if (scn_validate(&a->scn, err, sizeof(err))) {
			a->scn.topo = old;
			app_status(a, true, "%s", err);
			return;
		}
		char lab[32];
		scn_topo_label(&t, lab, sizeof(lab));
		app_status(a, false, "topology for the next run: %s (%d CPUs)", lab, scn_topo_cpus(&t));
	} else if (!strcmp(verb, "sched")) {
		set_sched(&a->scn, arg);
		app_status(a, false, "scheduler for the next run: %s", arg);
	} else if (!strcmp(verb, "open")) {
		app_open_dir(a, arg);
	} else {
		app_status(a, true, "unknown command '%s'; commands: run [FILE], kernel KEY, topo NxLxCxT, "
			   "sched NAME|PATH, open RUN_DIR, quit", verb);
	}
}
