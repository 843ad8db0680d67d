/* Normalized scenario parsing, the guest's work-type table, and the cgroup knob table with
 * the wording of a failed knob write (see gscn.h). No side effects: host tests link it. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guest/gcpu.h"
#include "guest/gscn.h"
#include "guest/gutil.h"
#include "guest/scenario_wire.h"

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); rc = -EINVAL; goto out; } while (0)

/* Cgroup names become directory names: one path component of safe characters. */
static bool name_ok(const char *s)
{
	if (!*s || *s == '.' || strlen(s) >= 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* Appends the cgroups of list cgs (named `where` in messages) to s->cg with .step = step.
 * A name may not repeat among cgroups live at the same time: the backdrop and one step. */
static int parse_cgroups(struct gscn *s, json_t *cgs, const char *where, int step, int *total,
			 char *err, size_t errlen)
{
	int rc = 0;
	size_t i;
	json_t *c;
	json_array_foreach(cgs, i, c) {
		struct gscn_cgroup *g = &s->cg[s->ncg];
		if (s->ncg >= GSCN_MAX_CGROUPS)
			FAIL("scenario.json: more than %d cgroups", GSCN_MAX_CGROUPS);
		if (!json_is_object(c))
			FAIL("scenario.json: %s[%zu] must be an object", where, i);
		json_t *n = json_object_get(c, KTSTR_SCN_CG_NAME), *w = json_object_get(c, KTSTR_SCN_CG_WORKERS),
		       *wk = json_object_get(c, KTSTR_SCN_CG_WORK), *cs = json_object_get(c, KTSTR_SCN_CG_CPUSET);
		if (!json_is_string(n) || !name_ok(json_string_value(n)))
			FAIL("scenario.json: %s[%zu].name must be 1-63 characters of [A-Za-z0-9_.-], "
			     "not starting with '.'", where, i);
		snprintf(g->name, sizeof(g->name), "%s", json_string_value(n));
		g->step = step;
		for (int k = 0; k < s->ncg; k++) {
			if (strcmp(s->cg[k].name, g->name) || (s->cg[k].step && s->cg[k].step != step))
				continue;
			if (!step)
				FAIL("cgroup '%s' collides with a cgroup already tracked (declared twice in this scenario) — declare it in exactly one place",
				     g->name);
			FAIL("cgroup '%s' collides with a cgroup already tracked (by %s) — declare it in exactly one place; use a fresh name for the step-local cgroup",
			     g->name, s->cg[k].step ? "an earlier cgroup of the same step" : "a Backdrop cgroup, which lives for the whole run");
		}
		if (w && (!json_is_integer(w) || json_integer_value(w) < 0 ||
			  json_integer_value(w) > GSCN_MAX_WORKERS))
			FAIL("scenario.json: %s[%zu].workers must be an integer in 0..%d", where, i,
			     GSCN_MAX_WORKERS);
		g->workers = w ? (int)json_integer_value(w) : KTSTR_SCN_CG_WORKERS_DEFAULT;
		*total += g->workers;
		if (*total > GSCN_MAX_WORKERS)
			FAIL("scenario.json: %d workers in all, at most %d", *total, GSCN_MAX_WORKERS);
		if (gscn_parse_work(wk, g->name, &g->work, g->params, &g->seq, err, errlen)) {
			rc = -EINVAL;
			goto out;
		}
		int grp = work_group_size(g->work, g->params);
		if (g->workers % grp)
			FAIL("%s (group %zu) requires num_workers divisible by %d, got %d",
			     work_type_name(g->work), i, grp, g->workers);
		if (cs && !json_is_null(cs)) {
			uint64_t m[GCPU_WORDS];
			const char *cv = json_string_value(cs);
			if (!cv || strlen(cv) >= sizeof(g->cpuset) || gcpu_parse(cv, m) < 0)
				FAIL("scenario.json: %s[%zu].cpuset must be a CPU list like \"0-3\" or "
				     "\"0,2-3\"", where, i);
			snprintf(g->cpuset, sizeof(g->cpuset), "%s", cv);
		}
		/* The host checked the shapes; here only what keeps the write one safe line. */
		static const struct { const char *key; size_t off, len; } kv[] = {
#define X(member, key) { key, offsetof(struct gscn_cgroup, member), sizeof(g->member) },
			KTSTR_SCN_CG_KNOBS(X)
#undef X
		};
		for (size_t k = 0; k < sizeof(kv) / sizeof(kv[0]); k++) {
			json_t *x = json_object_get(c, kv[k].key);
			char *dst = (char *)g + kv[k].off;
			if (!x || json_is_null(x))
				continue;
			if (json_is_integer(x) && json_integer_value(x) >= 0) {
				snprintf(dst, kv[k].len, "%lld", (long long)json_integer_value(x));
				continue;
			}
			const char *xv = json_string_value(x);
			if (!xv || !*xv || strlen(xv) >= kv[k].len || strspn(xv, "0123456789max ,-") != strlen(xv))
				FAIL("scenario.json: %s[%zu].%s must be a string of digits, \"max\", ' ', "
				     "',' or '-' under %zu bytes", where, i, kv[k].key, kv[k].len);
			snprintf(dst, kv[k].len, "%s", xv);
		}
		if ((rc = gcgattr_parse(c, &g->attr, g->name, err, errlen)))
			goto out;
		s->ncg++;
	}
out:
	return rc;
}

int gscn_parse(const char *text, struct gscn *s, char *err, size_t errlen)
{
	json_error_t je;
	int rc = 0;
	memset(s, 0, sizeof(*s));
	s->steps = KTSTR_SCN_STEPS_DEFAULT;
	json_t *o = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &je);
	if (!o)
		FAIL("scenario.json:%d:%d: %s (the host writes this file; rebuild ktstr and ktstr-init "
		     "from the same tree)", je.line, je.column, je.text);
	if (!json_is_object(o))
		FAIL("scenario.json: top level is not an object");

	json_t *v = json_object_get(o, KTSTR_SCN_NAME);
	if (v && !json_is_string(v))
		FAIL("scenario.json: \"name\" must be a string");
	snprintf(s->name, sizeof(s->name), "%s", v ? json_string_value(v) : "");

	v = json_object_get(o, KTSTR_SCN_DURATION_MS);
	if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) > GSCN_MAX_DURATION_MS)
		FAIL("scenario.json: \"duration_ms\" must be an integer in 1..%d", GSCN_MAX_DURATION_MS);
	s->duration_ms = (int)json_integer_value(v);

	json_t *cgs = json_object_get(o, KTSTR_SCN_CGROUPS);
	if (cgs && !json_is_array(cgs))
		FAIL("scenario.json: \"cgroups\" must be an array");
	if (json_array_size(cgs) > GSCN_MAX_CGROUPS)
		FAIL("scenario.json: %zu cgroups, at most %d", json_array_size(cgs), GSCN_MAX_CGROUPS);
	int total = 0;
	if ((rc = parse_cgroups(s, cgs, "cgroups", 0, &total, err, errlen)))
		goto out;

	v = json_object_get(o, KTSTR_SCN_STEPS);
	if (json_is_array(v)) {
		size_t k;
		json_t *st;
		int64_t sum = 0;
		if (!json_array_size(v) || json_array_size(v) > GSCN_MAX_STEPS)
			FAIL("scenario.json: \"steps\" must list 1..%d steps", GSCN_MAX_STEPS);
		json_array_foreach(v, k, st) {
			struct gscn_step *sp = &s->step[k];
			json_t *d = json_object_get(st, KTSTR_SCN_STEP_DURATION_MS),
			       *nm = json_object_get(st, KTSTR_SCN_STEP_NAME),
			       *sc = json_object_get(st, KTSTR_SCN_STEP_CGROUPS);
			if (!json_is_object(st))
				FAIL("scenario.json: steps[%zu] must be an object", k);
			if (!json_is_integer(d) || json_integer_value(d) <= 0 ||
			    json_integer_value(d) > GSCN_MAX_DURATION_MS)
				FAIL("scenario.json: steps[%zu].duration_ms must be an integer in 1..%d", k,
				     GSCN_MAX_DURATION_MS);
			sp->duration_ms = (int)json_integer_value(d);
			sum += sp->duration_ms;
			if (nm && !json_is_string(nm))
				FAIL("scenario.json: steps[%zu].name must be a string", k);
			snprintf(sp->name, sizeof(sp->name), "%s", nm ? json_string_value(nm) : "");
			if (sc && !json_is_array(sc))
				FAIL("scenario.json: steps[%zu].cgroups must be an array", k);
			if ((size_t)s->ncg + json_array_size(sc) > GSCN_MAX_CGROUPS)
				FAIL("scenario.json: more than %d cgroups in the backdrop and all steps",
				     GSCN_MAX_CGROUPS);
			char where[48];
			snprintf(where, sizeof(where), "steps[%zu].cgroups", k);
			sp->first = s->ncg;
			if ((rc = parse_cgroups(s, sc, where, (int)k + 1, &total, err, errlen)))
				goto out;
			sp->ncg = s->ncg - sp->first;
			s->nstep++;
		}
		if (sum != s->duration_ms)
			FAIL("scenario.json: duration_ms %d is not the sum of the steps' durations (%lld)",
			     s->duration_ms, (long long)sum);
		s->steps = s->nstep;
	} else if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000)
			FAIL("scenario.json: \"steps\" must be an integer in 1..1000 or a list of steps");
		s->steps = (int)json_integer_value(v);
	}

	/* Ops after every cgroup: a Spawn appends its workers' entry behind them. */
	json_t *tops = json_object_get(o, KTSTR_SCN_OPS);
	if (tops && s->nstep)
		FAIL("scenario.json: top-level \"ops\" with a step list; each step has its own");
	if ((rc = gscn_parse_ops(s, tops, "ops", 1, s->duration_ms, &total, err, errlen)))
		goto out;
	for (int k = 0; k < s->nstep; k++) {
		char where[48];
		snprintf(where, sizeof(where), "steps[%d].ops", k);
		json_t *st = json_array_get(v, (size_t)k);
		if ((rc = gscn_parse_ops(s, json_object_get(st, KTSTR_SCN_OPS), where, k + 1,
					 s->step[k].duration_ms, &total, err, errlen)))
			goto out;
	}

	json_t *sc = json_object_get(o, KTSTR_SCN_SCHEDULER);
	if (sc && !json_is_null(sc)) {
		if (!json_is_object(sc))
			FAIL("scenario.json: \"scheduler\" must be null or an object");
		json_t *p = json_object_get(sc, KTSTR_SCN_SCHED_PATH), *nm = json_object_get(sc, KTSTR_SCN_SCHED_NAME),
		       *args = json_object_get(sc, KTSTR_SCN_SCHED_ARGS);
		if (!json_is_string(p) || !*json_string_value(p) ||
		    strlen(json_string_value(p)) >= sizeof(s->sched_path))
			FAIL("scenario.json: scheduler.path must be a non-empty path");
		snprintf(s->sched_path, sizeof(s->sched_path), "%s", json_string_value(p));
		if (nm && !json_is_string(nm))
			FAIL("scenario.json: scheduler.name must be a string");
		snprintf(s->sched_name, sizeof(s->sched_name), "%s", nm ? json_string_value(nm) : "");
		if (args && !json_is_array(args))
			FAIL("scenario.json: scheduler.args must be an array of strings");
		if (json_array_size(args) > GSCN_MAX_ARGS)
			FAIL("scenario.json: scheduler.args has %zu entries, at most %d",
			     json_array_size(args), GSCN_MAX_ARGS);
		json_t *a;
		size_t i;
		json_array_foreach(args, i, a) {
			if (!json_is_string(a) || strlen(json_string_value(a)) >= sizeof(s->sched_args[0]))
				FAIL("scenario.json: scheduler.args[%zu] must be a string under %zu bytes", i,
				     sizeof(s->sched_args[0]));
			snprintf(s->sched_args[i], sizeof(s->sched_args[0]), "%s", json_string_value(a));
			s->nargs++;
		}
		s->has_sched = true;
	}
