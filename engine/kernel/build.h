/* `ktstr kernel build`: a kernel from a source tree, a kernel.org release or a git ref,
 * configured with ktstr.kconfig (plus the user's fragment), built out of tree with a pahole
 * that gives loadable kfunc BTF, and stored as a cache entry that records how it was made. */
#ifndef KTSTR_BUILD_H
#define KTSTR_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/kernel/entry.h"

struct kbuild_opts {
	const char *source_dir;     /* --source DIR */
	const char *version;        /* VERSION or prefix ("6.14"), from kernel.org */
	const char *git_url;        /* --git URL ... */
	const char *git_ref;        /* ... --ref REF */
	const char *extra_kconfig;  /* --extra-kconfig FILE */
	bool force;                 /* rebuild even when the cache has it */
	int jobs;                   /* 0: the online CPUs */
	int progress_fd;            /* bars and status lines; -1: none (then the callbacks) */
	/* For a screen (the TUI): progress as (label, done, total), status lines (cache hit,
	 * phases, warnings) without a trailing newline; either may be NULL. */
	void (*progress_cb)(void *ctx, const char *label, uint64_t done, uint64_t total);
	void (*status_cb)(void *ctx, const char *line);
	void *cb_ctx;
	/* Non-zero stops the build: make is killed, kernel_build returns -ECANCELED. */
	const volatile int *cancel;
};

/* A status line to progress_fd ("ktstr: " prefixed) or status_cb. */
void kbuild_say(const struct kbuild_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Exactly one source must be set. A cached entry for the same source and fragments is the
 * answer unless force ("cache hit" line on progress_fd). */
int kernel_build(const char *root, const struct kbuild_opts *o, struct kernel_entry *out,
		 char *err, size_t errlen);

#endif
