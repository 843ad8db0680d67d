/* CPU lists as the kernel writes them ("0-3,5") and a fixed-size mask for them. Pure, so
 * host unit tests link it. */
#ifndef KTSTR_GUEST_GCPU_H
#define KTSTR_GUEST_GCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCPU_MAX 256                 /* CPU ids the guest tracks */
#define GCPU_WORDS (GCPU_MAX / 64)

/* "0-3,5\n" -> bits in mask (GCPU_WORDS words, cleared first). Returns the number of CPUs,
 * or -EINVAL for anything that is not a CPU list (or names an id >= GCPU_MAX). "" is 0. */
int gcpu_parse(const char *s, uint64_t *mask);
/* mask -> "0-3,5" (range form, as cpuset.cpus wants). Returns the length; "" when empty. */
size_t gcpu_format(const uint64_t *mask, char *out, size_t cap);
int gcpu_count(const uint64_t *mask);
static inline bool gcpu_isset(const uint64_t *m, int c)
{
	return c >= 0 && c < GCPU_MAX && (m[c / 64] >> (c % 64)) & 1;
}
static inline void gcpu_set(uint64_t *m, int c)
{
	if (c >= 0 && c < GCPU_MAX)
		m[c / 64] |= 1ull << (c % 64);
}

#endif
