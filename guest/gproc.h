/* Init's child processes: the reaper (only the main thread reaps; a tracked pid keeps its
 * exit status for whoever asks later) and the set-up of a freshly forked helper. */
#ifndef KTSTR_GUEST_GPROC_H
#define KTSTR_GUEST_GPROC_H

#include <stdbool.h>
#include <sys/types.h>

void gproc_track(pid_t pid);
/* Collects every child that exited (the tracked ones keep their status). */
void gproc_reap(void);
/* true when pid has exited; *status is the wait status. */
bool gproc_exited(pid_t pid, int *status);
int gproc_exit_code(int status); /* exit code, or -signal */

/* In a freshly forked helper process (scheduler, tracer): its own process group, death
 * with init, and the signal dispositions init changed put back to their defaults. */
void gproc_child_setup(void);
/* A helper (tracer, probe loader) with its stdin, stdout and stderr on pipes: *in, *out and
 * *err get init's ends (close-on-exec). Tracked. The pid, or -1 with errno set. */
pid_t gproc_spawn_piped(const char *path, char *const argv[], int *in, int *out, int *err);

#endif
