/* Auto-repro, step 4: the repro VM's "probe" messages (guest/probe_wire.h) into the result
 * (chain.h). repro_progress follows them live (attached, ready, trigger); repro_stitch
 * builds the chain at the end: it pairs each callback's entry with its exit (fields that
 * changed become entry -> exit), picks the task the exit is about (a stall's stalled task,
 * else the trigger's current task), keeps the events of that task (its current task or a
 * task argument), orders them by time relative to the trigger and decodes their fields
 * (decode.h). Pure: the lines and logs come from the caller. */
#ifndef KTSTR_REPRO_STITCH_H
#define KTSTR_REPRO_STITCH_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/repro/chain.h"

/* One probe line's effect on progress (state, probes_attached, fired); true when changed. */
bool repro_progress(struct repro_result *r, const char *line);

/* lines: every probe message of the repro VM, in arrival order. console/dump: its console
 * and sched_ext dump ("" when none), for the stalled task when the trigger could not read
 * the exit message. Fills events, counts, trigger facts and the task followed; keeps the
 * rest of r. 0 or -ENOMEM. */
int repro_stitch(const char *const *lines, size_t n, const char *console, const char *dump,
		 struct repro_result *r);

/* A field's display text from its name and raw value (number or string): dsq ids, enq
 * flags, scx task flags, cpumasks, exit kinds, -1 CPUs, kernel pointers in hex. */
void repro_decode_field(const char *name, const char *raw, char *buf, size_t len);

#endif
