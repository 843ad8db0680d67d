/* Guest RAM as read-only memfd mappings (vmm/guestmem.h). */
#include <errno.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/guestmem.h"

struct guestmem {
	int nodes;
	int fd[GUESTMEM_MAX_NODES];
	uint8_t *map[GUESTMEM_MAX_NODES];
	uint64_t size[GUESTMEM_MAX_NODES];
	uint64_t total, below_4g;
};

/* QEMU's pc machine (i440fx) puts the first below_4g bytes of RAM at guest physical 0 and
 * the rest at 4 GiB; with 3.5 GiB or more, only 3 GiB stay low (gigabyte alignment). */
static uint64_t pc_below_4g(uint64_t ram)
{
	return ram >= 0xe0000000ull ? 0xc0000000ull : ram;
}

int guestmem_create(const int *node_mb, int nodes, bool hugetlb, struct guestmem **out,
		    char *err, size_t errlen)
{
	*out = NULL;
	if (nodes < 1 || nodes > GUESTMEM_MAX_NODES) {
		snprintf(err, errlen, "guest memory: %d NUMA nodes (1..%d supported)", nodes,
			 GUESTMEM_MAX_NODES);
		return -EINVAL;
	}
	struct guestmem *gm = calloc(1, sizeof(*gm));
	if (!gm) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < GUESTMEM_MAX_NODES; i++)
		gm->fd[i] = -1;
	gm->nodes = nodes;
	for (int i = 0; i < nodes; i++) {
		char name[32];
		snprintf(name, sizeof(name), "ktstr-mem%d", i);
		unsigned flags = MFD_CLOEXEC | (hugetlb ? MFD_HUGETLB | MFD_HUGE_2MB : 0);
		gm->size[i] = (uint64_t)node_mb[i] << 20;
		gm->fd[i] = memfd_create(name, flags);
		if (gm->fd[i] < 0 || ftruncate(gm->fd[i], (off_t)gm->size[i])) {
			int e = errno;
			snprintf(err, errlen, "cannot create the guest's RAM (%s memfd of %d MB): %s",
				 hugetlb ? "hugetlb" : "shared", node_mb[i], strerror(e));
			guestmem_free(gm);
			return -e;
		}
		/* Read-only and shared: we see QEMU's writes; pages the guest never touched
		 * read as zeros without being allocated by the mapping alone. */
		void *m = mmap(NULL, gm->size[i], PROT_READ, MAP_SHARED | MAP_NORESERVE,
			       gm->fd[i], 0);
		if (m == MAP_FAILED) {
			int e = errno;
			snprintf(err, errlen, "cannot map the guest's RAM (%d MB): %s", node_mb[i],
				 strerror(e));
			guestmem_free(gm);
			return -e;
		}
		gm->map[i] = m;
		gm->total += gm->size[i];
	}
	gm->below_4g = pc_below_4g(gm->total);
	*out = gm;
	return 0;
}

int guestmem_fd(const struct guestmem *gm, int node) { return gm->fd[node]; }

/* Guest physical -> offset in the RAM concatenation of all nodes; -1 outside RAM. */
static int64_t ram_offset(const struct guestmem *gm, uint64_t gpa)
{
	if (gpa < gm->below_4g)
		return (int64_t)gpa;
	if (gpa >= 0x100000000ull && gpa - 0x100000000ull < gm->total - gm->below_4g)
		return (int64_t)(gpa - 0x100000000ull + gm->below_4g);
	return -1;
}

int guestmem_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	const struct guestmem *gm = ctx;
	uint8_t *dst = buf;
	while (len) {
		int64_t off = ram_offset(gm, gpa);
		if (off < 0)
			return -EFAULT;
		/* The run of RAM contiguous from here: to the 4 GiB split and the node's end. */
		uint64_t run = gpa < gm->below_4g ? gm->below_4g - gpa : gm->total - (uint64_t)off;
		int node = 0;
		uint64_t noff = (uint64_t)off;
		while (node < gm->nodes && noff >= gm->size[node])
			noff -= gm->size[node++];
		if (node == gm->nodes)
			return -EFAULT;
		if (run > gm->size[node] - noff)
			run = gm->size[node] - noff;
		size_t n = len < run ? len : (size_t)run;
		memcpy(dst, gm->map[node] + noff, n);
		dst += n, gpa += n, len -= n;
	}
	return 0;
}

void guestmem_free(struct guestmem *gm)
{
	if (!gm)
		return;
	for (int i = 0; i < gm->nodes; i++) {
		if (gm->map[i])
			munmap(gm->map[i], gm->size[i]);
		if (gm->fd[i] >= 0)
			close(gm->fd[i]);
	}
	free(gm);
}
