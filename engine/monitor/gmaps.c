/* The scheduler's BPF globals from guest memory (engine/monitor/gmaps.h). No syscall
 * gives a map's kernel address, so the maps are found by id in the kernel's map_idr (an
 * xarray), and each map's BTF blob is read out of guest memory too: the host needs
 * nothing from the guest but the ids. Everything read is untrusted: sizes are capped,
 * walks are bounded, and the BTF goes through libbpf's validation. */
#include <bpf/btf.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/monitor/gmaps.h"
#include "engine/monitor/layout.h"

#define GM_MAX 8                /* .bss, .data, .rodata and a few more */
#define GM_MAX_VALUE (1u << 20) /* a global-data map bigger than this is not rendered */
#define GM_MAX_BTF (16u << 20)
#define GM_MAX_DEPTH 16         /* nesting rendered below a variable */
#define GM_ARRAY_CAP 16         /* array elements rendered before "... N more" */
#define GM_NAME_LEN 16          /* BPF_OBJ_NAME_LEN */

enum gm_kind { GM_BSS, GM_DATA, GM_RODATA };
static const char *const kind_name[] = { "bss", "data", "rodata" };

struct gmap {
	char name[GM_NAME_LEN + 1]; /* "ktstr_sc.bss" */
	enum gm_kind kind;
	uint64_t value_va;
	uint32_t value_size, type_id;
	struct btf *btf;
	uint8_t *buf;
};

/* A numeric global followed as a series, chosen once at open so the order is stable. */
struct gvar {
	int map;
	uint32_t off, type_id;
};

struct mon_gmaps {
	struct gmap m[GM_MAX];      /* sorted: .bss, .data, .rodata */
	int n;
	struct gvar glob[MON_MAX_GLOBALS];
	char glob_name[MON_MAX_GLOBALS][80];
	int nglob;
};

/* Kernel struct offsets this file reads, from the kernel's BTF. */
struct offs {
	uint32_t idr_head, idr_base, node_shift, node_slots;
	uint32_t map_id, map_name, map_type, map_value_size, map_max_entries, map_btf,
		 map_value_type, array_map, array_value, btf_data, btf_data_size;
};

static int offsets(const struct btf *v, struct offs *o, char *err, size_t errlen)
{
	const struct { const char *type, *path; uint32_t *off; } f[] = {
		{ "idr", "idr_rt.xa_head", &o->idr_head }, { "idr", "idr_base", &o->idr_base },
		{ "xa_node", "shift", &o->node_shift }, { "xa_node", "slots", &o->node_slots },
		{ "bpf_map", "id", &o->map_id }, { "bpf_map", "name", &o->map_name },
		{ "bpf_map", "map_type", &o->map_type }, { "bpf_map", "value_size", &o->map_value_size },
		{ "bpf_map", "max_entries", &o->map_max_entries }, { "bpf_map", "btf", &o->map_btf },
		{ "bpf_map", "btf_value_type_id", &o->map_value_type },
		{ "bpf_array", "map", &o->array_map }, { "bpf_array", "value", &o->array_value },
		{ "btf", "data", &o->btf_data }, { "btf", "data_size", &o->btf_data_size },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (mon_btf_member(v, f[i].type, f[i].path, f[i].off, NULL)) {
			snprintf(err, errlen, "the kernel's BTF has no %s.%s", f[i].type, f[i].path);
			return -ENOENT;
		}
	return 0;
}

static uint32_t rd32(const struct kmem *k, uint64_t va, int *bad)
{
	uint32_t v = 0;
	*bad |= kmem_read(k, va, &v, sizeof(v));
	return v;
}

/* Internal node pointers have low bits 10 and lie above 4096 (the kernel's xa_is_node);
 * smaller internal entries are siblings and retry markers. */
static bool xa_is_node(uint64_t e)
{
	return (e & 3) == 2 && e > 4096;
}

/* The map_idr entry at index: 0 with *entry set (0 when the slot is empty or holds no
 * pointer), or -EFAULT when the tree is unreadable or malformed. */
static int xa_load(const struct kmem *k, const struct offs *o, uint64_t index, uint64_t *entry)
{
	uint64_t e;
	*entry = 0;
	if (kmem_read_u64(k, k->sym.map_idr + o->idr_head, &e))
		return -EFAULT;
	if (!xa_is_node(e)) { /* a lone entry at the head is index 0 */
		if (index == 0 && !(e & 3))
			*entry = e;
		return 0;
	}
	/* Shifts fall by 6 per level: at most 11 levels, and a loop of nodes ends here. */
	unsigned last = 64;
	for (int depth = 0; depth < 11 && xa_is_node(e); depth++) {
		uint64_t node = e - 2;
		uint8_t shift;
		if (kmem_read(k, node + o->node_shift, &shift, 1) || shift >= last || shift % 6)
			return -EFAULT;
		if (depth == 0 && shift < 58 && (index >> shift) > 63)
			return 0; /* beyond the tree's reach */
		last = shift;
		if (kmem_read_u64(k, node + o->node_slots + ((index >> shift) & 63) * 8, &e))
			return -EFAULT;
		if (!shift) {
			if (!(e & 3)) /* value and internal entries are not maps */
				*entry = e;
			return 0;
		}
	}
	return 0;
}

/* The kind from the name's suffix ("ktstr_sc.bss"), or -1 for every other map. */
static int kind_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	for (int i = 0; dot && i < 3; i++)
		if (!strcmp(dot + 1, kind_name[i]))
			return i;
	return -1;
}

