/* The Kernels pane's build progress model (views/model_kbuild.c): EV_KERNEL_BUILD's
 * "label: done/total" steps and status lines, and the numbers beside the bar. */
#include <criterion/criterion.h>
#include <string.h>

#include "views/model.h"

Test(views_kbuild, label_is_the_text_before_the_last_colon)
{
	struct kbm m;
	kbm_start(&m, "fetching 6.14.2 from kernel.org and building it");
	cr_expect(m.running);
	cr_expect_str_eq(m.what, "fetching 6.14.2 from kernel.org and building it");
	cr_expect_str_eq(m.label, "");
	kbm_event(&m, true, "build: compile: 3/7", 3, 7);
	cr_expect_str_eq(m.label, "build: compile");
	cr_expect_eq(m.done, 3);
	cr_expect_eq(m.total, 7);
	kbm_event(&m, false, "build: link vmlinux", 0, 0);
	cr_expect_str_eq(m.status, "build: link vmlinux");
	cr_expect_str_eq(m.label, "build: compile", "a status line keeps the phase");
	kbm_end(&m);
	cr_expect_not(m.running);
}

Test(views_kbuild, progress_text_in_bytes_or_steps)
{
	struct kbm m;
	char buf[64];
	kbm_start(&m, "x");
	kbm_progress_text(&m, buf, sizeof(buf));
	cr_expect_str_eq(buf, "", "nothing before the first step");
	kbm_event(&m, true, "download linux-6.14.2.tar.xz: 12897484/28311552", 12897484, 28311552);
	kbm_progress_text(&m, buf, sizeof(buf));
	cr_expect_str_eq(buf, "45%  12.3/27.0 MB");
	kbm_event(&m, true, "download linux-6.14.2.tar.xz: 1048576/0", 1048576, 0);
	kbm_progress_text(&m, buf, sizeof(buf));
	cr_expect_str_eq(buf, "1.0 MB");
	cr_expect(kbm_frac(&m) < 0, "unknown total: no fraction");
	kbm_event(&m, true, "build: compile: 3/7", 3, 7);
	kbm_progress_text(&m, buf, sizeof(buf));
	cr_expect_str_eq(buf, "42%  3/7");
	kbm_event(&m, true, "build: compile: 9/7", 9, 7);
	cr_expect_float_eq(kbm_frac(&m), 1.0, 1e-9, "held at 100%%");
	kbm_event(&m, true, "build: compile: 40/0", 40, 0);
	kbm_progress_text(&m, buf, sizeof(buf));
	cr_expect_str_eq(buf, "40 steps");
}
