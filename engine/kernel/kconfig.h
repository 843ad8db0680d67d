/* ktstr.kconfig (the options a ktstr guest needs, embedded in the binary), the user's extra
 * fragments, their merge into a .config and the check that they survived olddefconfig. */
#ifndef KTSTR_KCONFIG_H
#define KTSTR_KCONFIG_H

#include <stddef.h>
#include <stdint.h>

extern const char ktstr_kconfig_text[]; /* engine/kernel/ktstr.kconfig, NUL-terminated */
/* FNV-1a 64 of the fragment: built entries record it; a different one is "stale kconfig". */
uint64_t kconfig_fragment_hash(void);
/* Reads a user fragment: lines are `CONFIG_X=value`, `# CONFIG_X is not set`, comments or
 * blank; anything else is -EINVAL naming FILE:LINE. *hash = FNV-1a 64 of the text. */
int kconfig_read_fragment(const char *path, char **text, uint64_t *hash, char *err, size_t errlen);
/* Sets every option of the fragments (later ones win) in the .config file, in place. */
int kconfig_merge(const char *dotconfig, const char *const *frags, int nfrags, char *err,
		  size_t errlen);
/* Options of frag whose value is not in the final .config, one line each:
 * "CONFIG_X=y did not survive olddefconfig (now: not set; Kconfig: depends on A && B)".
 * The Kconfig reason comes from the tree's Kconfig files when srcdir is given. Returns how
 * many; *required counts those ktstr cannot run without. */
int kconfig_lost(const char *dotconfig, const char *frag, const char *srcdir, char *out,
		 size_t len, int *required);

#endif
