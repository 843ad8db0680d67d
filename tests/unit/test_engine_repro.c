/* engine_repro refuses what cannot be reproduced, with the reason, before any VM starts;
 * engine_repro_wanted says when `ktstr run` starts one by itself. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

static struct run *failed_run(enum scn_sched_kind kind)
{
	struct scenario s;
	scn_init_default(&s);
	s.sched.kind = kind;
	snprintf(s.sched.spec, sizeof(s.sched.spec), "%s", kind == SCHED_EEVDF ? "eevdf" : "ktstr_sched");
	struct run *r = run_new(&s);
	cr_assert_not_null(r);
	r->state = RUN_DONE;
	r->result = RESULT_FAIL;
	r->sched_attached = r->sched_died = true;
	return r;
}

static void refused(struct run *r, int want_rc, const char *want)
{
	struct engine *e = engine_new();
	char err[512] = "";
	cr_assert_eq(engine_repro(e, r, err, sizeof(err)), want_rc, "%s", err);
	cr_expect(strstr(err, want), "message was: %s", err);
	cr_expect_null(r->repro, "nothing was started");
	engine_free(e);
	run_put(r);
}

Test(engine_repro, refuses_what_cannot_be_reproduced)
{
	refused(failed_run(SCHED_EEVDF), -EINVAL, "needs a failed run with a scheduler (this one ran EEVDF)");
	struct run *r = failed_run(SCHED_NAME);
	r->result = RESULT_PASS;
	refused(r, -EINVAL, "this one did not fail");
	r = failed_run(SCHED_NAME);
	r->scn.expect_err = true;
	refused(r, -EINVAL, "never runs for expect_err");
	r = failed_run(SCHED_NAME);
	r->state = RUN_RUNNING;
	refused(r, -EINVAL, "has not finished");
	r = failed_run(SCHED_NAME);
	snprintf(r->repro_of, sizeof(r->repro_of), "/somewhere");
	refused(r, -EINVAL, "itself a repro VM");
}

Test(engine_repro, wanted_only_after_a_scheduler_failure)
{
	unsetenv("KTSTR_NO_AUTO_REPRO");
	struct run *r = failed_run(SCHED_NAME);
	cr_expect(engine_repro_wanted(r), "scheduler died");
	r->sched_died = false;
	r->guest_done = true;
	cr_expect_not(engine_repro_wanted(r), "a threshold failure with a live scheduler");
	r->guest_done = false;
	cr_expect(engine_repro_wanted(r), "no result arrived");
	r->sched_attached = false;
	cr_expect_not(engine_repro_wanted(r), "never attached (verifier reject): nothing to probe");
	r->sched_attached = r->sched_died = true;
	setenv("KTSTR_NO_AUTO_REPRO", "1", 1);
	cr_expect_not(engine_repro_wanted(r), "KTSTR_NO_AUTO_REPRO=1");
	setenv("KTSTR_NO_AUTO_REPRO", "0", 1);
	cr_expect(engine_repro_wanted(r), "KTSTR_NO_AUTO_REPRO=0 keeps it on");
	unsetenv("KTSTR_NO_AUTO_REPRO");
	r->scn.expect_err = true;
	cr_expect_not(engine_repro_wanted(r), "expect_err");
	run_put(r);
	r = failed_run(SCHED_EEVDF);
	cr_expect_not(engine_repro_wanted(r), "EEVDF");
	run_put(r);
}