/* 0: usable. -ENOENT: not global data (the scheduler's other maps), quietly skipped.
 * Any other error names the map in why. */
static int open_one(const struct kmem *k, const struct offs *o, uint64_t map, uint32_t id,
		    struct gmap *g, char *why, size_t wlen)
{
	int bad = 0;
	char name[GM_NAME_LEN + 1] = "";
	bad |= kmem_read(k, map + o->map_name, name, GM_NAME_LEN);
	uint32_t type = rd32(k, map + o->map_type, &bad),
		 max = rd32(k, map + o->map_max_entries, &bad);
	g->value_size = rd32(k, map + o->map_value_size, &bad);
	g->type_id = rd32(k, map + o->map_value_type, &bad);
	uint64_t btfp = 0;
	bad |= kmem_read_u64(k, map + o->map_btf, &btfp);
	if (bad)
		return snprintf(why, wlen, "map id %u at 0x%" PRIx64 " is unreadable", id, map), -EFAULT;
	snprintf(g->name, sizeof(g->name), "%s", name);
	int kind = kind_of(g->name);
	if (type != BPF_MAP_TYPE_ARRAY || max != 1 || kind < 0)
		return -ENOENT;
	g->kind = (enum gm_kind)kind;
	if (!btfp || !g->type_id)
		return snprintf(why, wlen, "%s (id %u) has no BTF", g->name, id), -ENODATA;
	if (!g->value_size || g->value_size > GM_MAX_VALUE)
		return snprintf(why, wlen, "%s (id %u) has a value of %u bytes", g->name, id,
				g->value_size), -E2BIG;
	uint64_t data = 0;
	uint32_t size = rd32(k, btfp + o->btf_data_size, &bad);
	bad |= kmem_read_u64(k, btfp + o->btf_data, &data);
	uint8_t *raw = NULL;
	if (bad || !data || !size || size > GM_MAX_BTF || !(raw = malloc(size)) ||
	    kmem_read(k, data, raw, size)) {
		free(raw);
		return snprintf(why, wlen, "%s (id %u): its BTF is unreadable", g->name, id), -EFAULT;
	}
	/* A program's BTF is complete in itself (not split on vmlinux). */
	g->btf = btf__new(raw, size);
	free(raw);
	if (!g->btf || !btf_is_datasec(btf__type_by_id(g->btf, g->type_id))) {
		btf__free(g->btf);
		g->btf = NULL;
		return snprintf(why, wlen, "%s (id %u): its BTF does not parse or has no DATASEC",
				g->name, id), -EINVAL;
	}
	g->value_va = map - o->array_map + o->array_value;
	g->buf = malloc(g->value_size);
	if (!g->buf) {
		btf__free(g->btf);
		g->btf = NULL;
		return snprintf(why, wlen, "out of memory"), -ENOMEM;
	}
	return 0;
}

