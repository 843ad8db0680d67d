/* Auto-repro result <-> JSON (see repro_json.h). */
#include "engine/repro/repro_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/json_util.h"

/* Stable names for the file (repro_state_name is for people and may change). */
static const char *const state_keys[] = {
	[REPRO_NONE] = "none", [REPRO_BOOTING] = "booting", [REPRO_ATTACHED] = "attached",
	[REPRO_WAITING] = "waiting", [REPRO_FIRED] = "fired", [REPRO_DONE] = "done",
	[REPRO_SKIPPED] = "skipped", [REPRO_FAILED] = "failed",
};

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *event_json(const struct repro_event *e)
{
	json_t *fields = json_array();
	for (int i = 0; i < e->nfields && i < REPRO_MAX_FIELDS; i++) {
		json_t *f = json_pack("{s:s, s:s}", "name", e->f[i].name, "value", e->f[i].value);
		if (f && e->f[i].exit[0])
			json_object_set_new(f, "exit", json_string(e->f[i].exit));
		json_array_append_new(fields, f);
	}
	return json_pack("{s:I, s:i, s:s, s:s, s:s, s:i, s:s, s:o}", "ts_ns", (json_int_t)e->ts_ns, "cpu",
			 e->cpu, "func", e->func, "kind", e->kind, "loc", e->loc, "pid", e->pid, "comm",
			 e->comm, "fields", fields);
}

json_t *repro_to_json(const struct repro_result *r)
{
	json_t *ev = json_array();
	for (int i = 0; i < r->nevents; i++)
		json_array_append_new(ev, event_json(&r->ev[i]));
	json_t *o = json_object();
	if (!o || !ev) {
		json_decref(o);
		json_decref(ev);
		return NULL;
	}
	json_object_set_new(o, "state", json_string(state_keys[r->state]));
	json_object_set_new(o, "reason", str_or_null(r->reason));
	json_object_set_new(o, "trigger", str_or_null(r->trigger));
	json_object_set_new(o, "fired", json_boolean(r->fired));
	json_object_set_new(o, "reproduced", json_boolean(r->reproduced));
	json_object_set_new(o, "primary_reached_workload", json_boolean(r->primary_reached_workload));
	json_object_set_new(o, "primary_reason", str_or_null(r->primary_reason));
	json_object_set_new(o, "probes_attached", json_integer(r->probes_attached));
	json_object_set_new(o, "extracted", json_integer(r->extracted));
	json_object_set_new(o, "passed", json_integer(r->passed));
	json_object_set_new(o, "pipeline", str_or_null(r->pipeline));
	json_object_set_new(o, "events_seen", json_integer((json_int_t)r->events_seen));
	json_object_set_new(o, "events_dropped", json_integer((json_int_t)r->events_dropped));
	json_object_set_new(o, "events_sent", json_integer((json_int_t)r->events_sent));
	json_object_set_new(o, "duration_ms", json_integer(r->duration_ms));
	json_object_set_new(o, "exit_msg", str_or_null(r->exit_msg));
	json_object_set_new(o, "exit_kind", str_or_null(r->exit_kind));
	json_object_set_new(o, "task_pid", r->task_pid >= 0 ? json_integer(r->task_pid) : json_null());
	json_object_set_new(o, "task_comm", str_or_null(r->task_comm));
	json_object_set_new(o, "run_dir", str_or_null(r->dir));
	json_object_set_new(o, "sched_tail", str_or_null(r->sched_tail));
	json_object_set_new(o, "dump_tail", str_or_null(r->dump_tail));
	json_object_set_new(o, "dmesg_tail", str_or_null(r->dmesg_tail));
	json_object_set_new(o, "events", ev);
	return o;
}

#define CPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static char *dup_or_null(const json_t *o, const char *k)
{
	const char *s = ju_str_or(o, k, NULL);
	return s && *s ? strdup(s) : NULL;
}

