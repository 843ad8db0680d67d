/* The timeline slicer (see gtl.h): a per-tid state machine turns wakeup/switch events into
 * run and wait pieces; pieces shorter than the tid's resolution are merged into chunks,
 * the resolution doubles for a tid that sends too many lines, and a per-interval budget
 * caps the stream with room kept for each tid's last chunk and longest wait. */
#include <errno.h>
#include <string.h>

#include "guest/gtl.h"

enum { GTL_ST_NONE, GTL_ST_RUN, GTL_ST_WAIT, GTL_ST_SLEEP };

#define HSIZE ((int)(sizeof(((struct gtl *)0)->hash) / sizeof(int)))

void gtl_init(struct gtl *g, int cap, int64_t base_res, int64_t max_res, gtl_emit_fn emit, void *ctx)
{
	memset(g, 0, sizeof(*g));
	g->t0 = INT64_MAX;
	g->cap = cap > 0 ? cap : GTL_CAP;
	g->base_res = base_res > 0 ? base_res : GTL_RES_NS;
	g->max_res = max_res > 0 ? max_res : GTL_INTERVAL_NS;
	if (g->max_res < g->base_res)
		g->max_res = g->base_res;
	g->tid_lines = GTL_TID_LINES;
	g->emit = emit;
	g->ctx = ctx;
}

void gtl_set_t0(struct gtl *g, int64_t t0_ns)
{
	g->t0 = t0_ns;
}

static unsigned hslot(int tid)
{
	return ((unsigned)tid * 2654435761u) % (unsigned)HSIZE;
}

static struct gtl_tid *find(const struct gtl *g, int tid)
{
	if (tid <= 0)
		return NULL;
	for (unsigned h = hslot(tid), n = 0; n < (unsigned)HSIZE; n++, h = (h + 1) % (unsigned)HSIZE) {
		int i = g->hash[h];
		if (!i)
			return NULL;
		if (g->t[i - 1].tid == tid)
			return (struct gtl_tid *)&g->t[i - 1];
	}
	return NULL;
}

int gtl_add_tid(struct gtl *g, int tid)
{
	if (tid <= 0)
		return -EINVAL;
	if (find(g, tid))
		return 0;
	if (g->ntids >= GTL_MAX_TIDS)
		return -ENOSPC;
	struct gtl_tid *t = &g->t[g->ntids];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->cpu = -1;
	t->res = g->base_res;
	unsigned h = hslot(tid);
	while (g->hash[h])
		h = (h + 1) % (unsigned)HSIZE;
	g->hash[h] = ++g->ntids;
	return 0;
}

int64_t gtl_tid_res(const struct gtl *g, int tid)
{
	const struct gtl_tid *t = find(g, tid);
	return t ? t->res : -1;
}

/* Lines kept back for the flush: a last chunk and a longest wait per tid. */
static int budget(const struct gtl *g)
{
	int reserve = 2 * g->ntids;
	if (reserve > g->cap * 3 / 4)
		reserve = g->cap * 3 / 4;
	return g->cap - reserve;
}

static void out(struct gtl *g, struct gtl_tid *t, char state, int cpu, int64_t a, int64_t b)
{
	if (g->lines >= g->cap) {
		g->dropped++;
		return;
	}
	if (state == 'w' && t->lw_valid && a == t->lw_start && b == t->lw_end)
		t->lw_sent = true;
	struct gtl_slice s = { t->tid, cpu, a, b, state };
	if (g->emit)
		g->emit(&s, g->ctx);
	g->lines++;
	t->lines++;
	g->sent++;
	if (g->lines >= budget(g))
		g->saturated = true;
}

static void chunk_close(struct gtl *g, struct gtl_tid *t)
{
	if (!t->ch)
		return;
	t->ch = false;
	bool run = t->ch_run >= t->ch_wait;
	out(g, t, run ? 'r' : 'w', run ? t->ch_rcpu : t->ch_wcpu, t->ch_start, t->ch_end);
}

static void chunk_add(struct gtl_tid *t, bool run, int cpu, int64_t a, int64_t b)
{
	if (!t->ch) {
		t->ch = true;
		t->ch_start = a;
		t->ch_end = b;
		t->ch_run = t->ch_wait = 0;
		t->ch_rcpu = t->ch_wcpu = cpu;
	}
	if (b > t->ch_end)
		t->ch_end = b;
	if (run) {
		t->ch_run += b - a;
		t->ch_rcpu = cpu;
	} else {
		t->ch_wait += b - a;
		t->ch_wcpu = cpu;
	}
}

