/* A worker's figures beside progress: wake latency (into its slot's histogram), run delay
 * from /proc/self/schedstat, migrations that crossed a NUMA node, and their "worker"
 * message members. Runs in the worker process except gmeter_report (init). */
#ifndef KTSTR_GUEST_GWORK_METER_H
#define KTSTR_GUEST_GWORK_METER_H

#include <stdint.h>

#include "guest/gjson.h"
#include "guest/gwork.h"

/* At the worker's start: reads the CPU -> node map and the schedstat baseline. */
void gmeter_start(struct gwork_slot *s);
/* At the worker's end: run delay and timeslice count since gmeter_start. */
void gmeter_end(struct gwork_slot *s);
/* The node of a CPU (0 when unknown): for the cross-node migration count. */
int gmeter_node(int cpu);
/* A waker stamps its own slot just before it wakes its partner... */
void gmeter_stamp(struct gwork_slot *self);
/* ...and the woken side records now - that stamp (ignored when no waker, no stamp yet or
 * negative). */
void gmeter_woke(struct gwork_slot *self, const struct gwork_slot *waker);
void gmeter_record(struct gwork_slot *self, int64_t ns);
/* The members of a "worker" message: units, run_delay_ns, run_count,
 * cross_node_migrations, wake_samples, wake_sum_ns, wake_sumsq_us2, wake_hist. */
void gmeter_report(struct gjson *j, const struct gwork_slot *s);

#endif
