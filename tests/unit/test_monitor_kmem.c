/* The monitor's kernel-memory layer on synthetic guest RAM: image, direct map and page
 * walks (4 and 5 levels, 2 MiB and 1 GiB pages, a hole), per-CPU addresses; field
 * offsets from the test kernel's BTF; the map_idr walk and the globals rendered by a
 * BTF built here. */
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "engine/monitor/gmaps.h"
#include "engine/monitor/kmem.h"
#include "engine/monitor/layout.h"
#include "tests/unit/kbtf.h"

#define RAM (64u << 20)
#define KMAP 0xffffffff80000000ull
#define DIRECT4 0xffff888000000000ull
#define DIRECT5 0xff11000000000000ull
#define VMALLOC 0xffffc90000000000ull

static uint8_t *ram;

static int rd(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	if (gpa >= RAM || len > RAM - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static void put64(uint64_t pa, uint64_t v) { memcpy(ram + pa, &v, 8); }

/* Kernel image at 16 MiB (phys_base 0): _text = KMAP + 16M. Variables in the image. */
#define TEXT_PA 0x1000000ull
#define VA_IMG(pa) (KMAP + (pa))
#define POB_PA 0x1100000ull     /* page_offset_base */
#define PCPU_PA 0x1100100ull    /* __per_cpu_offset[] */
#define PGD_PA 0x1200000ull     /* init_top_pgt, then the lower tables */

static struct kmem_syms syms(void)
{
	return (struct kmem_syms){ .text = VA_IMG(TEXT_PA), .text_phys = TEXT_PA,
				   .page_offset_base = VA_IMG(POB_PA), .init_top_pgt = VA_IMG(PGD_PA),
				   .per_cpu_offset = VA_IMG(PCPU_PA), .runqueues = VA_IMG(0x1300000) };
}

/* Tables for VMALLOC (and, 5-level, one more on top): a 4 KiB page at VMALLOC -> 0x2000000,
 * VMALLOC+4K -> 0x2005000 (so a read across them is not contiguous), a 2 MiB page at
 * VMALLOC+2M -> 0x2200000, a 1 GiB page at VMALLOC+1G -> 0 (RAM start), nothing at +8K. */
static void tables(int levels)
{
	uint64_t va = VMALLOC, top = PGD_PA, next = PGD_PA + 0x1000;
	if (levels == 5) {
		put64(top + ((va >> 48) & 511) * 8, next | 3);
		top = next;
		next += 0x1000;
	}
	uint64_t pud = next + 0x1000, pmd = next + 0x2000, pte = next + 0x3000;
	put64(top + ((va >> 39) & 511) * 8, pud | 3);
	put64(pud + ((va >> 30) & 511) * 8, pmd | 3);
	put64(pud + (((va + (1ull << 30)) >> 30) & 511) * 8, 0x0 | 0x83);   /* 1 GiB page */
	put64(pmd + ((va >> 21) & 511) * 8, pte | 3);
	put64(pmd + (((va + (2u << 20)) >> 21) & 511) * 8, 0x2200000 | 0x83); /* 2 MiB page */
	put64(pte + 0, 0x2000000 | 3);
	put64(pte + 8, 0x2005000 | 3 | (1ull << 63)); /* NX bit is not address */
}

static void init(struct kmem *k, int levels)
{
	free(ram);
	ram = calloc(1, RAM);
	put64(POB_PA, levels == 5 ? DIRECT5 : DIRECT4);
	put64(PCPU_PA, 0x100000);
	put64(PCPU_PA + 8, 0x200000);
	tables(levels);
	char err[256];
	struct kmem_syms s = syms();
	cr_assert_eq(kmem_init(k, rd, NULL, &s, 2, err, sizeof(err)), 0, "%s", err);
}

Test(monitor_kmem, translations_4_level)
{
	struct kmem k;
	uint64_t pa;
	init(&k, 4);
	cr_expect_eq(k.levels, 4);
	cr_expect_eq(k.direct_base, DIRECT4);
	cr_expect_eq(kmem_va2pa(&k, VA_IMG(0x1234567), &pa), 0);
	cr_expect_eq(pa, 0x1234567);
	cr_expect_eq(kmem_va2pa(&k, DIRECT4 + 0x345678, &pa), 0);
	cr_expect_eq(pa, 0x345678);
	cr_expect_eq(kmem_va2pa(&k, VMALLOC + 0x10, &pa), 0);
	cr_expect_eq(pa, 0x2000010);
	cr_expect_eq(kmem_va2pa(&k, VMALLOC + 0x1010, &pa), 0);
	cr_expect_eq(pa, 0x2005010);
	cr_expect_eq(kmem_va2pa(&k, VMALLOC + (2u << 20) + 0x12345, &pa), 0);
	cr_expect_eq(pa, 0x2212345);
	cr_expect_eq(kmem_va2pa(&k, VMALLOC + (1ull << 30) + 0x54321, &pa), 0);
	cr_expect_eq(pa, 0x54321);
	cr_expect_eq(kmem_va2pa(&k, VMALLOC + 0x2000, &pa), -EFAULT); /* not present */
	cr_expect_eq(kmem_va2pa(&k, 0x400000, &pa), -EFAULT);          /* user space */
	/* A read across the 4 KiB boundary takes each page from its own frame. */
	memcpy(ram + 0x2000ffc, "abcd", 4);
	memcpy(ram + 0x2005000, "efgh", 4);
	char buf[9] = "";
	cr_expect_eq(kmem_read(&k, VMALLOC + 0xffc, buf, 8), 0);
	cr_expect_str_eq(buf, "abcdefgh");
	cr_expect_eq(kmem_percpu(&k, VA_IMG(0x1300000), 1), VA_IMG(0x1300000) + 0x200000);
	free(ram);
	ram = NULL;
}

Test(monitor_kmem, translations_5_level)
{
	struct kmem k;
	uint64_t pa;
	init(&k, 5);
	cr_expect_eq(k.levels, 5);
	cr_expect_eq(kmem_va2pa(&k, DIRECT5 + 0x1000, &pa), 0);
	cr_expect_eq(pa, 0x1000);
	cr_expect_eq(kmem_va2pa(&k, VMALLOC + 0x1010, &pa), 0);
	cr_expect_eq(pa, 0x2005010);
	cr_expect_eq(kmem_va2pa(&k, VMALLOC + (2u << 20) + 8, &pa), 0);
	cr_expect_eq(pa, 0x2200008);
	free(ram);
	ram = NULL;
}

Test(monitor_kmem, missing_symbols_are_named)
{
	struct kmem k;
	struct kmem_syms s = syms();
	char err[256];
	s.per_cpu_offset = 0;
	cr_expect_eq(kmem_init(&k, rd, NULL, &s, 2, err, sizeof(err)), -ENOENT);
	cr_expect(strstr(err, "__per_cpu_offset") != NULL, "%s", err);
}

Test(monitor_layout, rq_and_event_offsets_from_the_test_kernel)
{
	struct btf *b = kbtf();
	struct mon_layout l;
	char err[256];
	cr_assert_eq(mon_layout_init(&l, b, err, sizeof(err)), 0, "%s", err);
	/* scx.local_dsq.nr, computed independently member by member. */
	uint32_t scx, dsq, nr;
	cr_assert_eq(mon_btf_member(b, "rq", "scx", &scx, NULL), 0);
	cr_assert_eq(mon_btf_member(b, "scx_rq", "local_dsq", &dsq, NULL), 0);
	cr_assert_eq(mon_btf_member(b, "scx_dispatch_q", "nr", &nr, NULL), 0);
	cr_expect_eq(l.dsq_nr.off, scx + dsq + nr);
	cr_expect_eq(l.dsq_nr.size, 4);
	cr_expect_eq(l.clock.size, 8);
	cr_expect_eq(l.evk, MON_EVK_PCPU, "the test kernel (7.2) has the 6.18+ layout");
	for (int i = 0; i < MON_NEV; i++)
		cr_expect_geq(l.ev_off[i], 0, "%s", mon_ev_kname[i]);
	cr_expect_eq(l.ev_off[1] - l.ev_off[0], 8);
	cr_expect_lt(l.rq_span, 8192);
}

Test(monitor_layout, a_kernel_with_neither_event_layout_disables_sampling)
{
	struct btf *b = btf__new_empty();
	int u32t = btf__add_int(b, "unsigned int", 4, 0);
	int u64t = btf__add_int(b, "long long unsigned int", 8, 0);
	int dq = btf__add_struct(b, "scx_dispatch_q", 8);
	btf__add_field(b, "nr", u32t, 0, 0);
	int srq = btf__add_struct(b, "scx_rq", 24);
	btf__add_field(b, "local_dsq", dq, 0, 0);
	btf__add_field(b, "nr_running", u32t, 64, 0);
	btf__add_field(b, "flags", u32t, 96, 0);
	btf__add_field(b, "clock", u64t, 128, 0);
	btf__add_struct(b, "rq", 40);
	btf__add_field(b, "nr_running", u32t, 0, 0);
	btf__add_field(b, "clock", u64t, 64, 0);
	btf__add_field(b, "scx", srq, 128, 0);
	btf__add_struct(b, "scx_sched", 8);
	btf__add_field(b, "level", u32t, 0, 0);
	struct mon_layout l;
	char err[256];
	cr_expect_eq(mon_layout_init(&l, b, err, sizeof(err)), -ENOENT);
	cr_expect_str_eq(err, "monitor: sampling disabled: this kernel's BTF has neither "
			 "scx_sched.pcpu->event_stats (6.18+) nor scx_sched.event_stats_cpu (6.16-6.17)");
	btf__free(b);
}
