/* Unit tests for the guest's churn and pressure work types (guest/gwork_churn.c): the pure
 * helpers, then each type run for real in forked workers over MAP_SHARED slots, as in the
 * guest, checking its iterations and its own figure. */
#include <criterion/criterion.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest/gutil.h"
#include "guest/gwork.h"
#include "guest/gwork_churn.h"
#include "guest/work_types.h"

Test(guest_churn, xorshift_is_deterministic_and_never_zero)
{
	uint64_t a = 42, b = 42;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = gchurn_xorshift(&a);
		cr_assert_eq(x, gchurn_xorshift(&b));
		cr_assert_neq(x, 0);
	}
}

Test(guest_churn, cache_pass_touches_one_word_per_stride)
{
	uint64_t buf[64] = { 0 };
	cr_assert_eq(gchurn_cache_pass(buf, 64, 64), 8, "64 words, a line is 8 of them");
	for (int i = 0; i < 64; i++)
		cr_assert_eq(buf[i], i % 8 == 0 ? 1u : 0u, "word %d: %llu", i, (unsigned long long)buf[i]);
	cr_assert_eq(gchurn_cache_pass(buf, 64, 0), 64, "a zero stride still advances");
}

Test(guest_churn, matmul_multiplies_and_stops)
{
	uint64_t a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 }, c[4];
	cr_assert(gchurn_matmul(a, b, c, 2, NULL));
	cr_assert_eq(c[0], 19);
	cr_assert_eq(c[1], 22);
	cr_assert_eq(c[2], 43);
	cr_assert_eq(c[3], 50);
	volatile sig_atomic_t stop = 1;
	cr_assert_not(gchurn_matmul(a, b, c, 2, &stop));
	/* 256 KiB hold three 104 x 104 u64 matrices, not three 105 x 105. */
	cr_assert_eq(gchurn_matrix_order(256), 104);
}

Test(guest_churn, nice_sweeps_minus20_to_19_and_skips_negatives_without_cap)
{
	cr_assert_eq(gchurn_next_nice(19, true), -20);
	cr_assert_eq(gchurn_next_nice(-20, true), -19);
	cr_assert_eq(gchurn_next_nice(5, true), 6);
	cr_assert_eq(gchurn_next_nice(19, false), 0);
	cr_assert_eq(gchurn_next_nice(0, false), 1);
}

Test(guest_churn, policy_rotates_other_batch_idle_ext)
{
	int i = 0;
	const char *want[] = { "SCHED_BATCH", "SCHED_IDLE", "SCHED_EXT", "SCHED_OTHER" };
	for (int k = 0; k < 4; k++) {
		i = gchurn_next_policy(i, true);
		cr_assert_str_eq(gchurn_policy_name(i), want[k]);
	}
	cr_assert_eq(gchurn_policy_of(gchurn_next_policy(2, false)), SCHED_OTHER, "no EXT: IDLE -> OTHER");
	cr_assert_eq(gchurn_policy_of(3), 7, "SCHED_EXT is 7");
}

Test(guest_churn, pick_cpu_takes_the_rth_set_cpu)
{
	uint64_t m[GCPU_WORDS] = { 0 };
	cr_assert_eq(gchurn_pick_cpu(m, 3), -1);
	gcpu_set(m, 2);
	gcpu_set(m, 70);
	cr_assert_eq(gchurn_pick_cpu(m, 0), 2);
	cr_assert_eq(gchurn_pick_cpu(m, 1), 70);
	cr_assert_eq(gchurn_pick_cpu(m, 5), 70);
}

/* ---- each type for real: n forked workers of one group ----------------------------- */

struct shared {
	int64_t t0;
	volatile sig_atomic_t stop;
	struct gwork_slot slot[5];
};

static struct shared *run_group(int work, int n)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	int pa[2], pb[2];
	pid_t pids[5];
	cr_assert_eq(pipe(pa), 0);
	cr_assert_eq(pipe(pb), 0);
	sh->t0 = gutil_now_ns();
	for (int i = 0; i < n; i++) {
		struct gwork_ctx c = { .work = work, .role = i, .rfd = i ? pa[0] : pb[0],
				       .wfd = i ? pb[1] : pa[1], .futex = &sh->slot[0].futex,
				       .group = &sh->slot[0], .group_size = n,
				       .slot = &sh->slot[i], .t0_ns = &sh->t0, .stop = &sh->stop };
		pids[i] = fork();
		cr_assert(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(gwork_run(&c) ? 1 : 0);
	}
	usleep(400 * 1000);
	sh->stop = 1;
	for (int i = 0; i < n; i++) {
		int st;
		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s worker %d status %d",
			  work_type_name(work), i, st);
		cr_assert_eq(sh->slot[i].done, 1, "%s worker %d not done", work_type_name(work), i);
	}
	close(pa[0]), close(pa[1]), close(pb[0]), close(pb[1]);
	return sh;
}

static void expect_progress(int work, int n, int first, uint64_t min_figure)
{
	struct shared *sh = run_group(work, n);
	for (int i = first; i < n; i++) {
		cr_assert_gt(sh->slot[i].iters, 0, "%s worker %d made no iteration", work_type_name(work), i);
		cr_assert_geq(sh->slot[i].figure, min_figure, "%s worker %d: %s %llu < %llu",
			      work_type_name(work), i, work_type_figure(work),
			      (unsigned long long)sh->slot[i].figure, (unsigned long long)min_figure);
	}
	munmap(sh, sizeof(*sh));
}

Test(guest_churn, fork_exit_forks)
{
	expect_progress(WORK_FORK_EXIT, 1, 0, 2);
}

Test(guest_churn, nice_sweep_changes_nice_and_puts_it_back)
{
	expect_progress(WORK_NICE_SWEEP, 1, 0, 2);
}

Test(guest_churn, affinity_churn_sets_affinity)
{
	expect_progress(WORK_AFFINITY_CHURN, 1, 0, 2);
}

Test(guest_churn, policy_churn_changes_policy)
{
	expect_progress(WORK_POLICY_CHURN, 1, 0, 2);
}

Test(guest_churn, page_fault_churn_faults)
{
	/* One cycle write-faults up to 256 pages. */
	expect_progress(WORK_PAGE_FAULT_CHURN, 1, 0, 100);
}

Test(guest_churn, mutex_contention_every_contender_acquires)
{
	expect_progress(WORK_MUTEX_CONTENTION, 4, 0, 1);
}

Test(guest_churn, cache_types_touch_lines)
{
	expect_progress(WORK_CACHE_PRESSURE, 1, 0, 512);
	expect_progress(WORK_CACHE_YIELD, 1, 0, 512);
	expect_progress(WORK_CACHE_PIPE, 2, 0, 512);
}

Test(guest_churn, futex_fan_out_wakes_every_receiver)
{
	expect_progress(WORK_FUTEX_FAN_OUT, 5, 0, 1);
}

Test(guest_churn, fan_out_compute_receivers_multiply)
{
	struct shared *sh = run_group(WORK_FAN_OUT_COMPUTE, 5);
	cr_assert_gt(sh->slot[0].iters, 0, "the messenger dispatched no round");
	cr_assert_eq(sh->slot[0].figure, 0, "the messenger does no multiply");
	for (int i = 1; i < 5; i++)
		cr_assert_geq(sh->slot[i].figure, (uint64_t)work_param_get(WORK_FAN_OUT_COMPUTE, NULL, "operations"), "receiver %d: %llu multiplies", i,
			      (unsigned long long)sh->slot[i].figure);
	munmap(sh, sizeof(*sh));
}
