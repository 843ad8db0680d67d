/* Pane 6: the sched_ext dump, folded by CPU and task header lines; Enter opens a section. */
#include "views/logpane.h"

static struct ring *ring_of(struct run *r)
{
	return r->dump;
}

const struct logpane_ops view_dump = {
	.ops = { .name = "dump", .title = "Dump", .needs_run = true, LOGPANE_CALLBACKS },
	.kind = LOGM_SECTIONS,
	.label = "sched_ext dump",
	.empty = "No sched_ext dump (one arrives when a scheduler errors or stalls; SysRq-D asks for one).",
	.ring = ring_of,
};
