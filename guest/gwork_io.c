/* The I/O work types (see gwork_io.h): what one iteration of each does on /dev/vda and the
 * figure it counts. Writes stay in the worker's stripe; reads go anywhere on the disk. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guest/gwork_churn.h"
#include "guest/gwork_io.h"
#include "guest/work_types.h"

uint64_t gio_stripe_size(uint64_t cap)
{
	uint64_t s = (cap / GIO_STRIPES) & ~(uint64_t)(GIO_BLOCK - 1);
	/* A disk under 64 blocks: every stripe is one block (they overlap, still valid). */
	return s ? s : (cap >= GIO_BLOCK ? GIO_BLOCK : 0);
}

uint64_t gio_stripe_base(int index, uint64_t cap)
{
	uint64_t s = gio_stripe_size(cap);
	uint64_t b = (uint64_t)(index < 0 ? 0 : index) % GIO_STRIPES * s;
	return s && b + s <= cap ? b : 0;
}

uint64_t gio_rand_offset(uint64_t *rng, uint64_t cap)
{
	uint64_t blocks = cap / GIO_BLOCK;
	if (blocks < 2)
		return 0;
	return gchurn_xorshift(rng) % blocks * GIO_BLOCK;
}

uint64_t gio_next_cursor(uint64_t cursor, uint64_t len, uint64_t stripe)
{
	uint64_t n = cursor + len;
	return n + len > stripe ? 0 : n;
}

bool gio_parse_stat(const char *text, struct gio_stat *out)
{
	uint64_t f[17] = { 0 };
	int n = 0;
	const char *p = text;
	while (n < 17) {
		char *end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		f[n++] = strtoull(p, &end, 10);
		p = end;
	}
	if (n < 11)
		return false;
	/* Documentation/block/stat.rst: reads, merges, sectors, ticks; the same for writes;
	 * in flight, io ticks, queue time; discards (4); flushes, flush ticks. */
	*out = (struct gio_stat){ .reads = f[0], .read_sectors = f[2], .writes = f[4],
				    .write_sectors = f[6], .flushes = n >= 17 ? f[15] : 0 };
	return true;
}

int gio_init(struct gwork_ctx *c, struct gio *st)
{
	memset(st, 0, sizeof(*st));
	st->fd = -1;
	if (!work_type_needs_disk(c->work))
		return 0;
	st->rng = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull | 1;
	/* IoSyncWrite goes through the page cache with O_SYNC, the others around it. */
	int flags = O_RDWR | O_CLOEXEC | (c->work == WORK_IO_SYNC_WRITE ? O_SYNC : O_DIRECT);
	st->fd = open(GIO_DEV, flags);
	if (st->fd < 0)
		return -errno;
	if (ioctl(st->fd, BLKGETSIZE64, &st->cap))
		return -errno;
	if (st->cap < 2 * GIO_BLOCK)
		return -ENOSPC;
	st->stripe = gio_stripe_size(st->cap);
	st->base = gio_stripe_base(c->index, st->cap);
	if (posix_memalign(&st->buf, GIO_BLOCK, GIO_BLOCK))
		return -ENOMEM;
	memset(st->buf, 0xa5 ^ (c->index & 0xff), GIO_BLOCK); /* not zeros: real data lands */
	return 0;
}

static void figure_add(struct gwork_ctx *c, struct gio *st, uint64_t n)
{
	st->figure += n;
	__atomic_store_n(&c->slot->figure, st->figure, __ATOMIC_RELAXED);
}

/* One whole block at off; 0 or -errno (a short transfer is -EIO). */
static int xfer(struct gio *st, bool wr, uint64_t off)
{
	for (;;) {
		ssize_t n = wr ? pwrite(st->fd, st->buf, GIO_BLOCK, (off_t)off)
			       : pread(st->fd, st->buf, GIO_BLOCK, (off_t)off);
		if (n == GIO_BLOCK)
			return 0;
		if (n < 0 && errno == EINTR)
			continue; /* the stop is seen between blocks */
		return n < 0 ? -errno : -EIO;
	}
}

static int sync_data(struct gio *st)
{
	while (fdatasync(st->fd))
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* 16 sequential O_SYNC block writes in the worker's stripe, then one fdatasync. */
static long sync_write(struct gwork_ctx *c, struct gio *st)
{
	for (int i = 0; i < GIO_SYNC_BLOCKS; i++) {
		if (*c->stop)
			return 0;
		int rc = xfer(st, true, st->base + st->cursor);
		if (rc)
			return rc;
		st->cursor = gio_next_cursor(st->cursor, GIO_BLOCK, st->stripe);
	}
	int rc = sync_data(st);
	if (rc)
		return rc;
	figure_add(c, st, 1);
	return GWORK_CHECK_UNITS;
}

static long rand_read(struct gwork_ctx *c, struct gio *st)
{
	int rc = xfer(st, false, gio_rand_offset(&st->rng, st->cap));
	if (rc)
		return rc;
	figure_add(c, st, 1);
	return GWORK_CHECK_UNITS;
}

/* The convoy: a sequential write in the stripe and a random read anywhere, both around the
 * page cache, with an fdatasync every 16th round that the reads queue behind. */
static long convoy(struct gwork_ctx *c, struct gio *st)
{
	int rc = xfer(st, true, st->base + st->cursor);
	if (rc)
		return rc;
	st->cursor = gio_next_cursor(st->cursor, GIO_BLOCK, st->stripe);
	if ((rc = xfer(st, false, gio_rand_offset(&st->rng, st->cap))))
		return rc;
	if (st->iter % GIO_CONVOY_SYNC_EVERY == 0 && (rc = sync_data(st)))
		return rc;
	st->iter++;
	figure_add(c, st, 2);
	return GWORK_CHECK_UNITS;
}

long gio_iter(struct gwork_ctx *c, struct gio *st)
{
	if (st->fd < 0)
		return -EBADF;
	switch (c->work) {
	case WORK_IO_SYNC_WRITE:
		return sync_write(c, st);
	case WORK_IO_RAND_READ:
		return rand_read(c, st);
	case WORK_IO_CONVOY:
		return convoy(c, st);
	default:
		return -ENOSYS;
	}
}

void gio_done(struct gio *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	free(st->buf);
	st->buf = NULL;
}
