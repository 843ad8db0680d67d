/* The one key table (tig's request table): keymap_lookup dispatches from it and
 * keymap_help draws the `?` overlay from it, so the help can never disagree with the
 * keys. Entries with a scope apply only in those panes and win over global ones, but a
 * key keeps one meaning everywhere (keymap_check; a unit test runs it). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tui/app.h"

#define K(k, r, s, n, h) { k, r, s, n, h }
static const struct keybind fixed[] = {
	K('j', REQ_NEXT_INSN, "verifier", "j", "next instruction"),
	K('k', REQ_PREV_INSN, "verifier", "k", "previous instruction"),
	K('j', REQ_NEXT_INSN, "repro", "j", "next event of the chain"),
	K('k', REQ_PREV_INSN, "repro", "k", "previous event of the chain"),
	K('e', REQ_EXPAND_ALL, "repro", "e", "show/hide every event's fields"),
	K('\n', REQ_ENTER, "repro", "Enter", "show/hide the event's fields"),
	K('!', REQ_REJECTED, "verifier", "!", "jump to the rejected instruction"),
	K('e', REQ_EXPAND_ALL, "verifier", "e", "show/hide omitted loop iterations"),
	K('+', REQ_ZOOM_IN, "timeline", "+", "zoom in"),
	K('=', REQ_ZOOM_IN, "timeline", "=", "zoom in"),
	K('-', REQ_ZOOM_OUT, "timeline", "-", "zoom out"),
	K('w', REQ_ZOOM_FIT, "timeline", "w", "whole run"),
	K('e', REQ_EXPAND_ALL, "schedlog,dump", "e", "expand every fold"),
	K('z', REQ_FOLD_ALL, "schedlog,dump", "z", "fold everything"),
	K('f', REQ_FOLLOW, "schedlog,console", "f", "follow the newest line on/off"),
	K('c', REQ_CHECK, "kernels", "c", "check scx kfuncs in the kernel's BTF"),
	K('d', REQ_DELETE, "kernels", "d", "delete the kernel (asks y/n)"),
	K('b', REQ_BUILD, "kernels", "b", "build a kernel from a source tree (asks for the directory)"),
	K('F', REQ_FETCH, "kernels", "F", "download a kernel.org release and build it (asks which)"),
	K('L', REQ_BUILD_LOG, "kernels", "L", "show/close the kernel's build log"),
	K('x', REQ_STOP, "kernels", "x", "cancel the kernel build (asks y/n); none: stop the VM"),
	K('\n', REQ_ENTER, "runs", "Enter", "open the run in the other panes; a gauntlet/verifier sweep: its matrix, "
	  "then the cell's run"),
	K('v', REQ_COMPARE, "verifier", "v", "side by side with another run's log of this program (a list; v closes)"),
	K('p', REQ_PROVENANCE, "verifier", "p", "register provenance at the rejected insn: pick a register"),
	K('\n', REQ_ENTER, "kernels", "Enter", "use this kernel for the next run"),
	K('\n', REQ_ENTER, "schedlog,dump", "Enter", "expand/collapse the fold"),
	K('\n', REQ_ENTER, "verifier", "Enter", "expand an omitted-iterations line; in a list: pick / jump"),

	K('q', REQ_QUIT, NULL, "q", "quit (stops every VM)"),
	K('?', REQ_HELP, NULL, "?", "this help"),
	K('\t', REQ_NEXT_PANE, NULL, "Tab", "next pane"),
	K(KEY_BTAB, REQ_PREV_PANE, NULL, "S-Tab", "previous pane"),
	K(0, REQ_PANE, NULL, NULL, NULL),  /* build() makes it '1', '2' ... '0': one per pane of view_all */
	K(':', REQ_CMD, NULL, ":", "command: run FILE, kernel KEY, topo NxLxCxT, sched NAME|PATH, open DIR, quit"),
	K('/', REQ_SEARCH, NULL, "/", "search"),
	K('n', REQ_SEARCH_NEXT, NULL, "n", "next match"),
	K('N', REQ_SEARCH_PREV, NULL, "N", "previous match"),
	K('r', REQ_RUN, NULL, "r", "start a run of the current scenario"),
	K('x', REQ_STOP, NULL, "x", "stop the running VM"),
	K('s', REQ_SHELL, NULL, "s", "shell in the running VM (Ctrl-] detaches)"),
	K('R', REQ_REFRESH, NULL, "R", "reload the list"),
	K('a', REQ_REPRO, NULL, "a", "auto-repro: rerun the failed run with BPF probes (Runs: the selected one)"),
	K(KEY_UP, REQ_UP, NULL, "Up", "up"),
	K('k', REQ_UP, NULL, "k", "up"),
	K(KEY_DOWN, REQ_DOWN, NULL, "Down", "down"),
	K('j', REQ_DOWN, NULL, "j", "down"),
	K(KEY_PPAGE, REQ_PGUP, NULL, "PgUp", "page up"),
	K(KEY_NPAGE, REQ_PGDN, NULL, "PgDn", "page down"),
	K(' ', REQ_PGDN, NULL, "Space", "page down"),
	K('g', REQ_TOP, NULL, "g", "first line"),
	K(KEY_HOME, REQ_TOP, NULL, "Home", "first line"),
	K('G', REQ_BOTTOM, NULL, "G", "last line"),
	K(KEY_END, REQ_BOTTOM, NULL, "End", "last line"),
	K(KEY_LEFT, REQ_LEFT, NULL, "Left", "scroll/pan left"),
	K('h', REQ_LEFT, NULL, "h", "scroll/pan left"),
	K(KEY_RIGHT, REQ_RIGHT, NULL, "Right", "scroll/pan right"),
	K('l', REQ_RIGHT, NULL, "l", "scroll/pan right"),
	K(27, REQ_BACK, NULL, "Esc", "back: close the list/panel/side-by-side, else the Runs pane (its matrix)"),
	K('\n', REQ_ENTER, NULL, "Enter", "open / expand"),
	K(KEY_ENTER, REQ_ENTER, NULL, "Enter", "open / expand"),
	K('\r', REQ_ENTER, NULL, "Enter", "open / expand"),
};
#define NFIXED (sizeof(fixed) / sizeof(fixed[0]))

