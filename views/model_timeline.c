/* Timeline model: rows per worker grouped by cgroup, and time downsampled to the pane's
 * width in one pass over the slices ring (never one pass per row). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/model.h"

/* Times are clamped to +-INT32_MAX ms (24 days, the guest's max_gap_at_ms range): nothing
 * that far is drawn anyway, and the us arithmetic below cannot overflow whatever a guest or
 * a loaded run directory says. NaN counts as 0. */
#define TL_MAX_MS INT32_MAX
static int64_t clamp_ms(double ms)
{
	return ms > TL_MAX_MS ? TL_MAX_MS : ms < -TL_MAX_MS ? -TL_MAX_MS : ms == ms ? (int64_t)ms : 0;
}

static int cg_order(const struct run *r, const char *name)
{
	for (int i = 0; i < r->scn.ncgroups; i++)
		if (!strcmp(r->scn.cgroups[i].name, name))
			return i;
	for (int i = 0; i < r->ncgroups; i++)
		if (!strcmp(r->cgroups[i].name, name))
			return SCN_MAX_CGROUPS + i;
	return 2 * SCN_MAX_CGROUPS;
}

static const struct run *sort_run;
static int cmp_widx(const void *a, const void *b)
{
	const struct run_worker *x = &sort_run->workers[*(const int *)a];
	const struct run_worker *y = &sort_run->workers[*(const int *)b];
	int ox = cg_order(sort_run, x->cgroup), oy = cg_order(sort_run, y->cgroup);
	if (ox != oy)
		return ox < oy ? -1 : 1;
	int c = strcmp(x->cgroup, y->cgroup);
	if (c)
		return c;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

int tl_rows(const struct run *r, struct tl_row *out, int max)
{
	int n = r->nworkers, k = 0;
	if (n <= 0 || !r->workers)
		return 0;
	int *idx = malloc((size_t)n * sizeof(*idx));
	if (!idx)
		return 0;
	for (int i = 0; i < n; i++)
		idx[i] = i;
	sort_run = r;  /* the TUI is single-threaded; qsort has no context argument */
	qsort(idx, (size_t)n, sizeof(*idx), cmp_widx);
	const char *cur = NULL;
	for (int i = 0; i < n && k < max; i++) {
		const struct run_worker *w = &r->workers[idx[i]];
		if (!cur || strcmp(cur, w->cgroup)) {
			cur = w->cgroup;
			out[k] = (struct tl_row){ .tid = 0, .widx = -1, .cg_head = true };
			snprintf(out[k].cgroup, sizeof(out[k].cgroup), "%s", w->cgroup[0] ? w->cgroup : "(none)");
			if (++k >= max)
				break;
		}
		out[k] = (struct tl_row){ .tid = w->tid, .widx = idx[i] };
		snprintf(out[k].cgroup, sizeof(out[k].cgroup), "%s", w->cgroup);
		k++;
	}
	free(idx);
	return k;
}

/* The timeline is ms since the workload started (the base of max_gap_at_ms). The guest
 * sends slices relative to that start (guest/gtl.h); absolute guest times (at or after
 * workload_start_ns) are rebased, so either form draws in the right place. */
static int64_t slice_base_ns(const struct run *r)
{
	const struct run_slice *s = run_slice_at(r, 0);
	if (s && r->workload_start_ns > 0 && s->start_ns >= r->workload_start_ns)
		return r->workload_start_ns;
	return 0;
}

void tl_extent(const struct run *r, int64_t *t0, int64_t *t1)
{
	int64_t end = r->scn.duration_ms > 0 ? r->scn.duration_ms : 0;
	if (r->guest_elapsed_ms > end)
		end = r->guest_elapsed_ms;
	for (int i = 0; i < r->nworkers; i++) {
		int64_t w = (int64_t)(r->workers[i].wall_ns / 1000000);
		if (w > end)
			end = w;
		int64_t g = clamp_ms((double)r->workers[i].max_gap_at_ms) + clamp_ms(r->workers[i].max_gap_ms);
		if (g > end)
			end = g;
	}
	if (r->nslices) {
		const struct run_slice *s = run_slice_at(r, r->nslices - 1);
		int64_t e = (s->end_ns - slice_base_ns(r)) / 1000000;
		if (e > end)
			end = e;
	}
	*t0 = 0;
	*t1 = end <= 0 ? 1000 : end < TL_MAX_MS ? end : TL_MAX_MS;
}

int tl_col(int64_t t, int64_t t0, int64_t t1, int ncols)
{
	if (t1 <= t0 || ncols <= 0 || t < t0 || t >= t1)
		return -1;
	return (int)((t - t0) * ncols / (t1 - t0));
}

struct tl_acc { uint32_t run_us, wait_us; short cpu; };

static int row_of(const int *tids, const int *rows, int n, int tid)
{
	int lo = 0, hi = n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (tids[mid] == tid)
			return rows[mid];
		if (tids[mid] < tid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static void sort_pairs(int *tids, int *rows, int n)
{
	for (int i = 1; i < n; i++) {  /* n is a screenful of rows */
		int t = tids[i], r = rows[i], j = i - 1;
		for (; j >= 0 && tids[j] > t; j--) {
			tids[j + 1] = tids[j];
			rows[j + 1] = rows[j];
		}
		tids[j + 1] = t;
		rows[j + 1] = r;
	}
}

static void add_span(struct tl_acc *acc, int ncols, int64_t a_ms_x1000, int64_t b_ms_x1000,
		     int64_t t0, int64_t t1, char st, int cpu)
{
	/* Times in microseconds; clip to the window, then spread over the columns it hits. */
	int64_t w0 = t0 * 1000, w1 = t1 * 1000;
	if (b_ms_x1000 <= w0 || a_ms_x1000 >= w1)
		return;
	if (a_ms_x1000 < w0)
		a_ms_x1000 = w0;
	if (b_ms_x1000 > w1)
		b_ms_x1000 = w1;
	int64_t span = w1 - w0;
	int c0 = (int)((a_ms_x1000 - w0) * ncols / span);
	int c1 = (int)((b_ms_x1000 - 1 - w0) * ncols / span);
	for (int c = c0; c <= c1 && c < ncols; c++) {
		int64_t cs = w0 + span * c / ncols, ce = w0 + span * (c + 1) / ncols;
		int64_t a = a_ms_x1000 > cs ? a_ms_x1000 : cs, b = b_ms_x1000 < ce ? b_ms_x1000 : ce;
		uint32_t d = b > a ? (uint32_t)(b - a) : 1;
		if (st == 'r') {
			if (!acc[c].run_us)
				acc[c].cpu = (short)cpu;
			else if (acc[c].cpu != cpu)
				acc[c].cpu = -1;
			acc[c].run_us += d;
		} else {
			acc[c].wait_us += d;
		}
	}
}

void tl_cells(const struct run *r, const struct tl_row *rows, int nrows, int64_t t0, int64_t t1,
	      int ncols, struct tl_cell *cells)
{
	if (nrows <= 0 || ncols <= 0)
		return;
	memset(cells, 0, (size_t)nrows * ncols * sizeof(*cells));
	for (int i = 0; i < nrows * ncols; i++)
		cells[i].cpu = -1;
	if (t1 <= t0)
		return;
	int *tids = malloc((size_t)nrows * sizeof(int)), *ridx = malloc((size_t)nrows * sizeof(int));
	struct tl_acc *acc = calloc((size_t)nrows * ncols, sizeof(*acc));
	if (!tids || !ridx || !acc)
		goto out;
	int nt = 0;
	for (int i = 0; i < nrows; i++)
		if (!rows[i].cg_head) {
			tids[nt] = rows[i].tid;
			ridx[nt++] = i;
		}
	sort_pairs(tids, ridx, nt);
	if (r->nslices) {
		int64_t base = slice_base_ns(r);
		for (size_t i = 0; i < r->nslices; i++) {
			const struct run_slice *s = run_slice_at(r, i);
			int row = row_of(tids, ridx, nt, s->tid);
			if (row < 0)
				continue;
			add_span(acc + (size_t)row * ncols, ncols, (s->start_ns - base) / 1000,
				 (s->end_ns - base) / 1000, t0, t1, s->state, s->cpu);
		}
		for (int i = 0; i < nrows * ncols; i++) {
			if (acc[i].run_us && acc[i].run_us >= acc[i].wait_us) {
				cells[i].st = TL_RUN;
				cells[i].cpu = acc[i].cpu;
			} else if (acc[i].wait_us) {
				cells[i].st = TL_WAIT;
			}
		}
	} else {
		/* No slices: each worker is alive from 0 to its wall time (or the run's end). */
		int64_t e0, e1;
		tl_extent(r, &e0, &e1);
		for (int i = 0; i < nrows; i++) {
			if (rows[i].cg_head || rows[i].widx < 0 || rows[i].widx >= r->nworkers)
				continue;
			const struct run_worker *w = &r->workers[rows[i].widx];
			int64_t end = w->wall_ns ? (int64_t)(w->wall_ns / 1000000) : e1;
			for (int c = 0; c < ncols; c++) {
				int64_t cs = t0 + (t1 - t0) * c / ncols;
				if (cs < end) {
					cells[i * ncols + c].st = TL_ALIVE;
					cells[i * ncols + c].cpu = (short)(w->cpu >= 0 ? w->cpu : -1);
				}
			}
		}
	}
	/* The longest gap of each worker, on top of whatever was there. */
	for (int i = 0; i < nrows; i++) {
		if (rows[i].cg_head || rows[i].widx < 0 || rows[i].widx >= r->nworkers)
			continue;
		const struct run_worker *w = &r->workers[rows[i].widx];
		if (w->max_gap_ms <= 0)
			continue;
		int64_t a = clamp_ms((double)w->max_gap_at_ms), b = a + clamp_ms(w->max_gap_ms + 0.5);
		if (b <= t0 || a >= t1)
			continue;
		int c0 = a < t0 ? 0 : tl_col(a, t0, t1, ncols);
		int c1 = b >= t1 ? ncols - 1 : tl_col(b - 1 > a ? b - 1 : a, t0, t1, ncols);
		for (int c = c0; c >= 0 && c <= c1; c++) {
			cells[i * ncols + c].st = TL_GAP;
			cells[i * ncols + c].cpu = (short)(w->max_gap_cpu >= 0 ? w->max_gap_cpu : -1);
		}
	}
out:
	free(tids);
	free(ridx);
	free(acc);
}
