/* make bench: the host-side monitor's cost per sample at 2, 16 and 64 vCPUs. A guest's
 * RAM is a real memfd mapping (vmm/guestmem.c) laid out the way the kernel's BTF says
 * (the test kernel's vmlinux, argv[1]): runqueues per CPU, scx_root and its per-CPU event
 * counters. Each sample is what the sampler thread does every 100 ms: every CPU's rq and
 * the 13 counters summed over CPUs. The guest's size does not change the read path, so a
 * synthetic 64-vCPU guest costs what a booted one would (64 vCPUs under TCG do not boot
 * in a bench's time here). */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "engine/monitor/kmem.h"
#include "engine/monitor/layout.h"
#include "vmm/guestmem.h"

#define KMAP 0xffffffff80000000ull
#define DIRECT 0xffff888000000000ull
#define SAMPLES 3000

static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int bench(const struct btf *btf, int ncpus)
{
	char err[512];
	int mb = 256;
	struct guestmem *gm;
	if (guestmem_create(&mb, 1, false, &gm, err, sizeof(err))) {
		fprintf(stderr, "bench_monitor: %s\n", err);
		return 1;
	}
	uint8_t *ram = mmap(NULL, (size_t)mb << 20, PROT_READ | PROT_WRITE, MAP_SHARED,
			    guestmem_fd(gm, 0), 0);
	if (ram == MAP_FAILED) {
		perror("bench_monitor: mmap");
		return 1;
	}
	struct mon_layout l;
	if (mon_layout_init(&l, btf, err, sizeof(err))) {
		fprintf(stderr, "bench_monitor: %s\n", err);
		return 1;
	}
	/* Image at 16 MiB: page_offset_base, __per_cpu_offset[], scx_root. Per-CPU areas
	 * (an rq and an scx_sched_pcpu each) every 64 KiB from 64 MiB, in the direct map. */
	uint64_t pob = 0x1000000, pcpu = 0x1001000, root = 0x1002000, sch = 0x2000000;
	uint64_t area = 0x4000000, rq_sym = 0x100, pcpu_ptr = 0x8000;
	memcpy(ram + pob, &(uint64_t){ DIRECT }, 8);
	memcpy(ram + root, &(uint64_t){ DIRECT + sch }, 8);
	memcpy(ram + sch + l.sched_pcpu, &(uint64_t){ pcpu_ptr }, 8);
	for (int c = 0; c < ncpus; c++) {
		uint64_t off = DIRECT + area + (uint64_t)c * 0x10000;
		memcpy(ram + pcpu + 8 * (uint64_t)c, &off, 8);
		uint64_t rq = area + (uint64_t)c * 0x10000 + rq_sym;
		memcpy(ram + rq + l.clock.off, &(uint64_t){ 1000000ull + (uint64_t)c }, 8);
		memcpy(ram + rq + l.nr_running.off, &(uint32_t){ 2 }, 4);
		memcpy(ram + rq - rq_sym + pcpu_ptr + l.stats_off + (uint64_t)l.ev_off[0], &(int64_t){ c }, 8);
	}
	struct kmem_syms s = { .text = KMAP + 0x1000000, .text_phys = 0x1000000,
			       .page_offset_base = KMAP + pob, .init_top_pgt = KMAP + 0x1003000,
			       .per_cpu_offset = KMAP + pcpu, .runqueues = rq_sym,
			       .scx_root = KMAP + root };
	struct kmem k;
	if (kmem_init(&k, guestmem_read, gm, &s, ncpus, err, sizeof(err))) {
		fprintf(stderr, "bench_monitor: %s\n", err);
		return 1;
	}
	struct mon_cpu cpu[KMEM_MAX_CPUS];
	int64_t ev[MON_NEV];
	uint64_t t0 = cpu_ns(), bad = 0;
	for (int i = 0; i < SAMPLES; i++) {
		for (int c = 0; c < ncpus; c++)
			bad += mon_read_cpu(&k, &l, c, &cpu[c]) != 0;
		bad += mon_read_events(&k, &l, ev) != 0;
	}
	uint64_t used = cpu_ns() - t0;
	if (bad || cpu[ncpus - 1].clock != 1000000ull + (uint64_t)ncpus - 1 ||
	    ev[0] != (int64_t)ncpus * (ncpus - 1) / 2) {
		fprintf(stderr, "bench_monitor: %d vCPUs: the reads did not see the guest's data\n",
			ncpus);
		return 1;
	}
	double per = (double)used / SAMPLES / 1000.0;
	printf("monitor sampling, %2d vCPUs: %7.2f us of host CPU per sample = %.4f%% of one core "
	       "at one sample per 100 ms (target < 1%%)\n", ncpus, per, per / 1000.0);
	munmap(ram, (size_t)mb << 20);
	guestmem_free(gm);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_monitor VMLINUX\n");
		return 2;
	}
	struct btf *btf = btf__parse(argv[1], NULL);
	if (!btf) {
		fprintf(stderr, "bench_monitor: no BTF in %s\n", argv[1]);
		return 2;
	}
	int rc = 0;
	const int sizes[] = { 2, 16, 64 };
	for (size_t i = 0; i < 3; i++)
		rc |= bench(btf, sizes[i]);
	btf__free(btf);
	return rc;
}
