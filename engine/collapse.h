/* Log readability: fold repeated blocks of lines into one copy plus a count (scheduler
 * log), and parse BPF verifier logs (summary, stats, rejected insn, loop collapsing). */
#ifndef KTSTR_COLLAPSE_H
#define KTSTR_COLLAPSE_H

#include <stdbool.h>
#include <stddef.h>

/* A folded view of lines[0..n): out entries point into lines. A block of k lines
 * repeated m>1 times consecutively becomes one entry with repeat = m. */
struct fold { size_t first; size_t len; size_t repeat; };
/* Returns the number of folds written (<= n); max_block bounds the cycle length tried. */
size_t collapse_cycles(const char *const *lines, size_t n, size_t max_block,
		       struct fold *out, size_t max_out);

struct verifier_summary {
	bool present;               /* the lines look like a verifier log */
	char headline[512];         /* first line: the top-level complaint */
	char rejected[512];         /* the last error line, e.g. "R1 invalid mem access 'scalar'" */
	char rejected_insn[512];    /* the instruction before it, e.g. "192: (63) *(u32 *)(r1 +0) = r2" */
	char source[512];           /* the nearest "; ... @ file.bpf.c:LINE" comment */
	long processed, states_total, states_peak; /* from "processed N insns ... total_states A peak_states B" */
};
/* An instruction line of a verifier log: "192: (63) *(u32 *)(r1 +0) = r2". */
bool verifier_is_insn(const char *line);
void verifier_parse(const char *const *lines, size_t n, struct verifier_summary *out);
/* The stats line as the seed prints it: "processed=186  states=7/7". */
void verifier_stats_line(const struct verifier_summary *v, char *buf, size_t len);
/* Collapses repeated identical loop iterations in a verifier log into one copy plus
 * "--- N identical iterations omitted ---". Output lines are malloc'd; free with
 * verifier_lines_free. */
int verifier_collapse(const char *const *lines, size_t n, char ***out, size_t *nout);
void verifier_lines_free(char **lines, size_t n);

#endif
