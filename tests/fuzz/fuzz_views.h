/* What the TUI computes from a run model (live or loaded): the timeline, spread, verifier
 * and log pane models, run over whatever a harness built, so untrusted numbers and lines
 * reach them as they would on screen. */
#ifndef KTSTR_FUZZ_VIEWS_H
#define KTSTR_FUZZ_VIEWS_H

#include <stdio.h>
#include <stdlib.h>

#include "engine/checks.h"
#include "engine/report.h"
#include "views/model.h"

static inline void fuzz_logs(const struct ring *rg, enum logm_kind kind)
{
	struct logm m;
	struct logm_row row;
	logm_init(&m, kind, 8);
	logm_sync(&m, rg);
	logm_set_all(&m, true);
	for (size_t i = 0; i < logm_rows(&m); i++)
		logm_row(&m, rg, i, &row);
	logm_search(&m, rg, 0, "error", 1);
	logm_done(&m);
}

static inline void fuzz_views(struct run *r)
{
	int max = r->nworkers + SCN_MAX_CGROUPS + 1, ncols = 80;
	struct tl_row *rows = calloc((size_t)max, sizeof(*rows));
	struct tl_cell *cells = calloc((size_t)max * (size_t)ncols, sizeof(*cells));
	if (rows && cells) {
		int n = tl_rows(r, rows, max);
		int64_t t0, t1;
		tl_extent(r, &t0, &t1);
		tl_cells(r, rows, n, t0, t1, ncols, cells);
	}
	free(rows);
	free(cells);
	for (int i = 0; i < r->nworkers; i++)
		checks_share_pct(&r->workers[i]);

	struct verm v;
	verm_init(&v);
	verm_sync(&v, r->verifier);
	verm_toggle(&v, verm_rejected(&v));
	verm_done(&v);
	fuzz_logs(r->schedlog, LOGM_CYCLES);
	fuzz_logs(r->dump, LOGM_SECTIONS);
	fuzz_logs(r->console, LOGM_PLAIN);
}

/* Everything that renders a run: the text report, the JSON, and the TUI's models. */
static inline void fuzz_render(struct run *r)
{
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		report_text(r, devnull);
		fclose(devnull);
	}
	free(report_json(r));
	fuzz_views(r);
}

#endif
