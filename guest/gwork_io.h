/* The I/O work types of a guest worker (IoSyncWrite, IoRandRead, IoConvoy) on the raw
 * virtio disk /dev/vda that the host attaches when a scenario has one of them: no
 * filesystem, each worker writing only in its own stripe of the disk. One iteration at a
 * time, driven by gwork.c's loop, each counting its own figure (work_types.h). */
#ifndef KTSTR_GUEST_GWORK_IO_H
#define KTSTR_GUEST_GWORK_IO_H

#include <stdint.h>

#include "guest/gwork.h"

#define GIO_DEV "/dev/vda"
/* The reference's parameters (Rust ktstr's IoSyncWrite/IoRandRead/IoConvoy). */
#define GIO_BLOCK 4096          /* bytes per read or write; O_DIRECT alignment too */
#define GIO_STRIPES 64          /* the disk is split in this many write regions */
#define GIO_SYNC_BLOCKS 16      /* IoSyncWrite: 16 x 4 KiB O_SYNC writes, then fdatasync */
#define GIO_CONVOY_SYNC_EVERY 16 /* IoConvoy: fdatasync every 16th iteration */

/* Per-worker state, private to the worker process. */
struct gio {
	int fd;                 /* -1: not an I/O type */
	uint64_t cap;           /* device bytes */
	uint64_t base, stripe;  /* this worker's write region */
	uint64_t cursor;        /* next write, relative to base */
	uint64_t iter, rng, figure;
	void *buf;              /* GIO_BLOCK bytes, GIO_BLOCK-aligned (O_DIRECT) */
};

/* Pure helpers (unit-tested on the host). */
uint64_t gio_stripe_size(uint64_t cap);           /* block-aligned, >= GIO_BLOCK when cap allows */
uint64_t gio_stripe_base(int index, uint64_t cap); /* worker index modulo GIO_STRIPES */
/* A block-aligned offset of a whole block inside [0, cap); 0 when cap < 2 blocks. */
uint64_t gio_rand_offset(uint64_t *rng, uint64_t cap);
/* The next write position in a stripe: cursor + len, back to 0 when the next block would
 * pass the stripe's end. */
uint64_t gio_next_cursor(uint64_t cursor, uint64_t len, uint64_t stripe);

/* /sys/block/<dev>/stat's fields that say what reached the device (the disk's own count
 * of what the workers did). */
struct gio_stat { uint64_t reads, read_sectors, writes, write_sectors, flushes; };
/* Parses the stat text (11, 15 or 17 fields; without the flush fields flushes is 0). */
bool gio_parse_stat(const char *text, struct gio_stat *out);

/* Opens the disk for an I/O type (nothing for others). 0 or -errno (the worker fails). */
int gio_init(struct gwork_ctx *c, struct gio *st);
/* One iteration: units of work done (> 0), 0 when it saw the stop, or -errno. */
long gio_iter(struct gwork_ctx *c, struct gio *st);
void gio_done(struct gio *st);

#endif
