/* Scenario files: JSON -> struct scenario with FILE:LINE:COL errors. jansson checks the
 * syntax (and duplicate keys); this file loads the text and parses the top-level
 * sections (name, topology, scheduler, steps, checks); defaults, copy and free. */
#include "engine/scenario_priv.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/json_util.h"

#define SCN_MAX_FILE (1 << 20)     /* a scenario is a few hundred bytes; 1 MiB is generous */
#define SCN_MIN_MEMORY_MB 128
#define SCN_MAX_MEMORY_MB 65536
#define SCN_DEFAULT_MEMORY_MB 512
#define SCN_DEFAULT_DURATION_MS 3000

static int parse_topology(struct scn_pctx *c, json_t *v, struct scenario *s)
{
	static const char *const keys[] = { "numa", "llcs", "cores", "threads", NULL };
	if (json_is_string(v)) {
		char e[768];
		if (scn_topo_parse(json_string_value(v), &s->topo, e, sizeof(e)))
			return scn_perr(c, "topology", false, "%s", e);
		return 0;
	}
	if (!json_is_object(v))
		return scn_perr(c, "topology", false, "topology: expected object (or a string: a label like \"1n2l2c1t\" or a preset name like \"medium-4llc\"), got %s",
				ju_type_name(v));
	if (scn_check_keys(c, v, "topology", "topology", keys))
		return -EINVAL;
	int *dst[4] = { &s->topo.numa, &s->topo.llcs, &s->topo.cores, &s->topo.threads };
	for (int i = 0; i < 4; i++) {
		json_t *x = json_object_get(v, keys[i]);
		char path[64];
		long n;
		snprintf(path, sizeof(path), "topology.%s", keys[i]);
		if (!x)
			return scn_perr(c, "topology", false, "topology: missing key '%s' (an integer >= 1)", keys[i]);
		if (scn_get_int(c, x, path, 1, SCN_MAX_VCPUS, &n))
			return -EINVAL;
		*dst[i] = (int)n;
	}
	return 0;
}

static int parse_scheduler(struct scn_pctx *c, json_t *v, struct scenario *s)
{
	static const char *const keys[] = { "name", "path", "args", "flags", NULL };
	struct scn_scheduler *sc = &s->sched;
	if (json_is_string(v)) {
		const char *n = json_string_value(v);
		if (!strcmp(n, "eevdf"))
			return 0;
		if (strchr(n, '/')) {
			sc->kind = SCHED_PATH;
		} else {
			if (!scn_valid_ident(n, sizeof(sc->spec)))
				return scn_perr(c, "scheduler", false, "scheduler: '%s' is not a scheduler name "
						"(letters, digits, '_' and '-'); use {\"path\": ...} for a file", n);
			sc->kind = SCHED_NAME;
		}
		if (strlen(n) >= sizeof(sc->spec))
			return scn_perr(c, "scheduler", false, "scheduler: longer than %zu bytes", sizeof(sc->spec) - 1);
		snprintf(sc->spec, sizeof(sc->spec), "%s", n);
		return 0;
	}
	if (!json_is_object(v))
		return scn_perr(c, "scheduler", false, "scheduler: expected \"eevdf\", a name, or an object "
				"{\"name\"|\"path\": ..., \"args\": [...]}, got %s", ju_type_name(v));
	if (scn_check_keys(c, v, "scheduler", "scheduler", keys))
		return -EINVAL;
	json_t *name = json_object_get(v, "name"), *path = json_object_get(v, "path");
	json_t *args = json_object_get(v, "args"), *flags = json_object_get(v, "flags");
	if (name && path)
		return scn_perr(c, "scheduler.path", true, "scheduler: give either \"name\" or \"path\", not both");
	if (!name && !path)
		return scn_perr(c, "scheduler", false, "scheduler: missing \"name\" or \"path\"");
	if (name) {
		if (scn_want(c, name, "scheduler.name", JSON_STRING, "string"))
			return -EINVAL;
		const char *n = json_string_value(name);
		if (!strcmp(n, "eevdf") && flags)
			return scn_perr(c, "scheduler.flags", true, "scheduler.flags: eevdf takes no "
					"flags; name a sched_ext scheduler or drop \"flags\"");
		if (!strcmp(n, "eevdf") && !args)
			return 0;
		if (!scn_valid_ident(n, sizeof(sc->spec)))
			return scn_perr(c, "scheduler.name", false, "scheduler.name: '%s' is not a scheduler name "
					"(letters, digits, '_' and '-'); use \"path\" for a file", n);
		sc->kind = SCHED_NAME;
		snprintf(sc->spec, sizeof(sc->spec), "%s", n);
	} else {
		if (scn_want(c, path, "scheduler.path", JSON_STRING, "string"))
			return -EINVAL;
		const char *p = json_string_value(path);
		if (!*p || strlen(p) >= sizeof(sc->spec))
			return scn_perr(c, "scheduler.path", false, "scheduler.path: must be a non-empty path shorter than %zu bytes",
					sizeof(sc->spec));
		sc->kind = SCHED_PATH;
		snprintf(sc->spec, sizeof(sc->spec), "%s", p);
	}
	if (args) {
		if (scn_want(c, args, "scheduler.args", JSON_ARRAY, "array of strings"))
			return -EINVAL;
		if (json_array_size(args) > SCN_MAX_SCHED_ARGS)
			return scn_perr(c, "scheduler.args", false, "scheduler.args: %zu arguments, at most %d",
					json_array_size(args), SCN_MAX_SCHED_ARGS);
		size_t i;
		json_t *a;
		json_array_foreach(args, i, a) {
			char p[64];
			snprintf(p, sizeof(p), "scheduler.args[%zu]", i);
			if (scn_want(c, a, p, JSON_STRING, "string"))
				return -EINVAL;
			if (strlen(json_string_value(a)) > 4096)
				return scn_perr(c, p, false, "%s: longer than 4096 bytes", p);
			sc->args[sc->nargs] = strdup(json_string_value(a));
			if (!sc->args[sc->nargs])
				return -ENOMEM;
			sc->nargs++;
		}
	}
	if (flags && scn_parse_flags(c, flags, sc))
		return -EINVAL;
	return 0;
}

