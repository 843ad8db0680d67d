/* Kernel VA -> guest physical for x86_64 guests (engine/monitor/kmem.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/monitor/kmem.h"

#define START_KERNEL_MAP 0xffffffff80000000ull
#define DIRECT_MAP_SPAN (64ull << 40)          /* 64 TiB: the 4-level direct map's size */
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_PRESENT 1ull
#define PTE_PS (1ull << 7)

static bool in_image(const struct kmem *k, uint64_t va)
{
	(void)k;
	return va >= START_KERNEL_MAP;
}

/* The kernel's own page tables, 4 or 5 levels, large pages included. */
static int walk(const struct kmem *k, uint64_t va, uint64_t *pa)
{
	uint64_t table = k->pgd_pa;
	for (int level = k->levels; level >= 1; level--) {
		int shift = 12 + 9 * (level - 1);
		uint64_t idx = (va >> shift) & 511, e;
		if (k->read(k->ctx, table + idx * 8, &e, sizeof(e)) || !(e & PTE_PRESENT))
			return -EFAULT;
		/* A PS bit at level 3 (1 GiB) or 2 (2 MiB) ends the walk. */
		if (level <= 3 && level >= 2 && (e & PTE_PS)) {
			uint64_t size = 1ull << shift;
			*pa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
			return 0;
		}
		table = e & PTE_ADDR;
	}
	*pa = table | (va & 0xfff);
	return 0;
}

int kmem_va2pa(const struct kmem *k, uint64_t va, uint64_t *pa)
{
	if (in_image(k, va)) {
		*pa = va - START_KERNEL_MAP + k->phys_base;
		return 0;
	}
	if (k->direct_base && va >= k->direct_base && va - k->direct_base < DIRECT_MAP_SPAN) {
		*pa = va - k->direct_base;
		return 0;
	}
	if (va < 0xff00000000000000ull || !k->pgd_pa)
		return -EFAULT; /* user space or no page tables: not ours to read */
	return walk(k, va, pa);
}

int kmem_read(const struct kmem *k, uint64_t va, void *buf, size_t len)
{
	uint8_t *dst = buf;
	while (len) {
		uint64_t pa;
		size_t in_page = 4096 - (size_t)(va & 0xfff), n = len < in_page ? len : in_page;
		if (kmem_va2pa(k, va, &pa) || k->read(k->ctx, pa, dst, n))
			return -EFAULT;
		dst += n, va += n, len -= n;
	}
	return 0;
}

int kmem_read_u64(const struct kmem *k, uint64_t va, uint64_t *v)
{
	return kmem_read(k, va, v, sizeof(*v));
}

uint64_t kmem_percpu(const struct kmem *k, uint64_t sym, int cpu)
{
	return sym + k->pcpu_off[cpu];
}

int kmem_init(struct kmem *k, kmem_read_fn read, void *ctx, const struct kmem_syms *syms,
	      int ncpus, char *err, size_t errlen)
{
	memset(k, 0, sizeof(*k));
	k->read = read;
	k->ctx = ctx;
	k->sym = *syms;
	const struct { const char *name; uint64_t v; } need[] = {
		{ "_text", syms->text }, { "the physical _text (/proc/iomem)", syms->text_phys },
		{ "page_offset_base", syms->page_offset_base },
		{ "init_top_pgt", syms->init_top_pgt }, { "__per_cpu_offset", syms->per_cpu_offset },
		{ "runqueues", syms->runqueues },
	};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!need[i].v) {
			snprintf(err, errlen, "no address for %s (the guest's hello did not carry it)",
				 need[i].name);
			return -ENOENT;
		}
	if (syms->text < START_KERNEL_MAP) {
		snprintf(err, errlen, "_text at 0x%" PRIx64 " is not a kernel image address",
			 syms->text);
		return -EINVAL;
	}
	k->phys_base = syms->text_phys - (syms->text - START_KERNEL_MAP);
	if (kmem_read_u64(k, syms->page_offset_base, &k->direct_base) || !k->direct_base) {
		snprintf(err, errlen, "cannot read page_offset_base at 0x%" PRIx64 " from guest memory",
			 syms->page_offset_base);
		return -EFAULT;
	}
	/* 5-level paging moves the direct map below the 4-level canonical hole's top half. */
	k->levels = k->direct_base < 0xffff800000000000ull ? 5 : 4;
	k->pgd_pa = syms->init_top_pgt - START_KERNEL_MAP + k->phys_base;
	k->ncpus = ncpus < 1 ? 1 : ncpus > KMEM_MAX_CPUS ? KMEM_MAX_CPUS : ncpus;
	if (kmem_read(k, syms->per_cpu_offset, k->pcpu_off, (size_t)k->ncpus * sizeof(uint64_t))) {
		snprintf(err, errlen, "cannot read __per_cpu_offset at 0x%" PRIx64 " from guest memory",
			 syms->per_cpu_offset);
		return -EFAULT;
	}
	return 0;
}
