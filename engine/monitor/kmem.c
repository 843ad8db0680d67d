/* Kernel VA -> guest physical for x86_64 guests (engine/monitor/kmem.h). Everything read
 * here is guest memory, so every table entry and base is checked before it is used. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/monitor/kmem.h"

#define START_KERNEL_MAP 0xffffffff80000000ull
/* KERNEL_IMAGE_SIZE: 512 MiB, or 1 GiB with CONFIG_RANDOMIZE_BASE. Modules (vmalloc'ed,
 * not linear) start right above it, so only the image itself is translated by offset. */
#define IMAGE_SPAN_MIN (512ull << 20)
#define IMAGE_SPAN_MAX (1ull << 30)
#define DIRECT_MAP_SPAN (64ull << 40)          /* 64 TiB: the 4-level direct map's size */
#define KSPACE_4 0xffff800000000000ull         /* lowest kernel address, 4-level paging */
#define KSPACE_5 0xff00000000000000ull         /* and 5-level */
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_PRESENT 1ull
#define PTE_PS (1ull << 7)
#define PAGE 4096ull

/* The kernel's own page tables, 4 or 5 levels, large pages included. *span: the bytes
 * from va to the end of the page that maps it (contiguous in guest RAM). */
static int walk(const struct kmem *k, uint64_t va, uint64_t *pa, uint64_t *span)
{
	uint64_t table = k->pgd_pa;
	for (int level = k->levels; level >= 1; level--) {
		int shift = 12 + 9 * (level - 1);
		uint64_t idx = (va >> shift) & 511, e;
		if (k->read(k->ctx, table + idx * 8, &e, sizeof(e)) || !(e & PTE_PRESENT))
			return -EFAULT;
		/* PS means a leaf only at level 3 (1 GiB) and 2 (2 MiB); at level 1 it is PAT. */
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
			uint64_t size = 1ull << shift;
			*pa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
			*span = size - (va & (size - 1));
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EFAULT; /* not reached: level 1 always ends the walk */
}

/* The image area's size: a KASLR slide above 512 MiB means a kernel built with 1 GiB. */
static uint64_t image_span(const struct kmem *k)
{
	return k->sym.text - START_KERNEL_MAP < IMAGE_SPAN_MIN ? IMAGE_SPAN_MIN : IMAGE_SPAN_MAX;
}

/* va -> pa, and how many bytes from va on are contiguous in guest RAM. */
static int translate(const struct kmem *k, uint64_t va, uint64_t *pa, uint64_t *span)
{
	uint64_t img = image_span(k);
	if (va >= START_KERNEL_MAP && va - START_KERNEL_MAP < img) {
		*pa = va - START_KERNEL_MAP + k->phys_base;
		*span = img - (va - START_KERNEL_MAP);
		return 0;
	}
	if (k->direct_base && va >= k->direct_base && va - k->direct_base < DIRECT_MAP_SPAN) {
		*pa = va - k->direct_base;
		*span = DIRECT_MAP_SPAN - *pa;
		return 0;
	}
	if (va < (k->levels == 5 ? KSPACE_5 : KSPACE_4) || !k->pgd_pa)
		return -EFAULT; /* user space, non-canonical, or no page tables yet */
	return walk(k, va, pa, span);
}

int kmem_va2pa(const struct kmem *k, uint64_t va, uint64_t *pa)
{
	uint64_t span;
	return translate(k, va, pa, &span);
}

int kmem_read(const struct kmem *k, uint64_t va, void *buf, size_t len)
{
	uint8_t *dst = buf;
	if (len && va + (len - 1) < va)
		return -EFAULT; /* wraps past the top of the address space */
	while (len) {
		uint64_t pa, span;
		if (translate(k, va, &pa, &span))
			return -EFAULT;
		size_t n = span < len ? (size_t)span : len;
		if (k->read(k->ctx, pa, dst, n))
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
	/* 0 is never readable: a CPU out of range fails the read that follows. */
	if (cpu < 0 || cpu >= k->ncpus)
		return 0;
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
	if (syms->text < START_KERNEL_MAP || syms->text - START_KERNEL_MAP >= IMAGE_SPAN_MAX) {
		snprintf(err, errlen, "_text at 0x%" PRIx64 " is not a kernel image address",
			 syms->text);
		return -EINVAL;
	}
	k->phys_base = syms->text_phys - (syms->text - START_KERNEL_MAP);
	if (kmem_read_u64(k, syms->page_offset_base, &k->direct_base)) {
		snprintf(err, errlen, "cannot read page_offset_base at 0x%" PRIx64 " from guest memory",
			 syms->page_offset_base);
		return -EFAULT;
	}
	if (k->direct_base < KSPACE_5 || k->direct_base >= START_KERNEL_MAP ||
	    (k->direct_base & (PAGE - 1))) {
		snprintf(err, errlen, "page_offset_base at 0x%" PRIx64 " holds 0x%" PRIx64
			 ", not a direct-map base (the wrong symbol, or the kernel not booted yet)",
			 syms->page_offset_base, k->direct_base);
		k->direct_base = 0;
		return -EINVAL;
	}
	/* 5-level paging puts the direct map below the 4-level kernel half (0xff11...). */
	k->levels = k->direct_base < KSPACE_4 ? 5 : 4;
	if (syms->init_top_pgt < START_KERNEL_MAP ||
	    syms->init_top_pgt - START_KERNEL_MAP >= image_span(k)) {
		snprintf(err, errlen, "init_top_pgt at 0x%" PRIx64 " is not a kernel image address",
			 syms->init_top_pgt);
		return -EINVAL;
	}
	k->pgd_pa = syms->init_top_pgt - START_KERNEL_MAP + k->phys_base;
	k->ncpus = ncpus < 1 ? 1 : ncpus > KMEM_MAX_CPUS ? KMEM_MAX_CPUS : ncpus;
	if (kmem_read(k, syms->per_cpu_offset, k->pcpu_off, (size_t)k->ncpus * sizeof(uint64_t))) {
		snprintf(err, errlen, "cannot read __per_cpu_offset at 0x%" PRIx64 " from guest memory",
			 syms->per_cpu_offset);
		return -EFAULT;
	}
	return 0;
}
