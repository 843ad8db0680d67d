/* Where ktstr finds its own parts (guest init, timeline tracer, bundled schedulers) when
 * no environment variable names them: relative to its own executable, so the build tree
 * and an installed (or DESTDIR-staged) copy both work with no configuration. */
#ifndef KTSTR_PARTS_H
#define KTSTR_PARTS_H

#include <stddef.h>

/* The installed parts directory, relative to the directory above the binary's
 * (PREFIX/bin/ktstr -> PREFIX/libexec/ktstr); the Makefile's install target agrees. */
#define PARTS_LIBEXEC "libexec/ktstr"

/* First executable regular file called name among, in order:
 *   EXE_DIR/name                   build/ktstr -> build/ktstr-init
 *   EXE_DIR/bpf/name               build/ktstr -> build/bpf/ktstr_sched
 *   EXE_DIR/../libexec/ktstr/name  PREFIX/bin/ktstr -> PREFIX/libexec/ktstr/ktstr-init
 *   P/build/name, P/build/bpf/name, P/bpf/name for up to 4 parents P of EXE_DIR
 *                                  (build/asan/unit -> build/bpf/, build/ktstr-init)
 * exe is the binary's path (NULL: /proc/self/exe). 0 with the path in out, or -ENOENT. */
int parts_find_at(const char *exe, const char *name, char *out, size_t len);
int parts_find(const char *name, char *out, size_t len);
/* Our own executable's resolved path (/proc/self/exe); 0 or -errno. */
int parts_self(char *out, size_t len);

#endif
