/* The scheduler's BPF globals from guest memory (engine/monitor/gmaps.h). No syscall
 * gives a map's kernel address, so the maps are found by id in the kernel's map_idr (an
 * xarray), and each map's BTF blob is read out of guest memory too: the host needs
 * nothing from the guest but the ids. */
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

struct gmap {
	char name[16];          /* "ktstr_sc.bss" */
	const char *kind;       /* "bss", "data", "rodata" */
	uint64_t value_va;
	uint32_t value_size, type_id;
	struct btf *btf;
	uint8_t *buf;
};

struct mon_gmaps {
	struct gmap m[GM_MAX];
	int n;
};

/* Kernel struct offsets this file reads, from the kernel's BTF. */
struct offs {
	uint32_t idr_head, idr_base, node_shift, node_slots;
	uint32_t map_id, map_name, map_type, map_value_size, map_max_entries, map_btf,
		 map_value_type, array_value, btf_data, btf_data_size;
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
		{ "bpf_array", "value", &o->array_value }, { "btf", "data", &o->btf_data },
		{ "btf", "data_size", &o->btf_data_size },
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

/* The xarray entry at index, or 0. Internal node pointers have low bits 10 and lie
 * above 4096 (xa_is_node); anything else that is not a plain pointer is skipped. */
static bool xa_is_node(uint64_t e)
{
	return (e & 3) == 2 && e > 4096;
}

static uint64_t xa_load(const struct kmem *k, const struct offs *o, uint64_t idr, uint64_t index)
{
	uint64_t e;
	if (kmem_read_u64(k, idr + o->idr_head, &e))
		return 0;
	if (!xa_is_node(e)) /* a lone entry at the head is index 0 */
		return index == 0 && !(e & 3) ? e : 0;
	for (int depth = 0; depth < 12 && xa_is_node(e); depth++) {
		uint64_t node = e - 2;
		uint8_t shift;
		if (kmem_read(k, node + o->node_shift, &shift, 1) || shift > 60)
			return 0;
		if (depth == 0 && shift < 58 && (index >> shift) > 63)
			return 0; /* beyond the tree's reach */
		if (kmem_read_u64(k, node + o->node_slots + ((index >> shift) & 63) * 8, &e))
			return 0;
		if (!shift)
			return (e & 3) ? 0 : e; /* retry/sibling/value entries are not maps */
	}
	return 0;
}

static const char *kind_of(const char *name)
{
	static const char *const kinds[] = { "bss", "data", "rodata" };
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < 3; i++)
		if (!strcmp(dot + 1, kinds[i]))
			return kinds[i];
	return NULL;
}

static int open_one(const struct kmem *k, const struct offs *o, uint64_t map, struct gmap *g,
		    char *why, size_t wlen)
{
	int bad = 0;
	char name[17] = "";
	bad |= kmem_read(k, map + o->map_name, name, 16);
	uint32_t type = rd32(k, map + o->map_type, &bad),
		 max = rd32(k, map + o->map_max_entries, &bad);
	g->value_size = rd32(k, map + o->map_value_size, &bad);
	g->type_id = rd32(k, map + o->map_value_type, &bad);
	uint64_t btfp = 0;
	bad |= kmem_read_u64(k, map + o->map_btf, &btfp);
	if (bad)
		return snprintf(why, wlen, "map at 0x%" PRIx64 " unreadable", map), -EFAULT;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->kind = kind_of(name);
	if (type != BPF_MAP_TYPE_ARRAY || max != 1 || !g->kind || !btfp || !g->type_id ||
	    g->value_size > GM_MAX_VALUE)
		return -ENOENT; /* not global data: the scheduler's other maps */
	uint64_t data = 0;
	uint32_t size = rd32(k, btfp + o->btf_data_size, &bad);
	bad |= kmem_read_u64(k, btfp + o->btf_data, &data);
	if (bad || !data || !size || size > GM_MAX_BTF)
		return snprintf(why, wlen, "%s: its BTF is not readable", name), -EFAULT;
	uint8_t *raw = malloc(size);
	if (!raw || kmem_read(k, data, raw, size)) {
		free(raw);
		return snprintf(why, wlen, "%s: its BTF is not readable", name), -EFAULT;
	}
	g->btf = btf__new(raw, size);
	free(raw);
	if (!g->btf || !btf_is_datasec(btf__type_by_id(g->btf, g->type_id))) {
		btf__free(g->btf);
		g->btf = NULL;
		return snprintf(why, wlen, "%s: its BTF does not parse", name), -EINVAL;
	}
	g->value_va = map + o->array_value;
	g->buf = malloc(g->value_size ? g->value_size : 1);
	return g->buf ? 0 : -ENOMEM;
}

