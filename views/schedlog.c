/* Pane 4: the scheduler's log, repeated blocks folded (collapse_cycles); Enter expands a block. */
#include "views/logpane.h"

static struct ring *ring_of(struct run *r)
{
	return r->schedlog;
}

/* A failed run's scheduler output says why, unless the verifier pane says it better. */
static enum view_fit explains(const struct run *r)
{
	return r->result != RESULT_PASS && r->schedlog && ring_count(r->schedlog) ? FIT_FAILURE : FIT_NONE;
}

const struct logpane_ops view_schedlog = {
	.ops = { .name = "schedlog", .title = "Sched log", .needs_run = true, .explains = explains,
		 LOGPANE_CALLBACKS },
	.kind = LOGM_CYCLES,
	.label = "Scheduler log",
	.empty = "No scheduler output (EEVDF runs have none; a sched_ext scheduler's stdout/stderr lands here).",
	.ring = ring_of,
};
