/* The scheduler's globals read from synthetic guest RAM: a map_idr (an xarray one and two
 * levels deep) holding struct bpf_array maps laid out by the test kernel's BTF, the .bss
 * and .rodata of the real ktstr_sched object with its own BTF, a .data with a BTF built
 * here that has every kind of type the renderer knows. */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/monitor/gmaps.h"
#include "engine/monitor/kmem.h"
#include "engine/monitor/layout.h"
#include "tests/unit/kbtf.h"
#include "tests/unit/tenv.h"

#define RAM (8u << 20)
#define DIRECT 0xffff888000000000ull
#define VA(pa) (DIRECT + (pa))
#define IDR_PA 0x1000ull
#define NODE_PA 0x2000ull       /* the top node, then one leaf per 64 ids */
#define MAP_PA(slot) (0x10000ull * ((slot) + 1))
#define BTF_OBJ_PA(slot) (MAP_PA(slot) + 0x8000)
#define BTF_RAW_PA(slot) (0x100000ull * ((slot) + 1))
#define SCHED_OBJ "build/bpf/ktstr_sched.bpf.o"

static uint8_t *ram;
static bool ram_gone;

static int rd(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	if (ram_gone || gpa >= RAM || len > RAM - gpa)
		return -EFAULT;
	memcpy(buf, ram + gpa, len);
	return 0;
}

static void put(uint64_t pa, const void *v, size_t n)
{
	cr_assert_leq(pa + n, RAM);
	memcpy(ram + pa, v, n);
}
static void put32(uint64_t pa, uint32_t v) { put(pa, &v, 4); }
static void put64(uint64_t pa, uint64_t v) { put(pa, &v, 8); }

static uint32_t off(const char *type, const char *path)
{
	uint32_t o;
	cr_assert_eq(mon_btf_member(kbtf(), type, path, &o, NULL), 0, "%s.%s", type, path);
	return o;
}

static struct kmem kmem_new(void)
{
	free(ram);
	ram = calloc(1, RAM);
	ram_gone = false;
	return (struct kmem){ .read = rd, .direct_base = DIRECT, .levels = 4,
			      .sym = { .map_idr = VA(IDR_PA) } };
}

/* The map_idr holding maps[i] at ids[i] (all < 128): a lone leaf when every id is
 * below 64, else a node of shift 6 over two leaves. */
static void put_idr(const uint32_t *ids, const uint64_t *maps, int n)
{
	uint32_t shift = off("xa_node", "shift"), slots = off("xa_node", "slots");
	bool two = false;
	for (int i = 0; i < n; i++)
		two |= ids[i] >= 64;
	uint64_t leaf[2] = { NODE_PA + 0x1000, NODE_PA + 0x2000 };
	put64(IDR_PA + off("idr", "idr_rt.xa_head"), VA(two ? NODE_PA : leaf[0]) + 2);
	put32(IDR_PA + off("idr", "idr_base"), 0);
	if (two) {
		ram[NODE_PA + shift] = 6;
		put64(NODE_PA + slots, VA(leaf[0]) + 2);
		put64(NODE_PA + slots + 8, VA(leaf[1]) + 2);
	}
	for (int i = 0; i < n; i++)
		put64(leaf[ids[i] / 64] + slots + (ids[i] % 64) * 8, maps[i]);
}

/* One struct bpf_array in slot: the map's fields, its BTF blob, its value. */
struct mapspec {
	uint32_t id, type;
	const char *name;
	const struct btf *btf;  /* NULL: a map without BTF */
	uint32_t type_id, value_size;
	const void *value;
};

