/* The host end of a VM's shell port: raw terminal passthrough for `ktstr shell` and the
 * TUI's `s`, and the output relay of `ktstr shell --exec`. */
#ifndef KTSTR_SHELL_ATTACH_H
#define KTSTR_SHELL_ATTACH_H

#include <stddef.h>
#include "engine/engine.h"

#define SHELL_DETACH_KEY 0x1d /* Ctrl-] */

/* Interactive shell mode needs a terminal on fd: 0, or -ENOTTY with the seed's message. */
int shell_check_tty(int fd, char *err, size_t errlen);

/* Connects to the shell port of run's VM (waiting while it boots), puts in_fd in raw mode
 * if it is a terminal, relays bytes both ways until the detach key (or EOF on in_fd), the
 * shell port closing, or the run ending; restores the terminal and leaves the cursor at
 * the start of a line. 1: the user detached (the VM still runs; engine_stop it), 0: the
 * VM side ended, or -errno with err set. */
int shell_attach_wait(struct engine *e, struct run *run, int in_fd, int out_fd,
		      char *err, size_t errlen);

/* --exec: copies the command's output from the shell port to out_fd as it comes, until
 * the guest's "exec" message says the command ended and all of its bytes arrived.
 * 0 with *status set (err may hold a warning, e.g. output lost); -EPIPE when the VM
 * ended before the command did, -EIO when out_fd failed, other -errno, each with err set.
 * The caller then acknowledges with engine_stop, which lets the guest power off. */
int shell_exec_wait(struct engine *e, struct run *run, int out_fd, int *status,
		    char *err, size_t errlen);

/* Waits until run is done (its record written), consuming engine events meanwhile.
 * The engine bounds this: a stopped VM is killed if it does not power off. */
void shell_wait_done(struct engine *e, struct run *run);

#endif
