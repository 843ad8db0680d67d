/* Log readability: fold repeated blocks of lines into one copy plus a count (the
 * scheduler log). Verifier logs have their own folding in verifier.h. */
#ifndef KTSTR_COLLAPSE_H
#define KTSTR_COLLAPSE_H

#include <stddef.h>

/* A folded view of lines[0..n): out entries point into lines. A block of k lines
 * repeated m>1 times consecutively becomes one entry with repeat = m. */
struct fold { size_t first; size_t len; size_t repeat; };
/* Returns the number of folds written (<= n); max_block bounds the cycle length tried. */
size_t collapse_cycles(const char *const *lines, size_t n, size_t max_block,
		       struct fold *out, size_t max_out);

#endif