/* Integers a series can follow: 1 to 8 bytes, bools excluded. */
static bool numeric(const struct btf *b, uint32_t type)
{
	const struct btf_type *t = btf__type_by_id(b, btf__resolve_type(b, type));
	return t && btf_is_int(t) && t->size >= 1 && t->size <= 8 &&
	       !(btf_int_encoding(t) & BTF_INT_BOOL);
}

/* The variable's name when it is a VAR lying inside the value, else NULL. */
static const char *var_at(const struct gmap *m, const struct btf_var_secinfo *v)
{
	const struct btf_type *var = btf__type_by_id(m->btf, v->type);
	if (!var || !btf_is_var(var) || (uint64_t)v->offset + v->size > m->value_size)
		return NULL;
	const char *n = btf__name_by_offset(m->btf, var->name_off);
	return n ? n : "(anon)";
}

static bool in_kind(const struct mon_gmaps *gm, enum gm_kind kind, const char *name)
{
	for (int i = 0; i < gm->n; i++) {
		const struct gmap *m = &gm->m[i];
		if (m->kind != kind)
			continue;
		const struct btf_type *ds = btf__type_by_id(m->btf, m->type_id);
		const struct btf_var_secinfo *v = btf_var_secinfos(ds);
		for (int j = 0; j < btf_vlen(ds); j++, v++) {
			const char *vn = var_at(m, v);
			if (vn && !strcmp(vn, name))
				return true;
		}
	}
	return false;
}

/* The first MON_MAX_GLOBALS integers of .bss then .data (.rodata does not change). */
static void pick_globals(struct mon_gmaps *gm)
{
	for (int i = 0; i < gm->n && gm->nglob < MON_MAX_GLOBALS; i++) {
		const struct gmap *m = &gm->m[i];
		if (m->kind == GM_RODATA)
			continue;
		const struct btf_type *ds = btf__type_by_id(m->btf, m->type_id);
		const struct btf_var_secinfo *v = btf_var_secinfos(ds);
		for (int j = 0; j < btf_vlen(ds) && gm->nglob < MON_MAX_GLOBALS; j++, v++) {
			const char *vn = var_at(m, v);
			if (!vn || !numeric(m->btf, v->type))
				continue;
			bool clash = m->kind == GM_DATA && in_kind(gm, GM_BSS, vn);
			gm->glob[gm->nglob] = (struct gvar){ i, v->offset, v->type };
			snprintf(gm->glob_name[gm->nglob++], 80, "%s%s", clash ? "data." : "", vn);
		}
	}
}

