/* The one key table (tig's request table): it drives dispatch and the `?` help, and
 * keymap_check holds it to one meaning per key across every pane. */
#ifndef KTSTR_TUI_KEYMAP_H
#define KTSTR_TUI_KEYMAP_H

#include <stddef.h>
#include "views/view.h"

struct keybind {
	int key;
	enum req req;
	const char *scope;        /* NULL: every pane; else "name,name" */
	const char *keyname;
	const char *help;
};

enum req keymap_lookup(const char *scope, int key);
void keymap_help(struct dwin *w, const char *scope);
/* -EINVAL, with err naming the key and both meanings, when t binds a key (Enter, \r and
 * KEY_ENTER are one key) to two different requests, in one pane or across panes. A pane's
 * own form of a motion is the same meaning: the verifier's j is "down", by instruction. */
int keymap_check_table(const struct keybind *t, size_t n, char *err, size_t errlen);
int keymap_check(char *err, size_t errlen);  /* the app's table */

#endif
