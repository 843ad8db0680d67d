/* Recent probe events per task (see ktstr_probe.h): an open-addressed table of pids, each
 * with a ring of event copies stamped with a global sequence number, so an event kept
 * under two tasks is sent once and the pick comes out in arrival order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ktstr_probe.h"

struct slot {
	uint64_t seq;
	struct kprobe_ev ev;
};

struct ring {
	int pid; /* 0: free */
	unsigned int n, head;
	struct slot *s; /* STORE_RING, allocated on first use */
};

struct store {
	struct ring t[STORE_TASKS];
	uint64_t seq;
	int nrings;
	const struct kprobe_ev **pick;
	uint64_t *pickseq;
};

struct store *store_new(void)
{
	return calloc(1, sizeof(struct store));
}

void store_free(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STORE_TASKS; i++)
		free(s->t[i].s);
	free(s->pick);
	free(s->pickseq);
	free(s);
}

/* The ring of pid, made when absent; NULL when the table is full. */
static struct ring *ring_of(struct store *s, int pid, bool make)
{
	unsigned int h = (unsigned int)pid * 2654435761u % STORE_TASKS;
	for (int i = 0; i < STORE_TASKS; i++) {
		struct ring *r = &s->t[(h + i) % STORE_TASKS];
		if (r->pid == pid)
			return r;
		if (!r->pid) {
			if (!make || s->nrings >= STORE_MAX_RINGS)
				return NULL;
			r->s = calloc(STORE_RING, sizeof(*r->s));
			if (!r->s)
				return NULL;
			r->pid = pid;
			s->nrings++;
			return r;
		}
	}
	return NULL;
}

static void put(struct store *s, int pid, const struct kprobe_ev *e)
{
	struct ring *r = pid > 0 ? ring_of(s, pid, true) : NULL;
	if (!r)
		return;
	struct slot *sl = &r->s[r->head];
	sl->seq = s->seq;
	sl->ev = *e;
	r->head = (r->head + 1) % STORE_RING;
	if (r->n < STORE_RING)
		r->n++;
}

void store_add(struct store *s, const struct kprobe_ev *e)
{
	s->seq++;
	int pids[1 + KPROBE_MAX_ARGS], n = 0;
	pids[n++] = e->pid;
	/* Task arguments carry their pid in v[1]; their comm is set, which tells them apart. */
	for (unsigned int i = 0; i < e->nargs && i < KPROBE_MAX_ARGS; i++)
		if (e->a[i].comm[0] && e->a[i].v[0])
			pids[n++] = (int)e->a[i].v[1];
	for (int i = 0; i < n; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			dup = dup || pids[j] == pids[i];
		if (!dup)
			put(s, pids[i], e);
	}
}

size_t store_pick(struct store *s, const int *pids, int npids, const struct kprobe_ev **out,
		  size_t max)
{
	size_t cap = (size_t)npids * STORE_RING, n = 0;
	free(s->pick);
	free(s->pickseq);
	s->pick = calloc(cap + 1, sizeof(*s->pick));
	s->pickseq = calloc(cap + 1, sizeof(*s->pickseq));
	if (!s->pick || !s->pickseq)
		return 0;
	for (int p = 0; p < npids; p++) {
		struct ring *r = pids[p] > 0 ? ring_of(s, pids[p], false) : NULL;
		for (unsigned int i = 0; r && i < r->n; i++) {
			struct slot *sl = &r->s[(r->head + STORE_RING - r->n + i) % STORE_RING];
			/* insertion by seq; a seq already taken (the same event) is skipped */
			size_t at = n;
			while (at > 0 && s->pickseq[at - 1] > sl->seq)
				at--;
			if (at > 0 && s->pickseq[at - 1] == sl->seq)
				continue;
			memmove(&s->pick[at + 1], &s->pick[at], (n - at) * sizeof(*s->pick));
			memmove(&s->pickseq[at + 1], &s->pickseq[at], (n - at) * sizeof(*s->pickseq));
			s->pick[at] = &sl->ev;
			s->pickseq[at] = sl->seq;
			n++;
		}
	}
	size_t skip = n > max ? n - max : 0;
	for (size_t i = skip; i < n; i++)
		out[i - skip] = s->pick[i];
	return n - skip;
}