/* "steps": [{"name": ..., "duration_ms": N, "cgroups": [...]}]. Each step's cgroups are
 * appended to s->cgroups with .step = its 1-based number. */
static int parse_steps(struct scn_pctx *c, json_t *steps, struct scenario *s)
{
	static const char *const keys[] = { "name", "duration_ms", "cgroups", "ops", NULL };
	char base[48], path[96], what[48];
	size_t k, i;
	json_t *st, *g;
	json_array_foreach(steps, k, st) {
		struct scn_step *sp = &s->steps[k];
		snprintf(base, sizeof(base), "steps[%zu]", k);
		snprintf(what, sizeof(what), "step %s", base);
		if (scn_want_object(c, st, base, what, keys))
			return -EINVAL;
		json_t *x = json_object_get(st, "name");
		if (x) {
			snprintf(path, sizeof(path), "%s.name", base);
			if (scn_want(c, x, path, JSON_STRING, "string"))
				return -EINVAL;
			const char *nm = json_string_value(x);
			if (!*nm || strlen(nm) >= sizeof(sp->name) || strchr(nm, '\n'))
				return scn_perr(c, path, false, "%s: must be 1-%zu characters without newlines", path,
						sizeof(sp->name) - 1);
			snprintf(sp->name, sizeof(sp->name), "%s", nm);
		}
		snprintf(path, sizeof(path), "%s.duration_ms", base);
		if (!(x = json_object_get(st, "duration_ms")))
			return scn_perr(c, base, false, "%s: missing required key 'duration_ms' (how long the step "
					"holds, 1..%d ms)", base, SCN_MAX_DURATION_MS);
		long n;
		if (scn_get_int(c, x, path, 1, SCN_MAX_DURATION_MS, &n))
			return -EINVAL;
		sp->duration_ms = (int)n;
		sp->first_cgroup = s->ncgroups;
		snprintf(path, sizeof(path), "%s.cgroups", base);
		if ((x = json_object_get(st, "cgroups"))) {
			if (scn_want(c, x, path, JSON_ARRAY, "array"))
				return -EINVAL;
			json_array_foreach(x, i, g) {
				char cb[64];
				snprintf(cb, sizeof(cb), "%s.cgroups[%zu]", base, i);
				if (s->ncgroups >= SCN_MAX_CGROUPS)
					return scn_perr(c, cb, false, "%s: more than %d cgroups in the backdrop and all "
							"steps together; use fewer", cb, SCN_MAX_CGROUPS);
				struct scn_cgroup *cg = &s->cgroups[s->ncgroups];
				if (scn_parse_cgroup(c, g, cb, cg))
					return -EINVAL;
				cg->step = (int)k + 1;
				s->ncgroups++;
				sp->ncgroups++;
			}
		}
		snprintf(path, sizeof(path), "%s.ops", base);
		if ((x = json_object_get(st, "ops")) && scn_parse_ops(c, x, path, (int)k + 1, s))
			return -EINVAL;
		s->nsteps++;
	}
	return 0;
}

