/* The pane list: tab order, and a pane's number key is its place here ('1' first, '0' the
 * tenth and last). Adding a pane is its file and one line below. */
#include "views/logpane.h"
#include "views/view.h"

const struct view_ops *const view_all[] = {
	&view_runs, &view_timeline, &view_spread, &view_schedlog.ops,
	&view_verifier, &view_dump.ops, &view_console.ops, &view_kernels, &view_repro, &view_monitor,
};
const int view_count = sizeof(view_all) / sizeof(view_all[0]);
_Static_assert(sizeof(view_all) / sizeof(view_all[0]) <= VIEW_MAX, "one number key per pane: 1-9, 0");
