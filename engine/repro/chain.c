/* The auto-repro result's lifetime and state names (engine/repro/chain.h). */
#include <stdlib.h>

#include "engine/repro/chain.h"

const char *repro_state_name(enum repro_state s)
{
	switch (s) {
	case REPRO_NONE: return "none";
	case REPRO_BOOTING: return "booting";
	case REPRO_ATTACHED: return "probes attached";
	case REPRO_WAITING: return "waiting for the exit";
	case REPRO_FIRED: return "trigger fired";
	case REPRO_DONE: return "done";
	case REPRO_SKIPPED: return "skipped";
	case REPRO_FAILED: return "failed";
	}
	return "?";
}

struct repro_result *repro_new(void)
{
	struct repro_result *r = calloc(1, sizeof(*r));
	if (r)
		r->task_pid = -1;
	return r;
}

void repro_free(struct repro_result *r)
{
	if (!r)
		return;
	free(r->sched_tail);
	free(r->dump_tail);
	free(r->dmesg_tail);
	free(r->ev);
	free(r);
}