out:
	json_decref(o);
	return rc;
}

/* ---- cgroup knobs ------------------------------------------------------------------ */

static const struct { const char *file, *ctrl, *absent, *rejected; size_t off; } knobs[GSCN_KNOB__COUNT] = {
	[GSCN_KNOB_CPUSET_CPUS] = { "cpuset.cpus", "cpuset", "(requires +cpuset in parent cgroup.subtree_control)",
			     "(the CPUs must exist in the guest; check the topology)",
			     offsetof(struct gscn_cgroup, cpuset) },
	[GSCN_KNOB_CPUSET_MEMS] = { "cpuset.mems", "cpuset", "(requires +cpuset in parent cgroup.subtree_control)",
			     "(the NUMA nodes must exist in the guest; check the topology)",
			     offsetof(struct gscn_cgroup, cpuset_mems) },
	[GSCN_KNOB_CPU_MAX] = { "cpu.max", "cpu", "(requires +cpu in parent cgroup.subtree_control)",
			 "(the kernel rejected the value; cpu.max is \"QUOTA PERIOD\" in microseconds)",
			 offsetof(struct gscn_cgroup, cpu_max) },
	[GSCN_KNOB_MEMORY_MAX] = { "memory.max", "memory", "(requires +memory in parent cgroup.subtree_control)",
			    "(the kernel rejected the value)", offsetof(struct gscn_cgroup, memory_max) },
	[GSCN_KNOB_MEMORY_SWAP_MAX] = { "memory.swap.max", "memory",
				 "(requires +memory in parent cgroup.subtree_control; file absent on CONFIG_SWAP=n kernels)",
				 "(the kernel rejected the value)",
				 offsetof(struct gscn_cgroup, memory_swap_max) },
};