static uint64_t put_map(int slot, const struct mapspec *s)
{
	uint64_t m = MAP_PA(slot) + off("bpf_array", "map");
	put32(m + off("bpf_map", "id"), s->id);
	put32(m + off("bpf_map", "map_type"), s->type);
	put32(m + off("bpf_map", "max_entries"), 1);
	put32(m + off("bpf_map", "value_size"), s->value_size);
	put(m + off("bpf_map", "name"), s->name, strlen(s->name));
	if (s->btf) {
		uint32_t size;
		const void *raw = btf__raw_data(s->btf, &size);
		cr_assert_not_null(raw);
		cr_assert_lt(size, 0x100000, "BTF of %u bytes", size);
		put(BTF_RAW_PA(slot), raw, size);
		put64(BTF_OBJ_PA(slot) + off("btf", "data"), VA(BTF_RAW_PA(slot)));
		put32(BTF_OBJ_PA(slot) + off("btf", "data_size"), size);
		put64(m + off("bpf_map", "btf"), VA(BTF_OBJ_PA(slot)));
		put32(m + off("bpf_map", "btf_value_type_id"), s->type_id);
	}
	if (s->value)
		put(MAP_PA(slot) + off("bpf_array", "value"), s->value, s->value_size);
	return VA(m);
}

/* ---- the programs' BTF ------------------------------------------------------------ */

/* ktstr_sched's BTF as the kernel holds it: libbpf's open fills in the DATASEC sizes and
 * variable offsets that the object file leaves zero. */
static struct bpf_object *sched_obj(void)
{
	if (access(SCHED_OBJ, R_OK))
		tenv_missing("%s is missing: run make bpf", SCHED_OBJ);
	struct bpf_object *obj = bpf_object__open_file(SCHED_OBJ, NULL);
	cr_assert_not_null(obj, "bpf_object__open_file %s: %d", SCHED_OBJ, -errno);
	return obj;
}

static uint32_t datasec(const struct btf *b, const char *name, uint32_t *size)
{
	int id = btf__find_by_name_kind(b, name, BTF_KIND_DATASEC);
	cr_assert_gt(id, 0, "no DATASEC %s", name);
	*size = btf__type_by_id(b, (uint32_t)id)->size;
	cr_assert_gt(*size, 0, "DATASEC %s not finalized", name);
	return (uint32_t)id;
}

/* Writes a variable of DATASEC ds into its value buffer. */
static void set_var(const struct btf *b, uint32_t ds, uint8_t *val, const char *name,
		    const void *v, size_t n)
{
	const struct btf_type *t = btf__type_by_id(b, ds);
	const struct btf_var_secinfo *s = btf_var_secinfos(t);
	for (int i = 0; i < btf_vlen(t); i++, s++)
		if (!strcmp(btf__name_by_offset(b, btf__type_by_id(b, s->type)->name_off), name)) {
			cr_assert_leq(n, s->size, "%s", name);
			memcpy(val + s->offset, v, n);
			return;
		}
	cr_assert_fail("no variable %s", name);
}
#define SET(b, ds, val, name, type, x) do { type v_ = (x); set_var(b, ds, val, name, &v_, sizeof(v_)); } while (0)

/* A .data with every kind: signed 64-bit, a signed enum, a bool, a pointer, a double, a
 * struct with bitfields, an int[20], a char[8] that needs escaping. */
static struct btf *data_btf(uint32_t *ds)
{
	struct btf *b = btf__new_empty();
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int i64 = btf__add_int(b, "long long", 8, BTF_INT_SIGNED);
	int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	int bol = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	int dbl = btf__add_float(b, "double", 8);
	int ptr = btf__add_ptr(b, i32);
	int en = btf__add_enum(b, "state", 4);
	btf__add_enum_value(b, "IDLE", 0);
	btf__add_enum_value(b, "RUNNING", 1);
	btf__add_enum_value(b, "STALLED", -1);
	int st = btf__add_struct(b, "stats", 16);
	btf__add_field(b, "a", u32, 0, 3);
	btf__add_field(b, "b", i32, 3, 5);
	btf__add_field(b, "mode", en, 32, 0);
	btf__add_field(b, "hits", i64, 64, 0);
	int idx = btf__add_int(b, "__ARRAY_SIZE_TYPE__", 4, 0);
	int hist = btf__add_array(b, idx, i32, 20);
	int label = btf__add_array(b, idx, chr, 8);
	const struct { const char *n; int t; uint32_t off, size; } v[] = {
		{ "nr_dispatched", i64, 0, 8 }, { "state", en, 8, 4 }, { "on", bol, 12, 1 },
		{ "ptr", ptr, 16, 8 }, { "ratio", dbl, 24, 8 }, { "st", st, 32, 16 },
		{ "hist", hist, 48, 80 }, { "label", label, 128, 8 },
	};
	int vars[8];
	for (int i = 0; i < 8; i++)
		vars[i] = btf__add_var(b, v[i].n, BTF_VAR_GLOBAL_ALLOCATED, v[i].t);
	int d = btf__add_datasec(b, ".data", 136);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(btf__add_datasec_var_info(b, vars[i], v[i].off, v[i].size), 0);
	cr_assert_gt(d, 0);
	*ds = (uint32_t)d;
	return b;
}

