/* Register provenance: from an instruction of a verifier log, back along the verified path
 * to the instruction that gave a register its type, following copies, ALU ops and stack
 * spill/fill pairs. The log is text only; the instruction forms are the kernel's
 * disassembler's ("r1 = *(u64 *)(r10 -8)", "*(u64 *)(r10 -8) = r6", "call bpf_foo#12"). */
#include "engine/verifier_prov.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/verifier.h"

const char *verifier_prov_kind_name(enum vprov_kind k)
{
	static const char *const names[] = { "def", "load", "copy", "alu", "fill", "spill", "call", "clobber",
					     "entry", "none" };
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

/* The instruction's text: after "N: (op) ", before the " ; state". */
static void insn_body(const char *s, char *buf, size_t len)
{
	const char *p = strchr(s, ')');
	p = p ? p + 1 : s;
	while (*p == ' ')
		p++;
	const char *semi = strstr(p, " ;");
	size_t n = semi ? (size_t)(semi - p) : strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
}

/* "rN" or "wN" at p (not part of a longer word): N, else -1. */
static int reg_at(const char *p, const char **end)
{
	if ((*p != 'r' && *p != 'w') || !isdigit((unsigned char)p[1]))
		return -1;
	char *e;
	long n = strtol(p + 1, &e, 10);
	if (n > 10 || isalnum((unsigned char)*e) || *e == '_')
		return -1;
	if (end)
		*end = e;
	return (int)n;
}

int verifier_insn_regs(const char *line, int *regs, int max)
{
	char body[512];
	int k = 0;
	if (!verifier_is_insn(line))
		return 0;
	insn_body(line, body, sizeof(body));
	for (const char *p = body; *p && k < max; p++) {
		if (p > body && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		int r = reg_at(p, NULL);
		bool seen = false;
		for (int i = 0; i < k; i++)
			seen |= regs[i] == r;
		if (r >= 0 && !seen)
			regs[k++] = r;
	}
	return k;
}

int verifier_error_reg(const char *err)
{
	for (const char *p = err; p && *p; p++) {
		if (*p != 'R' || !isdigit((unsigned char)p[1]) || (p > err && isalnum((unsigned char)p[-1])))
			continue;
		char *e;
		long n = strtol(p + 1, &e, 10);
		if (n <= 10 && (*e == ' ' || *e == ':' || *e == ',' || *e == 0))
			return (int)n;
	}
	return -1;
}

bool verifier_reg_state(const char *line, int reg, char *buf, size_t len)
{
	/* The state follows " ; " on an instruction, or the "N: " / "from A to B: " prefix. */
	const char *p = verifier_is_insn(line) ? strstr(line, " ;") : strchr(line, ':');
	if (!p)
		return false;
	char key[8];
	int kl = snprintf(key, sizeof(key), "R%d", reg);
	for (p++; *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *tok = p;
		int depth = 0;
		while (*p && (depth || *p != ' ')) {  /* a value can hold "(a; b)" */
			depth += *p == '(';
			depth -= *p == ')' && depth;
			p++;
		}
		if (strncmp(tok, key, (size_t)kl))
			continue;
		const char *q = tok + kl;
		if (*q == '_')  /* liveness marks: R7_w, R1_rw */
			while (*q && *q != '=' && q < p)
				q++;
		if (*q != '=')
			continue;
		q++;
		size_t n = (size_t)(p - q);
		if (n >= len)
			n = len - 1;
		memcpy(buf, q, n);
		buf[n] = 0;
		return true;
	}
	return false;
}

/* "from A to B: ..." -> A; -1 otherwise. */
static long from_insn(const char *s)
{
	if (strncmp(s, "from ", 5) || !isdigit((unsigned char)s[5]))
		return -1;
	char *e;
	long a = strtol(s + 5, &e, 10);
	return !strncmp(e, " to ", 4) ? a : -1;
}

static long insn_no(const char *s)
{
	return verifier_is_insn(s) ? strtol(s, NULL, 10) : -1;
}

/* The line before `pos` on the same path: the previous line, except that a "from A to B"
 * line (the verifier popping a saved branch) continues at the last instruction A. */
static long path_prev(const char *const *lines, long pos)
{
	long a = from_insn(lines[pos]);
	if (a < 0)
		return pos - 1;
	for (long i = pos - 1; i >= 0; i--)
		if (insn_no(lines[i]) == a)
			return i;
	return -1;
}

/* "*(u64 *)(r10 -8)" at p: the offset; false when not a stack slot. */
static bool stack_slot(const char *p, long *off)
{
	if (strncmp(p, "*(", 2))
		return false;
	const char *q = strstr(p, ")(r10 ");
	if (!q)
		return false;
	char *e;
	*off = strtol(q + 6, &e, 10);
	return *e == ')';
}

/* The register state after line i: on the line itself, else on the next few lines (a
 * separate state line follows some instructions). */
static void state_after(const char *const *lines, size_t n, long i, int reg, char *buf, size_t len)
{
	buf[0] = 0;
	for (long j = i; j < (long)n && j < i + 4; j++) {
		if (j > i && verifier_is_insn(lines[j]))
			return;
		if (verifier_reg_state(lines[j], reg, buf, len))
			return;
	}
}

static struct vprov_step *add(struct vprov *o, const char *const *lines, size_t n, long line, int reg,
			      enum vprov_kind kind)
{
	if (o->n >= VPROV_MAX)
		return NULL;
	struct vprov_step *s = &o->step[o->n++];
	memset(s, 0, sizeof(*s));
	s->line = line;
	s->reg = reg;
	s->kind = kind;
	s->times = 1;
	s->insn = line >= 0 ? insn_no(lines[line]) : -1;
	if (line >= 0) {
		if (s->insn >= 0)
			insn_body(lines[line], s->text, sizeof(s->text));
		else
			snprintf(s->text, sizeof(s->text), "%s", lines[line]);
		state_after(lines, n, line, reg, s->type, sizeof(s->type));
	}
	return s;
}

/* Finds the spill to stack slot `off` on the path before `pos`; -1 when none. */
static long find_spill(const char *const *lines, long pos, long off, char *src, size_t len)
{
	char body[512];
	for (long i = pos; i >= 0; i = path_prev(lines, i)) {
		if (!verifier_is_insn(lines[i]))
			continue;
		insn_body(lines[i], body, sizeof(body));
		long o;
		const char *eq = strstr(body, ") = ");
		if (stack_slot(body, &o) && o == off && eq) {
			snprintf(src, len, "%s", eq + 4);
			return i;
		}
	}
	return -1;
}

/* A load's reason, with what its address register was: "*(u64 *)(r1 +0)" through
 * R1=map_value(...) reads memory, which holds a scalar unless a pointer was spilled there. */
static void load_why(const char *const *lines, long pos, const char *rhs, char *buf, size_t len)
{
	const char *b = strstr(rhs, ")(");
	int base = b ? reg_at(b + 2, NULL) : -1;
	char st[128] = "";
	for (long i = path_prev(lines, pos); base >= 0 && i >= 0 && !st[0]; i = path_prev(lines, i))
		verifier_reg_state(lines[i], base, st, sizeof(st));
	if (st[0])
		snprintf(buf, len, "loaded from memory at r%d=%s: a scalar unless a pointer was stored there", base, st);
	else
		snprintf(buf, len, "loaded from memory: a scalar unless a pointer was stored there");
}

static void answer(struct vprov *o)
{
	const struct vprov_step *last = o->n ? &o->step[o->n - 1] : NULL;
	const struct vprov_step *first = o->n ? &o->step[0] : NULL;
	int l = snprintf(o->answer, sizeof(o->answer), "R%d is %s here", o->reg, o->type_at[0] ? o->type_at : "?");
	if (!last || l < 0)
		return;
	if (last->kind == VP_NONE)
		snprintf(o->answer + l, sizeof(o->answer) - (size_t)l, ": nothing on this path sets it before the log starts");
	else if (last == first)
		snprintf(o->answer + l, sizeof(o->answer) - (size_t)l, " because of %ld: %s (%s)", last->insn, last->text,
			 last->why);
	else
		snprintf(o->answer + l, sizeof(o->answer) - (size_t)l, ": last set at %ld: %s; its type comes from %ld: %s (%s)",
			 first->insn, first->text, last->insn, last->text, last->why);
}

int verifier_provenance(const char *const *lines, size_t n, size_t at, int reg, struct vprov *o)
{
	memset(o, 0, sizeof(*o));
	o->reg = reg;
	o->at = (long)at;
	if (at >= n || reg < 0 || reg > 10)
		return -1;
	int cur = reg;
	char body[512], src[256];
	/* The state going into `at`: the newest mention before it on the path. */
	for (long i = at ? path_prev(lines, (long)at) : -1; i >= 0 && !o->type_at[0]; i = path_prev(lines, i))
		verifier_reg_state(lines[i], reg, o->type_at, sizeof(o->type_at));
	if (reg == 10) {
		struct vprov_step *s = add(o, lines, n, -1, 10, VP_ENTRY);
		snprintf(s->text, sizeof(s->text), "R10 is the frame pointer");
		snprintf(s->why, sizeof(s->why), "read-only, fp0 on entry");
		answer(o);
		return 0;
	}
	long pos = at ? path_prev(lines, (long)at) : -1;
	for (; pos >= 0; pos = path_prev(lines, pos)) {
		const char *s = lines[pos];
		if (!verifier_is_insn(s)) {
			/* "0: R1=ctx() R10=fp0": the program's entry state. */
			if (!strncmp(s, "0: R", 4) && verifier_reg_state(s, cur, src, sizeof(src))) {
				struct vprov_step *st = add(o, lines, n, pos, cur, VP_ENTRY);
				if (st)
					snprintf(st->why, sizeof(st->why), "R%d on entry to the program", cur);
				answer(o);
				return 0;
			}
			continue;
		}
		insn_body(s, body, sizeof(body));
		if (!strncmp(body, "call ", 5)) {
			if (cur > 5)
				continue;
			struct vprov_step *st = add(o, lines, n, pos, cur, cur ? VP_CLOBBER : VP_CALL);
			if (st)
				snprintf(st->why, sizeof(st->why), cur ? "a call leaves R1-R5 uninitialised" :
					 "the call's return value");
			break;
		}
		const char *e;
		if (reg_at(body, &e) != cur || *e != ' ')
			continue;
		e++;
		if (e[0] == '=' && e[1] == ' ') {
			const char *rhs = e + 2, *re;
			int from = reg_at(rhs, &re);
			long off;
			if (from >= 0 && !*re) {
				struct vprov_step *st = add(o, lines, n, pos, cur, VP_COPY);
				if (st)
					snprintf(st->why, sizeof(st->why), "copied from r%d", from);
				cur = from;
				if (!st)
					break;
				continue;
			}
			if (stack_slot(rhs, &off)) {
				struct vprov_step *st = add(o, lines, n, pos, cur, VP_FILL);
				if (!st)
					break;
				snprintf(st->why, sizeof(st->why), "filled from the stack slot fp%ld", off);
				long sp = find_spill(lines, path_prev(lines, pos), off, src, sizeof(src));
				if (sp < 0)
					break;
				int sreg = reg_at(src, &re);
				st = add(o, lines, n, sp, sreg >= 0 ? sreg : cur, VP_SPILL);
				if (!st || sreg < 0 || *re) {
					if (st)
						snprintf(st->why, sizeof(st->why), "the slot fp%ld got %s", off, src);
					break;
				}
				snprintf(st->why, sizeof(st->why), "r%d spilled to fp%ld", sreg, off);
				cur = sreg;
				pos = sp;
				continue;
			}
			struct vprov_step *st = add(o, lines, n, pos, cur, !strncmp(rhs, "*(", 2) ? VP_LOAD : VP_DEF);
			if (st && st->kind == VP_LOAD)
				load_why(lines, pos, rhs, st->why, sizeof(st->why));
			else if (st)
				snprintf(st->why, sizeof(st->why), "set here");
			break;
		}
		/* rN op= x: the value depends on rN's previous one; keep following rN. */
		const char *eq = strchr(e, '=');
		if (eq && eq - e <= 4 && eq[1] == ' ') {
			struct vprov_step *prev = o->n ? &o->step[o->n - 1] : NULL;
			if (prev && prev->kind == VP_ALU && prev->insn == insn_no(s) && prev->reg == cur) {
				prev->times++;  /* a loop's earlier iterations: one step */
				continue;
			}
			struct vprov_step *st = add(o, lines, n, pos, cur, VP_ALU);
			if (!st)
				break;
			snprintf(st->why, sizeof(st->why), "arithmetic on r%d's previous value", cur);
		}
	}
	if (pos < 0) {
		struct vprov_step *st = add(o, lines, n, -1, cur, VP_NONE);
		if (st)
			snprintf(st->why, sizeof(st->why), "not set on this path within the log");
	}
	answer(o);
	return 0;
}
