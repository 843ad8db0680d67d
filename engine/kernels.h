/* The kernel cache and the scx kfunc check as the engine offers them to the CLI and the
 * TUI: neither reaches engine/kernel/ but through these. A removal that may wait minutes
 * for a run's lock while a screen must keep drawing is engine_kernel_remove (engine.h). */
#ifndef KTSTR_ENGINE_KERNELS_H
#define KTSTR_ENGINE_KERNELS_H

#include <stddef.h>
#include "engine/kernel/entry.h"
#include "engine/kernel/kfunc_check.h"

/* KTSTR_CACHE_DIR > $XDG_CACHE_HOME/ktstr > $HOME/.cache/ktstr. */
int engine_cache_root(char *buf, size_t len, char *err, size_t errlen);

/* Entries newest first, corrupt ones included (marked). Caller frees *out. */
int engine_kernel_list(const char *root, struct kernel_entry **out, int *n, char *err, size_t errlen);
/* One warning per line for the corrupt and stale-kconfig entries of a listing ("" none). */
void engine_kernel_list_warnings(const char *root, const struct kernel_entry *v, int n, char *buf,
				 size_t len);
/* A bzImage (config optional) or Debian .debs into the cache. */
int engine_kernel_import(const char *root, const char *const *paths, int npaths, const char *config,
			 struct kernel_entry *out, char *err, size_t errlen);
/* Debian sid's cloud kernel, downloaded once. */
int engine_kernel_fetch_debian(const char *root, struct kernel_entry *out, char *err, size_t errlen);
/* The kernel a run would use: spec (path or cache key), else KTSTR_TEST_KERNEL,
 * KTSTR_KERNEL, the newest usable entry. */
int engine_kernel_resolve(const char *spec, struct kernel_entry *out, char *err, size_t errlen);
/* Removes the entry key, waiting here for its lock (the CLI's `kernel rm`). */
int engine_kernel_remove_now(const char *root, const char *key, char *err, size_t errlen);
/* Removes only corrupt entries (and leftovers of killed imports). */
int engine_kernel_clean_corrupt(const char *root, int *removed, char *err, size_t errlen);
/* How long a removal waits for a run's lock: KTSTR_LOCK_TIMEOUT_MS, else 30 s. */
int engine_kernel_lock_wait_ms(void);

/* The scx kfunc prototypes in the entry's BTF: its vmlinux, else (no vmlinux kept) the
 * vmlinux decompressed from its image into a temporary file. */
int engine_kernel_check_entry(const struct kernel_entry *e, struct btf_check *out, char *err,
			      size_t errlen);
/* The same for every SPEC engine_kernel_resolve takes, plus a raw BTF file such as
 * /sys/kernel/btf/vmlinux. */
int engine_kernel_check(const char *spec, struct btf_check *out, char *err, size_t errlen);

#endif