const char *gscn_knob_file(int k)
{
	return k >= 0 && k < GSCN_KNOB__COUNT ? knobs[k].file : "?";
}

const char *gscn_knob_controller(int k)
{
	return k >= 0 && k < GSCN_KNOB__COUNT ? knobs[k].ctrl : "?";
}

const char *gscn_knob_value(const struct gscn_cgroup *c, int k)
{
	return k >= 0 && k < GSCN_KNOB__COUNT ? (const char *)c + knobs[k].off : "";
}

void gscn_oserr(char *buf, size_t len, int err)
{
	snprintf(buf, len, "%s (os error %d)", strerror(err), err);
}

void gscn_knob_error(char *buf, size_t len, const char *cg, int k, const char *value, int err)
{
	char e[128];
	gscn_oserr(e, sizeof(e), err);
	if (k < 0 || k >= GSCN_KNOB__COUNT)
		k = GSCN_KNOB_CPU_MAX;
	if (err == ENOENT)
		snprintf(buf, len, "cgroup '%s': set %s='%s' %s: %s", cg, knobs[k].file, value, knobs[k].absent, e);
	else
		snprintf(buf, len, "cgroup '%s': set %s='%s': %s %s", cg, knobs[k].file, value, e,
			 knobs[k].rejected);
}