/* A finished run or wait piece in absolute time. */
static void piece(struct gtl *g, struct gtl_tid *t, bool run, int cpu, int64_t a, int64_t b)
{
	if (g->t0 == INT64_MAX || b <= g->t0)
		return; /* before the workload started */
	a = (a > g->t0 ? a : g->t0) - g->t0;
	b -= g->t0;
	if (b < a)
		b = a;
	g->pieces++;
	if (!run && (!t->lw_valid || b - a > t->lw_end - t->lw_start)) {
		t->lw_valid = true;
		t->lw_sent = false;
		t->lw_start = a;
		t->lw_end = b;
		t->lw_cpu = cpu;
	}
	if (g->saturated) {
		chunk_add(t, run, cpu, a, b);
		return;
	}
	if (b - a >= t->res) {
		chunk_close(g, t);
		if (g->saturated) /* that line used the budget up */
			chunk_add(t, run, cpu, a, b);
		else
			out(g, t, run ? 'r' : 'w', cpu, a, b);
		return;
	}
	if (t->ch && a - t->ch_end >= t->res)
		chunk_close(g, t);
	chunk_add(t, run, cpu, a, b);
	if (!g->saturated && t->ch_end - t->ch_start >= t->res)
		chunk_close(g, t);
}

void gtl_event(struct gtl *g, int tid, int cpu, int64_t ts, int kind)
{
	struct gtl_tid *t = find(g, tid);
	if (!t)
		return;
	switch (kind) {
	case GTL_WAKEUP:
		if (t->st != GTL_ST_RUN && t->st != GTL_ST_WAIT) {
			t->st = GTL_ST_WAIT;
			t->cpu = cpu;
			t->since = ts;
		}
		break;
	case GTL_IN:
		if (t->st == GTL_ST_WAIT)
			piece(g, t, false, t->cpu, t->since, ts);
		else if (t->st == GTL_ST_RUN) /* a lost switch-out: end the old run here */
			piece(g, t, true, t->cpu, t->since, ts);
		t->st = GTL_ST_RUN;
		t->cpu = cpu;
		t->since = ts;
		break;
	case GTL_OUT_RUNNABLE:
	case GTL_OUT_SLEEP:
		if (t->st == GTL_ST_RUN)
			piece(g, t, true, t->cpu, t->since, ts);
		t->st = kind == GTL_OUT_RUNNABLE ? GTL_ST_WAIT : GTL_ST_SLEEP;
		t->cpu = cpu;
		t->since = ts;
		break;
	default:
		break;
	}
}

int gtl_flush(struct gtl *g, int64_t now)
{
	for (int i = 0; i < g->ntids; i++) {
		struct gtl_tid *t = &g->t[i];
		if ((t->st == GTL_ST_RUN || t->st == GTL_ST_WAIT) && now > t->since) {
			piece(g, t, t->st == GTL_ST_RUN, t->cpu, t->since, now);
			t->since = now;
		}
	}
	/* The longest waits first: when the cap bites, they are what must survive. */
	for (int i = 0; i < g->ntids; i++) {
		struct gtl_tid *t = &g->t[i];
		if (t->lw_valid && !t->lw_sent)
			out(g, t, 'w', t->lw_cpu, t->lw_start, t->lw_end);
	}
	for (int i = 0; i < g->ntids; i++)
		chunk_close(g, &g->t[i]);
	/* Coarsen a tid that sent more than its share; refine one that sent far fewer. */
	int share = budget(g) / (g->ntids ? g->ntids : 1);
	if (share > g->tid_lines)
		share = g->tid_lines;
	if (share < 2)
		share = 2;
	for (int i = 0; i < g->ntids; i++) {
		struct gtl_tid *t = &g->t[i];
		if (t->lines > share && t->res < g->max_res)
			t->res = t->res * 2 < g->max_res ? t->res * 2 : g->max_res;
		else if (t->lines * 4 < share && t->res > g->base_res)
			t->res = t->res / 2 > g->base_res ? t->res / 2 : g->base_res;
		t->lines = 0;
		t->lw_valid = t->lw_sent = false;
	}
	int n = g->lines;
	g->lines = 0;
	g->saturated = false;
	g->intervals++;
	return n;
}
