/* --budget-secs: the reference's greedy selection, the most feature coverage per
 * estimated second (docs/gauntlet.md), and its one-line summary. */
#ifndef KTSTR_SWEEP_BUDGET_H
#define KTSTR_SWEEP_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/sweep/matrix.h"

struct sweep_budget {
	int kept, total;          /* cells picked, cells offered */
	double used_s, budget_s;  /* estimated seconds of the picked cells, the budget */
	int covered, features;    /* features the picked cells cover, features of all cells */
};

/* Sets keep[i] for the cells picked within budget_s. Each round takes the cell that fits
 * the remaining seconds and covers the most not-yet-covered features per estimated
 * second; once nothing adds a feature, the one whose features are covered least often
 * (sum of 1/(1+times) per second). Ties go to the earlier cell. 0 or -ENOMEM. */
int sweep_budget_select(const struct sweep_cell *cells, int n, int nfeatures, double budget_s,
			bool *keep, struct sweep_budget *out);
/* "ktstr budget: 42/1200 tests, 295/300s used, 38/38 configurations covered" */
void sweep_budget_line(const struct sweep_budget *b, char *buf, size_t len);

#endif
