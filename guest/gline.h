/* A bounded line splitter for the byte streams init reads (scheduler output, trace_pipe,
 * the tracer's stderr, the control port). Pure, so host unit tests link it. */
#ifndef KTSTR_GUEST_GLINE_H
#define KTSTR_GUEST_GLINE_H

#include <stdbool.h>
#include <stddef.h>

/* A line longer than GLINE_MAX is delivered cut at GLINE_MAX and the rest up to '\n' is
 * dropped. */
#define GLINE_MAX 4000
struct gline {
	char buf[GLINE_MAX + 1];
	size_t len;
	bool skipping; /* inside the dropped tail of an over-long line */
	bool too_long; /* the last delivered line was cut */
};
/* Calls fn(line, ctx) for every complete line in data; '\r' before '\n' is dropped. */
void gline_feed(struct gline *l, const char *data, size_t n, void (*fn)(const char *, bool, void *),
		void *ctx);
/* Delivers a pending partial line (at EOF). */
void gline_flush(struct gline *l, void (*fn)(const char *, bool, void *), void *ctx);

#endif
