/* Line ring: order, line cap, byte cap, truncation, totals. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ring.h"

Test(ring, keeps_lines_in_order_and_strips_one_newline)
{
	struct ring *r = ring_new(10, 1000);
	ring_push(r, "a\n");
	ring_push(r, "b");
	ring_push(r, "c\n\n");
	cr_assert_eq(ring_count(r), 3);
	cr_assert_str_eq(ring_get(r, 0), "a");
	cr_assert_str_eq(ring_get(r, 1), "b");
	cr_assert_str_eq(ring_get(r, 2), "c\n");
	cr_assert_null(ring_get(r, 3));
	cr_assert_eq(ring_bytes(r), 2 + 2 + 3);
	ring_free(r);
}

Test(ring, line_cap_drops_oldest)
{
	struct ring *r = ring_new(100, 1 << 20);
	char buf[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "line %d", i);
		ring_push(r, buf);
	}
	cr_assert_eq(ring_count(r), 100);
	cr_assert_eq(ring_total(r), 1000);
	cr_assert_str_eq(ring_get(r, 0), "line 900");
	cr_assert_str_eq(ring_get(r, 99), "line 999");
	ring_free(r);
}

Test(ring, byte_cap_drops_oldest_and_bounds_long_lines)
{
	struct ring *r = ring_new(1000, 20);
	ring_push(r, "123456789");   /* 10 bytes with NUL */
	ring_push(r, "abcdefghi");   /* 20 */
	cr_assert_eq(ring_count(r), 2);
	ring_push(r, "xyz");         /* must evict the first */
	cr_assert_eq(ring_count(r), 2);
	cr_assert_str_eq(ring_get(r, 0), "abcdefghi");
	cr_assert_leq(ring_bytes(r), 20);
	char big[100];
	memset(big, 'q', sizeof(big) - 1);
	big[99] = 0;
	ring_push(r, big);
	cr_assert_eq(ring_count(r), 1);
	cr_assert_eq(strlen(ring_get(r, 0)), 19, "a line is cut to the byte budget");
	cr_assert_eq(ring_total(r), 4);
	ring_clear(r);
	cr_assert_eq(ring_count(r), 0);
	cr_assert_eq(ring_bytes(r), 0);
	ring_push(r, "again");
	cr_assert_str_eq(ring_get(r, 0), "again");
	ring_free(r);
}

Test(ring, wraps_many_times_without_losing_order)
{
	struct ring *r = ring_new(7, 1 << 20);
	char buf[32];
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "%d", i);
		ring_push(r, buf);
		size_t n = ring_count(r);
		cr_assert_eq(atoi(ring_get(r, n - 1)), i);
		cr_assert_eq(atoi(ring_get(r, 0)), i - (int)n + 1);
	}
	ring_free(r);
}

Test(ring, null_is_harmless)
{
	ring_push(NULL, "x");
	cr_assert_eq(ring_count(NULL), 0);
	cr_assert_null(ring_get(NULL, 0));
	ring_free(NULL);
}
