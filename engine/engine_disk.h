/* The run's disk: a scenario with an I/O work type gets a sparse raw image in its run
 * directory, attached as virtio-blk (/dev/vda in the guest), and the virtio_blk module
 * in its initramfs when the kernel builds the driver as a module. */
#ifndef KTSTR_ENGINE_DISK_H
#define KTSTR_ENGINE_DISK_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/scenario.h"

#define ENGINE_DISK_NAME "disk.img"
#define ENGINE_DISK_MB 256   /* 64 stripes of 4 MiB, one per worker (guest/gwork_io.h) */

/* A cgroup with workers of an I/O type (work_type_needs_disk). */
bool engine_disk_needed(const struct scenario *scn);
/* Creates <run_dir>/disk.img of ENGINE_DISK_MB, sparse (no block allocated), into path.
 * 0 or -errno with the message in err. */
int engine_disk_create(const char *run_dir, char *path, size_t len, char *err, size_t errlen);

#endif
