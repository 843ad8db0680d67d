/* Bounded ring of text lines: a fixed cap on lines and bytes; the oldest lines go first.
 * Every log the engine keeps (console, scheduler log, dump) is one of these. */
#ifndef KTSTR_RING_H
#define KTSTR_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring;
struct ring *ring_new(size_t max_lines, size_t max_bytes);
void ring_free(struct ring *r);
void ring_push(struct ring *r, const char *line);     /* copies; strips one trailing '\n' */
size_t ring_count(const struct ring *r);               /* lines held now */
const char *ring_get(const struct ring *r, size_t i);  /* 0 = oldest held; NULL past end */
uint64_t ring_total(const struct ring *r);             /* lines ever pushed (held + dropped) */
size_t ring_bytes(const struct ring *r);
void ring_clear(struct ring *r);

#endif
