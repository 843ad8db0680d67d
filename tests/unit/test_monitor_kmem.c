/* The monitor's kernel VA translation (engine/monitor/kmem.h) on synthetic guest RAM: the
 * image mapping with a nonzero phys_base, the direct map (4- and 5-level bases), page
 * walks over hand-made 4- and 5-level tables (4 KiB, 2 MiB and 1 GiB pages, a hole, NX
 * and PAT bits), reads across pages, per-CPU addresses, and kmem_init's messages. */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/monitor/kmem.h"

#define RAM (64u << 20)
#define KMAP 0xffffffff80000000ull
#define DIRECT4 0xffff888000000000ull
#define DIRECT5 0xff11000000000000ull
#define VMALLOC4 0xffffc90000000000ull
#define VMALLOC5 0xffa0000000000000ull
#define MODULES (KMAP + (512ull << 20))   /* first module address: walked, not linear */

static uint8_t *ram;
static int nreads;   /* calls into the read callback */

static int rd(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	nreads++;
	if (gpa >= RAM || len > RAM - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static void put64(uint64_t pa, uint64_t v) { memcpy(ram + pa, &v, 8); }

/* _text is linked at KMAP + 16 MiB and loaded at 20 MiB: phys_base = 4 MiB. */
#define PHYS_BASE 0x400000ull
#define TEXT_PA 0x1400000ull
#define VA_IMG(pa) (KMAP + (pa) - PHYS_BASE)
#define POB_PA 0x1500000ull     /* page_offset_base */
#define PCPU_PA 0x1500100ull    /* __per_cpu_offset[] */
#define PGD_PA 0x1600000ull     /* init_top_pgt; the lower tables follow it */
#define RQ_SYM VA_IMG(0x1700000)

static struct kmem_syms syms(void)
{
	return (struct kmem_syms){
		.text = VA_IMG(TEXT_PA), .text_phys = TEXT_PA,
		.page_offset_base = VA_IMG(POB_PA), .init_top_pgt = VA_IMG(PGD_PA),
		.per_cpu_offset = VA_IMG(PCPU_PA), .runqueues = RQ_SYM,
	};
}

static uint64_t next_table;

static uint64_t new_table(void)
{
	uint64_t t = next_table;
	next_table += 0x1000;
	return t;
}

/* The entry for va at level (5..2) below top, creating the next table when absent. */
static uint64_t descend(uint64_t table, uint64_t va, int level)
{
	uint64_t slot = table + ((va >> (12 + 9 * (level - 1))) & 511) * 8, e;
	memcpy(&e, ram + slot, 8);
	if (!(e & 1)) {
		e = new_table() | 3;
		put64(slot, e);
	}
	return e & 0x000ffffffffff000ull;
}

/* Maps va to a leaf at level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB) with entry bits. */
static void map(int levels, uint64_t va, int leaf, uint64_t entry)
{
	uint64_t t = PGD_PA;
	for (int level = levels; level > leaf; level--)
		t = descend(t, va, level);
	put64(t + ((va >> (12 + 9 * (leaf - 1))) & 511) * 8, entry);
}

/* Under va: a 4 KiB page -> 0x2000000, +4K -> 0x2005000 (NX set; so a read across them
 * is not contiguous), +8K not present, +12K -> 0x2007000 with the PAT bit (bit 7 at level
 * 1 is not a large page), +2M a 2 MiB page -> 0x2200000, +1G a 1 GiB page -> 0. */
static void tables(int levels, uint64_t va)
{
	next_table = PGD_PA + 0x1000;
	map(levels, va, 1, 0x2000000 | 3);
	map(levels, va + 0x1000, 1, 0x2005000 | 3 | (1ull << 63));
	map(levels, va + 0x3000, 1, 0x2007000 | 3 | 0x80);
	map(levels, va + (2u << 20), 2, 0x2200000 | 0x83);
	map(levels, va + (1ull << 30), 3, 0x0 | 0x83 | (1ull << 63));
	map(levels, MODULES, 1, 0x2300000 | 3);
}

static void fresh_ram(int levels)
{
	free(ram);
	ram = calloc(1, RAM);
	cr_assert_not_null(ram);
	put64(POB_PA, levels == 5 ? DIRECT5 : DIRECT4);
	put64(PCPU_PA, 0x100000);
	put64(PCPU_PA + 8, 0x200000);
	tables(levels, levels == 5 ? VMALLOC5 : VMALLOC4);
}

static void init(struct kmem *k, int levels)
{
	fresh_ram(levels);
	char err[256] = "";
	struct kmem_syms s = syms();
	cr_assert_eq(kmem_init(k, rd, NULL, &s, 2, err, sizeof(err)), 0, "%s", err);
}

static void done(void)
{
	free(ram);
	ram = NULL;
}

TestSuite(monitor_kmem, .fini = done);

static void expect_pa(const struct kmem *k, uint64_t va, uint64_t want)
{
	uint64_t pa = 0;
	int rc = kmem_va2pa(k, va, &pa);
	cr_expect_eq(rc, 0, "va 0x%" PRIx64 ": rc %d, want 0", va, rc);
	cr_expect_eq(pa, want, "va 0x%" PRIx64 ": pa 0x%" PRIx64 ", want 0x%" PRIx64, va, pa, want);
}

static void expect_fault(const struct kmem *k, uint64_t va)
{
	uint64_t pa;
	int rc = kmem_va2pa(k, va, &pa);
	cr_expect_eq(rc, -EFAULT, "va 0x%" PRIx64 ": rc %d, want -EFAULT", va, rc);
}

Test(monitor_kmem, bases_from_the_image)
{
	struct kmem k;
	init(&k, 4);
	cr_expect_eq(k.phys_base, PHYS_BASE);
	cr_expect_eq(k.direct_base, DIRECT4);
	cr_expect_eq(k.levels, 4);
	cr_expect_eq(k.pgd_pa, PGD_PA);
	cr_expect_eq(k.ncpus, 2);
	cr_expect_eq(k.pcpu_off[0], 0x100000);
	cr_expect_eq(k.pcpu_off[1], 0x200000);
}

Test(monitor_kmem, image_and_direct_map_4_level)
{
	struct kmem k;
	init(&k, 4);
	expect_pa(&k, VA_IMG(0x1234567), 0x1234567);
	expect_pa(&k, KMAP, PHYS_BASE);
	expect_pa(&k, DIRECT4 + 0x345678, 0x345678);
	expect_pa(&k, DIRECT4, 0);
	/* Module space is vmalloc'ed: walked, not taken as image. */
	expect_pa(&k, MODULES + 0x10, 0x2300010);
	expect_fault(&k, MODULES + 0x1000);
	expect_fault(&k, 0x400000);                    /* user space */
	expect_fault(&k, 0);
	expect_fault(&k, 0xff20000000000000ull);       /* below the 4-level kernel half */
}

Test(monitor_kmem, page_walk_4_level)
{
	struct kmem k;
	init(&k, 4);
	expect_pa(&k, VMALLOC4 + 0x10, 0x2000010);
	expect_pa(&k, VMALLOC4 + 0x1010, 0x2005010);   /* NX bit is not address */
	expect_fault(&k, VMALLOC4 + 0x2000);           /* not present */
	expect_pa(&k, VMALLOC4 + 0x3004, 0x2007004);   /* PAT bit at level 1 */
	expect_pa(&k, VMALLOC4 + (2u << 20) + 0x12345, 0x2212345);
	expect_pa(&k, VMALLOC4 + (2u << 20) + 0x1ffff8, 0x23ffff8);
	expect_pa(&k, VMALLOC4 + (1ull << 30) + 0x54321, 0x54321);
	expect_pa(&k, VMALLOC4 + (1ull << 30) + 0x3ffffff, 0x3ffffff);
	expect_fault(&k, VMALLOC4 + (4u << 20));       /* a pmd slot never set */
	expect_fault(&k, VMALLOC4 + (2ull << 30));     /* a pud slot never set */
	expect_fault(&k, VMALLOC4 + (1ull << 39));     /* a pgd slot never set */
}

Test(monitor_kmem, page_walk_5_level)
{
	struct kmem k;
	init(&k, 5);
	cr_expect_eq(k.levels, 5);
	cr_expect_eq(k.direct_base, DIRECT5);
	expect_pa(&k, DIRECT5 + 0x1000, 0x1000);
	expect_pa(&k, VA_IMG(0x1500000), 0x1500000);
	expect_pa(&k, VMALLOC5 + 0x10, 0x2000010);
	expect_pa(&k, VMALLOC5 + 0x1010, 0x2005010);
	expect_fault(&k, VMALLOC5 + 0x2000);
	expect_pa(&k, VMALLOC5 + (2u << 20) + 8, 0x2200008);
	expect_pa(&k, VMALLOC5 + (1ull << 30) + 0x777, 0x777);
	expect_pa(&k, MODULES + 0x20, 0x2300020);
	/* Only the 5-level top table tells these apart: a different level-5 slot. */
	expect_fault(&k, VMALLOC5 + (1ull << 48));
	expect_fault(&k, 0xfe00000000000000ull);       /* below any kernel half */
}

Test(monitor_kmem, a_read_takes_each_page_from_its_own_frame)
{
	struct kmem k;
	init(&k, 4);
	memcpy(ram + 0x2000ffc, "abcd", 4);
	memcpy(ram + 0x2005000, "efgh", 4);
	char buf[9] = "";
	cr_expect_eq(kmem_read(&k, VMALLOC4 + 0xffc, buf, 8), 0);
	cr_expect_str_eq(buf, "abcdefgh");
	/* Into the hole: the whole read fails. */
	cr_expect_eq(kmem_read(&k, VMALLOC4 + 0x1ffc, buf, 8), -EFAULT);
	/* Off the end of a 2 MiB page into an unmapped one. */
	cr_expect_eq(kmem_read(&k, VMALLOC4 + (4u << 20) - 4, buf, 8), -EFAULT);
	uint64_t v = 0;
	put64(0x2200ff8, 0x1122334455667788ull);
	cr_expect_eq(kmem_read_u64(&k, VMALLOC4 + (2u << 20) + 0xff8, &v), 0);
	cr_expect_eq(v, 0x1122334455667788ull);
}

Test(monitor_kmem, a_linear_read_is_one_guest_read)
{
	struct kmem k;
	init(&k, 4);
	static uint8_t buf[3 * 4096 + 100];
	for (size_t i = 0; i < sizeof(buf); i++)
		ram[0x800010 + i] = (uint8_t)i;
	nreads = 0;
	cr_expect_eq(kmem_read(&k, DIRECT4 + 0x800010, buf, sizeof(buf)), 0);
	cr_expect_eq(nreads, 1, "a direct-map read across 4 pages took %d guest reads", nreads);
	cr_expect_eq(buf[4096], (uint8_t)4096);
	cr_expect_eq(memcmp(buf, ram + 0x800010, sizeof(buf)), 0);
	/* Past the end of guest RAM, and past the top of the address space. */
	cr_expect_eq(kmem_read(&k, DIRECT4 + RAM - 4, buf, 8), -EFAULT);
	cr_expect_eq(kmem_read(&k, 0xfffffffffffffff8ull, buf, 16), -EFAULT);
	cr_expect_eq(kmem_read(&k, DIRECT4 + 0x10, buf, 0), 0);
}

Test(monitor_kmem, per_cpu_addresses)
{
	struct kmem k;
	init(&k, 4);
	cr_expect_eq(kmem_percpu(&k, RQ_SYM, 0), RQ_SYM + 0x100000);
	cr_expect_eq(kmem_percpu(&k, RQ_SYM, 1), RQ_SYM + 0x200000);
	/* Zero-based per-CPU symbols (older kernels) work the same way. */
	cr_expect_eq(kmem_percpu(&k, 0x2c8c0, 1), 0x22c8c0);
	cr_expect_eq(kmem_percpu(&k, RQ_SYM, 2), 0, "a CPU past ncpus has no address");
	cr_expect_eq(kmem_percpu(&k, RQ_SYM, -1), 0);
}

Test(monitor_kmem, cpu_count_is_capped)
{
	struct kmem k;
	char err[256] = "";
	struct kmem_syms s = syms();
	fresh_ram(4);
	cr_assert_eq(kmem_init(&k, rd, NULL, &s, 1000, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(k.ncpus, KMEM_MAX_CPUS);
	cr_expect_eq(k.pcpu_off[1], 0x200000);
	cr_assert_eq(kmem_init(&k, rd, NULL, &s, 0, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(k.ncpus, 1);
}

Test(monitor_kmem, missing_symbols_are_named)
{
	static const struct { size_t off; const char *name; } f[] = {
		{ offsetof(struct kmem_syms, text), "_text" },
		{ offsetof(struct kmem_syms, text_phys), "the physical _text (/proc/iomem)" },
		{ offsetof(struct kmem_syms, page_offset_base), "page_offset_base" },
		{ offsetof(struct kmem_syms, init_top_pgt), "init_top_pgt" },
		{ offsetof(struct kmem_syms, per_cpu_offset), "__per_cpu_offset" },
		{ offsetof(struct kmem_syms, runqueues), "runqueues" },
	};
	fresh_ram(4);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		struct kmem k;
		struct kmem_syms s = syms();
		char err[256] = "", want[256];
		memset((char *)&s + f[i].off, 0, sizeof(uint64_t));
		snprintf(want, sizeof(want), "no address for %s (the guest's hello did not carry it)",
			 f[i].name);
		cr_expect_eq(kmem_init(&k, rd, NULL, &s, 2, err, sizeof(err)), -ENOENT, "%s", f[i].name);
		cr_expect_str_eq(err, want);
	}
}

Test(monitor_kmem, unreadable_addresses_are_named)
{
	struct kmem k;
	char err[256] = "";
	fresh_ram(4);
	struct kmem_syms s = syms();
	s.page_offset_base = VA_IMG(RAM + 0x1000);
	cr_expect_eq(kmem_init(&k, rd, NULL, &s, 2, err, sizeof(err)), -EFAULT);
	cr_expect_str_eq(err, "cannot read page_offset_base at 0xffffffff83c01000 from guest memory");

	s = syms();
	s.per_cpu_offset = VA_IMG(RAM - 8);   /* the second CPU's entry is past RAM */
	cr_expect_eq(kmem_init(&k, rd, NULL, &s, 2, err, sizeof(err)), -EFAULT);
	cr_expect_str_eq(err, "cannot read __per_cpu_offset at 0xffffffff83bffff8 from guest memory");

	s = syms();
	s.text = 0xffff888001000000ull;
	cr_expect_eq(kmem_init(&k, rd, NULL, &s, 2, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "_text at 0xffff888001000000 is not a kernel image address");

	s = syms();
	s.init_top_pgt = DIRECT4 + PGD_PA;
	cr_expect_eq(kmem_init(&k, rd, NULL, &s, 2, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "init_top_pgt at 0xffff888001600000 is not a kernel image address");
}

Test(monitor_kmem, a_page_offset_base_not_yet_set_is_refused)
{
	struct kmem k;
	char err[256] = "";
	fresh_ram(4);
	put64(POB_PA, 0);
	struct kmem_syms s = syms();
	cr_expect_eq(kmem_init(&k, rd, NULL, &s, 2, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, "page_offset_base at 0xffffffff81100000 holds 0x0, not a direct-map "
			 "base (the wrong symbol, or the kernel not booted yet)");
	put64(POB_PA, 0xffff888000000123ull);
	cr_expect_eq(kmem_init(&k, rd, NULL, &s, 2, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "holds 0xffff888000000123, not a direct-map base"), "%s", err);
}
