/* Kernel modules a cache entry keeps beside its image: today only virtio_blk, which the
 * I/O work types need for /dev/vda and which Debian's cloud kernel builds as a module
 * (CONFIG_VIRTIO_BLK=m). Stored decompressed as <entry>/virtio_blk.ko. */
#ifndef KTSTR_KERNEL_KMOD_H
#define KTSTR_KERNEL_KMOD_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/kernel/entry.h"

#define KMOD_VIRTIO_BLK "virtio_blk.ko"

/* What the entry's config says of CONFIG_VIRTIO_BLK: 'y', 'm', 'n' (not set), or '?'
 * (no config, or the option is absent). */
char kmod_virtio_blk_config(const struct kernel_entry *e);

/* An entry whose kernel needs the module for a disk but does not hold it (fetched or
 * imported before entries kept it). */
bool kmod_virtio_blk_missing(const struct kernel_entry *e);

/* For a run with a disk: *path gets the module to load in the guest, or "" when the kernel
 * has virtio-blk built in (or cannot tell: no config). -ENOENT with the fix in err when
 * the kernel needs a module the entry lacks, -EINVAL when it has no virtio-blk at all. */
int kmod_virtio_blk_for_run(const struct kernel_entry *e, char *path, size_t len, char *err,
			    size_t errlen);

/* Debian packages: "usr/lib/modules/<ver>/kernel/drivers/block/virtio_blk.ko[.xz|.zst|.gz]"
 * (a leading "./" allowed) -> true. */
bool kmod_is_virtio_blk_path(const char *name);

/* Writes a module's bytes (compressed as in the package, or plain) to dst as a plain .ko. */
int kmod_write_plain(const void *data, size_t len, const char *dst, char *err, size_t errlen);

#endif
