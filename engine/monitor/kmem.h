/* Kernel virtual memory of a running guest, read from the host: kernel VA -> guest
 * physical address through the kernel image mapping, the direct map, or a walk of the
 * kernel's own page tables (vmalloc: BPF array values, per-CPU chunks), and per-CPU
 * addresses through __per_cpu_offset. docs/monitor.md says where each base comes from. */
#ifndef KTSTR_KMEM_H
#define KTSTR_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMEM_MAX_CPUS 256       /* = MON_MAX_CPUS: every vCPU the VM can have */

/* Reads guest physical memory: 0, or -EFAULT when [gpa, gpa+len) is not guest RAM. */
typedef int (*kmem_read_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

/* Kernel addresses the guest sends with its hello (from /proc/kallsyms and /proc/iomem,
 * read as root, so they are real). 0 = the guest did not find it. */
struct kmem_syms {
	uint64_t text;             /* _text */
	uint64_t text_phys;        /* physical address of _text: /proc/iomem "Kernel code" */
	uint64_t page_offset_base; /* address of the variable page_offset_base */
	uint64_t init_top_pgt;     /* the kernel's top-level page table */
	uint64_t per_cpu_offset;   /* __per_cpu_offset[] */
	uint64_t runqueues;        /* the per-CPU symbol runqueues */
	uint64_t scx_root;         /* address of the variable scx_root (struct scx_sched *) */
	uint64_t map_idr;          /* the BPF map idr */
};

struct kmem {
	kmem_read_fn read;
	void *ctx;
	struct kmem_syms sym;
	uint64_t phys_base;        /* text_phys - (text - __START_KERNEL_map) */
	uint64_t direct_base;      /* the value of page_offset_base */
	int levels;                /* 4 or 5 (from the direct map's base) */
	uint64_t pgd_pa;           /* init_top_pgt's physical address */
	int ncpus;
	uint64_t pcpu_off[KMEM_MAX_CPUS];
};

/* Reads page_offset_base and __per_cpu_offset[0..ncpus) through the image mapping.
 * 0, or -errno with a one-line reason in err (which symbol is missing or unreadable). */
int kmem_init(struct kmem *k, kmem_read_fn read, void *ctx, const struct kmem_syms *syms,
	      int ncpus, char *err, size_t errlen);
/* Kernel VA -> guest physical: 0, or -EFAULT (not mapped / not a kernel address). */
int kmem_va2pa(const struct kmem *k, uint64_t va, uint64_t *pa);
/* Reads len bytes at kernel VA va (may cross pages). 0 or -EFAULT. */
int kmem_read(const struct kmem *k, uint64_t va, void *buf, size_t len);
int kmem_read_u64(const struct kmem *k, uint64_t va, uint64_t *v);
/* The address of per-CPU variable sym (a kallsyms per-CPU address) on cpu. */
uint64_t kmem_percpu(const struct kmem *k, uint64_t sym, int cpu);

#endif
