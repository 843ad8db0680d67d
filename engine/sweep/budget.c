/* The budget's greedy selection (budget.h). */
#include "engine/sweep/budget.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sweep_budget_select(const struct sweep_cell *cells, int n, int nfeatures, double budget_s,
			bool *keep, struct sweep_budget *out)
{
	int *times = calloc((size_t)(nfeatures > 0 ? nfeatures : 1), sizeof(*times));
	bool *all = calloc((size_t)(nfeatures > 0 ? nfeatures : 1), sizeof(*all));
	if (!times || !all) {
		free(times);
		free(all);
		return -ENOMEM;
	}
	memset(out, 0, sizeof(*out));
	out->total = n;
	out->budget_s = budget_s;
	for (int i = 0; i < n; i++) {
		keep[i] = false;
		for (int f = 0; f < cells[i].nfeat; f++)
			all[cells[i].feat[f]] = true;
	}
	for (int f = 0; f < nfeatures; f++)
		out->features += all[f];
	double left = budget_s;
	while (1) {
		int best = -1;
		double best_new = 0, best_spread = 0;
		for (int i = 0; i < n; i++) {
			if (keep[i] || cells[i].est_s > left + 1e-9)
				continue;
			double cost = cells[i].est_s > 0.1 ? cells[i].est_s : 0.1;
			int fresh = 0;
			double spread = 0;
			for (int f = 0; f < cells[i].nfeat; f++) {
				fresh += times[cells[i].feat[f]] == 0;
				spread += 1.0 / (1 + times[cells[i].feat[f]]);
			}
			double sn = fresh / cost, ss = spread / cost;
			if (best < 0 || sn > best_new + 1e-12 ||
			    (sn > best_new - 1e-12 && ss > best_spread + 1e-12)) {
				best = i;
				best_new = sn;
				best_spread = ss;
			}
		}
		if (best < 0)
			break;
		keep[best] = true;
		left -= cells[best].est_s;
		out->used_s += cells[best].est_s;
		out->kept++;
		for (int f = 0; f < cells[best].nfeat; f++)
			if (times[cells[best].feat[f]]++ == 0)
				out->covered++;
	}
	free(times);
	free(all);
	return 0;
}

void sweep_budget_line(const struct sweep_budget *b, char *buf, size_t len)
{
	snprintf(buf, len, "ktstr budget: %d/%d tests, %.0f/%.0fs used, %d/%d configurations covered",
		 b->kept, b->total, b->used_s, b->budget_s, b->covered, b->features);
}
