/* The kernel cache and the scx kfunc check as the engine offers them to the CLI and the
 * TUI: neither reaches engine/kernel/ but through these. A removal that may wait minutes
 * for a run's lock while a screen must keep drawing is engine_kernel_remove (engine.h). */
#ifndef KTSTR_ENGINE_KERNELS_H
#define KTSTR_ENGINE_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/kernel/build.h"
#include "engine/kernel/entry.h"
#include "engine/kernel/kfunc_check.h"
#include "engine/kernel/snapshot.h"

/* KTSTR_CACHE_DIR > $XDG_CACHE_HOME/ktstr > $HOME/.cache/ktstr. */
int engine_cache_root(char *buf, size_t len, char *err, size_t errlen);

/* Entries newest first, corrupt ones included (marked). Caller frees *out. */
int engine_kernel_list(const char *root, struct kernel_entry **out, int *n, char *err, size_t errlen);
/* One warning per line for the corrupt and stale-kconfig entries of a listing ("" none). */
void engine_kernel_list_warnings(const char *root, const struct kernel_entry *v, int n, char *buf,
				 size_t len);
/* Snapshots of kernels given by path (<root>/path-kernels, docs/snapshot.md): how many and
 * their bytes on disk. */
void engine_path_snapshot_stats(const char *root, int *count, uint64_t *bytes);
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
/* A built entry's "build" object for `kernel list --json` (jansson; the caller owns it). */
struct json_t *engine_kernel_build_json(const struct kernel_entry *e);
/* Every entry but the `keep` newest valid ones. */
int engine_kernel_clean(const char *root, int keep, int *removed, char *err, size_t errlen);
/* `ktstr kernel build` (engine/kernel/build.h). */
int engine_kernel_build(const char *root, const struct kbuild_opts *o, struct kernel_entry *out,
			char *err, size_t errlen);
/* Debian sid's linux-source tree, unpacked once under <root>/src; *dir gets its path. */
int engine_kernel_fetch_source(const char *root, char *dir, size_t len, char *err, size_t errlen);
/* The kernel a run uses, building it when it is missing: a version spec (6.14.2, 6.14,
 * 6.15-rc3) that no entry has is downloaded from kernel.org and built; with auto_latest,
 * finding nothing at all prints "ktstr: no kernel found, downloading latest stable" and
 * builds the newest stable release with patch level >= 8. Progress on progress_fd. */
int engine_kernel_ensure(const char *spec, bool auto_latest, int progress_fd,
			 struct kernel_entry *out, char *err, size_t errlen);
/* The newest stable or longterm release with patch level >= 8, from kernel.org. */
int engine_kernel_latest_stable(char *ver, size_t len, char *err, size_t errlen);
/* "A..B" / "A..=B" over kernel.org's stable and longterm releases; a non-range spec is
 * returned as the one element. Caller frees with engine_kernel_specs_free. */
int engine_kernel_expand(const char *spec, char ***out, int *n, char *err, size_t errlen);
void engine_kernel_specs_free(char **v, int n);
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
