/* Child processes for kernel work (dpkg-deb, make, git, grep): fork/exec, never a shell. */
#ifndef KTSTR_KPROC_H
#define KTSTR_KPROC_H

#include <stddef.h>

/* Runs argv in cwd (NULL: ours) with stdin from /dev/null; stdout and stderr together into
 * out (NUL-terminated; the first len-1 bytes, the rest drained). Exit status, 128+signal,
 * or -errno. */
int kproc_capture(const char *const *argv, const char *cwd, char *out, size_t len);
/* The same, calling line(ctx, text) for each output line (without '\n') as it arrives, and
 * line(ctx, NULL) after every 250 ms of silence. A non-zero return from line stops the child and its descendants (SIGTERM to its process
 * group) and returns -ECANCELED. */
int kproc_lines(const char *const *argv, const char *cwd, int (*line)(void *ctx, const char *l),
		void *ctx);

#endif
