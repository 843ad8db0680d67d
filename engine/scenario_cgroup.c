/* One cgroup entry of a scenario (the backdrop's or a step's): its name, workers, work
 * type, cpuset (a CPU list or a CpusetSpec) and the controller knobs, shapes checked with
 * FILE:LINE:COL errors. */
#include "engine/scenario_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/json_util.h"

/* {"llc": N} | {"numa": N} | {"disjoint": {"index": i, "of": n}} |
 * {"range": {"start_frac": a, "end_frac": b}} | {"overlap": {"index": i, "of": n, "frac": f}} */
static int parse_cpuset_spec(struct scn_pctx *c, json_t *x, const char *path, struct scn_cpuset_spec *sp)
{
	static const char *const kinds[] = { "llc", "numa", "disjoint", "range", "overlap", NULL };
	static const char *const part_keys[] = { "index", "of", NULL };
	static const char *const range_keys[] = { "start_frac", "end_frac", NULL };
	static const char *const overlap_keys[] = { "index", "of", "frac", NULL };
	char what[96], sub[160], sub2[192];
	snprintf(what, sizeof(what), "%s (a CpusetSpec)", path);
	if (scn_check_keys(c, x, path, what, kinds))
		return -EINVAL;
	if (json_object_size(x) != 1)
		return scn_perr(c, path, false, "%s: give exactly one of llc, numa, disjoint, range, overlap "
				"(or a CPU list string like \"0-3\")", path);
	const char *k = json_object_iter_key(json_object_iter(x));
	json_t *v = json_object_get(x, k);
	snprintf(sub, sizeof(sub), "%s.%s", path, k);
	long n;
	if (!strcmp(k, "llc") || !strcmp(k, "numa")) {
		if (scn_get_int(c, v, sub, 0, 100000, &n))
			return -EINVAL;
		sp->kind = !strcmp(k, "llc") ? CPUSET_LLC : CPUSET_NUMA;
		sp->index = n;
		return 0;
	}
	const char *const *keys = !strcmp(k, "range") ? range_keys : !strcmp(k, "overlap") ? overlap_keys
											  : part_keys;
	if (scn_want_object(c, v, sub, sub, keys))
		return -EINVAL;
	for (int i = 0; keys[i]; i++)
		if (!json_object_get(v, keys[i]))
			return scn_perr(c, sub, false, "%s: missing key '%s'", sub, keys[i]);
	if (!strcmp(k, "range")) {
		sp->kind = CPUSET_RANGE;
		snprintf(sub2, sizeof(sub2), "%s.start_frac", sub);
		if (scn_get_num(c, json_object_get(v, "start_frac"), sub2, &sp->start_frac))
			return -EINVAL;
		snprintf(sub2, sizeof(sub2), "%s.end_frac", sub);
		return scn_get_num(c, json_object_get(v, "end_frac"), sub2, &sp->end_frac);
	}
	sp->kind = !strcmp(k, "overlap") ? CPUSET_OVERLAP : CPUSET_DISJOINT;
	snprintf(sub2, sizeof(sub2), "%s.index", sub);
	if (scn_get_int(c, json_object_get(v, "index"), sub2, 0, 100000, &sp->index))
		return -EINVAL;
	snprintf(sub2, sizeof(sub2), "%s.of", sub);
	if (scn_get_int(c, json_object_get(v, "of"), sub2, 0, 100000, &sp->of))
		return -EINVAL;
	if (sp->kind == CPUSET_OVERLAP) {
		snprintf(sub2, sizeof(sub2), "%s.frac", sub);
		return scn_get_num(c, json_object_get(v, "frac"), sub2, &sp->frac);
	}
	return 0;
}

static int parse_u64(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	if (!isdigit((unsigned char)**p))
		return -1;
	for (; isdigit((unsigned char)**p); (*p)++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(**p - '0');
	}
	*out = v;
	return 0;
}

/* cpu.max: "QUOTA [PERIOD]", QUOTA "max" or microseconds; the kernel's bounds: a quota of
 * at least 1 ms, a period of 1 ms..1 s. */
static bool cpu_max_ok(const char *s)
{
	uint64_t q, per;
	const char *p = s;
	if (!strncmp(p, "max", 3))
		p += 3;
	else if (parse_u64(&p, &q) || q < 1000 || q > 17592186044415ULL) /* kernel max_cfs_runtime, us */
		return false;
	if (!*p)
		return true;
	if (*p++ != ' ' || parse_u64(&p, &per) || *p)
		return false;
	return per >= 1000 && per <= 1000000;
}

/* memory.max / memory.swap.max: bytes as an integer, or "max". */
static int parse_mem_knob(struct scn_pctx *c, json_t *x, const char *path, char *out, size_t len)
{
	if (json_is_string(x) && !strcmp(json_string_value(x), "max")) {
		snprintf(out, len, "max");
		return 0;
	}
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return scn_perr(c, path, false, "%s: expected a byte count (integer >= 0) or \"max\", got %s%s%s",
				path, json_is_string(x) ? "'" : "", json_is_string(x) ? json_string_value(x) : ju_type_name(x),
				json_is_string(x) ? "'" : "");
	snprintf(out, len, "%lld", (long long)json_integer_value(x));
	return 0;
}

