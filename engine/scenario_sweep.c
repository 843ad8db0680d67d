/* The scenario keys the gauntlet reads (docs/gauntlet.md): the scheduler object's "flags"
 * (name, the arguments it adds, the flags it requires) and the top-level "constraints"
 * (which topology presets the scenario runs on); parsing and writing them back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/scenario_priv.h"

static int flag_index(const struct scn_scheduler *sc, const char *name)
{
	for (int i = 0; i < sc->nflags; i++)
		if (!strcmp(sc->flags[i].name, name))
			return i;
	return -1;
}

static int parse_strings(struct scn_pctx *c, json_t *a, const char *path, int max, size_t width,
			 char *dst, int *n, bool ident)
{
	char p[128];
	size_t i;
	json_t *v;
	if (scn_want(c, a, path, JSON_ARRAY, "array of strings"))
		return -EINVAL;
	if (json_array_size(a) > (size_t)max)
		return scn_perr(c, path, false, "%s: %zu entries, at most %d", path, json_array_size(a), max);
	json_array_foreach(a, i, v) {
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (scn_want(c, v, p, JSON_STRING, "string"))
			return -EINVAL;
		const char *s = json_string_value(v);
		if (ident ? !scn_valid_ident(s, width) : (!*s || strlen(s) >= width))
			return scn_perr(c, p, false, ident ? "%s: '%s' is not a flag name (1-%zu letters, "
					"digits, '_' and '-')" : "%s: '%s' must be 1-%zu bytes", p, s, width - 1);
		snprintf(dst + i * width, width, "%s", s);
		(*n)++;
	}
	return 0;
}

int scn_parse_flags(struct scn_pctx *c, json_t *x, struct scn_scheduler *sc)
{
	static const char *const keys[] = { "name", "args", "requires", NULL };
	char base[64], path[96];
	size_t i;
	json_t *f;
	if (scn_want(c, x, "scheduler.flags", JSON_ARRAY, "array of {\"name\", \"args\", \"requires\"}"))
		return -EINVAL;
	if (json_array_size(x) > SCN_MAX_FLAGS)
		return scn_perr(c, "scheduler.flags", false, "scheduler.flags: %zu flags, at most %d (%d "
				"profiles)", json_array_size(x), SCN_MAX_FLAGS, 1 << SCN_MAX_FLAGS);
	json_array_foreach(x, i, f) {
		struct scn_flag *fl = &sc->flags[i];
		memset(fl, 0, sizeof(*fl));
		snprintf(base, sizeof(base), "scheduler.flags[%zu]", i);
		if (scn_want_object(c, f, base, "flag", keys))
			return -EINVAL;
		json_t *n = json_object_get(f, "name");
		snprintf(path, sizeof(path), "%s.name", base);
		if (!n)
			return scn_perr(c, base, false, "%s: missing \"name\" (the flag's name in profiles, "
					"e.g. \"keep-last\")", base);
		if (scn_want(c, n, path, JSON_STRING, "string"))
			return -EINVAL;
		const char *nm = json_string_value(n);
		if (!scn_valid_ident(nm, sizeof(fl->name)) || !strcmp(nm, "default"))
			return scn_perr(c, path, false, "%s: '%s' is not a flag name (1-%zu letters, digits, "
					"'_' and '-'; not \"default\")", path, nm, sizeof(fl->name) - 1);
		if (flag_index(sc, nm) >= 0)
			return scn_perr(c, path, false, "%s: flag '%s' is declared twice", path, nm);
		snprintf(fl->name, sizeof(fl->name), "%s", nm);
		json_t *a = json_object_get(f, "args");
		snprintf(path, sizeof(path), "%s.args", base);
		if (a && parse_strings(c, a, path, SCN_MAX_FLAG_ARGS, sizeof(fl->args[0]), fl->args[0],
				       &fl->nargs, false))
			return -EINVAL;
		json_t *r = json_object_get(f, "requires");
		snprintf(path, sizeof(path), "%s.requires", base);
		if (r && parse_strings(c, r, path, SCN_MAX_FLAG_REQS, sizeof(fl->requires[0]),
				       fl->requires[0], &fl->nrequires, true))
			return -EINVAL;
		sc->nflags++;
	}
	/* requires may name a flag declared later, so they are checked once all are in. */
	for (int k = 0; k < sc->nflags; k++)
		for (int j = 0; j < sc->flags[k].nrequires; j++) {
			const char *rq = sc->flags[k].requires[j];
			snprintf(path, sizeof(path), "scheduler.flags[%d].requires[%d]", k, j);
			if (!strcmp(rq, sc->flags[k].name))
				return scn_perr(c, path, false, "%s: flag '%s' requires itself", path, rq);
			if (flag_index(sc, rq) < 0)
				return scn_perr(c, path, false, "%s: '%s' is not a declared flag; declare it in "
						"scheduler.flags or remove it", path, rq);
		}
	return 0;
}