static void data_value(uint8_t val[136])
{
	int64_t nr = -5, hits = 42;
	int32_t state = 1, mode = -1;
	uint64_t p = 0xffff888012345678ull;
	double ratio = 0.5;
	memset(val, 0, 136);
	memcpy(val, &nr, 8);
	memcpy(val + 8, &state, 4);
	val[12] = 1;
	memcpy(val + 16, &p, 8);
	memcpy(val + 24, &ratio, 8);
	val[32] = 5 | (29 << 3); /* a = 5, b = -3 in 5 bits */
	memcpy(val + 36, &mode, 4);
	memcpy(val + 40, &hits, 8);
	for (int32_t i = 0; i < 20; i++)
		memcpy(val + 48 + 4 * i, &(int32_t){ i * i }, 4);
	memcpy(val + 128, "a\"b\n", 5);
}

/* ---- checks ----------------------------------------------------------------------- */

/* The index of line (depth, name) at or after from; fails naming it when absent. */
static int find(const struct mon_tree_line *t, int n, int from, int depth, const char *name)
{
	for (int i = from; i < n; i++)
		if (t[i].depth == depth && !strcmp(t[i].name, name))
			return i;
	cr_assert_fail("no line %d '%s' after line %d of %d", depth, name, from, n);
	return -1;
}

static void expect_line(const struct mon_tree_line *t, int n, int *at, int depth,
			const char *name, const char *value)
{
	cr_assert_lt(*at, n, "ran out of lines before %d '%s'", depth, name);
	cr_expect(t[*at].depth == depth && !strcmp(t[*at].name, name) &&
		  !strcmp(t[*at].value, value),
		  "line %d: saw %d '%s' = '%s', expected %d '%s' = '%s'", *at, t[*at].depth,
		  t[*at].name, t[*at].value, depth, name, value);
	(*at)++;
}

struct world {
	struct kmem k;
	struct bpf_object *obj;
	struct btf *data;
	uint8_t bss[4096], dval[136], ro[4096];
	uint32_t bss_ds, ro_ds, data_ds, bss_size, ro_size;
};

