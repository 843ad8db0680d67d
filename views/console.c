/* Pane 7: the kernel console (ttyS0), searchable, following the tail. */
#include "views/logpane.h"

static struct ring *ring_of(struct run *r)
{
	return r->console;
}

const struct logpane_ops view_console = {
	.ops = { .name = "console", .title = "Console", .needs_run = true, LOGPANE_CALLBACKS },
	.kind = LOGM_PLAIN,
	.label = "Kernel console",
	.empty = "No console output yet.",
	.ring = ring_of,
};
