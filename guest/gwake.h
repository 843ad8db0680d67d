/* Wake-latency histogram: log buckets, GWAKE_SUB per power of two, so a worker records any
 * number of samples in a fixed array (no allocation in the hot loop) and the host can pool
 * the workers of a cgroup by adding counts. Header-only and pure: both sides include it. */
#ifndef KTSTR_GUEST_GWAKE_H
#define KTSTR_GUEST_GWAKE_H

#include <math.h>
#include <stdint.h>

#define GWAKE_SUB 8                            /* buckets per power of two: ~6% resolution */
#define GWAKE_MAX_EXP 35                       /* samples clamp at 2^35 ns (~34 s) */
#define GWAKE_BUCKETS ((GWAKE_MAX_EXP - 2) * GWAKE_SUB)

/* One worker's samples. Written only by the worker; read once it is done. */
struct gwake {
	uint64_t n;                                /* samples recorded */
	double sum, sumsq;                         /* ns, ns^2: exact mean and CV */
	uint32_t b[GWAKE_BUCKETS];
};

static inline int gwake_bucket(uint64_t ns)
{
	if (ns < GWAKE_SUB)
		return (int)ns;
	if (ns >= (1ull << GWAKE_MAX_EXP))
		ns = (1ull << GWAKE_MAX_EXP) - 1;
	int e = 63 - __builtin_clzll(ns);         /* >= 3 */
	return (e - 2) * GWAKE_SUB + (int)((ns >> (e - 3)) & (GWAKE_SUB - 1));
}

/* The middle of bucket i, the value a percentile in it is reported as. */
static inline uint64_t gwake_bucket_mid(int i)
{
	if (i < GWAKE_SUB)
		return (uint64_t)(i < 0 ? 0 : i);
	int e = i / GWAKE_SUB + 2, sub = i % GWAKE_SUB;
	uint64_t lo = (uint64_t)(GWAKE_SUB + sub) << (e - 3), w = 1ull << (e - 3);
	return lo + w / 2;
}

static inline void gwake_record(struct gwake *h, uint64_t ns)
{
	h->n++;
	h->sum += (double)ns;
	h->sumsq += (double)ns * (double)ns;
	uint32_t *c = &h->b[gwake_bucket(ns)];
	if (*c != UINT32_MAX)
		(*c)++;
}

/* The pct-th percentile (nearest rank) over counts b[GWAKE_BUCKETS]; 0 when empty. */
static inline uint64_t gwake_pct(const uint32_t *b, double pct)
{
	uint64_t total = 0;
	for (int i = 0; i < GWAKE_BUCKETS; i++)
		total += b[i];
	if (!total)
		return 0;
	uint64_t rank = (uint64_t)ceil(pct / 100.0 * (double)total), seen = 0;
	if (rank < 1)
		rank = 1;
	for (int i = 0; i < GWAKE_BUCKETS; i++) {
		seen += b[i];
		if (seen >= rank)
			return gwake_bucket_mid(i);
	}
	return gwake_bucket_mid(GWAKE_BUCKETS - 1);
}

/* Coefficient of variation (population stddev / mean) from n, sum, sumsq; 0 if n < 2. */
static inline double gwake_cv(uint64_t n, double sum, double sumsq)
{
	if (n < 2 || sum <= 0)
		return 0;
	double mean = sum / (double)n, var = sumsq / (double)n - mean * mean;
	return var > 0 ? sqrt(var) / mean : 0;
}

#endif
