/* The shared libraries a host binary needs, so the initramfs can carry them. */
#ifndef KTSTR_ELFDEPS_H
#define KTSTR_ELFDEPS_H

#include <stddef.h>

/* Shared libraries a binary needs: DT_NEEDED closure plus PT_INTERP, resolved like ld.so
 * (RPATH/RUNPATH, ld.so.cache, default dirs). paths[] are host paths, malloc'd. */
struct elf_deps { char **paths; int n; };
int elf_deps_resolve(const char *binary, struct elf_deps *out, char *err, size_t errlen);
void elf_deps_free(struct elf_deps *d);

#endif
