/* BPF verifier logs: what was rejected and where, the stats line, and loop folding. */
#ifndef KTSTR_VERIFIER_H
#define KTSTR_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>

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
/* How much of a log line names the same step on every walk and in every log: an
 * instruction without its register state, "N:" for a bare state line, "from A to B:" for
 * a popped branch (trailing blanks dropped). Loop folding and log alignment key on it. */
size_t verifier_line_key_len(const char *line);
void verifier_parse(const char *const *lines, size_t n, struct verifier_summary *out);
/* The stats line as the seed prints it: "processed=186  states=7/7". */
void verifier_stats_line(const struct verifier_summary *v, char *buf, size_t len);
/* Collapses repeated identical loop iterations in a verifier log into one copy plus
 * "--- N identical iterations omitted ---". Output lines are malloc'd; free with
 * verifier_lines_free. */
int verifier_collapse(const char *const *lines, size_t n, char ***out, size_t *nout);
void verifier_lines_free(char **lines, size_t n);

#endif
