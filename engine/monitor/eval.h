/* The monitor's checks: a series and the scenario's thresholds in, a summary out. Pure. */
#ifndef KTSTR_MON_EVAL_H
#define KTSTR_MON_EVAL_H

#include <stdbool.h>

#include "engine/monitor/monitor.h"

/* s may be NULL (no samples). eevdf: the run had no sched_ext scheduler; the numbers are
 * summarised but not judged. */
void mon_eval(const struct mon_series *s, const struct mon_thresholds *t, bool eevdf,
	      struct mon_summary *out);

#endif
