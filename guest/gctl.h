/* The control port from the guest's side (KTSTR_PORT_CTL, guest/proto.h): the one writer
 * every part of init sends its lines through (under a lock, so threads never interleave),
 * the console as the fallback, and the reader of the host's commands. */
#ifndef KTSTR_GUEST_GCTL_H
#define KTSTR_GUEST_GCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/gjson.h"

/* Opens the port's device; on failure says so on the console and lines go to stdout.
 * 0 or -errno. */
int gctl_open(const char *dev);
/* Starts the thread that reads host commands ("stop", "dump"); no-op without a port. */
void gctl_start_reader(void);
int gctl_fd(void);                        /* the open port, -1 none (guest/grun.h) */
/* In a forked child that must not hold the port. */
void gctl_close_child(void);
/* Before power-off: give the host the last lines. */
void gctl_sync(void);
bool gctl_stop_requested(void);          /* the host sent "stop" */
uint64_t gctl_malformed(void);           /* host lines that did not parse */

/* Ends j and writes it as one line under the writer lock. A line that cannot fit is
 * replaced by a "log" line saying so. */
void gctl_emit(struct gjson *j);
/* A line made elsewhere (the probe loader's, already JSON), newline added. */
void gctl_raw(const char *line);
void gctl_log(const char *src, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gctl_logline(const char *src, const char *line);
void gctl_stage(const char *stage);
/* An "error" line (a hard scenario error), echoed on the console. */
void gctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ktstr-init: ..." on stderr (the kernel console). */
void gctl_console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* SysRq-D (the sched_ext debug dump): the host's "dump", and a dying scheduler's. */
void gctl_sysrq_dump(void);

#endif