/* ids 1 .bss, 2 .data, 3 a .data without BTF, 4 a hash map, 70 .rodata. */
static void world_init(struct world *w)
{
	w->k = kmem_new();
	w->obj = sched_obj();
	const struct btf *sb = bpf_object__btf(w->obj);
	w->bss_ds = datasec(sb, ".bss", &w->bss_size);
	w->ro_ds = datasec(sb, ".rodata", &w->ro_size);
	cr_assert_leq(w->bss_size, sizeof(w->bss));
	SET(sb, w->bss_ds, w->bss, "nr_enqueued", unsigned long long, 11);
	SET(sb, w->bss_ds, w->bss, "nr_dispatched", unsigned long long, 1234);
	SET(sb, w->bss_ds, w->bss, "nr_direct", unsigned long long, 7);
	SET(sb, w->bss_ds, w->bss, "exit_kind", int, -1);
	SET(sb, w->bss_ds, w->bss, "exit_code", long long, -2);
	set_var(sb, w->bss_ds, w->bss, "exit_reason", "hello", 6);
	SET(sb, w->bss_ds, w->bss, "start_ns", unsigned long long, 5);
	SET(sb, w->bss_ds, w->bss, "vtime_now", unsigned long long, 6);
	SET(sb, w->bss_ds, w->bss, "error_fired", bool, true);
	/* .rodata as the loader leaves it: the object's initial values, one knob set. */
	struct bpf_map *m;
	bpf_object__for_each_map(m, w->obj) {
		size_t sz;
		const char *n = bpf_map__name(m);
		const void *init = bpf_map__initial_value(m, &sz);
		if (init && strlen(n) > 7 && !strcmp(n + strlen(n) - 7, ".rodata"))
			memcpy(w->ro, init, sz < sizeof(w->ro) ? sz : sizeof(w->ro));
	}
	SET(sb, w->ro_ds, w->ro, "stall_pid", int, -7);
	w->data = data_btf(&w->data_ds);
	data_value(w->dval);
	uint32_t ids[] = { 1, 2, 3, 4, 70 };
	uint64_t maps[5];
	maps[0] = put_map(0, &(struct mapspec){ 1, BPF_MAP_TYPE_ARRAY, "ktstr_sc.bss", sb,
						w->bss_ds, w->bss_size, w->bss });
	maps[1] = put_map(1, &(struct mapspec){ 2, BPF_MAP_TYPE_ARRAY, "ktstr_sc.data", w->data,
						w->data_ds, 136, w->dval });
	maps[2] = put_map(2, &(struct mapspec){ 3, BPF_MAP_TYPE_ARRAY, "other.data", NULL, 0, 64,
						NULL });
	maps[3] = put_map(3, &(struct mapspec){ 4, BPF_MAP_TYPE_HASH, "task_ctxs", sb, 0, 16, NULL });
	maps[4] = put_map(4, &(struct mapspec){ 70, BPF_MAP_TYPE_ARRAY, "ktstr_sc.rodata", sb,
						w->ro_ds, w->ro_size, w->ro });
	put_idr(ids, maps, 5);
}

static void world_done(struct world *w)
{
	bpf_object__close(w->obj);
	btf__free(w->data);
	free(ram);
	ram = NULL;
}

