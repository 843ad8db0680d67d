/* One progress display for downloads and kernel builds: a redrawn bar on a terminal, a few
 * plain lines otherwise (logs, CI), and an optional callback for the TUI. */
#ifndef KTSTR_KERNEL_PROGRESS_H
#define KTSTR_KERNEL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress;   /* opaque */

/* On a terminal (isatty(fd)): a bar redrawn at most every 100 ms,
 *   "\r<label> [#####.....]  45%  12.3/27.0 MB"  (unit "MB": done/total are bytes)
 *   "\r<label> [#####.....]  45%  3/7"           (unit "steps")
 * otherwise one plain line per phase: "ktstr: <label>: started", "...: 25%" / 50% / 75%
 * and "ktstr: <label>: done" (or "failed"). total 0 = unknown (no bar, no quarter lines).
 * fd < 0 prints nothing (the callback still runs). NULL only when out of memory; every
 * function accepts a NULL p. */
struct progress *progress_begin(int fd, const char *label, uint64_t total, const char *unit);
/* cb gets (label, done, total) at begin, at most every 100 ms while updating, and at end. */
void progress_set_cb(struct progress *p,
		     void (*cb)(void *ctx, const char *label, uint64_t done, uint64_t total), void *ctx);
void progress_update(struct progress *p, uint64_t done, uint64_t total /* 0 = unchanged */);
void progress_end(struct progress *p, bool ok);   /* prints the last state and frees p */

#endif
