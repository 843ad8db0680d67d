/* The churn and pressure work types of a guest worker (ForkExit, NiceSweep, AffinityChurn,
 * PolicyChurn, PageFaultChurn, MutexContention, CachePressure, CacheYield, FutexFanOut,
 * FanOutCompute, CachePipe's cache half): one iteration at a time, driven by gwork.c's loop,
 * each counting its own figure (work_types.h) into the worker's slot. */
#ifndef KTSTR_GUEST_GWORK_CHURN_H
#define KTSTR_GUEST_GWORK_CHURN_H

#include <stddef.h>
#include <stdint.h>

#include "guest/gcpu.h"
#include "guest/gwork.h"

/* NiceSweep has no parameters; the others' come from work_params.h (gwork_param). */
#define GCHURN_NICE_SPINS 512

/* Per-worker state, private to the worker process. */
struct gchurn {
	uint64_t rng;
	uint64_t *buf;                    /* cache buffer, or FanOutCompute's matrices */
	size_t words;
	char *region;                     /* PageFaultChurn */
	size_t pages;
	int n;                            /* FanOutCompute: matrix order */
	uint64_t cpus[GCPU_WORDS];        /* AffinityChurn: the CPUs allowed at start */
	int policy;                       /* PolicyChurn: index in its rotation */
	int nice;                         /* NiceSweep: the last value tried */
	bool no_ext, no_negative_nice;
	long minflt0;
	uint32_t seen;                    /* fan-out receivers: the last generation seen */
	uint64_t figure;
	/* The type's parameters, read once at init (work_params.h). */
	long spins, hold, work_iters, touches, touch_spins, ops, sleep_us, stride;
};

/* Pure helpers (unit-tested on the host). */
uint64_t gchurn_xorshift(uint64_t *s);                          /* never 0 for a seed != 0 */
size_t gchurn_cache_pass(uint64_t *buf, size_t words, size_t stride_bytes); /* lines touched */
/* c = a * b (n x n, u64, wrapping); stops early (returns false) when *stop. */
bool gchurn_matmul(const uint64_t *a, const uint64_t *b, uint64_t *c, int n,
		   const volatile sig_atomic_t *stop);
int gchurn_matrix_order(size_t kib);                            /* 3 n*n u64 in kib */
/* NiceSweep: -20..19 and round again; negatives skipped when not allowed. */
int gchurn_next_nice(int cur, bool allow_negative);
/* PolicyChurn: the index after i in OTHER, BATCH, IDLE, EXT (EXT skipped without it). */
int gchurn_next_policy(int i, bool have_ext);
int gchurn_policy_of(int i);                                    /* SCHED_* of index i */
const char *gchurn_policy_name(int i);
/* The r-th set CPU of mask (r modulo their count); -1 for an empty mask. */
int gchurn_pick_cpu(const uint64_t *mask, uint64_t r);

/* 0 or -errno (the worker fails to start). */
int gchurn_init(struct gwork_ctx *c, struct gchurn *st);
/* One iteration of c->work: the units of work it did (> 0), 0 when it saw the stop, or
 * -errno. CachePipe: only its cache pass (gwork.c does the exchange). */
long gchurn_iter(struct gwork_ctx *c, struct gchurn *st);
/* Puts back nice, policy and affinity, frees the buffers. */
void gchurn_done(struct gwork_ctx *c, struct gchurn *st);

#endif
