/* The monitor's field offsets (engine/monitor/layout.h): from the test kernel's BTF,
 * checked against a plain member walk; from BTFs built here (each event-counter layout,
 * none, a missing rq field, anonymous members, bitfields); and the two readers over
 * synthetic guest RAM (one CPU's runqueue, the counters summed over CPUs). */
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/monitor/kmem.h"
#include "engine/monitor/layout.h"
#include "tests/unit/kbtf.h"

/* The byte offset of a direct (named, non-nested) member, without layout.c's code. */
static uint32_t direct_off(const struct btf *b, const char *type, const char *name)
{
	int id = btf__find_by_name_kind(b, type, BTF_KIND_STRUCT);
	cr_assert_gt(id, 0, "struct %s not in the BTF", type);
	const struct btf_type *t = btf__type_by_id(b, (uint32_t)id);
	const struct btf_member *m = btf_members(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(b, m->name_off), name))
			return btf_member_bit_offset(t, i) / 8;
	cr_assert_fail("struct %s has no member %s", type, name);
	return 0;
}

static void expect_field(const struct mon_field *f, uint32_t off, uint32_t size, const char *what)
{
	cr_expect_eq(f->off, off, "%s: offset %u, want %u", what, f->off, off);
	cr_expect_eq(f->size, size, "%s: size %u, want %u", what, f->size, size);
}

Test(monitor_layout, rq_offsets_of_the_test_kernel_match_a_member_walk)
{
	struct btf *b = kbtf();
	struct mon_layout l;
	char err[256] = "";
	cr_assert_eq(mon_layout_init(&l, b, err, sizeof(err)), 0, "%s", err);
	uint32_t scx = direct_off(b, "rq", "scx");
	expect_field(&l.nr_running, direct_off(b, "rq", "nr_running"), 4, "rq.nr_running");
	expect_field(&l.clock, direct_off(b, "rq", "clock"), 8, "rq.clock");
	expect_field(&l.scx_nr_running, scx + direct_off(b, "scx_rq", "nr_running"), 4,
		     "rq.scx.nr_running");
	expect_field(&l.dsq_nr, scx + direct_off(b, "scx_rq", "local_dsq") +
		     direct_off(b, "scx_dispatch_q", "nr"), 4, "rq.scx.local_dsq.nr");
	expect_field(&l.scx_flags, scx + direct_off(b, "scx_rq", "flags"), 4, "rq.scx.flags");
	uint32_t span = 0;
	const struct mon_field *all[] = { &l.nr_running, &l.clock, &l.scx_nr_running, &l.dsq_nr,
					  &l.scx_flags };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->off + all[i]->size > span)
			span = all[i]->off + all[i]->size;
	cr_expect_eq(l.rq_span, span);
	cr_expect_leq(l.rq_span, MON_RQ_SPAN_MAX);
	/* The helper agrees with itself on the nested path, size included. */
	uint32_t off = 0, size = 0;
	cr_expect_eq(mon_btf_member(b, "rq", "scx.local_dsq.nr", &off, &size), 0);
	cr_expect_eq(off, l.dsq_nr.off);
	cr_expect_eq(size, 4);
}

