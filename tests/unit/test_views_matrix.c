/* The Runs pane's sweep matrix (views/model_matrix.c) on a gauntlet.json fixture and a
 * corrupt one, the runs list showing a sweep as one entry, and the verifier pane's list of
 * logs to compare with (views/model_vcompare.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "views/model.h"

#define GDIR "tests/fixtures/gauntlet"

Test(views_matrix, gauntlet_rows_columns_and_cells)
{
	struct matm m;
	cr_assert_eq(matm_load(GDIR, &m), 0, "%s", m.err);
	cr_assert_eq(m.kind, RUNS_GAUNTLET);
	cr_assert_eq(m.ncells, 8);
	/* One kernel: rows are scenario x profile, columns the presets. */
	cr_assert_eq(m.nrows, 4);
	cr_assert_eq(m.ncols, 2);
	cr_assert_str_eq(m.rows[0], "busy / default");
	cr_assert_str_eq(m.rows[1], "busy / lowlat");
	cr_assert_str_eq(m.cols[0], "tiny");
	cr_assert_str_eq(m.cols[1], "small-2llc");
	cr_assert_eq(m.npass, 5);
	cr_assert_eq(m.nfail, 1);
	cr_assert_eq(m.nerror, 1);
	cr_assert_eq(m.nskip, 1);
	cr_assert_eq(m.nleft_out, 1);
	cr_assert_float_eq(m.wall_s, 81.5, 1e-9);
	int i = matm_at(&m, 0, 0);
	cr_assert_geq(i, 0);
	cr_assert_str_eq(m.cells[i].status, "fail");
	cr_assert_str_eq(m.cells[i].dir, GDIR "/cells/gauntlet__busy__tiny__default");
	cr_assert_float_eq(m.cells[i].wall_s, 12.25, 1e-9);
	i = matm_at(&m, 3, 1);  /* idle / lowlat on small-2llc: skipped, no run dir */
	cr_assert_str_eq(m.cells[i].status, "skip");
	cr_assert_str_eq(m.cells[i].dir, "");
	cr_assert_eq(matm_at(&m, 4, 0), -1);
	matm_free(&m);
}

Test(views_matrix, corrupt_and_missing_files_are_one_clear_line)
{
	struct matm m;
	cr_assert_neq(matm_load("tests/fixtures/gauntlet-corrupt", &m), 0);
	cr_assert(strstr(m.err, "gauntlet-corrupt/gauntlet.json:"), "%s", m.err);
	cr_assert(strstr(m.err, "not valid JSON"), "%s", m.err);
	cr_assert_eq(m.ncells, 0);
	matm_free(&m);
	cr_assert_neq(matm_load("tests/fixtures/run-failed", &m), 0);
	cr_assert(strstr(m.err, "no gauntlet.json or verifier.json"), "%s", m.err);
	matm_free(&m);
}

Test(views_matrix, runs_list_shows_a_sweep_as_one_entry)
{
	struct runs_entry *e;
	int n;
	char err[256] = "";
	cr_assert_eq(runs_scan("tests/fixtures", &e, &n, err, sizeof(err)), 0, "%s", err);
	int sweeps = 0, runs = 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(e[i].id, "gauntlet")) {
			sweeps++;
			cr_assert_eq(e[i].kind, RUNS_GAUNTLET);
			cr_assert_str_eq(e[i].result, "fail");
			cr_assert_str_eq(e[i].sched, "gauntlet");
			cr_assert_str_eq(e[i].kernel, "8 cells 5 pass 2 fail");
			cr_assert_eq(e[i].duration_ms, 81500);
		}
		if (!strcmp(e[i].id, "gauntlet-corrupt"))
			cr_assert_str_eq(e[i].result, "?");
		runs += e[i].kind == RUNS_RUN;
	}
	cr_assert_eq(sweeps, 1);
	cr_assert_geq(runs, 1, "run-failed is still a run");
	free(e);
}

Test(views_matrix, compare_candidates_are_sibling_cells_first)
{
	char prog[64];
	cr_assert(vcand_prog_of_line("libbpf: prog 'ktstr_dispatch': -- BEGIN PROG LOAD LOG --", prog, sizeof(prog)));
	cr_assert_str_eq(prog, "ktstr_dispatch");
	cr_assert_not(vcand_prog_of_line("libbpf: prog 'x': failed to load: -13", prog, sizeof(prog)));
	struct vcand *c;
	int n;
	/* From a cell of the fixture gauntlet: run-failed (under the root) has a log, the cell
	 * itself is left out. */
	cr_assert_eq(vcand_scan(GDIR "/cells/gauntlet__busy__tiny__default", "tests/fixtures", "", &c, &n), 0);
	bool saw_run_failed = false;
	for (int i = 0; i < n; i++) {
		cr_assert_str_neq(c[i].dir, GDIR "/cells/gauntlet__busy__tiny__default");
		saw_run_failed |= !strcmp(c[i].id, "run-failed");
	}
	cr_assert(saw_run_failed);
	free(c);
	char k[128];
	vcand_kernel_of("tests/fixtures/run-failed", k, sizeof(k));
	cr_assert_neq(k[0], 0);
}

Test(views_matrix, verifier_sweep_rows_are_kernels)
{
	struct matm m;
	cr_assert_eq(matm_load("tests/fixtures/verifier-sweep", &m), 0, "%s", m.err);
	cr_assert_eq(m.kind, RUNS_VERIFIER);
	cr_assert_eq(m.ncells, 4, "a cell that is not an object is skipped");
	/* Two profiles: rows are kernel x profile; columns the presets. */
	cr_assert_eq(m.nrows, 3);
	cr_assert_str_eq(m.rows[0], "7.2.13 / default");
	cr_assert_str_eq(m.rows[1], "6.6.1-pahole124 / default");
	cr_assert_str_eq(m.rows[2], "7.2.13 / lowlat");
	cr_assert_eq(m.ncols, 2);
	cr_assert_eq(m.npass, 3);
	cr_assert_eq(m.nfail, 1);
	int i = matm_at(&m, 1, 0);
	cr_assert_str_eq(m.cells[i].status, "fail");
	cr_assert_str_eq(m.cells[i].dir, "", "a dir leading out of the sweep is not followed");
	cr_assert_lt(m.cells[i].wall_s, 0.0);
	cr_assert_eq(matm_at(&m, 1, 1), -1);
	matm_free(&m);
}
