/* The progress display (engine/kernel/progress.c) off a terminal: the plain phase lines a
 * log gets (started, 25/50/75%, done/failed) and the callback the TUI gets. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "engine/kernel/progress.h"

static int pfd[2];
static char got[4096];

static void setup(void)
{
	cr_assert_eq(pipe(pfd), 0);
}

static void drain(void)
{
	close(pfd[1]);
	ssize_t n = read(pfd[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
}

TestSuite(progress, .init = setup);

Test(progress, plain_lines_per_quarter_then_done)
{
	struct progress *p = progress_begin(pfd[1], "download linux-6.14.10.tar.xz", 0, "MB");
	cr_assert_not_null(p);
	progress_update(p, 0, 4000000);
	progress_update(p, 1100000, 0);
	progress_update(p, 1200000, 0);   /* still the first quarter: no new line */
	progress_update(p, 3900000, 0);   /* crosses 50 and 75 at once */
	progress_end(p, true);
	drain();
	cr_assert_str_eq(got,
		"ktstr: download linux-6.14.10.tar.xz: started\n"
		"ktstr: download linux-6.14.10.tar.xz: 25% (1.1/4.0 MB)\n"
		"ktstr: download linux-6.14.10.tar.xz: 50% (3.9/4.0 MB)\n"
		"ktstr: download linux-6.14.10.tar.xz: 75% (3.9/4.0 MB)\n"
		"ktstr: download linux-6.14.10.tar.xz: done (4.0/4.0 MB)\n");
}

Test(progress, steps_and_failure)
{
	struct progress *p = progress_begin(pfd[1], "build 6.14.10", 4, "steps");
	progress_update(p, 1, 0);
	progress_end(p, false);
	drain();
	cr_assert_str_eq(got,
		"ktstr: build 6.14.10: started\n"
		"ktstr: build 6.14.10: 25% (1/4)\n"
		"ktstr: build 6.14.10: failed (1/4)\n");
}

struct seen { int calls; uint64_t done, total; char label[64]; };

static void cb(void *ctx, const char *label, uint64_t done, uint64_t total)
{
	struct seen *s = ctx;
	s->calls++;
	s->done = done;
	s->total = total;
	strncpy(s->label, label, sizeof(s->label) - 1);
}

Test(progress, callback_without_output)
{
	struct seen s = { 0 };
	struct progress *p = progress_begin(-1, "extract x", 100, "MB");
	progress_set_cb(p, cb, &s);
	cr_assert_eq(s.calls, 1);
	progress_update(p, 10, 0);
	progress_end(p, true);
	cr_assert_geq(s.calls, 2);
	cr_assert_eq(s.done, 100);
	cr_assert_eq(s.total, 100);
	cr_assert_str_eq(s.label, "extract x");
	progress_update(NULL, 1, 1);   /* NULL is accepted everywhere */
	progress_end(NULL, false);
	drain();
	cr_assert_str_eq(got, "");
}