struct mon_gmaps *mon_gmaps_open(const struct kmem *k, const struct btf *vmlinux,
				 const uint32_t *ids, int nids, char *err, size_t errlen)
{
	struct offs o;
	if (!k->sym.map_idr) {
		snprintf(err, errlen, "no address for map_idr (the guest's hello did not carry it)");
		return NULL;
	}
	if (offsets(vmlinux, &o, err, errlen))
		return NULL;
	struct mon_gmaps *gm = calloc(1, sizeof(*gm));
	if (!gm)
		return NULL;
	uint32_t base = 0;
	int bad = 0;
	base = rd32(k, k->sym.map_idr + o.idr_base, &bad);
	char why[256] = "";
	for (int i = 0; i < nids && gm->n < GM_MAX; i++) {
		uint64_t map = ids[i] >= base ? xa_load(k, &o, k->sym.map_idr, ids[i] - base) : 0;
		if (!map || rd32(k, map + o.map_id, &bad) != ids[i])
			continue;
		if (!open_one(k, &o, map, &gm->m[gm->n], why, sizeof(why)))
			gm->n++;
	}
	if (!gm->n) {
		snprintf(err, errlen, "none of the scheduler's %d maps is global data with BTF%s%s",
			 nids, why[0] ? ": " : "", why);
		mon_gmaps_free(gm);
		return NULL;
	}
	return gm;
}

/* ---- rendering -------------------------------------------------------------------- */

struct out {
	struct mon_tree_line *tree;
	int max, n;
};

static struct mon_tree_line *line(struct out *o, int depth, const char *name)
{
	if (o->n >= o->max)
		return NULL;
	struct mon_tree_line *l = &o->tree[o->n++];
	l->depth = (uint8_t)(depth > 255 ? 255 : depth);
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->value[0] = 0;
	return l;
}

static int64_t int_value(const struct btf_type *t, const uint8_t *p)
{
	uint32_t sz = t->size;
	bool sgn = btf_is_int(t) ? (btf_int_encoding(t) & BTF_INT_SIGNED) :
		   btf_is_enum(t) ? btf_kflag(t) : false;
	uint64_t u = 0;
	memcpy(&u, p, sz > 8 ? 8 : sz);
	if (sgn && sz < 8 && (u >> (sz * 8 - 1) & 1))
		u |= ~0ull << (sz * 8);
	return (int64_t)u;
}

static void render(const struct btf *b, uint32_t id, const uint8_t *p, size_t avail, int depth,
		   const char *name, struct out *o);

static void render_array(const struct btf *b, const struct btf_type *t, const uint8_t *p,
			 size_t avail, int depth, const char *name, struct out *o)
{
	const struct btf_array *a = btf_array(t);
	const struct btf_type *et = btf__type_by_id(b, btf__resolve_type(b, a->type));
	long esz = btf__resolve_size(b, a->type);
	struct mon_tree_line *l;
	if (et && btf_is_int(et) && esz == 1) { /* char[]: a string */
		if ((l = line(o, depth, name)))
			snprintf(l->value, sizeof(l->value), "\"%.*s\"",
				 (int)strnlen((const char *)p, a->nelems < avail ? a->nelems : avail), p);
		return;
	}
	if (!(l = line(o, depth, name)) || esz <= 0)
		return;
	snprintf(l->value, sizeof(l->value), "[%u]", a->nelems);
	for (uint32_t i = 0; i < a->nelems; i++) {
		char en[32];
		if (i == 16) {
			if ((l = line(o, depth + 1, "...")))
				snprintf(l->value, sizeof(l->value), "%u more", a->nelems - 16);
			return;
		}
		if ((size_t)esz * (i + 1) > avail)
			return;
		snprintf(en, sizeof(en), "[%u]", i);
		render(b, a->type, p + (size_t)esz * i, avail - (size_t)esz * i, depth + 1, en, o);
	}
}

