/* Auto-repro's probes in the guest (guest/probe_wire.h): only in a repro VM, where the
 * host put a spec at KTSTR_GUEST_PROBE_SPEC. start runs the loader before the scheduler
 * and waits until the trigger is in ("armed"); go, once the scheduler is attached, has it
 * probe the scheduler's programs and waits for "ready", so the workload starts under
 * them. Its "probe" lines go to the host as they are. stop ends it and waits for its
 * "done". A loader that fails is a "log" line; the run goes on. */
#ifndef KTSTR_GUEST_GPROBE_H
#define KTSTR_GUEST_GPROBE_H

#include <stdbool.h>

bool gprobe_wanted(void); /* this is a repro VM */
void gprobe_start(void);
void gprobe_go(void);
void gprobe_child(void);  /* in a forked worker: drop the loader's fds */
void gprobe_stop(void);

#endif
