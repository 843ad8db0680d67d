/* "ksyms" and "maps" into the run (engine/monitor/ingest.h). Addresses travel as "0x..."
 * strings: kernel addresses do not fit jansson's signed integers. */
#include <stdlib.h>
#include <string.h>

#include "engine/monitor/ingest.h"
#include "engine/run.h"

static bool hex(json_t *o, const char *k, uint64_t *out)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	char *end;
	if (strncmp(s, "0x", 2) || !s[2] || strlen(s) > 18)
		return false;
	*out = strtoull(s + 2, &end, 16);
	return !*end;
}

bool mon_ingest_ksyms(struct run *r, json_t *o)
{
	struct kmem_syms k;
	if (!hex(o, "text", &k.text) || !hex(o, "text_phys", &k.text_phys) ||
	    !hex(o, "page_offset_base", &k.page_offset_base) ||
	    !hex(o, "init_top_pgt", &k.init_top_pgt) ||
	    !hex(o, "per_cpu_offset", &k.per_cpu_offset) || !hex(o, "runqueues", &k.runqueues) ||
	    !hex(o, "scx_root", &k.scx_root) || !hex(o, "map_idr", &k.map_idr))
		return false;
	r->ksyms = k;
	r->have_ksyms = true;
	return true;
}

bool mon_ingest_maps(struct run *r, json_t *o)
{
	json_t *ids = json_object_get(o, "ids"), *v;
	size_t i;
	if (!json_is_array(ids))
		return false;
	uint32_t tmp[RUN_MAX_MAPS];
	int n = 0;
	json_array_foreach(ids, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
		    json_integer_value(v) > UINT32_MAX)
			return false;
		if (n < RUN_MAX_MAPS)
			tmp[n++] = (uint32_t)json_integer_value(v);
	}
	memcpy(r->sched_map_ids, tmp, sizeof(tmp));
	r->nsched_maps = n;
	return true;
}
