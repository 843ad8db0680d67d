/* Kernel source trees for builds: what a tree is (version, fingerprint, cleanliness) and
 * getting one from git. Tarballs from kernel.org come through download.h. */
#ifndef KTSTR_SRCTREE_H
#define KTSTR_SRCTREE_H

#include <stddef.h>
#include <stdint.h>

/* A directory with Makefile and Kconfig, whose Makefile gives VERSION.PATCHLEVEL.SUBLEVEL
 * (plus EXTRAVERSION); else -ENOENT "not a kernel source tree: DIR ...". */
int srctree_version(const char *dir, char *ver, size_t len, char *err, size_t errlen);
/* ktstr builds out of tree (O=); kbuild refuses a source tree that was configured in place.
 * -EINVAL naming `make mrproper` when DIR has .config or include/config. */
int srctree_check_clean(const char *dir, char *err, size_t errlen);
/* Every regular file's path, size and mtime, hashed (.git skipped): an edit changes it. */
int srctree_fingerprint(const char *dir, uint64_t *fp, char *err, size_t errlen);
/* git clone --depth 1 --branch REF URL dest; *commit = HEAD. dest must not exist; on
 * failure nothing is left there. */
int srctree_git_clone(const char *url, const char *ref, const char *dest, char *commit,
		      size_t clen, char *err, size_t errlen);

#endif
