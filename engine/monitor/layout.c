/* The monitor's field offsets from kernel BTF and its two readers (layout.h). */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/monitor/layout.h"

/* Follows typedefs and qualifiers to the underlying type id. */
static uint32_t strip(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return id;
}

/* Finds member `name` in composite type id, descending into anonymous members;
 * adds its bit offset to *bits and returns its type id, or 0. */
static uint32_t find_member(const struct btf *btf, uint32_t id, const char *name, uint64_t *bits)
{
	const struct btf_type *t = btf__type_by_id(btf, strip(btf, id));
	if (!t || !btf_is_composite(t))
		return 0;
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint64_t off = btf_member_bit_offset(t, (uint32_t)i);
		if (mn && *mn) {
			if (!strcmp(mn, name)) {
				*bits += off;
				return m->type;
			}
			continue;
		}
		uint64_t inner = 0;
		uint32_t got = find_member(btf, m->type, name, &inner);
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
	if (id < 0)
		return -ENOENT;
	uint64_t bits = 0;
	uint32_t cur = (uint32_t)id;
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *part = strtok_r(buf, ".", &save); part;
	     part = strtok_r(NULL, ".", &save)) {
		cur = find_member(btf, cur, part, &bits);
		if (!cur)
			return -ENOENT;
	}
	if (bits % 8)
		return -ENOENT; /* a bitfield: not something we read */
	long sz = btf__resolve_size(btf, cur);
	if (sz < 0)
		return -ENOENT;
	*off = (uint32_t)(bits / 8);
	if (size)
		*size = (uint32_t)sz;
	return 0;
}

static int field(const struct btf *btf, const char *path, struct mon_field *f, char *err,
		 size_t errlen)
{
	if (!mon_btf_member(btf, "rq", path, &f->off, &f->size) &&
	    (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8))
		return 0;
	snprintf(err, errlen, "monitor: sampling disabled: this kernel's BTF has no struct rq "
		 "field %s", path);
	return -ENOENT;
}

int mon_layout_init(struct mon_layout *l, const struct btf *btf, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	if (field(btf, "nr_running", &l->nr_running, err, errlen) ||
	    field(btf, "clock", &l->clock, err, errlen) ||
	    field(btf, "scx.nr_running", &l->scx_nr_running, err, errlen) ||
	    field(btf, "scx.local_dsq.nr", &l->dsq_nr, err, errlen) ||
	    field(btf, "scx.flags", &l->scx_flags, err, errlen))
		return -ENOENT;
	const struct mon_field *all[] = { &l->nr_running, &l->clock, &l->scx_nr_running,
					  &l->dsq_nr, &l->scx_flags };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->off + all[i]->size > l->rq_span)
			l->rq_span = all[i]->off + all[i]->size;

	uint32_t sz;
	if (!mon_btf_member(btf, "scx_sched", "pcpu", &l->sched_pcpu, NULL) &&
	    !mon_btf_member(btf, "scx_sched_pcpu", "event_stats", &l->stats_off, NULL)) {
		l->evk = MON_EVK_PCPU;
	} else if (!mon_btf_member(btf, "scx_sched", "event_stats_cpu", &l->sched_pcpu, NULL)) {
		l->evk = MON_EVK_STATS_CPU;
		l->stats_off = 0;
	} else {
		snprintf(err, errlen, "monitor: sampling disabled: this kernel's BTF has neither "
			 "scx_sched.pcpu->event_stats (6.18+) nor scx_sched.event_stats_cpu "
			 "(6.16-6.17)");
		return -ENOENT;
	}
	for (int i = 0; i < MON_NEV; i++) {
		uint32_t off;
		l->ev_off[i] = -1;
		if (!mon_btf_member(btf, "scx_event_stats", mon_ev_kname[i], &off, &sz) && sz == 8) {
			l->ev_off[i] = (int32_t)off;
			if (off + 8 > l->stats_size)
				l->stats_size = off + 8;
		}
	}
	return 0;
}

static uint64_t get(const uint8_t *base, const struct mon_field *f)
{
	uint64_t v = 0;
	memcpy(&v, base + f->off, f->size); /* little-endian guest */
	return v;
}

int mon_read_cpu(const struct kmem *k, const struct mon_layout *l, int cpu, struct mon_cpu *out)
{
	uint8_t rq[8192];
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
	uint64_t sch = 0, pcpu = 0;
	if (!k->sym.scx_root || kmem_read_u64(k, k->sym.scx_root, &sch))
		return -EFAULT;
	if (!sch)
		return -ENOENT;
	if (kmem_read_u64(k, sch + l->sched_pcpu, &pcpu) || !pcpu)
		return -EFAULT;
	uint8_t stats[512];
	if (l->stats_size > sizeof(stats))
		return -EFAULT;
	for (int c = 0; c < k->ncpus; c++) {
		if (kmem_read(k, kmem_percpu(k, pcpu, c) + l->stats_off, stats, l->stats_size))
			return -EFAULT;
		for (int i = 0; i < MON_NEV; i++)
			if (l->ev_off[i] >= 0) {
				int64_t v;
				memcpy(&v, stats + l->ev_off[i], sizeof(v));
				ev[i] += v;
			}
	}
	return 0;
}
