/* The host's half of the scenario's wire format: turns a validated struct scenario into the
 * normalized /ktstr/scenario.json the guest's init reads (keys in guest/scenario_wire.h,
 * format in guest/README.md). */
#ifndef KTSTR_ENGINE_SCENARIO_WIRE_H
#define KTSTR_ENGINE_SCENARIO_WIRE_H

#include <stdbool.h>

#include "engine/scenario.h"

/* The JSON text (compact, malloc'd; free() it), or NULL when out of memory. CpusetSpecs
 * are resolved against scn->topo (a spec that does not resolve sends no cpuset); with
 * has_sched the scheduler is the binary the initramfs holds at KTSTR_GUEST_SCHED_BIN,
 * named scn->sched.spec, with scn->sched.args. */
char *scn_wire_json(const struct scenario *scn, bool has_sched);

#endif
