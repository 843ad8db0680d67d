/* Log folding: consecutive repeats of a block of lines (the scheduler log) become one copy
 * plus a count. */
#include "engine/collapse.h"

#include <stddef.h>
#include <string.h>

static size_t reps_at(const char *const *lines, size_t n, size_t i, size_t p)
{
	size_t k = 1;
	while (i + (k + 1) * p <= n) {
		size_t j;
		for (j = 0; j < p; j++)
			if (strcmp(lines[i + j], lines[i + k * p + j]))
				break;
		if (j < p)
			break;
		k++;
	}
	return k;
}

size_t collapse_cycles(const char *const *lines, size_t n, size_t max_block,
		       struct fold *out, size_t max_out)
{
	size_t i = 0, o = 0;
	if (!max_block)
		max_block = 1;
	while (i < n && o < max_out) {
		struct fold f = { i, 1, 1 };
		/* Smallest period first: "A A A" is one line three times, not a 2-line block. */
		for (size_t p = 1; p <= max_block && i + 2 * p <= n; p++) {
			size_t k = reps_at(lines, n, i, p);
			if (k > 1) {
				f.len = p;
				f.repeat = k;
				break;
			}
		}
		out[o++] = f;
		i += f.len * f.repeat;
	}
	return o;
}

/* ---- verifier logs ---------------------------------------------------------------- */

/* "192: (63) *(u32 *)(r1 +0) = r2": digits, ": (", hex digits, ")". */
