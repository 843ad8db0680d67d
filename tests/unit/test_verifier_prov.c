/* Register provenance on verifier logs (engine/verifier_prov.c): the real rejection of
 * ktstr_sched_bad_verifier (a store through a scalar), the seed and loop logs, and a log
 * with a spill/fill pair, a call and a popped branch. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/verifier.h"
#include "engine/verifier_align.h"
#include "engine/verifier_prov.h"

struct flog { char **l; size_t n; };

static struct flog load(const char *path)
{
	struct flog f = { 0 };
	char err[256];
	cr_assert_eq(verifier_load_file(path, &f.l, &f.n, err, sizeof(err)), 0, "%s", err);
	return f;
}

static void flog_free(struct flog *f)
{
	verifier_lines_free(f->l, f->n);
}

static size_t rejected_line(const struct flog *f)
{
	for (size_t i = f->n; i-- > 0;)
		if (verifier_is_insn(f->l[i]))
			return i;
	cr_assert_fail("no instruction in the log");
	return 0;
}

static struct vprov prov(const struct flog *f, int reg)
{
	struct vprov p;
	cr_assert_eq(verifier_provenance((const char *const *)f->l, f->n, rejected_line(f), reg, &p), 0);
	return p;
}

Test(verifier_prov, real_store_through_a_scalar)
{
	struct flog f = load("tests/fixtures/verifier-bad-store.log");
	struct verifier_summary s;
	verifier_parse((const char *const *)f.l, f.n, &s);
	int reg = verifier_error_reg(s.rejected);
	cr_assert_eq(reg, 1, "the error names R1: %s", s.rejected);
	struct vprov p = prov(&f, reg);
	cr_assert_str_eq(p.type_at, "scalar()");
	cr_assert_eq(p.n, 1);
	cr_assert_eq(p.step[0].kind, VP_LOAD);
	cr_assert_eq(p.step[0].insn, 7);
	cr_assert_str_eq(p.step[0].text, "r1 = *(u64 *)(r1 +0)");
	cr_assert_str_eq(p.step[0].type, "scalar()");
	cr_assert(strstr(p.answer, "R1 is scalar() here because of 7: r1 = *(u64 *)(r1 +0)"), "%s", p.answer);
	/* ... read through R1 = the .bss map value holding slot_addr: memory, so a scalar. */
	cr_assert(strstr(p.step[0].why, "loaded from memory at r1=map_value(map=ktstr_sc.bss"), "%s", p.step[0].why);
	/* R2, the stored value: r2 += 1 on a load from the map value. */
	p = prov(&f, 2);
	cr_assert_eq(p.n, 2);
	cr_assert_eq(p.step[0].kind, VP_ALU);
	cr_assert_eq(p.step[0].insn, 3);
	cr_assert_eq(p.step[1].kind, VP_LOAD);
	cr_assert_eq(p.step[1].insn, 2);
	int regs[4];
	cr_assert_eq(verifier_insn_regs(f.l[rejected_line(&f)], regs, 4), 2);
	cr_assert_eq(regs[0], 1);
	cr_assert_eq(regs[1], 2);
	flog_free(&f);
}

