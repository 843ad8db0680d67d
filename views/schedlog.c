/* Pane 4: the scheduler's log, repeated blocks folded (collapse_cycles); Enter expands a block. */
#include "views/logpane.h"

static struct ring *ring_of(struct run *r)
{
	return r->schedlog;
}

const struct logpane_ops view_schedlog = {
	.ops = { .name = "schedlog", .title = "Sched log", .key = '4', .needs_run = true, LOGPANE_CALLBACKS },
	.kind = LOGM_CYCLES,
	.label = "Scheduler log",
	.empty = "No scheduler output (EEVDF runs have none; a sched_ext scheduler's stdout/stderr lands here).",
	.ring = ring_of,
};