/* "\"text\"" (first line, trimmed) or "\"<read failed: ERR>\"". */
static void quoted_file(char *out, size_t len, const char *dir, const char *name)
{
	char p[512], buf[256], e[128];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int rc = gutil_read_file(p, buf, sizeof(buf));
	if (rc < 0) {
		gscn_oserr(e, sizeof(e), -rc);
		snprintf(out, len, "\"<read failed: %s>\"", e);
		return;
	}
	buf[strcspn(buf, "\n")] = 0;
	snprintf(out, len, "\"%s\"", buf);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void gscn_cgroup_snapshot(char *buf, size_t len, const char *parent, const char *name, int err)
{
	char child[512], pc[300], ps[300], cc[300], listing[1024], e[128], p[600];
	struct stat st;
	snprintf(child, sizeof(child), "%s/%s", parent, name);
	quoted_file(pc, sizeof(pc), parent, "cgroup.controllers");
	quoted_file(ps, sizeof(ps), parent, "cgroup.subtree_control");
	quoted_file(cc, sizeof(cc), child, "cgroup.controllers");
	snprintf(p, sizeof(p), "%s/cpuset.cpus", child);
	bool cpus_exists = !stat(p, &st);
	/* The listing is the tell: a missing directory cannot be listed; an existing one
	 * shows which knob files its enabled controllers gave it. */
	DIR *d = opendir(child);
	if (!d) {
		gscn_oserr(e, sizeof(e), errno);
		snprintf(listing, sizeof(listing), "<read_dir failed: %s>", e);
	} else {
		char *names[256];
		int n = 0;
		struct dirent *de;
		while ((de = readdir(d)) && n < 256)
			if (de->d_name[0] != '.' && (names[n] = strdup(de->d_name)))
				n++;
		closedir(d);
		qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
		size_t o = 0;
		listing[o++] = '[';
		listing[o] = 0;
		for (int i = 0; i < n; i++) {
			if (o + strlen(names[i]) + 6 < sizeof(listing))
				o += (size_t)snprintf(listing + o, sizeof(listing) - o, "%s%s", i ? "," : "", names[i]);
			else if (o + 5 < sizeof(listing) && !strstr(listing, ",..."))
				o += (size_t)snprintf(listing + o, sizeof(listing) - o, ",...");
			free(names[i]);
		}
		snprintf(listing + o, sizeof(listing) - o, "]");
	}
	gscn_oserr(e, sizeof(e), err);
	snprintf(buf, len, "cgroup-state-snapshot: parent=%s name=%s parent.cgroup.controllers=%s parent.cgroup.subtree_control=%s child.cgroup.controllers=%s child.cpuset.cpus.exists=%s child.listing=%s: %s",
		 parent, name, pc, ps, cc, cpus_exists ? "true" : "false", listing, e);
}
