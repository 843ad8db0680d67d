/* The monitor's field offsets from kernel BTF and its two readers (layout.h). */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/monitor/layout.h"

/* Anonymous members nest a few deep in practice; the bound only stops a looping BTF. */
#define ANON_DEPTH_MAX 16

/* Follows typedefs and qualifiers to the underlying type id. */
static uint32_t strip(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	for (int n = 0; t && (btf_is_typedef(t) || btf_is_mod(t)) && n < 64; n++) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return id;
}

/* Whether member i of composite t is a bitfield, in either BTF encoding: a bitfield size
 * in the member (kind_flag) or an int type narrower than its storage. */
static bool is_bitfield(const struct btf *btf, const struct btf_type *t, uint32_t i,
			const struct btf_member *m)
{
	if (btf_member_bitfield_size(t, i))
		return true;
	const struct btf_type *mt = btf__type_by_id(btf, strip(btf, m->type));
	return mt && btf_is_int(mt) && (btf_int_offset(mt) || btf_int_bits(mt) != mt->size * 8);
}

/* Finds member `name` in composite type id, descending into anonymous members; adds its
 * bit offset to *bits and returns its type id, or 0 (also for a bitfield). */
static uint32_t find_member(const struct btf *btf, uint32_t id, const char *name, uint64_t *bits,
			    int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, strip(btf, id));
	if (!t || !btf_is_composite(t) || depth > ANON_DEPTH_MAX)
		return 0;
	const struct btf_member *m = btf_members(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint64_t off = btf_member_bit_offset(t, i);
		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			if (is_bitfield(btf, t, i, m))
				return 0;
			*bits += off;
			return m->type;
		}
		uint64_t inner = 0;
		uint32_t got = find_member(btf, m->type, name, &inner, depth + 1);
		if (got) {
			*bits += off + inner;
			return got;
		}
	}
	return 0;
}

int mon_btf_member(const struct btf *btf, const char *type, const char *path, uint32_t *off,
		   uint32_t *size)
{
	int32_t id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	if (id < 0)
		id = btf__find_by_name_kind(btf, type, BTF_KIND_UNION);
	char buf[128];
	if (id < 0 || !*path || strlen(path) >= sizeof(buf))
		return -ENOENT;
	memcpy(buf, path, strlen(path) + 1);
	uint64_t bits = 0;
	uint32_t cur = (uint32_t)id;
	for (char *save = NULL, *part = strtok_r(buf, ".", &save); part;
	     part = strtok_r(NULL, ".", &save)) {
		cur = find_member(btf, cur, part, &bits, 0);
		if (!cur)
			return -ENOENT;
	}
	long sz = btf__resolve_size(btf, cur);
	if (bits % 8 || bits / 8 > UINT32_MAX || sz < 0)
		return -ENOENT;
	*off = (uint32_t)(bits / 8);
	if (size)
		*size = (uint32_t)sz;
	return 0;
}

static int rq_field(const struct btf *btf, const char *path, struct mon_field *f, char *err,
		    size_t errlen)
{
	if (!mon_btf_member(btf, "rq", path, &f->off, &f->size) &&
	    (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8))
		return 0;
	snprintf(err, errlen, "monitor: sampling disabled: this kernel's BTF has no struct rq "
		 "field %s", path);
	return -ENOENT;
}

/* The per-CPU pointer to the counters: 6.18+ first, then 6.16-6.17. */
static enum mon_evk event_kind(const struct btf *btf, struct mon_layout *l)
{
	uint32_t psz = 0;
	if (!mon_btf_member(btf, "scx_sched", "pcpu", &l->sched_pcpu, &psz) && psz == 8 &&
	    !mon_btf_member(btf, "scx_sched_pcpu", "event_stats", &l->stats_off, NULL))
		return MON_EVK_PCPU;
	l->stats_off = 0;
	if (!mon_btf_member(btf, "scx_sched", "event_stats_cpu", &l->sched_pcpu, &psz) &&
	    psz == 8)
		return MON_EVK_STATS_CPU;
	l->sched_pcpu = 0;
	return MON_EVK_NONE;
}

static int no_events(struct mon_layout *l, char *err, size_t errlen, const char *why)
{
	l->evk = MON_EVK_NONE;
	snprintf(l->why, sizeof(l->why), "%s", why);
	snprintf(err, errlen, "%s", why);
	return -ENOENT;
}