Test(monitor_layout, the_test_kernel_has_the_6_18_event_layout_with_all_counters)
{
	struct btf *b = kbtf();
	struct mon_layout l;
	char err[256] = "";
	cr_assert_eq(mon_layout_init(&l, b, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(l.evk, MON_EVK_PCPU, "the test kernel (7.2) has scx_sched.pcpu; evk %d", l.evk);
	cr_expect_str_empty(l.why);
	cr_expect_eq(l.sched_pcpu, direct_off(b, "scx_sched", "pcpu"));
	cr_expect_eq(l.stats_off, direct_off(b, "scx_sched_pcpu", "event_stats"));
	for (int i = 0; i < MON_NEV; i++)
		cr_expect_eq(l.ev_off[i], (int32_t)direct_off(b, "scx_event_stats", mon_ev_kname[i]),
			     "%s at %d", mon_ev_kname[i], l.ev_off[i]);
	cr_expect_eq(l.stats_size, MON_NEV * 8);
}

Test(monitor_layout, member_paths_reach_into_the_kernels_anonymous_unions)
{
	struct btf *b = kbtf();
	uint32_t value = 0, map = 0;
	/* bpf_array's value[] sits in an anonymous union (what gmaps.c reads). */
	cr_expect_eq(mon_btf_member(b, "bpf_array", "value", &value, NULL), 0);
	cr_expect_eq(mon_btf_member(b, "bpf_array", "map", &map, NULL), 0);
	cr_expect_gt(value, map);
	cr_expect_eq(mon_btf_member(b, "idr", "idr_rt.xa_head", &value, NULL), 0);
	cr_expect_eq(mon_btf_member(b, "rq", "no_such_field", &value, NULL), -ENOENT);
	cr_expect_eq(mon_btf_member(b, "no_such_struct", "x", &value, NULL), -ENOENT);
}

/* BTFs built here. */
struct ids { int u32t, u64t, s64t; };

static struct ids base_types(struct btf *b)
{
	struct ids t = {
		.u32t = btf__add_int(b, "unsigned int", 4, 0),
		.u64t = btf__add_int(b, "long long unsigned int", 8, 0),
		.s64t = btf__add_int(b, "long long int", 8, BTF_INT_SIGNED),
	};
	return t;
}

enum synth_ev { SYN_NONE, SYN_PCPU, SYN_STATS_CPU, SYN_UNKNOWN_COUNTERS };

/* struct rq { u32 nr_running; u64 clock; struct scx_rq scx; } with scx_rq { local_dsq
 * {u32 nr}; u32 nr_running @8; u32 flags @12 (unless no_flags) }, and the event layout
 * asked for: scx_event_stats { SELECT_CPU_FALLBACK @0, an unknown counter @8,
 * DISPATCH_KEEP_LAST @16 }. */
static struct btf *synth(enum synth_ev ev, bool no_flags)
{
	struct btf *b = btf__new_empty();
	cr_assert_not_null(b);
	struct ids t = base_types(b);
	int dq = btf__add_struct(b, "scx_dispatch_q", 8);
	btf__add_field(b, "nr", t.u32t, 0, 0);
	int srq = btf__add_struct(b, "scx_rq", 24);
	btf__add_field(b, "local_dsq", dq, 0, 0);
	btf__add_field(b, "nr_running", t.u32t, 64, 0);
	if (!no_flags)
		btf__add_field(b, "flags", t.u32t, 96, 0);
	btf__add_field(b, "clock", t.u64t, 128, 0);
	btf__add_struct(b, "rq", 40);
	btf__add_field(b, "nr_running", t.u32t, 0, 0);
	btf__add_field(b, "clock", t.u64t, 64, 0);
	btf__add_field(b, "scx", srq, 128, 0);
	int st = btf__add_struct(b, "scx_event_stats", 24);
	btf__add_field(b, ev == SYN_UNKNOWN_COUNTERS ? "SCX_EV_NOT_YET" : "SCX_EV_SELECT_CPU_FALLBACK",
		       t.s64t, 0, 0);
	btf__add_field(b, "SCX_EV_NOT_YET_EITHER", t.s64t, 64, 0);
	if (ev != SYN_UNKNOWN_COUNTERS)
		btf__add_field(b, "SCX_EV_DISPATCH_KEEP_LAST", t.s64t, 128, 0);
	int sp = btf__add_ptr(b, st);
	if (ev == SYN_PCPU) {
		int pc = btf__add_struct(b, "scx_sched_pcpu", 32);
		btf__add_field(b, "flags", t.u64t, 0, 0);
		btf__add_field(b, "event_stats", st, 64, 0);
		int pp = btf__add_ptr(b, pc);
		btf__add_struct(b, "scx_sched", 16);
		btf__add_field(b, "level", t.u32t, 0, 0);
		btf__add_field(b, "pcpu", pp, 64, 0);
	} else if (ev == SYN_STATS_CPU || ev == SYN_UNKNOWN_COUNTERS) {
		btf__add_struct(b, "scx_sched", 16);
		btf__add_field(b, "level", t.u32t, 0, 0);
		btf__add_field(b, "event_stats_cpu", sp, 64, 0);
	} else {
		btf__add_struct(b, "scx_sched", 8);
		btf__add_field(b, "level", t.u32t, 0, 0);
	}
	return b;
}

#define NO_EVENTS "monitor: sampling disabled: this kernel's BTF has neither " \
	"scx_sched.pcpu->event_stats (6.18+) nor scx_sched.event_stats_cpu (6.16-6.17)"

Test(monitor_layout, a_kernel_with_neither_event_layout_disables_sampling)
{
	struct btf *b = synth(SYN_NONE, false);
	struct mon_layout l;
	char err[256] = "";
	cr_expect_eq(mon_layout_init(&l, b, err, sizeof(err)), -ENOENT);
	cr_expect_str_eq(err, NO_EVENTS);
	cr_expect_eq(l.evk, MON_EVK_NONE);
	cr_expect_str_eq(l.why, NO_EVENTS);
	/* The runqueue's fields are still known. */
	expect_field(&l.dsq_nr, 16, 4, "rq.scx.local_dsq.nr");
	expect_field(&l.scx_flags, 28, 4, "rq.scx.flags");
	cr_expect_eq(l.rq_span, 32);
	int64_t ev[MON_NEV];
	cr_expect_eq(mon_read_events(&(struct kmem){ 0 }, &l, ev), -ENOENT);
	btf__free(b);
}

Test(monitor_layout, a_missing_rq_field_is_named)
{
	struct btf *b = synth(SYN_PCPU, true);
	struct mon_layout l;
	char err[256] = "";
	cr_expect_eq(mon_layout_init(&l, b, err, sizeof(err)), -ENOENT);
	cr_expect_str_eq(err, "monitor: sampling disabled: this kernel's BTF has no struct rq "
			 "field scx.flags");
	cr_expect_str_eq(l.why, err);
	btf__free(b);
}

Test(monitor_layout, the_6_18_layout_from_a_built_btf)
{
	struct btf *b = synth(SYN_PCPU, false);
	struct mon_layout l;
	char err[256] = "";
	cr_assert_eq(mon_layout_init(&l, b, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(l.evk, MON_EVK_PCPU);
	cr_expect_eq(l.sched_pcpu, 8);
	cr_expect_eq(l.stats_off, 8);
	cr_expect_eq(l.ev_off[MON_EV_SELECT_CPU_FALLBACK], 0);
	cr_expect_eq(l.ev_off[MON_EV_DISPATCH_KEEP_LAST], 16);
	cr_expect_eq(l.ev_off[MON_EV_DISPATCH_LOCAL_DSQ_OFFLINE], -1);
	cr_expect_eq(l.stats_size, 24);
	btf__free(b);
}

Test(monitor_layout, the_6_16_layout_from_a_built_btf)
{
	struct btf *b = synth(SYN_STATS_CPU, false);
	struct mon_layout l;
	char err[256] = "";
	cr_assert_eq(mon_layout_init(&l, b, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(l.evk, MON_EVK_STATS_CPU);
	cr_expect_eq(l.sched_pcpu, 8);
	cr_expect_eq(l.stats_off, 0);
	int found = 0;
	for (int i = 0; i < MON_NEV; i++)
		found += l.ev_off[i] >= 0;
	cr_expect_eq(found, 2, "two of the counters are in this BTF, found %d", found);
	btf__free(b);
}

Test(monitor_layout, event_stats_without_a_known_counter_disable_sampling)
{
	struct btf *b = synth(SYN_UNKNOWN_COUNTERS, false);
	struct mon_layout l;
	char err[256] = "";
	cr_expect_eq(mon_layout_init(&l, b, err, sizeof(err)), -ENOENT);
	cr_expect_str_eq(err, "monitor: sampling disabled: this kernel's struct scx_event_stats "
			 "has none of the counters the monitor knows");
	cr_expect_eq(l.evk, MON_EVK_NONE);
	btf__free(b);
}

Test(monitor_layout, member_paths_through_anonymous_members_and_bitfields)
{
	/* struct outer { u32 a; union { struct { u32 x; u64 y; }; u32 z; }; struct inner in; }
	 * with struct inner { u32 p; u32 q:3; u32 r:5; } (q, r: bitfields). */
	struct btf *b = btf__new_empty();
	struct ids t = base_types(b);
	int in = btf__add_struct(b, "inner", 8);
	btf__add_field(b, "p", t.u32t, 0, 0);
	btf__add_field(b, "q", t.u32t, 32, 3);
	btf__add_field(b, "r", t.u32t, 35, 5);
	int s = btf__add_struct(b, NULL, 16);
	btf__add_field(b, "x", t.u32t, 0, 0);
	btf__add_field(b, "y", t.u64t, 64, 0);
	int u = btf__add_union(b, NULL, 16);
	btf__add_field(b, NULL, s, 0, 0);
	btf__add_field(b, "z", t.u32t, 0, 0);
	int td = btf__add_typedef(b, "inner_t", in);
	int cin = btf__add_const(b, td);
	btf__add_struct(b, "outer", 32);
	btf__add_field(b, "a", t.u32t, 0, 0);
	btf__add_field(b, NULL, u, 64, 0);
	btf__add_field(b, "in", cin, 192, 0);
	uint32_t off = 99, size = 99;
	cr_expect_eq(mon_btf_member(b, "outer", "y", &off, &size), 0);
	cr_expect_eq(off, 16);
	cr_expect_eq(size, 8);
	cr_expect_eq(mon_btf_member(b, "outer", "z", &off, &size), 0);
	cr_expect_eq(off, 8);
	cr_expect_eq(mon_btf_member(b, "outer", "in.p", &off, NULL), 0, "through a const typedef");
	cr_expect_eq(off, 24);
	cr_expect_eq(mon_btf_member(b, "outer", "in", &off, &size), 0);
	cr_expect_eq(size, 8);
	cr_expect_eq(mon_btf_member(b, "outer", "in.q", &off, &size), -ENOENT, "a bitfield at a byte");
	cr_expect_eq(mon_btf_member(b, "outer", "in.r", &off, &size), -ENOENT, "a bitfield");
	cr_expect_eq(mon_btf_member(b, "outer", "in.p.deeper", &off, NULL), -ENOENT);
	cr_expect_eq(mon_btf_member(b, "outer", "", &off, NULL), -ENOENT);
	char lng[200];
	memset(lng, 'a', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = 0;
	cr_expect_eq(mon_btf_member(b, "outer", lng, &off, NULL), -ENOENT, "a path too long");
	cr_expect_eq(mon_btf_member(b, "inner", "p", &off, NULL), 0);
	btf__free(b);
}

/* Synthetic guest RAM for the readers: the image at KMAP + 16 MiB (phys_base 0) holds
 * page_offset_base, __per_cpu_offset[] and scx_root; CPU c's per-CPU area is 1 MiB at
 * AREA + c MiB in the direct map; per-CPU symbols are zero-based. */
#define RAM (32u << 20)
#define KMAP 0xffffffff80000000ull
#define DIRECT 0xffff888000000000ull
#define POB 0x1000000ull
#define PCPU 0x1000100ull
#define ROOT 0x1000200ull
#define PGD 0x1001000ull
#define AREA 0x400000ull
#define RQ_SYM 0x20000ull
#define SCHED_PA 0x1100000ull
#define STATS_SYM 0x40000ull
#define NCPU 4

static uint8_t *ram;
static int nreads;

static int rd(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	nreads++;
	if (gpa >= RAM || len > RAM - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static void put(uint64_t pa, const void *v, size_t n) { memcpy(ram + pa, v, n); }
static void put64(uint64_t pa, uint64_t v) { put(pa, &v, 8); }
static uint64_t cpu_pa(int c, uint64_t sym) { return AREA + (uint64_t)c * 0x100000 + sym; }

static void guest(struct kmem *k)
{
	free(ram);
	ram = calloc(1, RAM);
	cr_assert_not_null(ram);
	put64(POB, DIRECT);
	for (int c = 0; c < NCPU; c++)
		put64(PCPU + 8 * (uint64_t)c, DIRECT + cpu_pa(c, 0));
	put64(ROOT, DIRECT + SCHED_PA);
	struct kmem_syms s = { .text = KMAP + 0x1000000, .text_phys = 0x1000000,
			       .page_offset_base = KMAP + POB, .init_top_pgt = KMAP + PGD,
			       .per_cpu_offset = KMAP + PCPU, .runqueues = RQ_SYM,
			       .scx_root = KMAP + ROOT };
	char err[256] = "";
	cr_assert_eq(kmem_init(k, rd, NULL, &s, NCPU, err, sizeof(err)), 0, "%s", err);
}

static void done(void)
{
	free(ram);
	ram = NULL;
}

/* Each CPU's rq: nr_running c+1, clock 1000+c, scx.nr_running c, local_dsq.nr 10c,
 * scx.flags 0x20; counter i on CPU c is (i+1)(c+1), so each sums to 10(i+1). */
static void fill(const struct mon_layout *l)
{
	put64(SCHED_PA + l->sched_pcpu, STATS_SYM);
	for (int c = 0; c < NCPU; c++) {
		uint64_t rq = cpu_pa(c, RQ_SYM);
		put(rq + l->nr_running.off, &(uint32_t){ (uint32_t)c + 1 }, 4);
		put64(rq + l->clock.off, 1000 + (uint64_t)c);
		put(rq + l->scx_nr_running.off, &(uint32_t){ (uint32_t)c }, 4);
		put(rq + l->dsq_nr.off, &(uint32_t){ 10 * (uint32_t)c }, 4);
		put(rq + l->scx_flags.off, &(uint32_t){ 0x20 }, 4);
		for (int i = 0; i < MON_NEV; i++)
			if (l->ev_off[i] >= 0)
				put64(cpu_pa(c, STATS_SYM) + l->stats_off + (uint64_t)l->ev_off[i],
				      (uint64_t)(i + 1) * (uint64_t)(c + 1));
	}
}

static void expect_reads(const struct kmem *k, const struct mon_layout *l)
{
	for (int c = 0; c < NCPU; c++) {
		struct mon_cpu m;
		nreads = 0;
		cr_assert_eq(mon_read_cpu(k, l, c, &m), 0, "cpu %d", c);
		cr_expect_eq(nreads, 1, "cpu %d's rq took %d guest reads, want 1", c, nreads);
		cr_expect_eq(m.nr_running, (uint32_t)c + 1);
		cr_expect_eq(m.clock, 1000 + (uint64_t)c);
		cr_expect_eq(m.scx_nr_running, (uint32_t)c);
		cr_expect_eq(m.dsq_depth, 10 * (uint32_t)c);
		cr_expect_eq(m.flags, 0x20);
	}
	int64_t ev[MON_NEV];
	cr_assert_eq(mon_read_events(k, l, ev), 0);
	for (int i = 0; i < MON_NEV; i++) {
		int64_t want = l->ev_off[i] >= 0 ? 10 * (i + 1) : 0;
		cr_expect_eq(ev[i], want, "%s: %lld, want %lld", mon_ev_kname[i], (long long)ev[i],
			     (long long)want);
	}
}

Test(monitor_layout, readers_with_the_test_kernels_layout, .fini = done)
{
	struct mon_layout l;
	char err[256] = "";
	cr_assert_eq(mon_layout_init(&l, kbtf(), err, sizeof(err)), 0, "%s", err);
	struct kmem k;
	guest(&k);
	fill(&l);
	expect_reads(&k, &l);
}

Test(monitor_layout, readers_with_the_6_16_layout_leave_missing_counters_at_zero, .fini = done)
{
	struct btf *b = synth(SYN_STATS_CPU, false);
	struct mon_layout l;
	char err[256] = "";
	cr_assert_eq(mon_layout_init(&l, b, err, sizeof(err)), 0, "%s", err);
	btf__free(b);
	struct kmem k;
	guest(&k);
	fill(&l);
	/* Junk where the unknown counter sits must not be counted. */
	for (int c = 0; c < NCPU; c++)
		put64(cpu_pa(c, STATS_SYM) + 8, 777);
	expect_reads(&k, &l);
}

Test(monitor_layout, no_scheduler_attached_reads_as_zero, .fini = done)
{
	struct mon_layout l;
	char err[256] = "";
	cr_assert_eq(mon_layout_init(&l, kbtf(), err, sizeof(err)), 0, "%s", err);
	struct kmem k;
	guest(&k);
	fill(&l);
	int64_t ev[MON_NEV];
	put64(ROOT, 0);
	memset(ev, 0x55, sizeof(ev));
	cr_expect_eq(mon_read_events(&k, &l, ev), -ENOENT);
	for (int i = 0; i < MON_NEV; i++)
		cr_expect_eq(ev[i], 0, "%s", mon_ev_kname[i]);
	/* A scheduler whose per-CPU pointer is NULL, and no scx_root symbol at all. */
	put64(ROOT, DIRECT + SCHED_PA);
	put64(SCHED_PA + l.sched_pcpu, 0);
	cr_expect_eq(mon_read_events(&k, &l, ev), -EFAULT);
	cr_expect_eq(ev[0], 0);
	k.sym.scx_root = 0;
	cr_expect_eq(mon_read_events(&k, &l, ev), -EFAULT);
}

Test(monitor_layout, bad_cpus_and_guest_garbage, .fini = done)
{
	struct mon_layout l;
	char err[256] = "";
	cr_assert_eq(mon_layout_init(&l, kbtf(), err, sizeof(err)), 0, "%s", err);
	struct kmem k;
	guest(&k);
	fill(&l);
	struct mon_cpu m;
	cr_expect_eq(mon_read_cpu(&k, &l, NCPU, &m), -EINVAL);
	cr_expect_eq(mon_read_cpu(&k, &l, -1, &m), -EINVAL);
	/* A per-CPU offset pointing outside guest RAM. */
	struct kmem k2 = k;
	k2.pcpu_off[1] = DIRECT + RAM;
	cr_expect_eq(mon_read_cpu(&k2, &l, 1, &m), -EFAULT);
	int64_t ev[MON_NEV];
	cr_expect_eq(mon_read_events(&k2, &l, ev), -EFAULT);
	cr_expect_eq(ev[0], 0, "a failed read leaves no partial sums");
	/* Counters near the top of s64 wrap instead of being undefined. */
	for (int c = 0; c < NCPU; c++)
		put64(cpu_pa(c, STATS_SYM) + l.stats_off + (uint64_t)l.ev_off[0], INT64_MAX);
	cr_expect_eq(mon_read_events(&k, &l, ev), 0);
	cr_expect_eq((uint64_t)ev[0], (uint64_t)INT64_MAX * NCPU);
}
