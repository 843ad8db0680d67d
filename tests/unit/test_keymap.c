/* The TUI's key table: one meaning per key across every pane (a key bound twice with two
 * meanings fails here), the verifier's jump to the rejected instruction is `!`, so `r`
 * starts a run in every pane, and the number keys are the pane list (views/panes.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "tui/keymap.h"

static const char *const panes[] = { "runs", "timeline", "spread", "schedlog", "verifier", "dump",
				     "console", "kernels", "repro", "monitor" };

Test(keymap, every_key_has_one_meaning_in_every_pane)
{
	char err[512] = "";
	cr_assert_eq(keymap_check(err, sizeof(err)), 0, "%s", err);
}

Test(keymap, a_key_bound_to_two_meanings_is_refused)
{
	const struct keybind clash[] = {
		{ 'r', REQ_RUN, NULL, "r", "start a run of the current scenario" },
		{ 'r', REQ_REJECTED, "verifier", "r", "jump to the rejected instruction" },
	};
	char err[512] = "";
	cr_assert_eq(keymap_check_table(clash, 2, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "key r means \"start a run of the current scenario\" (every pane) and "
			 "\"jump to the rejected instruction\" (verifier); one meaning per key: bind one "
			 "of them to a key that is free in every pane");

	/* Two panes with their own meanings clash too, and \r is Enter. */
	const struct keybind panes2[] = {
		{ 'e', REQ_EXPAND_ALL, "dump", "e", "expand every fold" },
		{ 'e', REQ_FOLLOW, "console", "e", "follow" },
	};
	cr_expect_eq(keymap_check_table(panes2, 2, err, sizeof(err)), -EINVAL);
	const struct keybind enter[] = {
		{ '\n', REQ_ENTER, NULL, "Enter", "open" },
		{ '\r', REQ_CHECK, "kernels", "Enter", "check" },
	};
	cr_expect_eq(keymap_check_table(enter, 2, err, sizeof(err)), -EINVAL);

	/* Same request with pane wording, and the verifier's instruction step, are one meaning. */
	const struct keybind same[] = {
		{ '\n', REQ_ENTER, NULL, "Enter", "open / expand" },
		{ '\r', REQ_ENTER, "runs", "Enter", "open the run" },
		{ 'j', REQ_DOWN, NULL, "j", "down" },
		{ 'j', REQ_NEXT_INSN, "verifier", "j", "next instruction" },
	};
	cr_expect_eq(keymap_check_table(same, 4, err, sizeof(err)), 0, "%s", err);
}

Test(keymap, r_runs_in_every_pane_and_bang_jumps_in_the_verifier)
{
	for (size_t i = 0; i < sizeof(panes) / sizeof(panes[0]); i++)
		cr_expect_eq(keymap_lookup(panes[i], 'r'), REQ_RUN, "r in the %s pane", panes[i]);
	cr_expect_eq(keymap_lookup("verifier", '!'), REQ_REJECTED);
	cr_expect_eq(keymap_lookup("runs", '!'), REQ_NONE);
	cr_expect_eq(keymap_lookup("verifier", 'j'), REQ_NEXT_INSN);
	cr_expect_eq(keymap_lookup("runs", 'j'), REQ_DOWN);
}

Test(keymap, number_keys_are_the_pane_list)
{
	cr_assert(view_count >= 1 && view_count <= VIEW_MAX);
	for (int i = 0; i < view_count; i++) {
		int k = view_key(i);
		cr_expect_eq(k, i < 9 ? '1' + i : '0', "pane %d's key is %c", i, k);
		cr_expect_eq(view_of_key(k), i, "%c opens pane %d", k, i);
		cr_expect_eq(keymap_lookup(view_all[i]->name, k), REQ_PANE, "%c in the %s pane", k,
			     view_all[i]->name);
	}
	if (view_count < VIEW_MAX) {
		cr_expect_eq(keymap_lookup("runs", view_key(view_count)), REQ_NONE, "a number past the last pane");
		cr_expect_eq(view_of_key(view_key(view_count)), -1);
	}
}

Test(keymap, zero_is_the_tenth_pane_and_w_fits_the_timeline)
{
	cr_assert_eq(view_count, 10, "the Monitor pane is the tenth");
	cr_expect_str_eq(view_all[9]->name, "monitor");
	cr_expect_eq(keymap_lookup("timeline", '0'), REQ_PANE, "0 switches panes in the timeline too");
	cr_expect_eq(keymap_lookup("timeline", 'w'), REQ_ZOOM_FIT);
	cr_expect_eq(keymap_lookup("runs", 'w'), REQ_NONE);
}