static int parse_root(struct scn_pctx *c, json_t *root, struct scenario *s)
{
	static const char *const keys[] = { "name", "topology", "memory_mb", "scheduler", "duration_ms",
					    "cgroups", "checks", "monitor", "expect_err",
					    "performance_mode", "steps", "ops", "constraints", NULL };
	static const char *const check_keys_valid[] = {
		"max_gap_ms", "max_spread_pct", "isolation",
#define X(id, key, lo, hi) key,
		SCN_WORKER_CHECKS(X)
#undef X
		NULL };
	json_t *x;
	long n;

	if (!json_is_object(root))
		return scn_perr(c, "", false, "the scenario must be a JSON object, got %s", ju_type_name(root));
	if (scn_check_keys(c, root, "", "scenario", keys))
		return -EINVAL;

	if (!(x = json_object_get(root, "name")))
		return scn_perr(c, "", false, "missing required key 'name' (a string naming the scenario)");
	if (scn_want(c, x, "name", JSON_STRING, "string"))
		return -EINVAL;
	const char *nm = json_string_value(x);
	if (!*nm || strlen(nm) >= sizeof(s->name) || strchr(nm, '/') || strchr(nm, '\n'))
		return scn_perr(c, "name", false, "name: must be 1-%zu characters without '/' or newlines",
				sizeof(s->name) - 1);
	snprintf(s->name, sizeof(s->name), "%s", nm);

	if ((x = json_object_get(root, "topology")) && parse_topology(c, x, s))
		return -EINVAL;
	if ((x = json_object_get(root, "memory_mb"))) {
		if (scn_get_int(c, x, "memory_mb", SCN_MIN_MEMORY_MB, SCN_MAX_MEMORY_MB, &n))
			return -EINVAL;
		s->memory_mb = (int)n;
	}
	if ((x = json_object_get(root, "scheduler"))) {
		int rc = parse_scheduler(c, x, s);
		if (rc)
			return rc;
	}
	bool has_duration = false;
	if ((x = json_object_get(root, "duration_ms"))) {
		if (scn_get_int(c, x, "duration_ms", 1, SCN_MAX_DURATION_MS, &n))
			return -EINVAL;
		s->duration_ms = (int)n;
		has_duration = true;
	}
	json_t *steps = json_object_get(root, "steps");
	if (steps) {
		if (scn_want(c, steps, "steps", JSON_ARRAY, "array"))
			return -EINVAL;
		if (json_array_size(steps) == 0)
			return scn_perr(c, "steps", false, "steps: give at least one step "
					"({\"duration_ms\": N, \"cgroups\": [...]}) or leave the key out");
		if (json_array_size(steps) > SCN_MAX_STEPS)
			return scn_perr(c, "steps", false, "steps: %zu steps, at most %d", json_array_size(steps),
					SCN_MAX_STEPS);
	}
	/* With steps the backdrop may be empty: every cgroup can belong to a step. */
	x = json_object_get(root, "cgroups");
	if (!x && !steps)
		return scn_perr(c, "", false, "missing required key 'cgroups' (a list of at least one "
				"{\"name\": ..., \"workers\": N})");
	if (x && scn_want(c, x, "cgroups", JSON_ARRAY, "array"))
		return -EINVAL;
	if (x && json_array_size(x) == 0 && !steps)
		return scn_perr(c, "cgroups", false, "cgroups: at least one cgroup is required");
	if (json_array_size(x) > SCN_MAX_CGROUPS)
		return scn_perr(c, "cgroups", false, "cgroups: %zu cgroups, at most %d", json_array_size(x),
				SCN_MAX_CGROUPS);
	size_t i;
	json_t *g;
	char base[48];
	json_array_foreach(x, i, g) {
		snprintf(base, sizeof(base), "cgroups[%zu]", i);
		if (scn_parse_cgroup(c, g, base, &s->cgroups[i]))
			return -EINVAL;
		s->ncgroups++;
	}
	if (steps) {
		int rc = parse_steps(c, steps, s);
		if (rc)
			return rc;
		if (!has_duration) {
			s->duration_ms = 0;
			for (int k = 0; k < s->nsteps; k++)
				s->duration_ms += s->steps[k].duration_ms;
		}
	}
	if ((x = json_object_get(root, "ops"))) {
		if (steps)
			return scn_perr(c, "ops", true, "ops: a scenario with steps lists its ops in each "
					"step (steps[N].ops); move them there");
		if (scn_parse_ops(c, x, "ops", 1, s))
			return -EINVAL;
	}
	if ((x = json_object_get(root, "checks"))) {
		if (scn_want_object(c, x, "checks", "checks", check_keys_valid))
			return -EINVAL;
		json_t *y;
		if ((y = json_object_get(x, "max_gap_ms"))) {
			if (scn_get_int(c, y, "checks.max_gap_ms", 1, 3600000, &n))
				return -EINVAL;
			s->checks.has_max_gap_ms = true;
			s->checks.max_gap_ms = (uint64_t)n;
		}
		if ((y = json_object_get(x, "max_spread_pct"))) {
			double d;
			if (scn_get_num(c, y, "checks.max_spread_pct", &d))
				return -EINVAL;
			if (!(d >= 0 && d <= 100))
				return scn_perr(c, "checks.max_spread_pct", false,
						"checks.max_spread_pct: %g is out of range; allowed 0..100", d);
			s->checks.has_max_spread_pct = true;
			s->checks.max_spread_pct = d;
		}
		if (scn_parse_worker_checks(c, x, &s->checks))
			return -EINVAL;
	}
	if ((x = json_object_get(root, "constraints")) && scn_parse_constraints(c, x, &s->constraints))
		return -EINVAL;
	if ((x = json_object_get(root, "monitor")) && scn_parse_monitor(c, x, &s->monitor))
		return -EINVAL;
	if ((x = json_object_get(root, "expect_err"))) {
		if (scn_want(c, x, "expect_err", JSON_TRUE, "boolean"))
			return -EINVAL;
		s->expect_err = json_is_true(x);
	}
	if ((x = json_object_get(root, "performance_mode"))) {
		if (scn_want(c, x, "performance_mode", JSON_TRUE, "boolean"))
			return -EINVAL;
		s->performance_mode = json_is_true(x);
	}
	char path[160], msg[768];
	if (scn_validate_core(s, false, path, sizeof(path), msg, sizeof(msg)))
		return scn_perr(c, path, false, "%s", msg);
	return 0;
}

