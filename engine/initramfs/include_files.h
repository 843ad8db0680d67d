/* Extra files for the guest (`ktstr shell -i`): names resolved through PATH, paths checked,
 * directories walked; each becomes an initramfs extra under /include-files/. */
#ifndef KTSTR_INCLUDE_FILES_H
#define KTSTR_INCLUDE_FILES_H

#include <stddef.h>
#include "engine/initramfs/initramfs.h"

#define INCLUDE_MAX 256

struct include_set {
	struct initramfs_extra extra[INCLUDE_MAX];
	char *store[2 * INCLUDE_MAX];
	int n;
};

/* Adds ARG (a bare name looked up in PATH, or a file or directory path). 0 on success with
 * *warning set (or "") when a directory held no regular files; -errno with the seed's
 * message in err otherwise. */
int include_add(struct include_set *s, const char *arg, char *warning, size_t wlen,
		char *err, size_t errlen);
void include_free(struct include_set *s);

#endif
