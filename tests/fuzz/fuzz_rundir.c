/* libFuzzer harness: a run directory opened for post-mortem (ktstr tui --open) comes from
 * CI artifacts, so result.json and every log in it are untrusted. The input is the files
 * of one run directory joined by FUZZ_FILE_SEP lines, in the order of files[] below; they
 * are written into one run dir (made once per process) and loaded with report_load_dir,
 * then everything the TUI computes from a loaded run runs over it (report, timeline,
 * verifier and log models), and the runs pane scans the dir's parent. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/report.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/fuzz_views.h"

static const char *const files[] = { "result.json", "console.log", "sched.log", "verifier.log",
				     "dump.log", "guest.log", "timeline.tsv" };
#define NFILES (sizeof(files) / sizeof(files[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char root[PATH_MAX], dir[PATH_MAX + 8], sweep[PATH_MAX + 8];
	if (!root[0]) {
		snprintf(root, sizeof(root), "%s/runs", fuzz_tmpdir());
		snprintf(dir, sizeof(dir), "%s/run-1", root);
		snprintf(sweep, sizeof(sweep), "%s/sweep-1", root);
		if (fs_mkdir_p(dir, 0755) || fs_mkdir_p(sweep, 0755))
			abort();
	}
	const uint8_t *part[NFILES];
	size_t len[NFILES], n = fuzz_split(data, size, part, len, NFILES);
	for (size_t i = 0; i < NFILES; i++)
		fuzz_write(dir, files[i], i < n ? part[i] : NULL, i < n ? len[i] : 0);

	struct run *r;
	char err[1024] = "";
	if (report_load_dir(dir, &r, err, sizeof(err)) == 0) {
		fuzz_render(r);
		run_put(r);
	} else if (!err[0]) {
		abort(); /* every refusal says why */
	}

	/* The same JSON as a gauntlet.json: the Runs pane's matrix (views/model_matrix.c). */
	fuzz_write(sweep, "gauntlet.json", n ? part[0] : NULL, n ? len[0] : 0);
	struct matm m;
	if (matm_load(sweep, &m) == 0) {
		for (int i = 0; i < m.ncells; i++)
			if (m.cells[i].row < 0 || m.cells[i].row >= m.nrows || m.cells[i].col < 0 ||
			    m.cells[i].col >= m.ncols)
				abort();
		for (int y = 0; y < m.nrows; y++)
			for (int x = 0; x < m.ncols; x++)
				if (matm_at(&m, y, x) >= m.ncells)
					abort();
	} else if (!m.err[0]) {
		abort(); /* every refusal says why */
	}
	matm_free(&m);

	struct runs_entry *e = NULL;
	int ne = 0;
	if (runs_scan(root, &e, &ne, err, sizeof(err)) == 0)
		free(e);
	return 0;
}