static void list_ids(char *buf, size_t len, const uint32_t *ids, int nids)
{
	size_t at = 0;
	buf[0] = 0;
	for (int i = 0; i < nids && i < 8 && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%u", i ? ", " : "", ids[i]);
	if (nids > 8 && at < len)
		snprintf(buf + at, len - at, ", ...");
}

struct mon_gmaps *mon_gmaps_open(const struct kmem *k, const struct btf *vmlinux,
				 const uint32_t *ids, int nids, char *err, size_t errlen)
{
	struct offs o;
	if (!k->sym.map_idr) {
		snprintf(err, errlen, "no address for map_idr (the guest's hello did not carry it)");
		return NULL;
	}
	if (nids <= 0) {
		snprintf(err, errlen, "the scheduler has no maps");
		return NULL;
	}
	if (offsets(vmlinux, &o, err, errlen))
		return NULL;
	struct mon_gmaps *gm = calloc(1, sizeof(*gm));
	if (!gm) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	int bad = 0, found = 0, unreadable = 0;
	uint32_t base = rd32(k, k->sym.map_idr + o.idr_base, &bad);
	char why[256] = "";
	for (int i = 0; !bad && i < nids && gm->n < GM_MAX; i++) {
		uint64_t map = 0;
		if (ids[i] < base)
			continue;
		if (xa_load(k, &o, ids[i] - base, &map)) {
			unreadable++;
			continue;
		}
		int mbad = 0;
		if (!map || rd32(k, map + o.map_id, &mbad) != ids[i] || mbad)
			continue; /* freed since, or a stale slot */
		found++;
		struct gmap g = { 0 };
		char w[256] = "";
		int rc = open_one(k, &o, map, ids[i], &g, w, sizeof(w));
		if (!rc) {
			/* Insert in kind order, stable for equal kinds. */
			int at = gm->n;
			while (at > 0 && gm->m[at - 1].kind > g.kind) {
				gm->m[at] = gm->m[at - 1];
				at--;
			}
			gm->m[at] = g;
			gm->n++;
		} else if (rc != -ENOENT && !why[0]) {
			snprintf(why, sizeof(why), "%s", w);
		}
	}
	if (gm->n) {
		pick_globals(gm);
		return gm;
	}
	char list[128];
	list_ids(list, sizeof(list), ids, nids);
	if (bad || (!found && unreadable))
		snprintf(err, errlen, "the kernel's map_idr at 0x%" PRIx64 " is unreadable",
			 k->sym.map_idr);
	else if (!found)
		snprintf(err, errlen, "none of the scheduler's map ids (%s) is in the kernel's "
			 "map_idr", list);
	else if (why[0])
		snprintf(err, errlen, "none of the scheduler's maps (%s) is usable global data: %s",
			 list, why);
	else
		snprintf(err, errlen, "none of the scheduler's maps (%s) is a .bss, .data or "
			 ".rodata array", list);
	mon_gmaps_free(gm);
	return NULL;
}

/* ---- rendering -------------------------------------------------------------------- */

struct out {
	const struct btf *b;
	struct mon_tree_line *tree;
	int max, n;
};

static struct mon_tree_line *line(struct out *o, int depth, const char *name)
{
	if (o->n >= o->max)
		return NULL;
	struct mon_tree_line *l = &o->tree[o->n++];
	l->depth = (uint8_t)depth;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->value[0] = 0;
	return l;
}

/* Little-endian (the guest is x86_64), up to 8 bytes. */
static uint64_t load(const uint8_t *p, size_t n)
{
	uint64_t u = 0;
	for (size_t i = 0; i < n && i < 8; i++)
		u |= (uint64_t)p[i] << (8 * i);
	return u;
}

/* nbits bits from bit bitoff of p, bits past avail bytes read as zero. */
static uint64_t load_bits(const uint8_t *p, size_t avail, uint32_t bitoff, uint32_t nbits)
{
	uint64_t u = 0;
	for (uint32_t i = 0; i < nbits && i < 64; i++) {
		uint32_t b = bitoff + i;
		if (b / 8 < avail)
			u |= (uint64_t)((p[b / 8] >> (b % 8)) & 1) << i;
	}
	return u;
}

static bool is_signed(const struct btf_type *t)
{
	return btf_is_int(t) ? (btf_int_encoding(t) & BTF_INT_SIGNED) :
	       btf_is_any_enum(t) && btf_kflag(t);
}

static int64_t sext(uint64_t u, uint32_t nbits, bool sgn)
{
	if (nbits && nbits < 64) {
		u &= (1ull << nbits) - 1;
		if (sgn && (u >> (nbits - 1)) & 1)
			u |= ~0ull << nbits;
	}
	return (int64_t)u;
}

/* An integer or enum of nbits bits as text: bools true/false, enums by name. */
static void fmt_scalar(const struct btf *b, const struct btf_type *t, uint64_t u,
		       uint32_t nbits, char *out, size_t n)
{
	bool sgn = is_signed(t);
	int64_t v = sext(u, nbits, sgn);
	if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL)) {
		snprintf(out, n, "%s", v ? "true" : "false");
		return;
	}
	snprintf(out, n, sgn ? "%" PRId64 : "%" PRIu64, v);
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++, e++)
			if ((sgn ? (int64_t)e->val : (int64_t)(uint32_t)e->val) == v) {
				snprintf(out, n, "%s", btf__name_by_offset(b, e->name_off));
				return;
			}
	} else if (btf_is_enum64(t)) {
		const struct btf_enum64 *e = btf_enum64(t);
		for (int i = 0; i < btf_vlen(t); i++, e++)
			if (btf_enum64_value(e) == (uint64_t)v) {
				snprintf(out, n, "%s", btf__name_by_offset(b, e->name_off));
				return;
			}
	}
}

