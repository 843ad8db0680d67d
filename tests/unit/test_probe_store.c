/* The probe loader's per-task event store (bpf/ktstr_probe_store.c): an event is kept under
 * its current task and its task arguments, a pick is deduplicated and in arrival order,
 * each task keeps its newest STORE_RING, and a pick's cap keeps the newest. */
#include <criterion/criterion.h>
#include <string.h>

#include "bpf/ktstr_probe.h"

static struct kprobe_ev ev(int cur, int task_arg, unsigned long long ts)
{
	struct kprobe_ev e;
	memset(&e, 0, sizeof(e));
	e.rec = KPROBE_REC_EVENT;
	e.pid = cur;
	e.ts = ts;
	if (task_arg) {
		e.nargs = 1;
		e.a[0].v[0] = 0xffff888000001000ull; /* the task pointer */
		e.a[0].v[1] = (unsigned long long)task_arg;
		strcpy(e.a[0].comm, "w");
	}
	return e;
}

Test(probe_store, an_event_is_found_by_its_current_task_and_its_task_argument)
{
	struct store *s = store_new();
	cr_assert(s);
	struct kprobe_ev a = ev(10, 20, 1), b = ev(30, 0, 2), c = ev(20, 0, 3);
	store_add(s, &a);
	store_add(s, &b);
	store_add(s, &c);
	const struct kprobe_ev *out[8];
	int p20[] = { 20 };
	cr_assert_eq(store_pick(s, p20, 1, out, 8), 2);
	cr_expect_eq(out[0]->ts, 1);
	cr_expect_eq(out[1]->ts, 3);
	int both[] = { 20, 10 }; /* a is under both: sent once, order by arrival */
	cr_assert_eq(store_pick(s, both, 2, out, 8), 2);
	cr_expect_eq(out[0]->ts, 1);
	int none[] = { 99 };
	cr_expect_eq(store_pick(s, none, 1, out, 8), 0);
	store_free(s);
}

Test(probe_store, a_task_keeps_its_newest_events_and_a_pick_cap_keeps_the_newest)
{
	struct store *s = store_new();
	for (unsigned long long t = 1; t <= STORE_RING + 10; t++) {
		struct kprobe_ev e = ev(7, 0, t);
		store_add(s, &e);
	}
	static const struct kprobe_ev *out[STORE_RING + 16];
	int p[] = { 7 };
	cr_assert_eq(store_pick(s, p, 1, out, STORE_RING + 16), STORE_RING);
	cr_expect_eq(out[0]->ts, 11);
	cr_expect_eq(out[STORE_RING - 1]->ts, STORE_RING + 10);
	cr_assert_eq(store_pick(s, p, 1, out, 5), 5);
	cr_expect_eq(out[0]->ts, STORE_RING + 6);
	cr_expect_eq(out[4]->ts, STORE_RING + 10);
	store_free(s);
}

Test(probe_store, pid_zero_and_a_full_table_are_not_kept)
{
	struct store *s = store_new();
	struct kprobe_ev idle = ev(0, 0, 1);
	store_add(s, &idle);
	int p0[] = { 0 };
	const struct kprobe_ev *out[4];
	cr_expect_eq(store_pick(s, p0, 1, out, 4), 0);
	for (int pid = 1; pid <= STORE_MAX_RINGS + 5; pid++) {
		struct kprobe_ev e = ev(pid, 0, (unsigned long long)pid);
		store_add(s, &e);
	}
	int late[] = { STORE_MAX_RINGS + 5 }, early[] = { 1 };
	cr_expect_eq(store_pick(s, late, 1, out, 4), 0, "a task past the ring cap is dropped");
	cr_expect_eq(store_pick(s, early, 1, out, 4), 1);
	store_free(s);
}
