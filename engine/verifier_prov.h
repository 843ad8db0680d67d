/* Register provenance in a BPF verifier log: at an instruction (the rejected one), where
 * did register Rn get the type it has? Pure log analysis (no kernel), so the TUI's
 * verifier pane and the CLI can both use it. */
#ifndef KTSTR_VERIFIER_PROV_H
#define KTSTR_VERIFIER_PROV_H

#include <stdbool.h>
#include <stddef.h>

enum vprov_kind {
	VP_DEF,      /* rN = imm / map pointer / expression: the origin */
	VP_LOAD,     /* rN = *(size *)(rM +off), not the stack: the origin (memory gives a scalar
		      * unless the verifier knows a pointer is stored there) */
	VP_COPY,     /* rN = rM: follows rM */
	VP_ALU,      /* rN op= ...: follows rN's previous value */
	VP_FILL,     /* rN = *(size *)(r10 off): follows the spill to that slot */
	VP_SPILL,    /* *(size *)(r10 off) = rM (or an immediate): follows rM */
	VP_CALL,     /* r0 = the helper's / kfunc's return value: the origin */
	VP_CLOBBER,  /* r1-r5 after a call are not initialised: the origin */
	VP_ENTRY,    /* the program's entry state (R1=ctx(), R10=fp0): the origin */
	VP_NONE,     /* the log starts before anything set it */
};

#define VPROV_MAX 24

struct vprov_step {
	long line;            /* index into the lines given; -1 for VP_NONE */
	long insn;            /* instruction index, -1 for a state line */
	int reg;              /* the register followed at this step */
	enum vprov_kind kind;
	int times;            /* VP_ALU: the same instruction walked this many times (a loop) */
	char text[192];       /* the instruction without its register state */
	char type[256];       /* the register's state after it ("scalar(...)"), "" unknown */
	char why[256];        /* "loaded from memory", "copied from r6", "spilled to fp-8" ... */
};

struct vprov {
	int reg;              /* the register asked about */
	long at;              /* the line asked at */
	char type_at[256];    /* its state going into that instruction, "" unknown */
	struct vprov_step step[VPROV_MAX];
	int n;                /* newest first: step[0] is the last write before `at` */
	char answer[640];     /* one sentence: why Rn has that type there */
};

/* Walks back from line `at` over the path the verifier took to get there (a "from A to B:"
 * line continues at the last instruction A before it) and fills out: the chain of
 * instructions that gave reg its type, newest first. Returns 0, or -1 when `at` or reg is
 * out of range. */
int verifier_provenance(const char *const *lines, size_t n, size_t at, int reg, struct vprov *out);
/* The register an error line names: "R1 invalid mem access 'scalar'" -> 1; -1 none. */
int verifier_error_reg(const char *err);
/* The registers an instruction line names (r0-r10, w0-w10 count as rN), each once, in
 * order of appearance; returns how many (at most max). */
int verifier_insn_regs(const char *line, int *regs, int max);
/* Register reg's state in a line's annotation ("R7_w=scalar(...)" -> "scalar(...)"); false
 * when the line does not show it. */
bool verifier_reg_state(const char *line, int reg, char *buf, size_t len);
const char *verifier_prov_kind_name(enum vprov_kind k);

#endif
