/* Private to the engine: what the run threads call for auto-repro (engine_repro.c). The
 * public entry points (engine_repro, engine_repro_wanted) are in engine/engine.h. */
#ifndef KTSTR_ENGINE_REPRO_H
#define KTSTR_ENGINE_REPRO_H

#include <stdbool.h>

#include "engine/run.h"

/* A "probe" line from primary's repro VM; true when primary->repro's progress changed. */
bool engine_repro_line(struct run *primary, const char *line);
/* The repro VM ended: stitch its probe messages into primary->repro, link the two run
 * directories and rewrite the primary's report and result.json. */
void engine_repro_done(struct run *primary, struct run *repro);
/* A finished run whose scheduler failed keeps a copy of the scheduler binary in its run
 * directory (scheduler/NAME), so `ktstr repro RUN_DIR` works from that directory alone. */
void engine_repro_keep_scheduler(struct run *r);

#endif
