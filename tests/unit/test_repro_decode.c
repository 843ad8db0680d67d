/* Auto-repro decoders; every table is checked against the test kernel's BTF enums both
 * ways (each table entry has the kernel's value, each kernel enumerator is in the table). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "engine/repro/decode.h"
#include "tests/unit/kbtf.h"

static bool enum_value(const struct btf *b, const struct btf_type *t, int i, const char **name,
		       uint64_t *v)
{
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t) + i;
		*name = btf__name_by_offset(b, e->name_off);
		*v = (uint64_t)(int64_t)e->val; /* SCX_TASK_CURSOR is negative in a 32-bit enum */
		if (!btf_kflag(t))
			*v = (uint32_t)e->val;
		return true;
	}
	const struct btf_enum64 *e = btf_enum64(t) + i;
	*name = btf__name_by_offset(b, e->name_off);
	*v = btf_enum64_value(e);
	return true;
}

static void match_btf(const char *ename, const struct dec_name *tab)
{
	struct btf *b = kbtf();
	int id = btf__find_by_name_kind(b, ename, BTF_KIND_ENUM);
	if (id <= 0)
		id = btf__find_by_name_kind(b, ename, BTF_KIND_ENUM64);
	cr_assert_gt(id, 0, "enum %s not in the test kernel's BTF", ename);
	const struct btf_type *t = btf__type_by_id(b, id);
	/* every table entry, at the kernel's value */
	for (int i = 0; tab[i].kname; i++) {
		bool found = false;
		for (int j = 0; j < btf_vlen(t) && !found; j++) {
			const char *n;
			uint64_t v;
			enum_value(b, t, j, &n, &v);
			if (strcmp(n, tab[i].kname))
				continue;
			found = true;
			uint64_t mine = tab[i].value, theirs = v;
			if (btf_is_enum(t)) /* 32-bit enum: compare the low 32 bits */
				mine = (uint32_t)mine, theirs = (uint32_t)theirs;
			cr_expect_eq(mine, theirs, "%s: table 0x%llx, kernel 0x%llx", tab[i].kname,
				     (unsigned long long)mine, (unsigned long long)theirs);
		}
		cr_expect(found, "%s: %s is not in the kernel's enum", ename, tab[i].kname);
	}
	/* every kernel enumerator, except the field geometry (_SHIFT/_BITS), and internal masks */
	for (int j = 0; j < btf_vlen(t); j++) {
		const char *n;
		uint64_t v;
		enum_value(b, t, j, &n, &v);
		if (strstr(n, "_SHIFT") || strstr(n, "_BITS") || !strncmp(n, "__", 2) ||
		    !strcmp(n, "SCX_TASK_NONE") || !strcmp(n, "SCX_TASK_REENQ_NONE"))
			continue;
		bool found = false;
		for (int i = 0; tab[i].kname && !found; i++)
			found = !strcmp(tab[i].kname, n);
		cr_expect(found, "%s: the kernel's %s is missing from the table", ename, n);
	}
}

Test(repro_decode, tables_match_the_test_kernel_btf)
{
	match_btf("scx_dsq_id_flags", dec_dsq_ids);
	match_btf("scx_enq_flags", dec_enq_flags_tab);
	match_btf("scx_exit_kind", dec_exit_kinds);
	match_btf("scx_ent_flags", dec_task_flags_tab);
}

#define B (1ULL << 63)
Test(repro_decode, dsq_id)
{
	char s[64];
	cr_expect_str_eq(dec_dsq_id(B, s, sizeof(s)), "SCX_DSQ_INVALID");
	cr_expect_str_eq(dec_dsq_id(B | 1, s, sizeof(s)), "SCX_DSQ_GLOBAL");
	cr_expect_str_eq(dec_dsq_id(B | 2, s, sizeof(s)), "SCX_DSQ_LOCAL");
	cr_expect_str_eq(dec_dsq_id(B | 3, s, sizeof(s)), "SCX_DSQ_BYPASS");
	cr_expect_str_eq(dec_dsq_id(B | 1ULL << 62 | 3, s, sizeof(s)), "SCX_DSQ_LOCAL_ON|3");
	cr_expect_str_eq(dec_dsq_id(B | 1ULL << 62, s, sizeof(s)), "SCX_DSQ_LOCAL_ON|0");
	cr_expect_str_eq(dec_dsq_id(B | 7, s, sizeof(s)), "BUILTIN(7)");
	cr_expect_str_eq(dec_dsq_id(0, s, sizeof(s)), "DSQ(0x0)");
	cr_expect_str_eq(dec_dsq_id(0x1234, s, sizeof(s)), "DSQ(0x1234)");
	char t[8];
	cr_expect_str_eq(dec_dsq_id(B | 1, t, sizeof(t)), "SCX_DSQ", "truncated, terminated");
}

