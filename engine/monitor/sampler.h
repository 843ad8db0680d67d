/* The monitor's sampler: one thread per run that reads the guest's runqueues, sched_ext
 * event counters and the scheduler's BPF globals straight from guest RAM every
 * MON_INTERVAL_MS, into run->mon. Nothing runs in the guest for it, so it keeps going
 * when the guest stops answering. */
#ifndef KTSTR_MON_SAMPLER_H
#define KTSTR_MON_SAMPLER_H

#include <stdint.h>

struct run;
struct guestmem;
struct mon_sampler;

/* Starts the thread. It waits for the guest's "ksyms" (run->have_ksyms), then samples until
 * mon_sampler_stop. vmlinux/image: the kernel entry's files, for its BTF. notify (may be
 * NULL) is called from the thread after each sample, without the run lock. NULL when
 * the thread cannot start (the run goes on without a monitor; run->mon->status says). */
struct mon_sampler *mon_sampler_start(struct run *r, struct guestmem *gm, const char *vmlinux,
				      const char *image, int64_t vm_started_ms,
				      void (*notify)(void *ctx), void *ctx);
/* Stops and joins the thread; the series stays in the run. NULL is fine. */
void mon_sampler_stop(struct mon_sampler *s);

#endif
