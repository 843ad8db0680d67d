/* Two verifier logs of one program (two kernels, two runs) side by side: a log read from a
 * run directory and the two aligned by instruction, so a pane or the CLI can show where
 * the kernels' verifiers went different ways. */
#ifndef KTSTR_VERIFIER_ALIGN_H
#define KTSTR_VERIFIER_ALIGN_H

#include <stdbool.h>
#include <stddef.h>

/* Reads a verifier.log into malloc'd lines (free with verifier_lines_free). A missing or
 * unreadable file is an error naming it. */
int verifier_load_file(const char *path, char ***lines, size_t *n, char *err, size_t errlen);

/* One row of the side-by-side view: a line of each log (-1: none on that side). Lines pair
 * when they are the same instruction (index and text, not the register state), the same
 * branch ("from A to B") or the same other text; differ: the two lines are not the same
 * text, or one side has none. */
struct valign_row { long a, b; bool differ; };

/* Aligns a and b (greedy, looking up to 256 lines ahead on each side for the next common
 * line; linear for logs that mostly agree). rows: malloc'd, free() it. */
int verifier_align(const char *const *a, size_t na, const char *const *b, size_t nb, struct valign_row **rows,
		   size_t *nrows);

#endif
