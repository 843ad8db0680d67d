/* Kernel cache: one directory per entry under <root>/kernels/<key>/ holding the image,
 * optional config and vmlinux, and metadata.json (written atomically, last). */
#ifndef KTSTR_CACHE_H
#define KTSTR_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/kernel/entry.h"

/* KTSTR_CACHE_DIR > $XDG_CACHE_HOME/ktstr > $HOME/.cache/ktstr, with the seed's messages
 * for an unset or empty HOME. */
int cache_root(char *buf, size_t len, char *err, size_t errlen);

#define CACHE_SCHEMA_VERSION 1
/* The options ktstr needs from a kernel; its hash is stored per entry ("stale kconfig"). */
extern const char *const cache_ktstr_kconfig[];
uint64_t cache_ktstr_kconfig_hash(void);

/* Lists entries newest first, corrupt ones included (marked). Caller frees *out. */
int cache_list(const char *root, struct kernel_entry **out, int *n, char *err, size_t errlen);
int cache_lookup(const char *root, const char *key, struct kernel_entry *out, char *err, size_t errlen);

/* Imports a bzImage (config optional) or a Debian linux-image/linux-binary .deb (plus an
 * optional second .deb carrying the config, e.g. linux-base-*). Extracts vmlinux beside the
 * image. Writes into a temp dir and renames, so a failed import leaves nothing. */
int cache_import(const char *root, const char *const *paths, int npaths, const char *config,
		 struct kernel_entry *out, char *err, size_t errlen);
/* cache_import with the entry's "source" field chosen by the caller (NULL: "import:..."). */
int cache_import_ex(const char *root, const char *const *paths, int npaths, const char *config,
		    const char *source, struct kernel_entry *out, char *err, size_t errlen);
/* Downloads Debian sid's cloud kernel with apt-get and a private sources list, then imports
 * it (with its virtio_blk module, kmod.h). Idempotent: an existing entry of the same version
 * is returned as is, unless it lacks the module its kernel needs (then it is replaced). */
int cache_fetch_debian(const char *root, struct kernel_entry *out, char *err, size_t errlen);
/* Debian sid's linux-source tree, downloaded the same way and unpacked under <root>/src
 * once; *dir is its path (a later call returns it without the network). */
int cache_fetch_debian_source(const char *root, char *dir, size_t len, char *err, size_t errlen);
int cache_remove(const char *root, const char *key, char *err, size_t errlen);

/* Resolution for a run: spec (path or cache key), then KTSTR_TEST_KERNEL, KTSTR_KERNEL,
 * then the newest usable entry; none gives the seed's "no kernel found" message. */
int cache_resolve(const char *spec, struct kernel_entry *out, char *err, size_t errlen);


/* The warnings shown after a listing that has corrupt or stale-kconfig entries ("" if
 * none), one per line, for the CLI and the TUI's kernels pane. */
void cache_list_warnings(const char *root, const struct kernel_entry *v, int n, char *buf, size_t len);
/* <root>/kernels, created if missing, with a clear message when it is not writable. */
int cache_kernels_dir(const char *root, char *buf, size_t len, char *err, size_t errlen);
/* Removes only corrupt entries (and leftovers of killed imports); *removed counts entries. */
int cache_clean_corrupt(const char *root, int *removed, char *err, size_t errlen);
/* Removes every entry but the `keep` newest valid ones (corrupt entries never hold a slot),
 * each under its lock; *removed counts them. */
int cache_clean(const char *root, int keep, int *removed, char *err, size_t errlen);
/* A new entry's last step before publishing: created time and size, metadata.json, fsync. */
int cache_finish_entry(const char *tmp, struct kernel_entry *e, char *err, size_t errlen);
/* A built entry's "build" object: metadata.json's (log by name) or a listing's (full path). */
struct json_t;
struct json_t *cache_build_json(const struct kernel_build_info *bi, bool full_log_path);
/* Writes <dir>/metadata.json atomically from e (paths stored relative to the entry). */
int cache_write_metadata(const char *dir, const struct kernel_entry *e, char *err, size_t errlen);
/* Reads one entry directory; corrupt entries are returned with corrupt=true, rc 0. */
int cache_read_entry(const char *dir, const char *key, struct kernel_entry *out);

#endif
