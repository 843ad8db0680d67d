/* Cycle collapse of logs; verifier log parsing and loop folding on real-shaped logs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/collapse.h"
#include "engine/verifier.h"

#define FIXTURES "tests/fixtures/"

static char **load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (run the tests from the project root)", path);
	char **v = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t len;
	*n = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len && line[len - 1] == '\n')
			line[len - 1] = 0;
		v = realloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = strdup(line);
	}
	free(line);
	fclose(f);
	return v;
}

Test(collapse, folds_consecutive_blocks_smallest_period_first)
{
	const char *l[] = { "start", "a", "b", "a", "b", "a", "b", "x", "x", "x", "end" };
	struct fold f[11];
	size_t n = collapse_cycles(l, 11, 8, f, 11);
	cr_assert_eq(n, 4);
	cr_assert(f[0].first == 0 && f[0].len == 1 && f[0].repeat == 1);
	cr_assert(f[1].first == 1 && f[1].len == 2 && f[1].repeat == 3);
	cr_assert(f[2].first == 7 && f[2].len == 1 && f[2].repeat == 3);
	cr_assert(f[3].first == 10 && f[3].repeat == 1);
}

Test(collapse, respects_max_block_and_max_out)
{
	const char *l[] = { "a", "b", "c", "a", "b", "c" };
	struct fold f[6];
	cr_assert_eq(collapse_cycles(l, 6, 2, f, 6), 6, "a 3-line cycle is not tried with max_block 2");
	cr_assert_eq(collapse_cycles(l, 6, 3, f, 6), 1);
	cr_assert_eq(f[0].repeat, 2);
	cr_assert_eq(collapse_cycles(l, 6, 2, f, 2), 2, "never writes past max_out");
	cr_assert_eq(collapse_cycles(l, 0, 3, f, 6), 0);
}

Test(collapse, parses_the_seed_verifier_log)
{
	size_t n;
	char **v = load(FIXTURES "verifier-seed.log", &n);
	struct verifier_summary s;
	verifier_parse((const char *const *)v, n, &s);
	cr_assert(s.present);
	cr_assert_str_eq(s.headline, "Global function ktstr_dispatch() doesn't return scalar. Only those are supported.");
	cr_assert_str_eq(s.rejected, "R1 invalid mem access 'scalar'");
	cr_assert_str_eq(s.rejected_insn, "192: (63) *(u32 *)(r1 +0) = r2");
	cr_assert_str_eq(s.source, "; *p = (int)acc; @ main.bpf.c:464");
	cr_assert_eq(s.processed, 186);
	cr_assert_eq(s.states_total, 7);
	cr_assert_eq(s.states_peak, 7);
	char line[128];
	verifier_stats_line(&s, line, sizeof(line));
	cr_assert_str_eq(line, "processed=186  states=7/7");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

Test(collapse, stats_line_prints_peak_over_total)
{
	struct verifier_summary s = { .present = true, .processed = 52, .states_total = 12, .states_peak = 9 };
	char line[128];
	verifier_stats_line(&s, line, sizeof(line));
	cr_assert_str_eq(line, "processed=52  states=9/12");
}

Test(collapse, plain_text_is_not_a_verifier_log)
{
	const char *l[] = { "", "libbpf: failed to load BPF skeleton 'bpf_bpf': -EINVAL", "Error: Failed to load BPF program" };
	struct verifier_summary s;
	verifier_parse(l, 3, &s);
	cr_assert_not(s.present);
	cr_assert_str_eq(s.headline, "libbpf: failed to load BPF skeleton 'bpf_bpf': -EINVAL", "first non-empty line");
	cr_assert_eq(s.rejected[0], 0);
	cr_assert_eq(s.processed, -1);
}

Test(collapse, folds_identical_loop_iterations_in_a_looped_log)
{
	size_t n, nout;
	char **v = load(FIXTURES "verifier-loop.log", &n), **out;
	cr_assert_eq(n, 66);
	cr_assert_eq(verifier_collapse((const char *const *)v, n, &out, &nout), 0);
	/* 5 lines before the loop, one 7-line iteration, the marker, 5 lines after. */
	cr_assert_eq(nout, 5 + 7 + 1 + 5, "got %zu lines", nout);
	cr_assert_str_eq(out[5], "; for (i = 0; i < 8; i++) @ main.bpf.c:502");
	cr_assert(strstr(out[6], "R1_w=0 R7_w=0"), "the first iteration is kept: %s", out[6]);
	cr_assert_str_eq(out[12], "--- 7 identical iterations omitted ---");
	cr_assert_str_eq(out[16], "R1 invalid mem access 'scalar'", "the rejection stays readable");
	struct verifier_summary s;
	verifier_parse((const char *const *)out, nout, &s);
	cr_assert_str_eq(s.rejected_insn, "8: (63) *(u32 *)(r1 +0) = r6");
	cr_assert_str_eq(s.source, "; *p = acc; @ main.bpf.c:506");
	verifier_lines_free(out, nout);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

Test(collapse, different_instructions_are_not_folded)
{
	const char *l[] = { "1: (b7) r1 = 0", "2: (b7) r2 = 0", "1: (b7) r1 = 1", "2: (b7) r2 = 0" };
	char **out;
	size_t nout;
	cr_assert_eq(verifier_collapse(l, 4, &out, &nout), 0);
	cr_assert_eq(nout, 4, "opcode text differs, so these are not iterations");
	verifier_lines_free(out, nout);
	cr_assert_eq(verifier_collapse(l, 0, &out, &nout), 0);
	cr_assert_eq(nout, 0);
	verifier_lines_free(out, nout);
}

Test(collapse, seed_log_has_nothing_to_fold)
{
	size_t n, nout;
	char **v = load(FIXTURES "verifier-seed.log", &n), **out;
	cr_assert_eq(verifier_collapse((const char *const *)v, n, &out, &nout), 0);
	cr_assert_eq(nout, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(out[i], v[i]);
	verifier_lines_free(out, nout);
	verifier_lines_free(v, n);
}
