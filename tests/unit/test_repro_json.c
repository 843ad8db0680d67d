/* result.json's auto_repro object: a full round trip, refusals with the field named, a
 * repro recorded as running that never finished, and run directories without one. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/repro/repro_json.h"

static struct repro_result *sample(void)
{
	struct repro_result *r = repro_new();
	r->state = REPRO_DONE;
	r->fired = r->reproduced = r->primary_reached_workload = true;
	snprintf(r->trigger, sizeof(r->trigger), "fexit scx_vexit");
	snprintf(r->pipeline, sizeof(r->pipeline), "extracted: 2 functions from crash backtrace\n");
	r->probes_attached = 31;
	r->extracted = 2;
	r->passed = 2;
	r->events_seen = 5000000000ull;
	r->events_dropped = 7;
	r->events_sent = 3;
	r->duration_ms = 6200;
	snprintf(r->exit_kind, sizeof(r->exit_kind), "ERROR_BPF");
	snprintf(r->exit_msg, sizeof(r->exit_msg), "injected \"error\"");
	r->task_pid = 107;
	snprintf(r->task_comm, sizeof(r->task_comm), "ktstr-w3");
	snprintf(r->dir, sizeof(r->dir), "runs/x-repro");
	r->sched_tail = strdup("line 1\nline 2");
	r->nevents = 3;
	r->ev = calloc(3, sizeof(*r->ev));
	for (int i = 0; i < 3; i++) {
		struct repro_event *e = &r->ev[i];
		e->ts_ns = -1000000 * (3 - i);
		e->cpu = i;
		e->pid = 100 + i;
		snprintf(e->func, sizeof(e->func), "f%d", i);
		snprintf(e->kind, sizeof(e->kind), i == 2 ? "trigger" : "fentry");
		snprintf(e->comm, sizeof(e->comm), "c%d", i);
		e->nfields = 2;
		snprintf(e->f[0].name, sizeof(e->f[0].name), "p.scx_flags");
		snprintf(e->f[0].value, sizeof(e->f[0].value), "QUEUED");
		snprintf(e->f[0].exit, sizeof(e->f[0].exit), "QUEUED|ENABLED");
		snprintf(e->f[1].name, sizeof(e->f[1].name), "p.dsq_id");
		snprintf(e->f[1].value, sizeof(e->f[1].value), "SCX_DSQ_LOCAL");
	}
	return r;
}

Test(repro_json, a_full_result_round_trips)
{
	struct repro_result *a = sample();
	json_t *j = repro_to_json(a);
	cr_assert_not_null(j);
	char *text = json_dumps(j, 0);
	json_decref(j);
	j = json_loads(text, 0, NULL);
	free(text);
	char err[256] = "";
	struct repro_result *b = repro_from_json(j, err, sizeof(err));
	json_decref(j);
	cr_assert_not_null(b, "%s", err);
	cr_expect_eq(b->state, REPRO_DONE);
	cr_expect(b->fired && b->reproduced && b->primary_reached_workload);
	cr_expect_str_eq(b->trigger, a->trigger);
	cr_expect_str_eq(b->pipeline, a->pipeline);
	cr_expect_eq(b->probes_attached, 31);
	cr_expect_eq(b->events_seen, 5000000000ull);
	cr_expect_eq(b->events_dropped, 7);
	cr_expect_eq(b->duration_ms, 6200);
	cr_expect_str_eq(b->exit_msg, "injected \"error\"");
	cr_expect_eq(b->task_pid, 107);
	cr_expect_str_eq(b->dir, "runs/x-repro");
	cr_expect_str_eq(b->sched_tail, "line 1\nline 2");
	cr_expect_null(b->dump_tail);
	cr_assert_eq(b->nevents, 3);
	cr_expect_eq(b->ev[1].ts_ns, -2000000);
	cr_expect_str_eq(b->ev[2].kind, "trigger");
	cr_expect_eq(b->ev[2].nfields, 2);
	cr_expect_str_eq(b->ev[0].f[0].exit, "QUEUED|ENABLED");
	cr_expect_str_eq(b->ev[0].f[1].exit, "");
	repro_free(a);
	repro_free(b);
}

static void refused(const char *text, const char *want)
{
	char err[256] = "";
	json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(j, "%s", text);
	cr_expect_null(repro_from_json(j, err, sizeof(err)), "%s", text);
	cr_expect(strstr(err, want), "error was: %s", err);
	json_decref(j);
}

Test(repro_json, malformed_objects_are_refused_with_the_field_named)
{
	refused("[1]", "auto_repro: expected an object");
	refused("{\"state\":\"exploded\"}", "auto_repro.state: 'exploded' is not one of");
	refused("{\"state\":\"done\",\"events\":{}}", "auto_repro.events: expected an array");
	refused("{\"state\":\"done\",\"events\":[3]}", "auto_repro.events[0]: expected an object");
}

Test(repro_json, a_repro_recorded_as_running_is_failed_when_loaded)
{
	char err[256];
	json_t *j = json_loads("{\"state\":\"waiting\",\"probes_attached\":4}", 0, NULL);
	struct repro_result *r = repro_from_json(j, err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_expect_eq(r->state, REPRO_FAILED);
	cr_expect(strstr(r->reason, "did not finish"), "%s", r->reason);
	cr_expect_eq(r->task_pid, -1);
	repro_free(r);
	json_decref(j);
}

#include <unistd.h>
#include "engine/fsutil.h"
#include "engine/report.h"

static struct run *load_with(const char *auto_repro)
{
	char dir[256], path[300], text[512];
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/ktstr-repro-json-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/result.json", dir);
	snprintf(text, sizeof(text), "{\"result\":\"fail\",\"scenario\":{\"name\":\"x\"}%s%s}",
		 auto_repro ? ",\"auto_repro\":" : "", auto_repro ? auto_repro : "");
	cr_assert_eq(fs_write_atomic(path, text, strlen(text), 0644), 0);
	struct run *r = NULL;
	char err[512];
	cr_assert_eq(report_load_dir(dir, &r, err, sizeof(err)), 0, "%s", err);
	fs_rm_rf(dir);
	return r;
}

Test(repro_json, run_directories_without_or_with_a_damaged_object_still_load)
{
	struct run *r = load_with(NULL);
	cr_expect_null(r->repro);
	run_put(r);
	r = load_with("null");
	cr_expect_null(r->repro);
	run_put(r);
	r = load_with("{\"state\":\"exploded\"}");
	cr_expect_null(r->repro, "the chain is dropped");
	cr_expect(strstr(r->warning, "auto_repro.state"), "and the warning says why: %s", r->warning);
	run_put(r);
	r = load_with("{\"state\":\"done\",\"fired\":true,\"events\":[{\"func\":\"f\",\"fields\":[]}]}");
	cr_assert_not_null(r->repro);
	cr_expect_eq(r->repro->nevents, 1);
	run_put(r);
}