static void scn_defaults(struct scenario *s)
{
	memset(s, 0, sizeof(*s));
	s->topo = (struct vm_topology){ 1, 1, 2, 1 };
	s->memory_mb = SCN_DEFAULT_MEMORY_MB;
	s->duration_ms = SCN_DEFAULT_DURATION_MS;
	s->sched.kind = SCHED_EEVDF;
	snprintf(s->sched.spec, sizeof(s->sched.spec), "eevdf");
	s->constraints.smt = -1;
	mon_thresholds_default(&s->monitor);
}

int scn_parse(const char *text, const char *path, struct scenario *out, char *err, size_t errlen)
{
	json_error_t je;
	struct scn_pctx c = { .file = path ? path : "<scenario>", .err = err, .errlen = errlen };
	struct scenario *s;
	int rc;

	if (errlen)
		err[0] = 0;
	if (!text) {
		snprintf(err, errlen, "%s: no text", c.file);
		return -EINVAL;
	}
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", c.file, je.line, je.column < 1 ? 1 : je.column, je.text);
		return -EINVAL;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		json_decref(root);
		return -ENOMEM;
	}
	scn_defaults(s);
	snprintf(s->path, sizeof(s->path), "%s", c.file);
	scn_loc_scan(&c.loc, text);
	rc = parse_root(&c, root, s);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", c.file);
	if (rc) {
		scn_free(s);
	} else {
		*out = *s;
	}
	free(s);
	scn_loc_free(&c.loc);
	json_decref(root);
	return rc;
}

int scn_load(const char *path, struct scenario *out, char *err, size_t errlen)
{
	char *buf;
	size_t got;
	int rc = fs_read_file(path, SCN_MAX_FILE, &buf, &got);
	if (rc == -EFBIG) {
		snprintf(err, errlen, "%s: larger than the %d-byte limit for a scenario file", path, SCN_MAX_FILE);
		return -EINVAL;
	}
	if (rc == -EINVAL) {
		snprintf(err, errlen, "%s: not a regular file; give the path of a scenario .json file", path);
		return -EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "%s: cannot open scenario: %s", path, strerror(-rc));
		return rc;
	}
	if (strlen(buf) != got) {
		free(buf);
		snprintf(err, errlen, "%s: contains a NUL byte; a scenario is a UTF-8 JSON text file", path);
		return -EINVAL;
	}
	rc = scn_parse(buf, path, out, err, errlen);
	free(buf);
	return rc;
}

void scn_free(struct scenario *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->sched.nargs && i < SCN_MAX_SCHED_ARGS; i++) {
		free(s->sched.args[i]);
		s->sched.args[i] = NULL;
	}
	s->sched.nargs = 0;
}

int scn_copy(struct scenario *dst, const struct scenario *src)
{
	*dst = *src;
	dst->sched.nargs = 0;
	for (int i = 0; i < src->sched.nargs && i < SCN_MAX_SCHED_ARGS; i++) {
		dst->sched.args[i] = strdup(src->sched.args[i] ? src->sched.args[i] : "");
		if (!dst->sched.args[i]) {
			scn_free(dst);
			return -ENOMEM;
		}
		dst->sched.nargs++;
	}
	for (int i = dst->sched.nargs; i < SCN_MAX_SCHED_ARGS; i++)
		dst->sched.args[i] = NULL;
	return 0;
}

void scn_init_default(struct scenario *s)
{
	scn_defaults(s);
}
