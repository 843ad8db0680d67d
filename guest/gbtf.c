/* Type names in raw BTF data (a BPF program's own BTF): the walk over its type section
 * that finds a type id's name, with every offset checked against the data's size (the
 * data comes from the kernel, but a walker must not trust lengths). */
#include <errno.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest/gbtf.h"

/* Bytes of the members after a btf_type of this kind (uapi btf.h's layout). */
static long btf_extra(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: return 4;
	case BTF_KIND_ARRAY: return (long)sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: return (long)vlen * (long)sizeof(struct btf_member);
	case BTF_KIND_ENUM: return (long)vlen * (long)sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO: return (long)vlen * (long)sizeof(struct btf_param);
	case BTF_KIND_VAR: return (long)sizeof(struct btf_var);
	case BTF_KIND_DATASEC: return (long)vlen * (long)sizeof(struct btf_var_secinfo);
	case 17 /* DECL_TAG */: return 4;
	case 19 /* ENUM64 */: return (long)vlen * 12;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case 18 /* TYPE_TAG */:
		return 0;
	default: return -1; /* a kind this walker does not know: stop */
	}
}

/* The name of type id `want` in raw BTF data (a program's own BTF, no base). */
int gbtf_type_name(const void *data, size_t size, uint32_t want, char *out, size_t len)
{
	const struct btf_header *h = data;
	if (size < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len > size)
		return -EINVAL;
	uint64_t types = (uint64_t)h->hdr_len + h->type_off, strs = (uint64_t)h->hdr_len + h->str_off;
	if (types + h->type_len > size || strs + h->str_len > size)
		return -EINVAL;
	const char *base = data;
	uint64_t off = types, end = types + h->type_len;
	for (uint32_t id = 1; off + sizeof(struct btf_type) <= end; id++) {
		const struct btf_type *t = (const void *)(base + off);
		if (id == want) {
			if (t->name_off >= h->str_len)
				return -EINVAL;
			const char *name = base + strs + t->name_off;
			size_t n = strnlen(name, h->str_len - t->name_off);
			if (!n || n == h->str_len - t->name_off)
				return -EINVAL;
			snprintf(out, len, "%.*s", (int)n, name);
			return 0;
		}
		long extra = btf_extra(t);
		if (extra < 0)
			return -EINVAL;
		off += sizeof(struct btf_type) + (uint64_t)extra;
	}
	return -ENOENT;
}

