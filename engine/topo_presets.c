/* The topology preset table (docs/scenario.md, "Topology presets"): the Rust ktstr's
 * x86_64 gauntlet_presets() by name and shape, mapped onto ktstr's NxLxCxT model, where
 * L counts LLCs per NUMA node (the reference counts them over the machine). */
#include "engine/topo_presets.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/scenario.h"

/* Every reference shape maps exactly: each LLC total is a multiple of its node count
 * (2n4l -> 2 per node, 2n8l -> 4, 4n8l -> 2, 4n12l -> 3), so none is left out. Order and
 * names are the reference's. aarch64's subset (the t=1 rows) needs no table of its own. */
#define P(n, N, L, C, T) { n, { N, L, C, T } }
const struct topo_preset topo_presets[] = {
	P("tiny-1llc", 1, 1, 4, 1),
	P("tiny-2llc", 1, 2, 2, 1),
	P("odd-3llc", 1, 3, 3, 1),
	P("odd-5llc", 1, 5, 3, 1),
	P("odd-7llc", 1, 7, 2, 1),
	P("smt-2llc", 1, 2, 2, 2),
	P("smt-3llc", 1, 3, 2, 2),
	P("medium-4llc", 1, 4, 4, 2),
	P("medium-8llc", 1, 8, 4, 2),
	P("large-4llc", 1, 4, 16, 2),
	P("large-8llc", 1, 8, 8, 2),
	P("near-max-llc", 1, 15, 8, 2),
	P("max-cpu", 1, 14, 9, 2),
	P("medium-4llc-nosmt", 1, 4, 8, 1),
	P("medium-8llc-nosmt", 1, 8, 8, 1),
	P("large-4llc-nosmt", 1, 4, 32, 1),
	P("large-8llc-nosmt", 1, 8, 16, 1),
	P("near-max-llc-nosmt", 1, 15, 16, 1),
	P("max-cpu-nosmt", 1, 14, 18, 1),
	P("numa2-4llc", 2, 2, 4, 1),
	P("numa2-8llc", 2, 4, 8, 2),
	P("numa2-8llc-nosmt", 2, 4, 16, 1),
	P("numa4-8llc", 4, 2, 4, 1),
	P("numa4-12llc", 4, 3, 8, 2),
};
#undef P
const size_t topo_npresets = sizeof(topo_presets) / sizeof(topo_presets[0]);

const struct topo_preset *topo_preset_find(const char *name)
{
	for (size_t i = 0; name && i < topo_npresets; i++)
		if (!strcmp(topo_presets[i].name, name))
			return &topo_presets[i];
	return NULL;
}

/* snprintf that appends at *o and keeps counting past the end (so callers learn the size). */
__attribute__((format(printf, 4, 5)))
static void put(char *buf, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(*o < len ? buf + *o : NULL, *o < len ? len - *o : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o += (size_t)n;
}

size_t topo_preset_names(char *buf, size_t len)
{
	size_t o = 0;
	if (len)
		buf[0] = 0;
	for (size_t i = 0; i < topo_npresets; i++)
		put(buf, len, &o, "%s%s", i ? ", " : "", topo_presets[i].name);
	return o;
}

static void shape(const struct vm_topology *t, char *buf, size_t len)
{
	snprintf(buf, len, "%dx%dx%dx%d", t->numa, t->llcs, t->cores, t->threads);
}

size_t topo_presets_text(char *buf, size_t len)
{
	size_t o = 0;
	if (len)
		buf[0] = 0;
	put(buf, len, &o, "%-20s %-10s %-11s %5s %4s %4s\n", "NAME", "SHAPE", "LABEL", "VCPUS",
	    "LLCS", "NUMA");
	for (size_t i = 0; i < topo_npresets; i++) {
		const struct vm_topology *t = &topo_presets[i].topo;
		char s[48], l[48];
		shape(t, s, sizeof(s));
		scn_topo_label(t, l, sizeof(l));
		put(buf, len, &o, "%-20s %-10s %-11s %5d %4d %4d\n", topo_presets[i].name, s, l,
		    scn_topo_cpus(t), t->numa * t->llcs, t->numa);
	}
	return o;
}

json_t *topo_presets_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < topo_npresets; i++) {
		const struct vm_topology *t = &topo_presets[i].topo;
		char s[48], l[48];
		shape(t, s, sizeof(s));
		scn_topo_label(t, l, sizeof(l));
		json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "name",
				      topo_presets[i].name, "shape", s, "label", l, "vcpus",
				      scn_topo_cpus(t), "llcs", t->numa * t->llcs, "numa_nodes", t->numa,
				      "cores_per_llc", t->cores, "threads_per_core", t->threads);
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
