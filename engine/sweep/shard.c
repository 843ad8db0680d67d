/* --shard K/N (shard.h): round robin over the ordered cell list, so shards differ by at
 * most one cell and a cell's shard depends only on the command that listed it. */
#include "engine/sweep/shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int sweep_shard_parse(const char *s, int *k, int *n, char *err, size_t errlen)
{
	char *end;
	long a = strtol(s, &end, 10), b = 0;
	bool ok = end != s && *end == '/';
	if (ok) {
		const char *q = end + 1;
		b = strtol(q, &end, 10);
		ok = end != q && !*end;
	}
	if (!ok || a < 1 || b < 1 || a > b || b > SWEEP_MAX_SHARDS) {
		snprintf(err, errlen, "--shard '%s': expected K/N with 1 <= K <= N <= %d (e.g. 2/4: the "
			 "second of four machines)", s, SWEEP_MAX_SHARDS);
		return -EINVAL;
	}
	*k = (int)a;
	*n = (int)b;
	return 0;
}

bool sweep_shard_has(int i, int k, int n)
{
	return n <= 1 || i % n == k - 1;
}
