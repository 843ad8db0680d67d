/* libFuzzer harness: BPF verifier logs (and scheduler/dump logs) come from the guest, or
 * from a run directory's verifier.log; the summary parser, the loop collapsing and the
 * views over them must never crash, and the collapsed list never outgrows the raw one.
 * The input is the log, one line per '\n'. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/collapse.h"
#include "engine/verifier.h"
#include "engine/verifier_align.h"
#include "engine/verifier_prov.h"
#include "engine/ring.h"
#include "views/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char **lines = malloc((size + 1) * sizeof(*lines));
	struct fold *folds = malloc((size + 1) * sizeof(*folds));
	struct ring *rg = ring_new(1u << 20, 64u << 20);
	if (!text || !lines || !folds || !rg)
		goto out;
	memcpy(text, data, size);
	text[size] = 0;
	size_t n = 0;
	for (char *p = text, *nl; p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		lines[n++] = p;
		ring_push(rg, p);
	}

	struct verifier_summary sum;
	char stats[128];
	verifier_parse(lines, n, &sum);
	verifier_stats_line(&sum, stats, sizeof(stats));
	char **col;
	size_t ncol;
	if (verifier_collapse(lines, n, &col, &ncol) == 0) {
		if (ncol > n)
			abort();
		verifier_lines_free(col, ncol);
	}
	size_t nf = collapse_cycles(lines, n, 8, folds, n + 1), covered = 0;
	for (size_t i = 0; i < nf; i++)
		covered += folds[i].len * folds[i].repeat;
	if (covered != n)
		abort(); /* folds cover every line exactly once */

	/* The verifier pane: step through every instruction both ways, collapsed and raw. */
	struct verm v;
	verm_init(&v);
	verm_sync(&v, rg);
	for (int pass = 0; pass < 2; pass++) {
		long at = verm_rejected(&v);
		for (long i = verm_step(&v, -1, 1); i >= 0; i = verm_step(&v, i, 1))
			if (!verifier_is_insn(verm_line(&v, (size_t)i)))
				abort();
		at = verm_toggle(&v, at);
		if (at >= (long)verm_count(&v))
			abort();
	}
	verm_done(&v);

	/* Register provenance of every register from the last line, and the log aligned with
	 * itself shifted by a line: rows cover both logs in order. */
	for (int reg = 0; n && reg <= 10; reg++) {
		struct vprov p;
		if (verifier_provenance(lines, n, n - 1, reg, &p) || p.n < 0 || p.n > VPROV_MAX)
			abort();
		for (int i = 0; i < p.n; i++)
			if (p.step[i].line >= (long)n)
				abort();
	}
	struct valign_row *rows;
	size_t nrows;
	if (n && verifier_align(lines, n, lines + 1, n - 1, &rows, &nrows) == 0) {
		long a = -1, b = -1;
		for (size_t i = 0; i < nrows; i++) {
			if ((rows[i].a >= 0 && rows[i].a <= a) || (rows[i].b >= 0 && rows[i].b <= b))
				abort();
			a = rows[i].a >= 0 ? rows[i].a : a;
			b = rows[i].b >= 0 ? rows[i].b : b;
		}
		if (a != (long)n - 1 || b != (long)n - 2)
			abort();
		free(rows);
	}

	/* The same lines as a scheduler log (cycles) and a dump (sections). */
	for (int kind = LOGM_CYCLES; kind <= LOGM_SECTIONS; kind++) {
		struct logm m;
		struct logm_row row;
		logm_init(&m, (enum logm_kind)kind, 8);
		logm_sync(&m, rg);
		for (size_t i = 0; i < logm_rows(&m); i++)
			if (!logm_row(&m, rg, i, &row))
				abort();
		size_t at = logm_rows(&m) / 2;
		logm_toggle(&m, &at);
		logm_set_all(&m, true);
		logm_search(&m, rg, 0, "R1", 1);
		logm_done(&m);
	}
out:
	ring_free(rg);
	free(folds);
	free(lines);
	free(text);
	return 0;
}