/* The table used: fixed, with the REQ_PANE row expanded into a number key per pane
 * (view_key: '1'..'9', then '0'). The first carries the help ("1-9 0", "panes: 1 runs 2
 * timeline ..."); the others have none, so the help lists the request once. */
static struct keybind keymap[NFIXED + VIEW_MAX];
static size_t nkeys;
static char pane_keys[VIEW_MAX][2], pane_range[8], pane_help[256];

static void build(void)
{
	if (nkeys)
		return;
	if (view_count > 9)
		snprintf(pane_range, sizeof(pane_range), "1-9 0");
	else
		snprintf(pane_range, sizeof(pane_range), "1-%d", view_count);
	int l = snprintf(pane_help, sizeof(pane_help), "panes:");
	for (int i = 0; i < view_count && l < (int)sizeof(pane_help); i++)
		l += snprintf(pane_help + l, sizeof(pane_help) - (size_t)l, " %c %s", view_key(i), view_all[i]->name);
	for (size_t i = 0; i < NFIXED; i++) {
		if (fixed[i].req != REQ_PANE) {
			keymap[nkeys++] = fixed[i];
			continue;
		}
		for (int p = 0; p < view_count; p++) {
			pane_keys[p][0] = (char)view_key(p);
			keymap[nkeys++] = (struct keybind){ view_key(p), REQ_PANE, NULL, p ? pane_keys[p] : pane_range,
							    p ? NULL : pane_help };
		}
	}
}

