/* pahole for kernel builds. Below 1.26 the kfunc BTF keeps the implicit `aux` argument and
 * released schedulers cannot load (measured with bookworm's 1.24), so older ones are refused
 * and a good one is provisioned privately from Debian sid, like the test kernel. */
#ifndef KTSTR_PAHOLE_H
#define KTSTR_PAHOLE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define PAHOLE_MIN 126 /* 1.26 */

struct pahole {
	char cmd[PATH_MAX];  /* what kbuild runs as $(PAHOLE) */
	int version;         /* 132 for v1.32 */
	char vstr[16];       /* "1.32" */
	bool provisioned;    /* ktstr's private copy */
};

/* KTSTR_PAHOLE (refused below 1.26, never replaced) > the copy under <root>/tools/pahole >
 * pahole on PATH if >= 1.26 > a fresh private copy from sid. */
int pahole_resolve(const char *root, struct pahole *out, char *err, size_t errlen);
/* Runs `cmd --version`; "v1.32" -> 132. */
int pahole_version(const char *cmd, int *ver, char *vstr, size_t len);

#endif