Test(monitor_gmaps, globals_of_the_test_scheduler_rendered_by_its_btf)
{
	struct world w;
	char err[256] = "";
	world_init(&w);
	uint32_t ids[] = { 1, 2, 3, 4, 70 };
	struct mon_gmaps *g = mon_gmaps_open(&w.k, kbtf(), ids, 5, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	static struct mon_tree_line t[MON_MAX_TREE];
	char names[MON_MAX_GLOBALS][80];
	int64_t vals[MON_MAX_GLOBALS];
	int n = 0, nv = 0;
	cr_assert_eq(mon_gmaps_read(g, &w.k, t, MON_MAX_TREE, &n, names, vals, &nv), 0);

	/* One depth-0 line per usable map, .bss, .data, .rodata: id 3 (no BTF) and the
	 * hash map are skipped. */
	int maps = 0;
	for (int i = 0; i < n; i++)
		maps += t[i].depth == 0;
	cr_expect_eq(maps, 3, "saw %d maps", maps);
	int bss = find(t, n, 0, 0, "bss"), data = find(t, n, bss, 0, "data"),
	    ro = find(t, n, data, 0, "rodata");

	int at = bss;
	expect_line(t, n, &at, 0, "bss", "");
	expect_line(t, n, &at, 1, "nr_enqueued", "11");
	expect_line(t, n, &at, 1, "nr_dispatched", "1234");
	expect_line(t, n, &at, 1, "nr_direct", "7");
	expect_line(t, n, &at, 1, "nr_stalled", "0");
	expect_line(t, n, &at, 1, "exit_kind", "-1");
	expect_line(t, n, &at, 1, "exit_code", "-2");
	expect_line(t, n, &at, 1, "exit_reason", "\"hello\"");
	expect_line(t, n, &at, 1, "exit_msg", "\"\"");
	at = find(t, n, bss, 1, "error_fired");
	expect_line(t, n, &at, 1, "error_fired", "true");

	at = data;
	expect_line(t, n, &at, 0, "data", "");
	expect_line(t, n, &at, 1, "nr_dispatched", "-5");
	expect_line(t, n, &at, 1, "state", "RUNNING");
	expect_line(t, n, &at, 1, "on", "true");
	expect_line(t, n, &at, 1, "ptr", "0xffff888012345678");
	expect_line(t, n, &at, 1, "ratio", "0.5");
	expect_line(t, n, &at, 1, "st", "");
	expect_line(t, n, &at, 2, "a", "5");
	expect_line(t, n, &at, 2, "b", "-3");
	expect_line(t, n, &at, 2, "mode", "STALLED");
	expect_line(t, n, &at, 2, "hits", "42");
	expect_line(t, n, &at, 1, "hist", "[20]");
	for (int i = 0; i < 16; i++) {
		char en[8], ev[8];
		snprintf(en, sizeof(en), "[%d]", i);
		snprintf(ev, sizeof(ev), "%d", i * i);
		expect_line(t, n, &at, 2, en, ev);
	}
	expect_line(t, n, &at, 2, "... 4 more", "");
	expect_line(t, n, &at, 1, "label", "\"a\\\"b\\x0a\"");
	cr_expect_eq(at, ro, "the .data lines end where .rodata begins");

	at = find(t, n, ro, 1, "spin_ms");
	expect_line(t, n, &at, 1, "spin_ms", "1500");
	expect_line(t, n, &at, 1, "slice_ns", "5000000");
	at = find(t, n, ro, 1, "stall_pid");
	expect_line(t, n, &at, 1, "stall_pid", "-7");
	at = find(t, n, ro, 1, "pile_on_cpu0");
	expect_line(t, n, &at, 1, "pile_on_cpu0", "false");

	/* The numeric globals: .bss's eight integers fill every slot, bools left out. */
	const char *want[] = { "nr_enqueued", "nr_dispatched", "nr_direct", "nr_stalled",
			       "exit_kind", "exit_code", "start_ns", "vtime_now" };
	const int64_t wantv[] = { 11, 1234, 7, 0, -1, -2, 5, 6 };
	cr_assert_eq(nv, MON_MAX_GLOBALS);
	for (int i = 0; i < nv; i++) {
		cr_expect_str_eq(names[i], want[i], "global %d", i);
		cr_expect_eq(vals[i], wantv[i], "%s: saw %lld, expected %lld", names[i],
			     (long long)vals[i], (long long)wantv[i]);
	}

	/* A later read sees the new values through the same names; a short tree stops at max. */
	uint64_t nd = 5678;
	uint32_t off_nd = 0;
	const struct btf *sb = bpf_object__btf(w.obj);
	const struct btf_var_secinfo *s = btf_var_secinfos(btf__type_by_id(sb, w.bss_ds));
	off_nd = s[1].offset;
	put(MAP_PA(0) + off("bpf_array", "value") + off_nd, &nd, 8);
	cr_assert_eq(mon_gmaps_read(g, &w.k, t, 5, &n, names, vals, &nv), 0);
	cr_expect_eq(n, 5);
	cr_expect_str_eq(t[2].value, "5678");
	cr_expect_str_eq(names[1], "nr_dispatched");
	cr_expect_eq(vals[1], 5678);

	/* Guest memory gone: the read fails, nothing rendered. */
	ram_gone = true;
	cr_expect_eq(mon_gmaps_read(g, &w.k, t, MON_MAX_TREE, &n, names, vals, &nv), -EFAULT);
	cr_expect_eq(n, 0);
	mon_gmaps_free(g);
	world_done(&w);
}

/* A .data name is prefixed only when .bss has it too, and maps are ordered by kind
 * whatever their ids; one-level xarray (every id below 64). */
Test(monitor_gmaps, data_names_are_prefixed_only_on_a_clash)
{
	struct kmem k = kmem_new();
	uint32_t dds, bds;
	struct btf *db = data_btf(&dds);
	uint8_t dval[136], bval[12] = { 0 };
	data_value(dval);
	struct btf *bb = btf__new_empty();
	int u64 = btf__add_int(bb, "unsigned long long", 8, 0);
	int i32 = btf__add_int(bb, "int", 4, BTF_INT_SIGNED);
	int v1 = btf__add_var(bb, "nr_dispatched", BTF_VAR_GLOBAL_ALLOCATED, u64);
	int v2 = btf__add_var(bb, "cnt", BTF_VAR_STATIC, i32);
	bds = (uint32_t)btf__add_datasec(bb, ".bss", 12);
	btf__add_datasec_var_info(bb, v1, 0, 8);
	btf__add_datasec_var_info(bb, v2, 8, 4);
	bval[0] = 9;
	bval[8] = 0xfe, bval[9] = 0xff, bval[10] = 0xff, bval[11] = 0xff; /* -2 */
	uint32_t ids[] = { 5, 9 };
	uint64_t maps[] = {
		put_map(0, &(struct mapspec){ 5, BPF_MAP_TYPE_ARRAY, "x.data", db, dds, 136, dval }),
		put_map(1, &(struct mapspec){ 9, BPF_MAP_TYPE_ARRAY, "x.bss", bb, bds, 12, bval }),
	};
	put_idr(ids, maps, 2);
	char err[256] = "", names[MON_MAX_GLOBALS][80];
	int64_t vals[MON_MAX_GLOBALS];
	struct mon_tree_line t[64];
	int n, nv;

	struct mon_gmaps *g = mon_gmaps_open(&k, kbtf(), ids, 2, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(mon_gmaps_read(g, &k, t, 64, &n, names, vals, &nv), 0);
	cr_expect_str_eq(t[0].name, "bss", "the .bss map comes first though its id is larger");
	cr_assert_eq(nv, 3);
	cr_expect_str_eq(names[0], "nr_dispatched");
	cr_expect_eq(vals[0], 9);
	cr_expect_str_eq(names[1], "cnt");
	cr_expect_eq(vals[1], -2);
	cr_expect_str_eq(names[2], "data.nr_dispatched");
	cr_expect_eq(vals[2], -5);
	mon_gmaps_free(g);

	/* .data alone: no clash, no prefix. */
	g = mon_gmaps_open(&k, kbtf(), ids, 1, err, sizeof(err));
	cr_assert_not_null(g, "%s", err);
	cr_assert_eq(mon_gmaps_read(g, &k, t, 64, &n, names, vals, &nv), 0);
	cr_assert_eq(nv, 1);
	cr_expect_str_eq(names[0], "nr_dispatched");
	mon_gmaps_free(g);
	btf__free(db);
	btf__free(bb);
	free(ram);
	ram = NULL;
}

Test(monitor_gmaps, unusable_ids_say_why)
{
	struct world w;
	char err[256] = "";
	world_init(&w);

	uint32_t absent[] = { 5, 99 };
	cr_expect_null(mon_gmaps_open(&w.k, kbtf(), absent, 2, err, sizeof(err)));
	cr_expect_str_eq(err, "none of the scheduler's map ids (5, 99) is in the kernel's map_idr");

	uint32_t no_btf[] = { 3, 4 };
	cr_expect_null(mon_gmaps_open(&w.k, kbtf(), no_btf, 2, err, sizeof(err)));
	cr_expect_str_eq(err, "none of the scheduler's maps (3, 4) is usable global data: "
			 "other.data (id 3) has no BTF");

	uint32_t hash[] = { 4 };
	cr_expect_null(mon_gmaps_open(&w.k, kbtf(), hash, 1, err, sizeof(err)));
	cr_expect_str_eq(err, "none of the scheduler's maps (4) is a .bss, .data or .rodata array");

	cr_expect_null(mon_gmaps_open(&w.k, kbtf(), hash, 0, err, sizeof(err)));
	cr_expect_str_eq(err, "the scheduler has no maps");

	w.k.sym.map_idr = VA(RAM + 0x1000);
	cr_expect_null(mon_gmaps_open(&w.k, kbtf(), absent, 2, err, sizeof(err)));
	cr_expect_str_eq(err, "the kernel's map_idr at 0xffff888000801000 is unreadable");
	world_done(&w);
}
