/* --shard K/N: a deterministic partition of the gauntlet's ordered cell list (after the
 * constraints and the budget): cell i (0-based) belongs to shard i % N + 1. The same
 * command on N machines, one K each, runs every cell exactly once (docs/gauntlet.md). */
#ifndef KTSTR_SWEEP_SHARD_H
#define KTSTR_SWEEP_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#define SWEEP_MAX_SHARDS 4096

/* "K/N" with 1 <= K <= N <= SWEEP_MAX_SHARDS. 0, or -EINVAL with a message. */
int sweep_shard_parse(const char *s, int *k, int *n, char *err, size_t errlen);
/* Whether the cell at index i of the ordered list is shard k's of n. */
bool sweep_shard_has(int i, int k, int n);

#endif
