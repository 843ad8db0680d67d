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
 * struct or union `type`, through anonymous structs and unions (size may be NULL). 0, or
 * -ENOENT: no such type or member, or a bitfield (not byte-addressable). */
int mon_btf_member(const struct btf *btf, const char *type, const char *path, uint32_t *off,
		   uint32_t *size);

enum mon_evk {
	MON_EVK_NONE = 0,       /* no known layout: why[] says so */
	MON_EVK_PCPU,           /* 6.18+ (and 6.17.7+): scx_sched.pcpu -> event_stats */
	MON_EVK_STATS_CPU,      /* 6.16-6.17: scx_sched.event_stats_cpu (per-CPU) */
};

struct mon_field { uint32_t off, size; };

/* The most of struct rq and of struct scx_event_stats read at once (bounded stack). */
#define MON_RQ_SPAN_MAX 8192
#define MON_STATS_MAX 512

struct mon_layout {
	/* struct rq: nr_running, clock, scx.nr_running, scx.local_dsq.nr, scx.flags. */
	struct mon_field nr_running, clock, scx_nr_running, dsq_nr, scx_flags;
	uint32_t rq_span;       /* bytes of struct rq from its start that cover all of them */
	enum mon_evk evk;
	uint32_t sched_pcpu;    /* offset of the per-CPU pointer in struct scx_sched */
	uint32_t stats_off;     /* offset of struct scx_event_stats in what it points to */
	int32_t ev_off[MON_NEV];/* offset of each counter (mon_ev_kname) in it; -1 absent */
	uint32_t stats_size;    /* bytes of struct scx_event_stats that cover the counters */
	char why[256];          /* evk == MON_EVK_NONE: the one-line reason; else "" */
};

/* 0, or -ENOENT with a one-line message in err (and why): an rq field is missing, or the
 * kernel has neither event-counter layout ("monitor: sampling disabled: ..."); the rq
 * fields are filled in that second case. */
int mon_layout_init(struct mon_layout *l, const struct btf *vmlinux, char *err, size_t errlen);
/* One CPU's struct rq (the per-CPU runqueues), in one read. 0, -EINVAL (cpu out of
 * range) or -EFAULT. */
int mon_read_cpu(const struct kmem *k, const struct mon_layout *l, int cpu, struct mon_cpu *out);
/* The counters summed over k->ncpus CPUs; counters this kernel lacks stay 0. -ENOENT (all
 * zero) while no scheduler is attached (scx_root is NULL) or without an event layout;
 * -EFAULT on an unreadable address. */
int mon_read_events(const struct kmem *k, const struct mon_layout *l, int64_t ev[MON_NEV]);

#endif