/* A char array as a quoted string up to its NUL; the guest's bytes are escaped. */
static void fmt_string(const uint8_t *p, size_t len, char *out, size_t n)
{
	size_t at = 0;
	out[at++] = '"';
	for (size_t i = 0; i < len && p[i] && at + 6 < n; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\')
			at += (size_t)snprintf(out + at, n - at, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			out[at++] = (char)c;
		else
			at += (size_t)snprintf(out + at, n - at, "\\x%02x", c);
	}
	out[at++] = '"';
	out[at] = 0;
}

static bool is_char(const struct btf *b, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(b, t->name_off);
	return btf_is_int(t) && t->size == 1 &&
	       ((btf_int_encoding(t) & BTF_INT_CHAR) || (n && !strcmp(n, "char")));
}

static void render(struct out *o, uint32_t id, const uint8_t *p, size_t avail, int depth,
		   const char *name);

static void render_array(struct out *o, const struct btf_type *t, const uint8_t *p,
			 size_t avail, int depth, const char *name)
{
	const struct btf_array *a = btf_array(t);
	const struct btf_type *et = btf__type_by_id(o->b, btf__resolve_type(o->b, a->type));
	long esz = btf__resolve_size(o->b, a->type);
	struct mon_tree_line *l = line(o, depth, name);
	if (!l || !et || esz <= 0)
		return;
	if (is_char(o->b, et)) {
		fmt_string(p, a->nelems < avail ? a->nelems : avail, l->value, sizeof(l->value));
		return;
	}
	snprintf(l->value, sizeof(l->value), "[%u]", a->nelems);
	for (uint32_t i = 0; i < a->nelems && i < GM_ARRAY_CAP; i++) {
		size_t at = (size_t)esz * i;
		if (at + (size_t)esz > avail)
			return;
		char en[24];
		snprintf(en, sizeof(en), "[%u]", i);
		render(o, a->type, p + at, avail - at, depth + 1, en);
	}
	if (a->nelems > GM_ARRAY_CAP) {
		char more[48];
		snprintf(more, sizeof(more), "... %u more", a->nelems - GM_ARRAY_CAP);
		line(o, depth + 1, more);
	}
}

static void render_members(struct out *o, const struct btf_type *t, const uint8_t *p,
			   size_t sz, int depth)
{
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t) && o->n < o->max; i++, m++) {
		uint32_t bit = btf_member_bit_offset(t, (uint32_t)i),
			 nbits = btf_member_bitfield_size(t, (uint32_t)i);
		const char *mn = btf__name_by_offset(o->b, m->name_off);
		mn = mn && *mn ? mn : "(anon)";
		if (!nbits) {
			if (bit % 8 == 0 && bit / 8 <= sz)
				render(o, m->type, p + bit / 8, sz - bit / 8, depth + 1, mn);
			continue;
		}
		const struct btf_type *mt = btf__type_by_id(o->b, btf__resolve_type(o->b, m->type));
		struct mon_tree_line *l;
		if (mt && (btf_is_int(mt) || btf_is_any_enum(mt)) && (l = line(o, depth + 1, mn)))
			fmt_scalar(o->b, mt, load_bits(p, sz, bit, nbits), nbits, l->value,
				   sizeof(l->value));
	}
}

