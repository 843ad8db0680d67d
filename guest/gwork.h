/* Worker side of the guest: the work loop (SpinWait, Mixed, Bursty, YieldHeavy, PipeIo,
 * FutexPingPong here, the churn and pressure types in gwork_churn.c, the I/O ones in
 * gwork_io.c) and its progress metering into a slot of a MAP_SHARED area that the
 * init process reads live. Runs in a forked worker process; no side effects at link time. */
#ifndef KTSTR_GUEST_GWORK_H
#define KTSTR_GUEST_GWORK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest/gcpu.h"
#include "guest/gwake.h"
#include "guest/work_params.h"

/* Checkpoint period in work units: gaps and migrations are measured between checkpoints. */
#define GWORK_CHECK_UNITS 1024
#define GWORK_SPINS 1024       /* spins per SpinWait/Mixed iteration (the others: work_params.h) */
#define GWORK_WAIT_POLL_MS 50  /* blocking waits wake this often to notice stop */

/* One per worker, written only by that worker (relaxed atomics), read by init. */
struct gwork_slot {
	uint64_t iters, cpu_ns, wall_ns, max_gap_ns, max_gap_at_ns;
	int32_t cpu, max_gap_cpu;
	uint32_t migrations, done;  /* done: final numbers written */
	uint64_t cpus[GCPU_WORDS];
	uint32_t futex;             /* a group's shared word lives in its first slot: FutexPingPong's
	                             * turn, MutexContention's lock, the fan-outs' generation */
	uint32_t aux;               /* FanOutCompute: receivers done with this generation */
	uint64_t stamp_ns;          /* FanOutCompute: when the messenger woke the receivers */
	uint64_t figure;            /* the type's figure (work_type_figure) */
	/* Worker-check figures (gwork_meter.c): work units, run delay (-1 unknown), timeslices,
	 * migrations across NUMA nodes, the wake stamp a waker leaves for its wakee, and the
	 * wake latencies this worker measured. */
	uint64_t units;
	int64_t run_delay_ns, run_count;
	uint32_t xnode_migrations;
	uint64_t wake_stamp_ns;
	struct gwake wake;
};

struct gwork_ctx {
	int work;                   /* enum work_type */
	int role;                   /* position in the group: 0 or 1 for pairs, 0 the messenger */
	int index;                  /* the worker's number in the run (I/O types: its stripe) */
	int rfd, wfd;               /* PipeIo: read from / write to the partner, else -1 */
	uint32_t *futex;            /* FutexPingPong: shared turn word */
	struct gwork_slot *group;   /* grouped types: the group's first slot (its shared words) */
	int group_size;             /* work_group_size: fan_out + 1, contenders, ... */
	const int64_t *params;      /* the cgroup's parameters (work_params.h); NULL: defaults */
	const struct work_seq *seq; /* Sequence's phases */
	struct gwork_slot *slot;
	const volatile int64_t *t0_ns; /* workload start (CLOCK_MONOTONIC), set by init */
	volatile sig_atomic_t *stop;
};

/* The worker's value of its type's parameter key (the table's default without params). */
static inline long gwork_param(const struct gwork_ctx *c, const char *key)
{
	return (long)work_param_get(c->work, c->params, key);
}

/* Runs the work loop until *stop, then writes the final numbers (done = 1). 0 or -errno. */
int gwork_run(struct gwork_ctx *c);

#endif
