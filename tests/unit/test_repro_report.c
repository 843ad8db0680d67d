/* The `--- auto-repro ---` and `--- probe pipeline ---` bodies for each way a repro ends. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/repro/report.h"

static char *body(const struct repro_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	repro_report_body(r, f);
	fclose(f);
	return buf;
}

Test(repro_report, a_fired_chain_prints_blocks_counts_and_duration)
{
	struct repro_result *r = repro_new();
	r->state = REPRO_DONE;
	r->primary_reached_workload = r->fired = r->reproduced = true;
	r->duration_ms = 12345;
	r->probes_attached = 9;
	r->events_seen = 100, r->events_sent = 2, r->events_dropped = 3;
	snprintf(r->exit_kind, sizeof(r->exit_kind), "ERROR_BPF");
	snprintf(r->exit_msg, sizeof(r->exit_msg), "injected error");
	r->task_pid = 0;
	snprintf(r->task_comm, sizeof(r->task_comm), "swapper/1");
	r->nevents = 1;
	r->ev = calloc(1, sizeof(*r->ev));
	struct repro_event *e = &r->ev[0];
	e->ts_ns = -1500000;
	e->cpu = 1;
	snprintf(e->func, sizeof(e->func), "ktstr_dispatch");
	snprintf(e->kind, sizeof(e->kind), "fentry");
	snprintf(e->loc, sizeof(e->loc), "ktstr_sched.bpf.c:120");
	snprintf(e->comm, sizeof(e->comm), "swapper/1");
	e->nfields = 1;
	snprintf(e->f[0].name, sizeof(e->f[0].name), "prev.scx_flags");
	snprintf(e->f[0].value, sizeof(e->f[0].value), "QUEUED");
	snprintf(e->f[0].exit, sizeof(e->f[0].exit), "QUEUED|ENABLED");
	r->sched_tail = strdup("a\nb");
	char *b = body(r);
	cr_expect(strstr(b, "=== AUTO-PROBE: scx_exit fired ===\nexit: ERROR_BPF: injected error\n"), "%s", b);
	cr_expect(strstr(b, "-1.500ms  ktstr_dispatch  ktstr_sched.bpf.c:120  [fentry, cpu 1, swapper/1[0]]\n"), "%s", b);
	cr_expect(strstr(b, "    prev.scx_flags   QUEUED \u2192 QUEUED|ENABLED\n"), "%s", b);
	cr_expect(strstr(b, "probes: 9 attached; events: 100 seen, 2 sent, 3 dropped\n"), "%s", b);
	cr_expect(strstr(b, "repro VM duration: 12.3s\n"), "%s", b);
	cr_expect(strstr(b, "repro VM scheduler log (last 40 lines):\n  a\n  b\n"), "%s", b);
	cr_expect(!strstr(b, "sched_ext dump (last"), "empty logs are left out: %s", b);
	cr_expect(!strstr(b, "no probe data"), "%s", b);
	free(b);
	repro_free(r);
}

Test(repro_report, each_way_without_probe_data_is_named)
{
	struct repro_result *r = repro_new();
	r->state = REPRO_DONE;
	r->primary_reached_workload = true;
	char *b = body(r);
	cr_expect(strstr(b, "no probe data: the failure did not reproduce in the repro VM"), "%s", b);
	free(b);
	r->reproduced = true;
	b = body(r);
	cr_expect(strstr(b, "no probe data: the failure reproduced (the scheduler exited) but the trigger did not fire"), "%s", b);
	free(b);
	r->state = REPRO_SKIPPED;
	snprintf(r->reason, sizeof(r->reason), "no trigger");
	r->primary_reached_workload = false;
	b = body(r);
	cr_expect(strstr(b, "PRIMARY DID NOT REACH WORKLOAD \u2014 auto-repro is not load-bearing ("), "%s", b);
	cr_expect(strstr(b, "auto-repro skipped: no trigger\n"), "%s", b);
	free(b);
	cr_expect(repro_report_relevant(r));
	r->state = REPRO_WAITING;
	cr_expect_not(repro_report_relevant(r), "not while it runs");
	cr_expect_not(repro_report_relevant(NULL));
	repro_free(r);
}