static bool in_scope(const char *scope, const char *name)
{
	if (!scope)
		return true;
	size_t n = strlen(name);
	for (const char *p = scope; (p = strstr(p, name)); p += n)
		if ((p == scope || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
	return false;
}

static bool pane_has(const char *scope, int key)
{
	for (size_t i = 0; i < nkeys; i++)
		if (keymap[i].scope && keymap[i].key == key && in_scope(keymap[i].scope, scope))
			return true;
	return false;
}

static int one_enter(int key)
{
	return key == '\r' || key == KEY_ENTER ? '\n' : key;
}

enum req keymap_lookup(const char *scope, int key)
{
	build();
	key = one_enter(key);
	for (size_t i = 0; i < nkeys; i++)  /* pane entries first ... */
		if (keymap[i].scope && keymap[i].key == key && in_scope(keymap[i].scope, scope))
			return keymap[i].req;
	for (size_t i = 0; i < nkeys; i++)  /* ... then global ones */
		if (!keymap[i].scope && keymap[i].key == key)
			return keymap[i].req;
	return REQ_NONE;
}

/* One help line per (request, scope): every key bound to it, then what it does. A
 * global key shadowed in this pane is left out. */
static void help_lines(struct dwin *w, const char *scope, bool pane, int *y, int *x, int colw)
{
	for (size_t i = 0; i < nkeys; i++) {
		const struct keybind *k = &keymap[i];
		if (!k->help)
			continue;
		if (pane ? !(k->scope && in_scope(k->scope, scope)) : k->scope != NULL)
			continue;
		if (!pane && (keymap_lookup(scope, k->key) != k->req || pane_has(scope, k->key)))
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = keymap[j].req == k->req && keymap[j].scope == k->scope &&
			       (pane || keymap_lookup(scope, keymap[j].key) == keymap[j].req);
		if (seen)
			continue;
		char keys[48] = "";
		for (size_t j = i; j < nkeys; j++) {
			if (keymap[j].req != k->req || keymap[j].scope != k->scope || !keymap[j].help)
				continue;
			if (!pane && keymap_lookup(scope, keymap[j].key) != k->req)
				continue;
			if (strstr(keys, keymap[j].keyname))
				continue;
			size_t l = strlen(keys);
			snprintf(keys + l, sizeof(keys) - l, "%s%s", l ? " " : "", keymap[j].keyname);
		}
		if (*y >= dw_rows(w)) {  /* next column */
			*y = 2;
			*x += colw;
		}
		dw_text(w, *y, *x, DC_HEAD, keys, 0);
		dw_text(w, *y, *x + 12, DC_NORMAL, k->help, 0);
		(*y)++;
	}
}

void keymap_help(struct dwin *w, const char *scope)
{
	build();
	for (int y = 0; y < dw_rows(w); y++)
		dw_row(w, y, DC_NORMAL);
	dw_printf(w, 0, 0, DC_TITLE, " Keys (%s pane) - any key closes ", scope);
	int y = 2, x = 1, colw = dw_cols(w) / 2;
	dw_text(w, 1, 1, DC_DIM, "this pane:", 0);
	help_lines(w, scope, true, &y, &x, colw);
	help_lines(w, scope, false, &y, &x, colw);
}

/* A pane's own form of a global motion keeps the key's meaning: in the verifier, j is
 * still "down", one instruction at a time rather than one line. */
static enum req meaning(enum req q)
{
	switch (q) {
	case REQ_NEXT_INSN:
		return REQ_DOWN;
	case REQ_PREV_INSN:
		return REQ_UP;
	default:
		return q;
	}
}

int keymap_check_table(const struct keybind *t, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const struct keybind *a = &t[i], *b = &t[j];
			if (one_enter(a->key) != one_enter(b->key) || meaning(a->req) == meaning(b->req))
				continue;
			snprintf(err, errlen, "key %s means \"%s\" (%s) and \"%s\" (%s); one meaning per key: "
				 "bind one of them to a key that is free in every pane", a->keyname,
				 a->help ? a->help : "?", a->scope ? a->scope : "every pane",
				 b->help ? b->help : "?", b->scope ? b->scope : "every pane");
			return -EINVAL;
		}
	return 0;
}

int keymap_check(char *err, size_t errlen)
{
	build();
	return keymap_check_table(keymap, nkeys, err, errlen);
}