/* The cgroup controller knobs: shapes only; the guest enables the controllers. */
static int parse_knobs(struct scn_pctx *c, json_t *v, const char *base, struct scn_cgroup *g)
{
	char path[96];
	json_t *x;
	snprintf(path, sizeof(path), "%s.cpu_max", base);
	if ((x = json_object_get(v, "cpu_max"))) {
		if (scn_want(c, x, path, JSON_STRING, "string"))
			return -EINVAL;
		const char *cm = json_string_value(x);
		if (strlen(cm) >= sizeof(g->cpu_max) || !cpu_max_ok(cm))
			return scn_perr(c, path, false, "%s: '%s' is not a cpu.max value; write \"QUOTA PERIOD\" in "
					"microseconds (e.g. \"50000 100000\" for half a CPU) or \"max\"; QUOTA >= 1000, "
					"PERIOD 1000..1000000", path, cm);
		snprintf(g->cpu_max, sizeof(g->cpu_max), "%s", cm);
	}
	snprintf(path, sizeof(path), "%s.memory_max", base);
	if ((x = json_object_get(v, "memory_max")) &&
	    parse_mem_knob(c, x, path, g->memory_max, sizeof(g->memory_max)))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s.memory_swap_max", base);
	if ((x = json_object_get(v, "memory_swap_max")) &&
	    parse_mem_knob(c, x, path, g->memory_swap_max, sizeof(g->memory_swap_max)))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s.cpuset_mems", base);
	if ((x = json_object_get(v, "cpuset_mems"))) {
		if (scn_want(c, x, path, JSON_STRING, "string"))
			return -EINVAL;
		const char *m = json_string_value(x);
		if (strlen(m) >= sizeof(g->cpuset_mems) || scn_cpulist_max(m) < 0)
			return scn_perr(c, path, false, "%s: '%s' is not a NUMA node list; write it like \"0\" or \"0-1\"",
					path, m);
		snprintf(g->cpuset_mems, sizeof(g->cpuset_mems), "%s", m);
	}
	return 0;
}

int scn_parse_cgroup(struct scn_pctx *c, json_t *v, const char *base, struct scn_cgroup *g)
{
	static const char *const keys[] = { "name", "workers", "work", "cpuset", "cpu_max", "memory_max",
					    "memory_swap_max", "cpuset_mems", "policy", "nice", "affinity",
					    "mem_policy", "mpol_flags", NULL };
	char path[96], what[64];
	snprintf(what, sizeof(what), "cgroup %s", base);
	if (scn_want_object(c, v, base, what, keys))
		return -EINVAL;
	json_t *x = json_object_get(v, "name");
	snprintf(path, sizeof(path), "%s.name", base);
	if (!x)
		return scn_perr(c, base, false, "%s: missing required key 'name'", base);
	if (scn_want(c, x, path, JSON_STRING, "string"))
		return -EINVAL;
	if (!scn_valid_ident(json_string_value(x), sizeof(g->name)))
		return scn_perr(c, path, false, "%s: '%s' is not a valid cgroup name: use 1-%zu characters of "
				"[A-Za-z0-9_-]", path, json_string_value(x), sizeof(g->name) - 1);
	snprintf(g->name, sizeof(g->name), "%s", json_string_value(x));
	if (scn_parse_cgattr(c, v, base, &g->attr))
		return -EINVAL;

	long n = 1;
	snprintf(path, sizeof(path), "%s.workers", base);
	if ((x = json_object_get(v, "workers")) && scn_get_int(c, x, path, 0, SCN_MAX_WORKERS, &n))
		return -EINVAL;
	g->workers = (int)n;

	g->work = WORK_SPIN_WAIT;
	snprintf(path, sizeof(path), "%s.work", base);
	if ((x = json_object_get(v, "work"))) {
		int w;
		if (scn_parse_work(c, x, path, &w, g->params, &g->params_set, &g->seq))
			return -EINVAL;
		g->work = w;
	}
	snprintf(path, sizeof(path), "%s.cpuset", base);
	if ((x = json_object_get(v, "cpuset"))) {
		if (json_is_object(x))
			return parse_cpuset_spec(c, x, path, &g->cpuset_spec) ? -EINVAL : parse_knobs(c, v, base, g);
		if (!json_is_string(x))
			return scn_perr(c, path, false, "%s: expected a CPU list string or a CpusetSpec object "
					"({\"llc\": N}, {\"numa\": N}, {\"disjoint\": ...}, {\"range\": ...}, "
					"{\"overlap\": ...}), got %s", path, ju_type_name(x));
		const char *cs = json_string_value(x);
		if (strlen(cs) >= sizeof(g->cpuset) || scn_cpulist_max(cs) < 0)
			return scn_perr(c, path, false, "%s: '%s' is not a CPU list; write it like \"0-3\" or \"0,2-3\"",
					path, cs);
		snprintf(g->cpuset, sizeof(g->cpuset), "%s", cs);
		g->cpuset_spec.kind = CPUSET_LIST;
	}
	return parse_knobs(c, v, base, g);
}
