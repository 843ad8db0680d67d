/* Pure helpers of the guest init: CPU lists, small file reads, a bounded line splitter,
 * and the parsers for kernel log / trace lines it forwards. No side effects at link time,
 * so host unit tests link this file. */
#ifndef KTSTR_GUEST_GUTIL_H
#define KTSTR_GUEST_GUTIL_H

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

/* Reads up to cap-1 bytes, NUL-terminates, strips trailing newlines. Bytes read or -errno. */
int g_read_file(const char *path, char *buf, size_t cap);

/* Bounded line splitter for byte streams (scheduler output, trace_pipe, the port). A line
 * longer than GLINE_MAX is delivered cut at GLINE_MAX and the rest up to '\n' is dropped. */
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

/* /dev/kmsg record "prio,seq,ts,flags;text\n KEY=v..." -> text (in place), NULL if odd. */
char *g_kmsg_text(char *rec);
/* "sched_ext: BPF scheduler \"NAME\" disabled (KIND)" -> true, name and kind copied. */
bool g_scx_disabled_line(const char *text, char *name, size_t nlen, char *kind, size_t klen);
/* A trace_pipe line: the text after "sched_ext_dump: " if present, else the line. */
const char *g_trace_dump_text(const char *line);

/* Reads "key=value" from a kernel command line; false when absent. */
bool g_cmdline_get(const char *cmdline, const char *key, char *val, size_t vlen);

/* In a freshly forked helper process (scheduler, tracer): its own process group, death
 * with init, and the signal dispositions init changed put back to their defaults. */
void g_child_setup(void);

#endif
