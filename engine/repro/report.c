/* Auto-repro report sections (see report.h). */
#include "engine/repro/report.h"

#include <string.h>

bool repro_report_relevant(const struct repro_result *r)
{
	return r && r->state >= REPRO_DONE;
}

void repro_report_pipeline(const struct repro_result *r, FILE *f)
{
	fputs(r->pipeline, f);
	if (r->state == REPRO_DONE)
		fprintf(f, "attached: %d probes in the repro VM\n", r->probes_attached);
}

static void tail(FILE *f, const char *what, const char *text)
{
	if (!text || !*text)
		return;
	fprintf(f, "repro VM %s (last %d lines):\n", what, REPRO_TAIL_LINES);
	for (const char *p = text; *p;) {
		const char *nl = strchrnul(p, '\n');
		fprintf(f, "  %.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

static void event_block(const struct repro_event *e, FILE *f)
{
	fprintf(f, "%+.3fms  %s%s%s  [%s, cpu %d, %s[%d]]\n", (double)e->ts_ns / 1e6, e->func,
		e->loc[0] ? "  " : "", e->loc, e->kind, e->cpu, e->comm, e->pid);
	for (int i = 0; i < e->nfields; i++) {
		const struct repro_field *x = &e->f[i];
		if (x->exit[0])
			fprintf(f, "    %-16s %s \u2192 %s\n", x->name, x->value, x->exit);
		else
			fprintf(f, "    %-16s %s\n", x->name, x->value);
	}
}

void repro_report_body(const struct repro_result *r, FILE *f)
{
	if (!r->primary_reached_workload)
		fprintf(f, "PRIMARY DID NOT REACH WORKLOAD \u2014 auto-repro is not load-bearing (%s)\n",
			r->primary_reason[0] ? r->primary_reason : "the first VM failed before the workload started");
	if (r->state == REPRO_SKIPPED) {
		fprintf(f, "auto-repro skipped: %s\n", r->reason);
		return;
	}
	if (r->state == REPRO_FAILED) {
		fprintf(f, "auto-repro failed: %s\n", r->reason);
		if (r->dir[0])
			fprintf(f, "repro run dir: %s\n", r->dir);
		return;
	}
	if (r->fired && r->nevents) {
		fprintf(f, "=== AUTO-PROBE: scx_exit fired ===\n");
		if (r->exit_kind[0] || r->exit_msg[0])
			fprintf(f, "exit: %s%s%s\n", r->exit_kind, r->exit_kind[0] && r->exit_msg[0] ? ": " : "",
				r->exit_msg);
		if (r->task_pid >= 0)
			fprintf(f, "task: %s[%d] (%d events; times from the exit)\n", r->task_comm, r->task_pid,
				r->nevents);
		for (int i = 0; i < r->nevents; i++)
			event_block(&r->ev[i], f);
		fprintf(f, "probes: %d attached; events: %llu seen, %llu sent, %llu dropped\n",
			r->probes_attached, (unsigned long long)r->events_seen,
			(unsigned long long)r->events_sent, (unsigned long long)r->events_dropped);
	}
	fprintf(f, "repro VM duration: %.1fs\n", (double)r->duration_ms / 1000.0);
	tail(f, "scheduler log", r->sched_tail);
	tail(f, "sched_ext dump", r->dump_tail);
	tail(f, "dmesg", r->dmesg_tail);
	if (!r->fired || !r->nevents) {
		if (!r->reproduced)
			fprintf(f, "no probe data: the failure did not reproduce in the repro VM (its "
				"scheduler ran to the end without an exit)\n");
		else if (r->fired)
			fprintf(f, "no probe data: the failure reproduced and the trigger fired, but no "
				"event of %s[%d] was captured\n", r->task_comm, r->task_pid);
		else
			fprintf(f, "no probe data: the failure reproduced (%s) but the trigger did not "
				"fire\n", r->exit_msg[0] ? r->exit_msg : "the scheduler exited");
	}
	if (r->dir[0])
		fprintf(f, "repro run dir: %s\n", r->dir);
}