static void render(struct out *o, uint32_t id, const uint8_t *p, size_t avail, int depth,
		   const char *name)
{
	const struct btf_type *t = btf__type_by_id(o->b, btf__resolve_type(o->b, id));
	long sz = btf__resolve_size(o->b, id);
	struct mon_tree_line *l;
	if (!t || sz < 0 || (size_t)sz > avail || depth > GM_MAX_DEPTH)
		return;
	if (btf_is_array(t)) {
		render_array(o, t, p, (size_t)sz, depth, name);
		return;
	}
	if (!(l = line(o, depth, name)))
		return;
	if (btf_is_composite(t)) {
		render_members(o, t, p, (size_t)sz, depth);
	} else if (btf_is_int(t) && sz <= 8) {
		uint32_t bits = btf_int_bits(t), off = btf_int_offset(t);
		fmt_scalar(o->b, t, load(p, (size_t)sz) >> (off < 64 ? off : 0), bits, l->value,
			   sizeof(l->value));
	} else if (btf_is_int(t) && sz == 16) {
		snprintf(l->value, sizeof(l->value), "0x%016" PRIx64 "%016" PRIx64,
			 load(p + 8, 8), load(p, 8));
	} else if (btf_is_any_enum(t) && sz <= 8) {
		fmt_scalar(o->b, t, load(p, (size_t)sz), (uint32_t)sz * 8, l->value, sizeof(l->value));
	} else if (btf_is_ptr(t)) {
		snprintf(l->value, sizeof(l->value), "0x%" PRIx64, load(p, (size_t)sz));
	} else if (btf_is_float(t) && (sz == 4 || sz == 8)) {
		float f;
		double d;
		if (sz == 4) {
			memcpy(&f, p, 4);
			d = f;
		} else {
			memcpy(&d, p, 8);
		}
		snprintf(l->value, sizeof(l->value), "%g", d);
	} else {
		snprintf(l->value, sizeof(l->value), "(%ld bytes)", sz);
	}
}

int mon_gmaps_read(struct mon_gmaps *g, const struct kmem *k, struct mon_tree_line *tree,
		   int max, int *ntree, char names[][80], int64_t *vals, int *nvals)
{
	*ntree = 0;
	*nvals = 0;
	for (int i = 0; i < g->n; i++)
		if (kmem_read(k, g->m[i].value_va, g->m[i].buf, g->m[i].value_size))
			return -EFAULT;
	for (int i = 0; i < g->n; i++) {
		struct gmap *m = &g->m[i];
		struct out o = { m->btf, tree, max, *ntree };
		line(&o, 0, kind_name[m->kind]);
		const struct btf_type *ds = btf__type_by_id(m->btf, m->type_id);
		const struct btf_var_secinfo *v = btf_var_secinfos(ds);
		for (int j = 0; j < btf_vlen(ds) && o.n < o.max; j++, v++) {
			const char *vn = var_at(m, v);
			if (vn)
				render(&o, v->type, m->buf + v->offset, v->size, 1, vn);
		}
		*ntree = o.n;
	}
	for (int i = 0; i < g->nglob; i++) {
		const struct gvar *gv = &g->glob[i];
		const struct gmap *m = &g->m[gv->map];
		const struct btf_type *t = btf__type_by_id(m->btf, btf__resolve_type(m->btf, gv->type_id));
		snprintf(names[i], 80, "%s", g->glob_name[i]);
		vals[i] = sext(load(m->buf + gv->off, t->size), t->size * 8, is_signed(t));
	}
	*nvals = g->nglob;
	return 0;
}

void mon_gmaps_free(struct mon_gmaps *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n; i++) {
		btf__free(g->m[i].btf);
		free(g->m[i].buf);
	}
	free(g);
}
