/* Operations during a step (guest/op_kinds.h, docs/scenario.md "ops"): run at their time
 * or on their loop from init's watch loop, against the cgroups under GWORKERS_CG_BASE. */
#ifndef KTSTR_GUEST_GOPS_H
#define KTSTR_GUEST_GOPS_H

#include <stdint.h>

#include "guest/gscn.h"

/* step: 1-based (1 for the implicit step). begin arms the step's ops; run_due runs those
 * due at step_ms into the step (0, or -1 with the error sent: the run fails); end removes
 * the cgroups the step's AddCgroup ops made. */
void gops_step_begin(const struct gscn *s, int step);
int gops_run_due(const struct gscn *s, int step, int64_t step_ms);
void gops_step_end(const struct gscn *s, int step);

#endif