int scn_parse_constraints(struct scn_pctx *c, json_t *x, struct scn_constraints *k)
{
	static const char *const keys[] = { "min_cpus", "max_cpus", "min_nodes", "max_nodes",
					    "min_llcs", "max_llcs", "smt", NULL };
	int *dst[] = { &k->min_cpus, &k->max_cpus, &k->min_nodes, &k->max_nodes, &k->min_llcs,
		       &k->max_llcs };
	if (scn_want_object(c, x, "constraints", "constraints", keys))
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		json_t *v = json_object_get(x, keys[i]);
		char path[64];
		long n;
		if (!v)
			continue;
		snprintf(path, sizeof(path), "constraints.%s", keys[i]);
		if (scn_get_int(c, v, path, 1, SCN_MAX_VCPUS, &n))
			return -EINVAL;
		*dst[i] = (int)n;
	}
	for (int i = 0; i < 6; i += 2)
		if (*dst[i] && *dst[i + 1] && *dst[i] > *dst[i + 1]) {
			char path[64];
			snprintf(path, sizeof(path), "constraints.%s", keys[i]);
			return scn_perr(c, path, false, "%s: %d is above %s %d; no topology can meet both", path,
					*dst[i], keys[i + 1], *dst[i + 1]);
		}
	json_t *smt = json_object_get(x, "smt");
	if (smt) {
		if (scn_want(c, smt, "constraints.smt", JSON_TRUE, "boolean"))
			return -EINVAL;
		k->smt = json_is_true(smt) ? 1 : 0;
	}
	return 0;
}

json_t *scn_flags_json(const struct scn_scheduler *sc)
{
	if (!sc->nflags)
		return NULL;
	json_t *a = json_array();
	for (int i = 0; a && i < sc->nflags; i++) {
		const struct scn_flag *fl = &sc->flags[i];
		json_t *args = json_array(), *req = json_array();
		for (int j = 0; j < fl->nargs; j++)
			json_array_append_new(args, json_string(fl->args[j]));
		for (int j = 0; j < fl->nrequires; j++)
			json_array_append_new(req, json_string(fl->requires[j]));
		json_t *o = json_pack("{s:s, s:o}", "name", fl->name, "args", args);
		if (o && fl->nrequires)
			json_object_set_new(o, "requires", req);
		else
			json_decref(req);
		json_array_append_new(a, o);
	}
	return a;
}

json_t *scn_constraints_json(const struct scn_constraints *k)
{
	static const char *const keys[] = { "min_cpus", "max_cpus", "min_nodes", "max_nodes",
					    "min_llcs", "max_llcs" };
	const int v[] = { k->min_cpus, k->max_cpus, k->min_nodes, k->max_nodes, k->min_llcs,
			  k->max_llcs };
	json_t *o = json_object();
	for (int i = 0; o && i < 6; i++)
		if (v[i])
			json_object_set_new(o, keys[i], json_integer(v[i]));
	if (o && k->smt >= 0)
		json_object_set_new(o, "smt", json_boolean(k->smt == 1));
	if (o && !json_object_size(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}
