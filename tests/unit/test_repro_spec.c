/* The probe spec the repro VM gets, built from real captures (tests/fixtures/repro) and the
 * test kernel's BTF: the trigger, the backtrace's kernel functions, every member's caller,
 * and each parameter typed from the kernel's FUNC_PROTO. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/repro/spec.h"
#include "tests/unit/kbtf.h"

static char *fixture(const char *name)
{
	char path[256], *buf = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "tests/fixtures/repro/%s", name);
	cr_assert_eq(fs_read_file(path, 1 << 20, &buf, &len), 0, "%s", path);
	return buf;
}

Test(repro_spec, parameters_are_typed_from_the_kernel_btf)
{
	char a[512];
	repro_spec_args(kbtf(), "do_enqueue_task", a, sizeof(a));
	cr_expect_str_eq(a, " rq:rq p:task enq_flags:val sticky_cpu:val");
	repro_spec_args(kbtf(), "dispatch_enqueue", a, sizeof(a));
	cr_expect_str_eq(a, " sch:ptr rq:rq dsq:dsq p:task enq_flags:val");
	repro_spec_args(kbtf(), "scx_vexit", a, sizeof(a));
	cr_expect(strstr(a, " kind:kind"), "scx_vexit's exit kind is typed: %s", a);
	repro_spec_args(kbtf(), "__scx_exit", a, sizeof(a));
	cr_expect(!strstr(a, "arg"), "the variadic tail is not a parameter: %s", a);
	repro_spec_args(kbtf(), "no_such_function_here", a, sizeof(a));
	cr_expect_str_eq(a, "");
}

Test(repro_spec, an_error_capture_gives_the_trigger_frames_and_callers)
{
	char *con = fixture("error-console.log"), *sch = fixture("error-sched.log"),
	     *dmp = fixture("error-dump.log");
	struct repro_plan p;
	cr_assert_eq(repro_plan_build(con, sch, dmp, kbtf(), &p), 0);
	cr_assert_not_null(p.spec);
	cr_expect(strstr(p.spec, "\ntrigger fexit scx_vexit\n"), "%s", p.spec);
	cr_expect(strstr(p.spec, "\nbackstop scx_disable\n"), "a dying loader's exit: %s", p.spec);
	cr_expect(strstr(p.spec, "\nkprobe do_pick_task_scx backtrace rq:rq"), "%s", p.spec);
	cr_expect(strstr(p.spec, "\ncallbacks\n"), "%s", p.spec);
	cr_expect(strstr(p.spec, "\ncaller enqueue do_enqueue_task rq:rq p:task enq_flags:val sticky_cpu:val\n"),
		  "%s", p.spec);
	cr_expect(strstr(p.spec, "\ncaller dispatch do_pick_task_scx "), "%s", p.spec);
	cr_expect(!strstr(p.spec, "\nfentry "), "callbacks cover the BPF frames: %s", p.spec);
	cr_expect_gt(p.sel.extracted, 0);
	repro_plan_free(&p);
	free(con);
	free(sch);
	free(dmp);
}

Test(repro_spec, a_stall_capture_names_the_stalled_task)
{
	char *con = fixture("stall-console.log"), *sch = fixture("stall-sched.log"),
	     *dmp = fixture("stall-dump.log");
	struct repro_plan p;
	cr_assert_eq(repro_plan_build(con, sch, dmp, kbtf(), &p), 0);
	cr_expect_gt(p.exit.stalled_pid, 0);
	cr_expect_not_null(p.spec);
	repro_plan_free(&p);
	free(con);
	free(sch);
	free(dmp);
}
