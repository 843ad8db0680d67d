/* Guest RAM that ktstr can read while the VM runs, even when the guest is wedged: each
 * NUMA node's RAM is a memfd ktstr creates and hands to QEMU (memory-backend-file on
 * /proc/self/fd/N, share=on), mapped read-only here. Guest physical addresses are
 * translated the way QEMU's pc machine lays RAM out (below 4 GiB, then above). */
#ifndef KTSTR_GUESTMEM_H
#define KTSTR_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUESTMEM_MAX_NODES 64  /* NUMA nodes: vm_topo_vcpus refuses more */
#define GUESTMEM_FD_BASE 3     /* QEMU sees node i's memfd as fd 3 + i */

struct guestmem;

/* One memfd per node of node_mb[i] MB (hugetlb: 2 MB pages), sized and mapped read-only.
 * 0, or -errno with a message in err. */
int guestmem_create(const int *node_mb, int nodes, bool hugetlb, struct guestmem **out,
		    char *err, size_t errlen);
int guestmem_fd(const struct guestmem *gm, int node);
/* Copies len bytes at guest physical gpa (kmem_read_fn-compatible: ctx is the guestmem).
 * 0, or -EFAULT when the range is not all RAM. */
int guestmem_read(void *gm, uint64_t gpa, void *buf, size_t len);
void guestmem_free(struct guestmem *gm);

#endif
