/* Unit tests for the guest's I/O work types (guest/gwork_io.c): where each worker writes and
 * reads on the disk, and the reading of /sys/block/vda/stat. The loops themselves need
 * /dev/vda and run in tests/vm/test_work_types_io.sh. */
#include <criterion/criterion.h>
#include <string.h>

#include "guest/gwork.h"
#include "guest/gwork_io.h"
#include "guest/work_types.h"

#define MIB (1024ull * 1024)

Test(guest_io, stripes_split_the_disk_in_64_block_aligned_regions)
{
	uint64_t cap = 256 * MIB;
	cr_expect_eq(gio_stripe_size(cap), 4 * MIB);
	cr_expect_eq(gio_stripe_base(0, cap), 0);
	cr_expect_eq(gio_stripe_base(1, cap), 4 * MIB);
	cr_expect_eq(gio_stripe_base(63, cap), 252 * MIB, "the last stripe ends at the disk's end");
	cr_expect_eq(gio_stripe_base(64, cap), 0, "worker 64 shares worker 0's stripe");
	/* An odd size: stripes stay block-aligned and inside the disk. */
	uint64_t odd = 10 * MIB + 512;
	uint64_t s = gio_stripe_size(odd);
	cr_expect_eq(s % GIO_BLOCK, 0);
	for (int i = 0; i < GIO_STRIPES; i++) {
		uint64_t b = gio_stripe_base(i, odd);
		cr_expect_eq(b % GIO_BLOCK, 0);
		cr_expect_leq(b + s, odd, "stripe %d", i);
	}
	/* A tiny disk: one-block stripes, overlapping, still inside. */
	cr_expect_eq(gio_stripe_size(8 * GIO_BLOCK), GIO_BLOCK);
	cr_expect_eq(gio_stripe_size(100), 0);
}

Test(guest_io, distinct_workers_write_distinct_regions)
{
	uint64_t cap = 256 * MIB, s = gio_stripe_size(cap);
	for (int a = 0; a < GIO_STRIPES; a++)
		for (int b = a + 1; b < GIO_STRIPES; b++) {
			uint64_t x = gio_stripe_base(a, cap), y = gio_stripe_base(b, cap);
			cr_assert(x + s <= y || y + s <= x, "workers %d and %d overlap", a, b);
		}
}

Test(guest_io, the_write_cursor_walks_its_stripe_and_wraps)
{
	uint64_t stripe = 4 * GIO_BLOCK, c = 0;
	uint64_t seen[8];
	for (int i = 0; i < 8; i++) {
		seen[i] = c;
		cr_assert_leq(c + GIO_BLOCK, stripe, "a write at %llu passes the stripe", (unsigned long long)c);
		c = gio_next_cursor(c, GIO_BLOCK, stripe);
	}
	uint64_t want[8] = { 0, 4096, 8192, 12288, 0, 4096, 8192, 12288 };
	cr_expect_arr_eq(seen, want, sizeof(want));
}

Test(guest_io, random_reads_are_whole_aligned_blocks_spread_over_the_disk)
{
	uint64_t cap = 256 * MIB, rng = 12345, lo = cap, hi = 0;
	for (int i = 0; i < 10000; i++) {
		uint64_t o = gio_rand_offset(&rng, cap);
		cr_assert_eq(o % GIO_BLOCK, 0);
		cr_assert_leq(o + GIO_BLOCK, cap);
		lo = o < lo ? o : lo;
		hi = o > hi ? o : hi;
	}
	cr_expect_lt(lo, cap / 16, "reads reach the start");
	cr_expect_gt(hi, cap - cap / 16, "and the end");
	cr_expect_eq(gio_rand_offset(&rng, GIO_BLOCK), 0, "one block: always block 0");
}

Test(guest_io, block_stat_fields_of_every_kernel_age)
{
	struct gio_stat st;
	/* 17 fields (5.5+): flushes is the 16th. */
	cr_assert(gio_parse_stat("    9486        0    75888     1200     1052       10     5392     "
				 "900        0     2000     3000        0        0        0        0      "
				 "375       40\n", &st));
	cr_expect_eq(st.reads, 9486);
	cr_expect_eq(st.read_sectors, 75888);
	cr_expect_eq(st.writes, 1052);
	cr_expect_eq(st.write_sectors, 5392);
	cr_expect_eq(st.flushes, 375);
	/* 11 fields (before 4.18): no flush count. */
	cr_assert(gio_parse_stat("1 2 3 4 5 6 7 8 9 10 11", &st));
	cr_expect_eq(st.writes, 5);
	cr_expect_eq(st.flushes, 0);
	cr_expect_not(gio_parse_stat("1 2 3", &st));
	cr_expect_not(gio_parse_stat("", &st));
	cr_expect_not(gio_parse_stat("garbage", &st));
}

Test(guest_io, only_the_three_io_types_open_the_disk)
{
	struct gwork_slot slot = { 0 };
	volatile sig_atomic_t stop = 0;
	struct gwork_ctx c = { .work = WORK_SPIN_WAIT, .slot = &slot, .stop = &stop };
	struct gio st;
	cr_expect_eq(gio_init(&c, &st), 0, "SpinWait needs no disk");
	cr_expect_eq(st.fd, -1);
	cr_expect_lt(gio_iter(&c, &st), 0, "no I/O loop without the disk");
	gio_done(&st);
	cr_expect(work_type_needs_disk(WORK_IO_SYNC_WRITE) && work_type_needs_disk(WORK_IO_RAND_READ) &&
		  work_type_needs_disk(WORK_IO_CONVOY));
	cr_expect_str_eq(work_type_figure(WORK_IO_SYNC_WRITE), "fsyncs");
	cr_expect_str_eq(work_type_figure(WORK_IO_RAND_READ), "reads");
	cr_expect_str_eq(work_type_figure(WORK_IO_CONVOY), "ios");
}
