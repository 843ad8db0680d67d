/* The guest's initramfs, newc cpio written in C: a cached base (init, busybox and its
 * applet links, the init-ok marker) plus a small per-run archive (scenario, scheduler and
 * its shared libraries) appended; the kernel accepts concatenated archives. */
#ifndef KTSTR_INITRAMFS_H
#define KTSTR_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>

/* Bumped whenever the base archive's layout changes: part of the base cache key. */
#define INITRAMFS_BASE_FORMAT 1     /* trailer, pad, fsync, rename (or unlink) */

/* Base archive path in the cache (<root>/initramfs/base-<hash>.cpio), built if missing.
 * The hash covers the init binary and busybox contents. */
int initramfs_base(const char *cache_root, const char *init_bin, const char *busybox,
		   char *out_path, size_t len, bool *was_cached, char *err, size_t errlen);

struct initramfs_extra { const char *guest_path; const char *host_path; };
/* Per-run archive: the scenario text at KTSTR_GUEST_SCENARIO, an optional scheduler binary
 * at KTSTR_GUEST_SCHED_BIN with its libraries at their host paths, extra files. */
int initramfs_run(const char *out_path, const char *scenario_json, const char *sched_bin,
		  const struct initramfs_extra *extra, int nextra, char *err, size_t errlen);
/* Concatenates base + run into out_path (what QEMU's -initrd takes). */
int initramfs_concat(const char *base, const char *run, const char *out_path, char *err, size_t errlen);

#endif
