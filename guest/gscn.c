/* Normalized scenario parsing and the guest's work-type table (see gscn.h). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "guest/gscn.h"
#include "guest/gutil.h"

static const struct { const char *name; int group; bool implemented; } works[GW__COUNT] = {
	[GW_SPIN_WAIT] = { "SpinWait", 1, true },
	[GW_MIXED] = { "Mixed", 1, true },
	[GW_BURSTY] = { "Bursty", 1, true },
	[GW_IO_SYNC_WRITE] = { "IoSyncWrite", 1, false },
	[GW_IO_RAND_READ] = { "IoRandRead", 1, false },
	[GW_IO_CONVOY] = { "IoConvoy", 1, false },
	[GW_YIELD_HEAVY] = { "YieldHeavy", 1, true },
	[GW_PIPE_IO] = { "PipeIo", 2, true },
	[GW_FUTEX_PING_PONG] = { "FutexPingPong", 2, true },
	[GW_CACHE_PIPE] = { "CachePipe", 2, false },
	[GW_FUTEX_FAN_OUT] = { "FutexFanOut", 5, false },
	[GW_FAN_OUT_COMPUTE] = { "FanOutCompute", 5, false },
};

const char *gscn_work_name(int w)
{
	return w >= 0 && w < GW__COUNT ? works[w].name : "?";
}

int gscn_work_from_name(const char *n)
{
	for (int i = 0; n && i < GW__COUNT; i++)
		if (!strcmp(n, works[i].name))
			return i;
	return -1;
}

int gscn_work_group(int w)
{
	return w >= 0 && w < GW__COUNT ? works[w].group : 1;
}

bool gscn_work_implemented(int w)
{
	return w >= 0 && w < GW__COUNT && works[w].implemented;
}

void gscn_implemented_list(char *buf, size_t len)
{
	size_t o = 0;
	if (!len)
		return;
	buf[0] = 0;
	for (int i = 0; i < GW__COUNT && o < len; i++)
		if (works[i].implemented)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", works[i].name);
}

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

int gscn_parse(const char *text, struct gscn *s, char *err, size_t errlen)
{
	json_error_t je;
	int rc = 0;
	memset(s, 0, sizeof(*s));
	s->steps = 1;
	json_t *o = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &je);
	if (!o)
		FAIL("scenario.json:%d:%d: %s (the host writes this file; rebuild ktstr and ktstr-init "
		     "from the same tree)", je.line, je.column, je.text);
	if (!json_is_object(o))
		FAIL("scenario.json: top level is not an object");

	json_t *v = json_object_get(o, "name");
	if (v && !json_is_string(v))
		FAIL("scenario.json: \"name\" must be a string");
	snprintf(s->name, sizeof(s->name), "%s", v ? json_string_value(v) : "");

	v = json_object_get(o, "duration_ms");
	if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) > GSCN_MAX_DURATION_MS)
		FAIL("scenario.json: \"duration_ms\" must be an integer in 1..%d", GSCN_MAX_DURATION_MS);
	s->duration_ms = (int)json_integer_value(v);

	v = json_object_get(o, "steps");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000)
			FAIL("scenario.json: \"steps\" must be an integer in 1..1000");
		s->steps = (int)json_integer_value(v);
	}

	json_t *cgs = json_object_get(o, "cgroups");
	if (cgs && !json_is_array(cgs))
		FAIL("scenario.json: \"cgroups\" must be an array");
	if (json_array_size(cgs) > GSCN_MAX_CGROUPS)
		FAIL("scenario.json: %zu cgroups, at most %d", json_array_size(cgs), GSCN_MAX_CGROUPS);
	size_t i;
	json_t *c;
	int total = 0;
	json_array_foreach(cgs, i, c) {
		struct gscn_cgroup *g = &s->cg[i];
		if (!json_is_object(c))
			FAIL("scenario.json: cgroups[%zu] must be an object", i);
		json_t *n = json_object_get(c, "name"), *w = json_object_get(c, "workers"),
		       *wk = json_object_get(c, "work"), *cs = json_object_get(c, "cpuset");
		if (!json_is_string(n) || !name_ok(json_string_value(n)))
			FAIL("scenario.json: cgroups[%zu].name must be 1-63 characters of [A-Za-z0-9_.-], "
			     "not starting with '.'", i);
		snprintf(g->name, sizeof(g->name), "%s", json_string_value(n));
		for (size_t k = 0; k < i; k++)
			if (!strcmp(s->cg[k].name, g->name))
				FAIL("scenario.json: cgroup '%s' declared twice (cgroups[%zu] and [%zu]); use "
				     "a fresh name", g->name, k, i);
		if (w && (!json_is_integer(w) || json_integer_value(w) < 0 ||
			  json_integer_value(w) > GSCN_MAX_WORKERS))
			FAIL("scenario.json: cgroups[%zu].workers must be an integer in 0..%d", i,
			     GSCN_MAX_WORKERS);
		g->workers = w ? (int)json_integer_value(w) : 1;
		total += g->workers;
		if (total > GSCN_MAX_WORKERS)
			FAIL("scenario.json: %d workers in all, at most %d", total, GSCN_MAX_WORKERS);
		const char *wn = wk ? json_string_value(wk) : "SpinWait";
		if (!wn)
			FAIL("scenario.json: cgroups[%zu].work must be a string", i);
		g->work = gscn_work_from_name(wn);
		if (g->work < 0 || !gscn_work_implemented(g->work)) {
			char list[512];
			gscn_implemented_list(list, sizeof(list));
			FAIL("cgroup '%s': work type '%.64s' is %s by this guest; implemented: %s", g->name,
			     wn, g->work < 0 ? "unknown" : "not implemented", list);
		}
		int grp = gscn_work_group(g->work);
		if (g->workers % grp)
			FAIL("%s (group %zu) requires num_workers divisible by %d, got %d",
			     gscn_work_name(g->work), i, grp, g->workers);
		if (cs && !json_is_null(cs)) {
			uint64_t m[GCPU_WORDS];
			const char *cv = json_string_value(cs);
			if (!cv || strlen(cv) >= sizeof(g->cpuset) || gcpu_parse(cv, m) < 0)
				FAIL("scenario.json: cgroups[%zu].cpuset must be a CPU list like \"0-3\" or "
				     "\"0,2-3\"", i);
			snprintf(g->cpuset, sizeof(g->cpuset), "%s", cv);
		}
		s->ncg++;
	}

	json_t *sc = json_object_get(o, "scheduler");
	if (sc && !json_is_null(sc)) {
		if (!json_is_object(sc))
			FAIL("scenario.json: \"scheduler\" must be null or an object");
		json_t *p = json_object_get(sc, "path"), *nm = json_object_get(sc, "name"),
		       *args = json_object_get(sc, "args");
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
