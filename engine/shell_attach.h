/* Raw terminal passthrough to a VM's shell port: used by `ktstr shell` and the TUI's `s`. */
#ifndef KTSTR_SHELL_ATTACH_H
#define KTSTR_SHELL_ATTACH_H

#include <stddef.h>
#include "engine.h"

#define SHELL_DETACH_KEY 0x1d /* Ctrl-] */

/* Connects to the shell port of run's VM (waiting up to the boot budget for it), puts
 * in_fd in raw mode if it is a terminal, relays bytes both ways until the detach key, the
 * shell exiting, or the run ending; restores the terminal. 0, or -errno with err set. */
/* Interactive shell mode needs a terminal on fd: 0, or -ENOTTY with the seed's message. */
int shell_check_tty(int fd, char *err, size_t errlen);

int shell_attach_wait(struct engine *e, struct run *run, int in_fd, int out_fd,
		      char *err, size_t errlen);

#endif
