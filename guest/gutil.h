/* Small helpers of the guest init: the clock, file reads and writes, and the parsers for
 * the kernel log / trace / command-line text it reads. No side effects at link time, so
 * host unit tests link this file. */
#ifndef KTSTR_GUEST_GUTIL_H
#define KTSTR_GUEST_GUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t gutil_now_ns(void);                  /* CLOCK_MONOTONIC */
void gutil_sleep_ms(int ms);                 /* the whole time, across signals */
/* Reads up to cap-1 bytes, NUL-terminates, strips trailing newlines. Bytes read or -errno. */
int gutil_read_file(const char *path, char *buf, size_t cap);
int gutil_write_file(const char *path, const char *s); /* 0 or -errno */

/* /dev/kmsg record "prio,seq,ts,flags;text\n KEY=v..." -> text (in place), NULL if odd. */
char *gutil_kmsg_text(char *rec);
/* "sched_ext: BPF scheduler \"NAME\" disabled (KIND)" -> true, name and kind copied. */
bool gutil_scx_disabled_line(const char *text, char *name, size_t nlen, char *kind, size_t klen);
/* A trace_pipe line: the text after "sched_ext_dump: " if present, else the line. */
const char *gutil_trace_dump_text(const char *line);

/* Reads "key=value" from a kernel command line; false when absent. */
bool gutil_cmdline_get(const char *cmdline, const char *key, char *val, size_t vlen);

#endif