static int event_from(const json_t *j, struct repro_event *e, size_t i, char *err, size_t errlen)
{
	if (!json_is_object(j)) {
		snprintf(err, errlen, "auto_repro.events[%zu]: expected an object, got %s", i, ju_type_name(j));
		return -1;
	}
	e->ts_ns = ju_int_or(j, "ts_ns", 0);
	e->cpu = (int)ju_int_or(j, "cpu", -1);
	e->pid = (int)ju_int_or(j, "pid", -1);
	CPY(e->func, ju_str_or(j, "func", "?"));
	CPY(e->kind, ju_str_or(j, "kind", ""));
	CPY(e->loc, ju_str_or(j, "loc", ""));
	CPY(e->comm, ju_str_or(j, "comm", ""));
	size_t k;
	json_t *f;
	json_array_foreach(json_object_get(j, "fields"), k, f) {
		if (e->nfields >= REPRO_MAX_FIELDS)
			break;
		if (!json_is_object(f)) {
			snprintf(err, errlen, "auto_repro.events[%zu].fields[%zu]: expected an object", i, k);
			return -1;
		}
		struct repro_field *x = &e->f[e->nfields++];
		CPY(x->name, ju_str_or(f, "name", "?"));
		CPY(x->value, ju_str_or(f, "value", ""));
		CPY(x->exit, ju_str_or(f, "exit", ""));
	}
	return 0;
}

struct repro_result *repro_from_json(const json_t *o, char *err, size_t errlen)
{
	if (!json_is_object(o)) {
		snprintf(err, errlen, "auto_repro: expected an object, got %s", ju_type_name(o));
		return NULL;
	}
	const char *st = ju_str_or(o, "state", "");
	int state = -1;
	for (size_t i = 0; i < sizeof(state_keys) / sizeof(state_keys[0]); i++)
		if (!strcmp(st, state_keys[i]))
			state = (int)i;
	if (state < 0) {
		snprintf(err, errlen, "auto_repro.state: '%.40s' is not one of none, booting, attached, "
			 "waiting, fired, done, skipped, failed", st);
		return NULL;
	}
	json_t *ev = json_object_get(o, "events");
	if (ev && !json_is_array(ev)) {
		snprintf(err, errlen, "auto_repro.events: expected an array, got %s", ju_type_name(ev));
		return NULL;
	}
	struct repro_result *r = repro_new();
	size_t n = json_array_size(ev);
	if (n > REPRO_MAX_EVENTS)
		n = REPRO_MAX_EVENTS;
	if (!r || (n && !(r->ev = calloc(n, sizeof(*r->ev))))) {
		repro_free(r);
		snprintf(err, errlen, "auto_repro: out of memory");
		return NULL;
	}
	/* A run loaded from disk is over: a repro it recorded as going never finished. */
	r->state = state >= REPRO_BOOTING && state <= REPRO_FIRED ? REPRO_FAILED : (enum repro_state)state;
	CPY(r->reason, state != (int)r->state ? "the repro VM did not finish (ktstr ended first)" :
		       ju_str_or(o, "reason", ""));
	CPY(r->trigger, ju_str_or(o, "trigger", ""));
	r->fired = ju_true(o, "fired");
	r->reproduced = ju_true(o, "reproduced");
	r->primary_reached_workload = ju_true(o, "primary_reached_workload");
	CPY(r->primary_reason, ju_str_or(o, "primary_reason", ""));
	r->probes_attached = (int)ju_int_or(o, "probes_attached", 0);
	r->extracted = (int)ju_int_or(o, "extracted", 0);
	r->passed = (int)ju_int_or(o, "passed", 0);
	CPY(r->pipeline, ju_str_or(o, "pipeline", ""));
	r->events_seen = (uint64_t)ju_int_or(o, "events_seen", 0);
	r->events_dropped = (uint64_t)ju_int_or(o, "events_dropped", 0);
	r->events_sent = (uint64_t)ju_int_or(o, "events_sent", 0);
	r->duration_ms = ju_int_or(o, "duration_ms", 0);
	CPY(r->exit_msg, ju_str_or(o, "exit_msg", ""));
	CPY(r->exit_kind, ju_str_or(o, "exit_kind", ""));
	r->task_pid = (int)ju_int_or(o, "task_pid", -1);
	CPY(r->task_comm, ju_str_or(o, "task_comm", ""));
	CPY(r->dir, ju_str_or(o, "run_dir", ""));
	r->sched_tail = dup_or_null(o, "sched_tail");
	r->dump_tail = dup_or_null(o, "dump_tail");
	r->dmesg_tail = dup_or_null(o, "dmesg_tail");
	for (size_t i = 0; i < n; i++, r->nevents++)
		if (event_from(json_array_get(ev, i), &r->ev[i], i, err, errlen)) {
			repro_free(r);
			return NULL;
		}
	return r;
}
