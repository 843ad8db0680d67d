/* Bounded line ring: a circular array of malloc'd lines that grows by doubling up to
 * max_lines, and drops the oldest lines when either the line or the byte cap is hit.
 * Push is amortized O(1): each line is freed at most once. */
#include "engine/ring.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct ring {
	char **v;
	size_t cap, head, count;        /* v[(head + i) % cap] is the i-th oldest */
	size_t max_lines, max_bytes, bytes;
	uint64_t total;
};

struct ring *ring_new(size_t max_lines, size_t max_bytes)
{
	struct ring *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->max_lines = max_lines ? max_lines : 1;
	r->max_bytes = max_bytes ? max_bytes : 1;
	return r;
}

static void drop_oldest(struct ring *r)
{
	char *s = r->v[r->head];
	r->bytes -= strlen(s) + 1;
	free(s);
	r->v[r->head] = NULL;
	r->head = (r->head + 1) % r->cap;
	r->count--;
}

void ring_clear(struct ring *r)
{
	if (!r)
		return;
	while (r->count)
		drop_oldest(r);
	r->head = 0;
}

void ring_free(struct ring *r)
{
	if (!r)
		return;
	ring_clear(r);
	free(r->v);
	free(r);
}

static bool grow(struct ring *r)
{
	size_t nc = r->cap ? r->cap * 2 : 64;
	if (nc > r->max_lines)
		nc = r->max_lines;
	char **nv = malloc(nc * sizeof(*nv));
	if (!nv)
		return false;
	for (size_t i = 0; i < r->count; i++)
		nv[i] = r->v[(r->head + i) % r->cap];
	free(r->v);
	r->v = nv;
	r->cap = nc;
	r->head = 0;
	return true;
}

void ring_push(struct ring *r, const char *line)
{
	if (!r || !line)
		return;
	size_t n = strlen(line);
	if (n && line[n - 1] == '\n')
		n--;
	/* One line never holds more than the whole byte budget (the +1 is its terminator). */
	if (n + 1 > r->max_bytes)
		n = r->max_bytes - 1;
	char *s = malloc(n + 1);
	if (!s)
		return;
	memcpy(s, line, n);
	s[n] = 0;
	r->total++;
	while (r->count && (r->count >= r->max_lines || r->bytes + n + 1 > r->max_bytes))
		drop_oldest(r);
	if (r->count == r->cap && !grow(r)) {
		if (!r->count) {
			free(s);
			return;
		}
		drop_oldest(r);
	}
	r->v[(r->head + r->count) % r->cap] = s;
	r->count++;
	r->bytes += n + 1;
}

size_t ring_count(const struct ring *r)
{
	return r ? r->count : 0;
}

const char *ring_get(const struct ring *r, size_t i)
{
	if (!r || i >= r->count)
		return NULL;
	return r->v[(r->head + i) % r->cap];
}

uint64_t ring_total(const struct ring *r)
{
	return r ? r->total : 0;
}

size_t ring_bytes(const struct ring *r)
{
	return r ? r->bytes : 0;
}
