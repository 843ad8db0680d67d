/* A fixed-size CPU set: what a worker ran on, an LLC's or node's CPUs, the monitor's stuck
 * CPUs. 256 bits cover every vCPU the VM can have (VM_MAX_VCPUS, 255); ids past the end
 * are ignored by the setters and read as unset. Usable from engine/ and views/. */
#ifndef KTSTR_CPUMASK_H
#define KTSTR_CPUMASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPUMASK_BITS 256
#define CPUMASK_WORDS (CPUMASK_BITS / 64)

struct cpumask { uint64_t w[CPUMASK_WORDS]; };

static inline bool cpumask_test(const struct cpumask *m, int c)
{
	return c >= 0 && c < CPUMASK_BITS && (m->w[c / 64] >> (c % 64) & 1);
}

static inline void cpumask_set(struct cpumask *m, int c)
{
	if (c >= 0 && c < CPUMASK_BITS)
		m->w[c / 64] |= 1ull << (c % 64);
}

/* Sets CPUs [a, b). */
static inline void cpumask_set_range(struct cpumask *m, int a, int b)
{
	for (int c = a; c < b; c++)
		cpumask_set(m, c);
}

static inline bool cpumask_empty(const struct cpumask *m)
{
	for (int i = 0; i < CPUMASK_WORDS; i++)
		if (m->w[i])
			return false;
	return true;
}

static inline int cpumask_weight(const struct cpumask *m)
{
	int n = 0;
	for (int i = 0; i < CPUMASK_WORDS; i++)
		n += __builtin_popcountll(m->w[i]);
	return n;
}

static inline void cpumask_or(struct cpumask *d, const struct cpumask *s)
{
	for (int i = 0; i < CPUMASK_WORDS; i++)
		d->w[i] |= s->w[i];
}

/* d = a & b; true when d is not empty. d may be a or b. */
static inline bool cpumask_and(struct cpumask *d, const struct cpumask *a, const struct cpumask *b)
{
	uint64_t any = 0;
	for (int i = 0; i < CPUMASK_WORDS; i++)
		any |= d->w[i] = a->w[i] & b->w[i];
	return any != 0;
}

/* d = a & ~b; true when d is not empty. d may be a or b. */
static inline bool cpumask_andnot(struct cpumask *d, const struct cpumask *a, const struct cpumask *b)
{
	uint64_t any = 0;
	for (int i = 0; i < CPUMASK_WORDS; i++)
		any |= d->w[i] = a->w[i] & ~b->w[i];
	return any != 0;
}

/* The first CPU >= c in m, or CPUMASK_BITS when none. */
static inline int cpumask_next(const struct cpumask *m, int c)
{
	for (c = c < 0 ? 0 : c; c < CPUMASK_BITS; c = (c / 64 + 1) * 64) {
		uint64_t w = m->w[c / 64] >> (c % 64);
		if (w)
			return c + __builtin_ctzll(w);
	}
	return CPUMASK_BITS;
}

#define cpumask_for_each(c, m) \
	for (int c = cpumask_next((m), 0); c < CPUMASK_BITS; c = cpumask_next((m), c + 1))

/* "0-3,5" (one trailing newline allowed, "" is empty) -> m. 0, or -1 when s is not a CPU
 * list or names an id >= CPUMASK_BITS (m is then unchanged). */
int cpumask_parse(const char *s, struct cpumask *m);
/* m -> "0-3,5" (range form, as cpuset.cpus takes it); "" when empty. Returns the length
 * written; a list that does not fit is cut after a whole item and ends in ",...". */
size_t cpumask_format(const struct cpumask *m, char *buf, size_t len);

#endif
