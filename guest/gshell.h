/* The guest's shell: busybox sh on a PTY relayed to a virtio port, or one --exec command
 * whose output is relayed there. */
#ifndef KTSTR_GUEST_GSHELL_H
#define KTSTR_GUEST_GSHELL_H

#include <stdint.h>
#include <sys/types.h>

/* Returns the shell's pid or -1 (logged). */
pid_t gshell_start(const char *port_dev, const char *cmdline);
/* --exec: /bin/sh -c cmd with stdin /dev/null and stdout+stderr relayed to the port; kills
 * it if the host sends "stop". Returns its status (0-255, 128+signal if killed) or -1 if
 * it could not be started (logged); *bytes is how much output reached the port. */
int gshell_exec(const char *port_dev, const char *cmd, uint64_t *bytes);

#endif