int mon_layout_init(struct mon_layout *l, const struct btf *btf, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < MON_NEV; i++)
		l->ev_off[i] = -1;
	struct { const char *path; struct mon_field *f; } rq[] = {
		{ "nr_running", &l->nr_running }, { "clock", &l->clock },
		{ "scx.nr_running", &l->scx_nr_running }, { "scx.local_dsq.nr", &l->dsq_nr },
		{ "scx.flags", &l->scx_flags },
	};
	for (size_t i = 0; i < sizeof(rq) / sizeof(rq[0]); i++) {
		if (rq_field(btf, rq[i].path, rq[i].f, err, errlen)) {
			snprintf(l->why, sizeof(l->why), "%s", err);
			return -ENOENT;
		}
		if (rq[i].f->off + rq[i].f->size > l->rq_span)
			l->rq_span = rq[i].f->off + rq[i].f->size;
	}
	if (l->rq_span > MON_RQ_SPAN_MAX) {
		snprintf(err, errlen, "monitor: sampling disabled: struct rq's fields span %u bytes, "
			 "more than the %d the monitor reads at once", l->rq_span, MON_RQ_SPAN_MAX);
		snprintf(l->why, sizeof(l->why), "%s", err);
		return -ENOENT;
	}

	l->evk = event_kind(btf, l);
	if (l->evk == MON_EVK_NONE)
		return no_events(l, err, errlen, "monitor: sampling disabled: this kernel's BTF has "
				 "neither scx_sched.pcpu->event_stats (6.18+) nor "
				 "scx_sched.event_stats_cpu (6.16-6.17)");
	int found = 0;
	for (int i = 0; i < MON_NEV; i++) {
		uint32_t off, sz;
		if (mon_btf_member(btf, "scx_event_stats", mon_ev_kname[i], &off, &sz) || sz != 8 ||
		    off + 8 > MON_STATS_MAX)
			continue;
		l->ev_off[i] = (int32_t)off;
		if (off + 8 > l->stats_size)
			l->stats_size = off + 8;
		found++;
	}
	if (!found)
		return no_events(l, err, errlen, "monitor: sampling disabled: this kernel's struct "
				 "scx_event_stats has none of the counters the monitor knows");
	return 0;
}

/* A field of a little-endian guest's struct, read on a little-endian host. */
static uint64_t get(const uint8_t *base, const struct mon_field *f)
{
	uint64_t v = 0;
	memcpy(&v, base + f->off, f->size);
	return v;
}

int mon_read_cpu(const struct kmem *k, const struct mon_layout *l, int cpu, struct mon_cpu *out)
{
	uint8_t rq[MON_RQ_SPAN_MAX];
	if (cpu < 0 || cpu >= k->ncpus)
		return -EINVAL;
	if (l->rq_span > sizeof(rq) ||
	    kmem_read(k, kmem_percpu(k, k->sym.runqueues, cpu), rq, l->rq_span))
		return -EFAULT;
	out->nr_running = (uint32_t)get(rq, &l->nr_running);
	out->scx_nr_running = (uint32_t)get(rq, &l->scx_nr_running);
	out->dsq_depth = (uint32_t)get(rq, &l->dsq_nr);
	out->flags = (uint32_t)get(rq, &l->scx_flags);
	out->clock = get(rq, &l->clock);
	return 0;
}

int mon_read_events(const struct kmem *k, const struct mon_layout *l, int64_t ev[MON_NEV])
{
	memset(ev, 0, MON_NEV * sizeof(ev[0]));
	if (l->evk == MON_EVK_NONE)
		return -ENOENT;
	uint64_t sch = 0, pcpu = 0;
	if (!k->sym.scx_root || kmem_read_u64(k, k->sym.scx_root, &sch))
		return -EFAULT;
	if (!sch)
		return -ENOENT;
	if (kmem_read_u64(k, sch + l->sched_pcpu, &pcpu) || !pcpu)
		return -EFAULT;
	uint8_t stats[MON_STATS_MAX];
	if (l->stats_size > sizeof(stats))
		return -EFAULT;
	/* Summed unsigned: garbage from the guest may overflow, which is not UB then. */
	uint64_t sum[MON_NEV] = { 0 };
	for (int c = 0; c < k->ncpus; c++) {
		if (kmem_read(k, kmem_percpu(k, pcpu, c) + l->stats_off, stats, l->stats_size))
			return -EFAULT;
		for (int i = 0; i < MON_NEV; i++)
			if (l->ev_off[i] >= 0) {
				uint64_t v;
				memcpy(&v, stats + l->ev_off[i], sizeof(v));
				sum[i] += v;
			}
	}
	for (int i = 0; i < MON_NEV; i++)
		ev[i] = (int64_t)sum[i];
	return 0;
}