static void render(const struct btf *b, uint32_t id, const uint8_t *p, size_t avail, int depth,
		   const char *name, struct out *o)
{
	const struct btf_type *t = btf__type_by_id(b, btf__resolve_type(b, id));
	long sz = btf__resolve_size(b, id);
	struct mon_tree_line *l;
	if (!t || sz < 0 || (size_t)sz > avail || o->n >= o->max)
		return;
	if (btf_is_array(t)) {
		render_array(b, t, p, avail, depth, name, o);
		return;
	}
	if (btf_is_composite(t)) {
		if (!line(o, depth, name))
			return;
		const struct btf_member *m = btf_members(t);
		for (int i = 0; i < btf_vlen(t); i++, m++) {
			uint32_t off = btf_member_bit_offset(t, (uint32_t)i) / 8;
			const char *mn = btf__name_by_offset(b, m->name_off);
			if (btf_member_bitfield_size(t, (uint32_t)i) || off > (size_t)sz)
				continue;
			render(b, m->type, p + off, (size_t)sz - off, depth + 1, mn && *mn ? mn : "(anon)", o);
		}
		return;
	}
	if (!(l = line(o, depth, name)))
		return;
	if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL))
		snprintf(l->value, sizeof(l->value), "%s", *p ? "true" : "false");
	else if (btf_is_int(t) && t->size <= 8)
		snprintf(l->value, sizeof(l->value), (btf_int_encoding(t) & BTF_INT_SIGNED) ? "%" PRId64 : "%" PRIu64,
			 int_value(t, p));
	else if (btf_is_enum(t)) {
		int64_t v = int_value(t, p);
		const struct btf_enum *e = btf_enum(t);
		snprintf(l->value, sizeof(l->value), "%" PRId64, v);
		for (int i = 0; i < btf_vlen(t); i++, e++)
			if (e->val == v)
				snprintf(l->value, sizeof(l->value), "%s", btf__name_by_offset(b, e->name_off));
	} else if (btf_is_ptr(t)) {
		uint64_t v;
		memcpy(&v, p, 8);
		snprintf(l->value, sizeof(l->value), "0x%" PRIx64, v);
	} else if (btf_is_float(t) && (t->size == 4 || t->size == 8)) {
		double d;
		if (t->size == 4) {
			float f;
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

/* Whether a variable can be followed as a number (integers and enums, not bools). */
static bool numeric(const struct btf *b, uint32_t type)
{
	const struct btf_type *t = btf__type_by_id(b, btf__resolve_type(b, type));
	return t && ((btf_is_int(t) && t->size <= 8 && !(btf_int_encoding(t) & BTF_INT_BOOL)) ||
		     btf_is_enum(t));
}

int mon_gmaps_read(struct mon_gmaps *g, const struct kmem *k, struct mon_tree_line *tree,
		   int max, int *ntree, char names[][80], int64_t *vals, int *nvals)
{
	struct out o = { tree, max, 0 };
	*nvals = 0;
	for (int i = 0; i < g->n; i++)
		if (kmem_read(k, g->m[i].value_va, g->m[i].buf, g->m[i].value_size))
			return -EFAULT;
	/* .bss first, then .data: the counters a scheduler bumps live there. */
	static const char *const order[] = { "bss", "data", "rodata" };
	for (int pass = 0; pass < 3; pass++)
		for (int i = 0; i < g->n; i++) {
			struct gmap *m = &g->m[i];
			if (strcmp(m->kind, order[pass]))
				continue;
			line(&o, 0, m->kind);
			const struct btf_type *ds = btf__type_by_id(m->btf, m->type_id);
			const struct btf_var_secinfo *v = btf_var_secinfos(ds);
			for (int j = 0; j < btf_vlen(ds); j++, v++) {
				const struct btf_type *var = btf__type_by_id(m->btf, v->type);
				if (!var || !btf_is_var(var) || v->offset + v->size > m->value_size)
					continue;
				const char *vn = btf__name_by_offset(m->btf, var->name_off);
				render(m->btf, var->type, m->buf + v->offset, v->size, 1, vn, &o);
				if (pass == 2 || *nvals >= MON_MAX_GLOBALS || !numeric(m->btf, var->type))
					continue;
				const struct btf_type *t = btf__type_by_id(m->btf,
									  btf__resolve_type(m->btf, var->type));
				snprintf(names[*nvals], 80, "%s%s", pass ? "data." : "", vn);
				vals[(*nvals)++] = int_value(t, m->buf + v->offset);
			}
		}
	*ntree = o.n;
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
