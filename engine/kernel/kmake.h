/* Running kbuild for `ktstr kernel build`: configure (tinyconfig + ktstr.kconfig + the user's
 * fragment, olddefconfig, the survivors check) and compile, out of tree, all output in one
 * build.log, with progress in steps. */
#ifndef KTSTR_KMAKE_H
#define KTSTR_KMAKE_H

#include <stddef.h>
#include "engine/kernel/build.h"

struct kmake {
	const char *src;        /* the source tree (clean) */
	const char *bdir;       /* O= build directory */
	const char *pahole;     /* $(PAHOLE) */
	const char *log;        /* build.log, appended */
	int jobs;
	const struct kbuild_opts *o; /* where progress and status go; its cancel flag */
};

/* err gets the lost required options (-EINVAL) or make's failure; warn (may be "") the other
 * options that did not survive, one line each. */
int kmake_configure(const struct kmake *m, const char *extra_fragment, char *warn, size_t wlen,
		    char *err, size_t errlen);
/* make bzImage; the failure message names the log and quotes its last lines. */
int kmake_build(const struct kmake *m, char *err, size_t errlen);

#endif
