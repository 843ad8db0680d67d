/* Where the monitor's fields are in this kernel: offsets from its BTF through libbpf,
 * never from headers, and the readers built on them (one CPU's runqueue, the sched_ext
 * event counters). */
#ifndef KTSTR_MON_LAYOUT_H
#define KTSTR_MON_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/monitor/kmem.h"
#include "engine/monitor/monitor.h"

struct btf;

/* Byte offset and size of a member given by a dotted path ("scx.local_dsq.nr") inside
 * struct or union `type`, through anonymous members. 0, or -ENOENT. */
int mon_btf_member(const struct btf *btf, const char *type, const char *path, uint32_t *off,
		   uint32_t *size);

enum mon_evk {
	MON_EVK_PCPU = 1,       /* 6.18+ (and 6.17.7+): scx_sched.pcpu -> event_stats */
	MON_EVK_STATS_CPU,      /* 6.16-6.17: scx_sched.event_stats_cpu (per-CPU) */
};

struct mon_field { uint32_t off, size; };

struct mon_layout {
	struct mon_field nr_running, clock, scx_nr_running, dsq_nr, scx_flags;
	uint32_t rq_span;       /* bytes of struct rq from its start that cover all of them */
	enum mon_evk evk;
	uint32_t sched_pcpu;    /* offset of the per-CPU pointer in struct scx_sched */
	uint32_t stats_off;     /* offset of struct scx_event_stats in what it points to */
	int32_t ev_off[MON_NEV];/* offset of each counter in struct scx_event_stats; -1 absent */
	uint32_t stats_size;
};

/* 0, or -ENOENT with a one-line message: an rq field is missing, or the kernel has
 * neither event-counter layout (sampling is disabled then, the seed says so). */
int mon_layout_init(struct mon_layout *l, const struct btf *vmlinux, char *err, size_t errlen);
/* One CPU's struct rq, in one read. 0 or -EFAULT. */
int mon_read_cpu(const struct kmem *k, const struct mon_layout *l, int cpu, struct mon_cpu *out);
/* The counters summed over k->ncpus CPUs. -ENOENT (all zero) while no scheduler is
 * attached (scx_root is NULL); -EFAULT on an unreadable address. */
int mon_read_events(const struct kmem *k, const struct mon_layout *l, int64_t ev[MON_NEV]);

#endif