Test(repro_decode, cpumask)
{
	char s[128];
	uint64_t w[2] = { 0xf, 0 };
	cr_expect_str_eq(dec_cpumask(w, 1, s, sizeof(s)), "0xf(0-3)");
	cr_expect_str_eq(dec_cpumask(w, 2, s, sizeof(s)), "0xf(0-3)", "high zero words omitted");
	w[0] = 0x5;
	cr_expect_str_eq(dec_cpumask(w, 1, s, sizeof(s)), "0x5(0,2)");
	w[0] = 0;
	cr_expect_str_eq(dec_cpumask(w, 1, s, sizeof(s)), "0x0()");
	w[0] = 1ULL << 63 | 0xe;
	w[1] = 0x3;
	cr_expect_str_eq(dec_cpumask(w, 2, s, sizeof(s)), "0x3800000000000000e(1-3,63-65)");
}

Test(repro_decode, enq_flags)
{
	char s[128];
	cr_expect_str_eq(dec_enq_flags(0, s, sizeof(s)), "0");
	cr_expect_str_eq(dec_enq_flags(1 | 1 << 16 | 1ULL << 32, s, sizeof(s)), "WAKEUP|HEAD|PREEMPT");
	cr_expect_str_eq(dec_enq_flags(1ULL << 41 | 1ULL << 56, s, sizeof(s)), "LAST|CLEAR_OPSS");
	cr_expect_str_eq(dec_enq_flags(1 | 2, s, sizeof(s)), "WAKEUP|0x2");
	cr_expect_str_eq(dec_enq_flags(0x8, s, sizeof(s)), "0x8");
}

Test(repro_decode, exit_kind)
{
	char s[32];
	cr_expect_str_eq(dec_exit_kind(1024, s, sizeof(s)), "ERROR");
	cr_expect_str_eq(dec_exit_kind(1025, s, sizeof(s)), "ERROR_BPF", "the error capture's kind");
	cr_expect_str_eq(dec_exit_kind(1026, s, sizeof(s)), "ERROR_STALL", "the stall capture's kind");
	cr_expect_str_eq(dec_exit_kind(64, s, sizeof(s)), "UNREG");
	cr_expect_str_eq(dec_exit_kind(0, s, sizeof(s)), "NONE");
	cr_expect_str_eq(dec_exit_kind(5, s, sizeof(s)), "5");
}

Test(repro_decode, task_flags)
{
	char s[128];
	cr_expect_str_eq(dec_task_flags(0, s, sizeof(s)), "0");
	cr_expect_str_eq(dec_task_flags(0x401, s, sizeof(s)), "QUEUED|ENABLED");
	cr_expect_str_eq(dec_task_flags(0x300, s, sizeof(s)), "READY");
	cr_expect_str_eq(dec_task_flags(0x100, s, sizeof(s)), "INIT_BEGIN", "state is a field, not bits");
	cr_expect_str_eq(dec_task_flags(0x500 | 0x2 | 0x3000, s, sizeof(s)), "IN_CUSTODY|DEAD|REENQ_PREEMPTED");
	cr_expect_str_eq(dec_task_flags(0x80000000u | 0x8, s, sizeof(s)), "DEQD_FOR_SLEEP|CURSOR");
	cr_expect_str_eq(dec_task_flags(0x40 | 0x1, s, sizeof(s)), "QUEUED|0x40");
	cr_expect_str_eq(dec_task_flags(0x700, s, sizeof(s)), "0x700", "state 7 is not a state");
}

Test(repro_decode, cpu)
{
	char s[16];
	cr_expect_str_eq(dec_cpu(0xffffffffu, s, sizeof(s)), "-1");
	cr_expect_str_eq(dec_cpu(3, s, sizeof(s)), "3");
}
