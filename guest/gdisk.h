/* The guest's side of the run's disk: when the scenario has an I/O work type, load
 * virtio_blk.ko (if the host put it in the initramfs), wait for /dev/vda before the
 * workers start, and at the end log the disk's own counters (/sys/block/vda/stat). */
#ifndef KTSTR_GUEST_GDISK_H
#define KTSTR_GUEST_GDISK_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/gscn.h"

#define GDISK_WAIT_MS 10000 /* for /dev/vda after the module load (TCG probes slowly) */

bool gdisk_wanted(const struct gscn *s);
/* 0, or -1 (error sent) when /dev/vda cannot be had. Nothing without gdisk_wanted. */
int gdisk_prepare(const struct gscn *s);
/* The "disk vda: reads=... flushes=..." log line; nothing without gdisk_wanted. */
void gdisk_report(const struct gscn *s);

#endif