Test(verifier_prov, spill_fill_copy_call_and_a_popped_branch)
{
	struct flog f = load("tests/fixtures/verifier-spill.log");
	struct vprov p = prov(&f, 7);
	/* 9 r7 += 16 <- 8 fill fp-8 <- 3 spill r7 <- 2 r7 = r0 <- 1 call; the other branch's
	 * "6: r7 = r6" is skipped: the path continues at insn 5 ("from 5 to 8"). */
	cr_assert_eq(p.n, 5, "%d steps: %s", p.n, p.answer);
	enum vprov_kind kinds[] = { VP_ALU, VP_FILL, VP_SPILL, VP_COPY, VP_CALL };
	long insns[] = { 9, 8, 3, 2, 1 };
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(p.step[i].kind, kinds[i], "step %d: %s", i, verifier_prov_kind_name(p.step[i].kind));
		cr_assert_eq(p.step[i].insn, insns[i], "step %d", i);
	}
	cr_assert_eq(p.step[3].reg, 7);
	cr_assert_eq(p.step[4].reg, 0);
	cr_assert_str_eq(p.step[1].type, "scalar(id=1)");
	cr_assert_str_eq(p.step[4].type, "scalar()");
	cr_assert(strstr(p.step[2].why, "r7 spilled to fp-8"), "%s", p.step[2].why);
	/* R1 was clobbered by the call at 11; R6 copies R1 from the program's entry. */
	p = prov(&f, 1);
	cr_assert_eq(p.n, 1);
	cr_assert_eq(p.step[0].kind, VP_CLOBBER);
	cr_assert_eq(p.step[0].insn, 11);
	p = prov(&f, 6);
	cr_assert_eq(p.n, 2);
	cr_assert_eq(p.step[0].kind, VP_COPY);
	cr_assert_eq(p.step[1].kind, VP_ENTRY);
	cr_assert_str_eq(p.step[1].type, "ctx()");
	/* Nothing sets R8 (R3 was clobbered by the call at 11). */
	p = prov(&f, 8);
	cr_assert_eq(p.n, 1);
	cr_assert_eq(p.step[0].kind, VP_NONE);
	p = prov(&f, 3);
	cr_assert_eq(p.step[0].kind, VP_CLOBBER);
	flog_free(&f);
}

Test(verifier_prov, loop_and_seed_logs)
{
	struct flog f = load("tests/fixtures/verifier-loop.log");
	struct vprov p = prov(&f, 1);
	cr_assert_eq(p.n, 1);
	cr_assert_eq(p.step[0].kind, VP_DEF);
	cr_assert_eq(p.step[0].insn, 7);
	cr_assert_str_eq(p.type_at, "0");
	/* r6 += r1 walked eight times, one step; then 0: r6 = 0. */
	p = prov(&f, 6);
	cr_assert_eq(p.n, 2);
	cr_assert_eq(p.step[0].kind, VP_ALU);
	cr_assert_eq(p.step[0].times, 8);
	cr_assert_eq(p.step[1].kind, VP_DEF);
	cr_assert_eq(p.step[1].insn, 0);
	flog_free(&f);

	f = load("tests/fixtures/verifier-seed.log");
	p = prov(&f, 2);
	cr_assert_eq(p.step[0].kind, VP_FILL);
	cr_assert_eq(p.step[0].insn, 191);
	cr_assert(strstr(p.step[0].type, "scalar(id=53"), "%s", p.step[0].type);
	cr_assert_eq(p.n, 1, "the seed log is cut: no spill to follow");
	flog_free(&f);
}

Test(verifier_prov, reg_state_and_bad_input)
{
	char buf[128];
	const char *l = "191: (61) r2 = *(u32 *)(r10 -8)       ; R2=scalar(id=53,var_off=(0x0; 0xffffffff)) R10=fp0";
	cr_assert(verifier_reg_state(l, 2, buf, sizeof(buf)));
	cr_assert_str_eq(buf, "scalar(id=53,var_off=(0x0; 0xffffffff))");
	cr_assert(verifier_reg_state(l, 10, buf, sizeof(buf)));
	cr_assert_str_eq(buf, "fp0");
	cr_assert_not(verifier_reg_state(l, 1, buf, sizeof(buf)));
	cr_assert(verifier_reg_state("from 5 to 8: R7_w=0 R10=fp0", 7, buf, sizeof(buf)));
	cr_assert_str_eq(buf, "0");
	cr_assert_eq(verifier_error_reg("R10 pointer arithmetic prohibited"), 10);
	cr_assert_eq(verifier_error_reg("invalid size of register spill"), -1);
	const char *lines[] = { "0: (b7) r1 = 0" };
	struct vprov p;
	cr_assert_eq(verifier_provenance(lines, 1, 1, 1, &p), -1);
	cr_assert_eq(verifier_provenance(lines, 1, 0, 11, &p), -1);
	char **ls;
	size_t n;
	char err[256];
	cr_assert_neq(verifier_load_file("tests/fixtures/no-such.log", &ls, &n, err, sizeof(err)), 0);
	cr_assert(strstr(err, "no-such.log"), "%s", err);
}
