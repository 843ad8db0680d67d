/* Unit tests for the guest's pure parts: the JSON line writer, CPU lists, the normalized
 * scenario parser, kernel log / trace parsing, the line splitter, and the work loops
 * themselves (forked workers over a MAP_SHARED slot, as in the guest). */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest/gcpu.h"
#include "guest/gjson.h"
#include "guest/gline.h"
#include "guest/gscn.h"
#include "guest/gutil.h"
#include "guest/gwork.h"

static json_t *parse_line(const struct gjson *j)
{
	cr_assert(j->len > 0 && j->buf[j->len - 1] == '\n', "line must end in a newline: %s", j->buf);
	cr_assert(j->len <= KTSTR_LINE_MAX, "line of %zu bytes exceeds KTSTR_LINE_MAX", j->len);
	json_error_t e;
	json_t *o = json_loadb(j->buf, j->len - 1, 0, &e);
	cr_assert(o, "line does not parse (%s): %s", e.text, j->buf);
	return o;
}

Test(guest_json, escapes_quotes_backslash_and_control_bytes)
{
	char out[128];
	gjson_escape(out, sizeof(out), "a\"b\\c\nd\te\x01" "f", 11, NULL);
	cr_assert_str_eq(out, "a\\\"b\\\\c\\nd\\te\\u0001f");
}

Test(guest_json, invalid_utf8_becomes_question_mark_and_valid_utf8_stays)
{
	char out[128];
	const char in[] = "\xc3\xa9|\xff|\xc3|\xe2\x82\xac|\xed\xa0\x80|\xf0\x9f\x98\x80";
	gjson_escape(out, sizeof(out), in, sizeof(in) - 1, NULL);
	cr_assert_str_eq(out, "\xc3\xa9|?|?|\xe2\x82\xac|???|\xf0\x9f\x98\x80");
}

Test(guest_json, nul_byte_becomes_question_mark)
{
	char out[16];
	gjson_escape(out, sizeof(out), "a\0b", 3, NULL);
	cr_assert_str_eq(out, "a?b");
}

Test(guest_json, escape_never_splits_an_escape_sequence)
{
	char out[4];
	size_t used;
	size_t n = gjson_escape(out, sizeof(out), "ab\n", 3, &used);
	cr_assert_eq(n, 2, "wrote %zu", n);
	cr_assert_eq(used, 2);
	cr_assert_str_eq(out, "ab");
}

Test(guest_json, message_line_has_type_timestamp_and_nested_values)
{
	struct gjson j;
	gjson_begin(&j, "sample", 42);
	gjson_int(&j, "elapsed_ms", 200);
	gjson_arr_open(&j, "workers");
	for (int i = 0; i < 2; i++) {
		gjson_obj_open(&j, NULL);
		gjson_int(&j, "tid", 100 + i);
		gjson_dbl(&j, "max_gap_ms", 1.5);
		gjson_obj_close(&j);
	}
	gjson_arr_close(&j);
	gjson_bool(&j, "ok", true);
	gjson_null(&j, "n");
	cr_assert_eq(gjson_end(&j), 0);
	json_t *o = parse_line(&j);
	cr_assert_str_eq(json_string_value(json_object_get(o, "t")), "sample");
	cr_assert_eq(json_integer_value(json_object_get(o, "ts_ns")), 42);
	json_t *w = json_object_get(o, "workers");
	cr_assert_eq(json_array_size(w), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(w, 1), "tid")), 101);
	cr_assert_float_eq(json_number_value(json_object_get(json_array_get(w, 0), "max_gap_ms")), 1.5, 1e-9);
	cr_assert(json_is_true(json_object_get(o, "ok")));
	json_decref(o);
}

Test(guest_json, long_string_is_truncated_and_line_stays_valid)
{
	size_t n = 3 * KTSTR_LINE_MAX;
	char *big = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = i % 7 == 0 ? '"' : 'x';
	big[n] = 0;
	struct gjson j;
	gjson_begin(&j, "log", 1);
	gjson_str(&j, "line", big);
	gjson_str(&j, "src", "sched");
	cr_assert_eq(gjson_end(&j), 0);
	json_t *o = parse_line(&j);
	cr_assert_str_eq(json_string_value(json_object_get(o, "src")), "sched");
	cr_assert(strlen(json_string_value(json_object_get(o, "line"))) > KTSTR_LINE_MAX / 2);
	json_decref(o);
	free(big);
}

Test(guest_json, too_many_members_report_overflow_instead_of_a_broken_line)
{
	struct gjson j;
	gjson_begin(&j, "topo", 1);
	gjson_arr_open(&j, "cpus");
	for (int i = 0; i < 5000; i++)
		gjson_int(&j, NULL, 100000 + i);
	gjson_arr_close(&j);
	cr_assert_eq(gjson_end(&j), -E2BIG);
}

Test(guest_json, random_bytes_always_give_a_parsable_line)
{
	unsigned seed = 12345;
	char in[512];
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(rand_r(&seed) % sizeof(in));
		for (size_t i = 0; i < n; i++)
			in[i] = (char)(rand_r(&seed) & 0xff);
		struct gjson j;
		gjson_begin(&j, "log", round);
		gjson_strn(&j, "line", in, n);
		cr_assert_eq(gjson_end(&j), 0);
		json_t *o = parse_line(&j);
		json_decref(o);
	}
}

Test(guest_cpulist, parses_ranges_and_singles)
{
	uint64_t m[GCPU_WORDS];
	cr_assert_eq(gcpu_parse("0-3,5\n", m), 5);
	cr_assert_eq(m[0], 0x2fULL);
	cr_assert_eq(gcpu_parse("64,130-131", m), 3);
	cr_assert(gcpu_isset(m, 64) && gcpu_isset(m, 130) && gcpu_isset(m, 131) && !gcpu_isset(m, 0));
	cr_assert_eq(gcpu_parse("", m), 0);
	cr_assert_eq(gcpu_parse("\n", m), 0);
	cr_assert_eq(gcpu_parse("1,1,0-1", m), 2, "duplicates count once");
}

Test(guest_cpulist, rejects_what_is_not_a_cpu_list)
{
	uint64_t m[GCPU_WORDS];
	const char *bad[] = { "3-1", "a", "1,", "0-", "-1", "999", "0-3x", "1 2", ",0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(gcpu_parse(bad[i], m), -EINVAL, "'%s' accepted", bad[i]);
}

Test(guest_cpulist, formats_in_range_form_and_round_trips)
{
	uint64_t m[GCPU_WORDS], m2[GCPU_WORDS];
	char out[256];
	gcpu_parse("0-3,5,7-8,63-65", m);
	gcpu_format(m, out, sizeof(out));
	cr_assert_str_eq(out, "0-3,5,7-8,63-65");
	cr_assert_eq(gcpu_parse(out, m2), 10);
	cr_assert_eq(memcmp(m, m2, sizeof(m)), 0);
	memset(m, 0, sizeof(m));
	gcpu_format(m, out, sizeof(out));
	cr_assert_str_eq(out, "");
}

static const char *good_scn =
	"{\"name\":\"two\",\"duration_ms\":3000,\"steps\":1,"
	"\"cgroups\":[{\"name\":\"cg_spin\",\"workers\":2,\"work\":\"SpinWait\",\"cpuset\":\"0-1\"},"
	"{\"name\":\"cg_pipe\",\"workers\":2,\"work\":\"PipeIo\"}],"
	"\"scheduler\":{\"path\":\"/ktstr/sched/bin\",\"args\":[\"--verbose\",\"-x\"],\"name\":\"scx_simple\"},"
	"\"future_key\":1}";

Test(guest_scenario, parses_the_normalized_form)
{
	static struct gscn s;
	char err[512] = "";
	cr_assert_eq(gscn_parse(good_scn, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(s.name, "two");
	cr_assert_eq(s.duration_ms, 3000);
	cr_assert_eq(s.ncg, 2);
	cr_assert_str_eq(s.cg[0].cpuset, "0-1");
	cr_assert_eq(s.cg[1].work, WORK_PIPE_IO);
	cr_assert_eq(s.cg[1].workers, 2);
	cr_assert(s.has_sched);
	cr_assert_str_eq(s.sched_path, "/ktstr/sched/bin");
	cr_assert_str_eq(s.sched_name, "scx_simple");
	cr_assert_eq(s.nargs, 2);
	cr_assert_str_eq(s.sched_args[1], "-x");
}

Test(guest_scenario, null_scheduler_means_eevdf)
{
	static struct gscn s;
	char err[512];
	cr_assert_eq(gscn_parse("{\"duration_ms\":10,\"cgroups\":[],\"scheduler\":null}", &s, err,
				sizeof(err)), 0, "%s", err);
	cr_assert(!s.has_sched);
	cr_assert_eq(s.steps, 1);
}

Test(guest_scenario, grouped_count_not_divisible_gives_the_seed_message)
{
	static struct gscn s;
	char err[512];
	cr_assert_eq(gscn_parse("{\"duration_ms\":10,\"cgroups\":[{\"name\":\"cg_0\",\"workers\":3,"
				"\"work\":\"PipeIo\"}]}", &s, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "PipeIo (group 0) requires num_workers divisible by 2, got 3");
	cr_assert_eq(gscn_parse("{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"workers\":1},"
				"{\"name\":\"b\",\"workers\":5,\"work\":\"FutexPingPong\"}]}", &s, err,
				sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "FutexPingPong (group 1) requires num_workers divisible by 2, got 5");
}

Test(guest_scenario, unknown_work_names_it_and_lists_implemented_io_types_parse)
{
	static struct gscn s;
	char err[512];
	cr_assert_eq(gscn_parse("{\"duration_ms\":10,\"cgroups\":[{\"name\":\"cg_0\",\"work\":\"Spinwait\"}]}",
			       &s, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "'Spinwait'") && strstr(err, "unknown"), "%s", err);
	cr_assert(strstr(err, "SpinWait, Mixed, Bursty, IoSyncWrite, IoRandRead, IoConvoy, YieldHeavy, "
			 "PipeIo, FutexPingPong"), "%s", err);
	cr_assert_eq(gscn_parse("{\"duration_ms\":10,\"cgroups\":[{\"name\":\"cg_0\",\"work\":\"IoConvoy\"}]}",
			       &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.cg[0].work, WORK_IO_CONVOY);
}

Test(guest_scenario, rejects_bad_input_without_crashing)
{
	static struct gscn s;
	char err[512];
	const char *bad[] = {
		"", "[]", "{", "{\"duration_ms\":0}", "{\"duration_ms\":\"5\"}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"../x\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a/b\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\"},{\"name\":\"a\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"cpuset\":\"0-\"}]}",
		"{\"duration_ms\":10,\"cgroups\":[{\"name\":\"a\",\"workers\":-1}]}",
		"{\"duration_ms\":10,\"scheduler\":{\"args\":[]}}",
		"{\"duration_ms\":10,\"scheduler\":{\"path\":\"/x\",\"args\":[1]}}",
		"{\"duration_ms\":10,\"steps\":0}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		cr_assert_eq(gscn_parse(bad[i], &s, err, sizeof(err)), -EINVAL, "accepted: %s", bad[i]);
		cr_assert(err[0], "no message for: %s", bad[i]);
	}
}

Test(guest_kmsg, record_text_and_disabled_line)
{
	char rec[] = "3,1234,5678901,-;sched_ext: BPF scheduler \"scx_x\" disabled (runtime error)\n SUBSYSTEM=x\n";
	char *t = gutil_kmsg_text(rec);
	cr_assert_str_eq(t, "sched_ext: BPF scheduler \"scx_x\" disabled (runtime error)");
	char name[64], kind[64];
	cr_assert(gutil_scx_disabled_line(t, name, sizeof(name), kind, sizeof(kind)));
	cr_assert_str_eq(name, "scx_x");
	cr_assert_str_eq(kind, "runtime error");
	cr_assert(!gutil_scx_disabled_line("sched_ext: BPF scheduler \"scx_x\" enabled", name,
					   sizeof(name), kind, sizeof(kind)));
	char bad[] = "no semicolon";
	cr_assert_null(gutil_kmsg_text(bad));
}

Test(guest_trace, dump_text_after_the_event_name)
{
	cr_assert_str_eq(gutil_trace_dump_text("  kworker/0:1-12 [000] d..1. 12.5: sched_ext_dump: CPU 0 : nr_run=1"),
			 "CPU 0 : nr_run=1");
	cr_assert_str_eq(gutil_trace_dump_text("plain"), "plain");
}

Test(guest_cmdline, finds_keys_and_values)
{
	char v[32];
	const char *c = "console=ttyS0 ktstr.mode=shell ktstr.rows=50\n";
	cr_assert(gutil_cmdline_get(c, "ktstr.mode", v, sizeof(v)));
	cr_assert_str_eq(v, "shell");
	cr_assert(gutil_cmdline_get(c, "ktstr.rows", v, sizeof(v)));
	cr_assert_str_eq(v, "50");
	cr_assert(!gutil_cmdline_get(c, "ktstr.cols", v, sizeof(v)));
	cr_assert(!gutil_cmdline_get("xktstr.mode=shell", "ktstr.mode", v, sizeof(v)));
}

struct lines { char got[8][GLINE_MAX + 1]; bool cut[8]; int n; };
static void collect(const char *l, bool cut, void *ctx)
{
	struct lines *L = ctx;
	if (L->n < 8) {
		snprintf(L->got[L->n], sizeof(L->got[0]), "%s", l);
		L->cut[L->n++] = cut;
	}
}

Test(guest_lines, splits_chunks_drops_cr_and_cuts_long_lines)
{
	static struct gline gl;
	static struct lines L;
	gline_feed(&gl, "ab", 2, collect, &L);
	gline_feed(&gl, "c\r\nd\n", 5, collect, &L);
	cr_assert_eq(L.n, 2);
	cr_assert_str_eq(L.got[0], "abc");
	cr_assert_str_eq(L.got[1], "d");
	static char big[GLINE_MAX + 100];
	memset(big, 'y', sizeof(big));
	gline_feed(&gl, big, sizeof(big), collect, &L);
	gline_feed(&gl, "\nend", 4, collect, &L);
	gline_flush(&gl, collect, &L);
	cr_assert_eq(L.n, 4);
	cr_assert(L.cut[2]);
	cr_assert_eq(strlen(L.got[2]), GLINE_MAX);
	cr_assert_str_eq(L.got[3], "end");
}

/* ---- work loops: forked workers over shared memory, as in the guest ---------------- */

struct shared {
	int64_t t0;
	volatile sig_atomic_t stop;
	struct gwork_slot slot[2];
};

static void run_workers(int work, int n, struct shared *sh)
{
	int pa[2], pb[2];
	pid_t pids[2];
	cr_assert_eq(pipe(pa), 0);
	cr_assert_eq(pipe(pb), 0);
	sh->t0 = gutil_now_ns();
	for (int i = 0; i < n; i++) {
		struct gwork_ctx c = { .work = work, .role = i, .rfd = i ? pa[0] : pb[0],
				       .wfd = i ? pb[1] : pa[1], .futex = &sh->slot[0].futex,
				       .group = &sh->slot[0], .group_size = 2,
				       .slot = &sh->slot[i], .t0_ns = &sh->t0, .stop = &sh->stop };
		pids[i] = fork();
		cr_assert(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(gwork_run(&c) ? 1 : 0);
	}
	/* 300 ms of work from the moment every worker is going: a loaded machine may start a
	 * fresh fork late, and its wall time must not come up short of what the test asks. */
	for (int t = 0; t < 10000; t++) {
		int going = 0;
		for (int i = 0; i < n; i++)
			going += __atomic_load_n(&sh->slot[i].iters, __ATOMIC_RELAXED) > 0;
		if (going == n)
			break;
		usleep(1000);
	}
	usleep(300 * 1000);
	sh->stop = 1;
	for (int i = 0; i < n; i++) {
		int st;
		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d status %d", i, st);
	}
	close(pa[0]), close(pa[1]), close(pb[0]), close(pb[1]);
}

static struct shared *new_shared(void)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	return sh;
}

Test(guest_work, spin_wait_meters_iterations_cpu_time_and_cpus)
{
	struct shared *sh = new_shared();
	run_workers(WORK_SPIN_WAIT, 1, sh);
	struct gwork_slot *s = &sh->slot[0];
	cr_assert_eq(s->done, 1);
	cr_assert_gt(s->iters, 10);
	cr_assert_gt(s->cpu_ns, 10 * 1000000ull, "cpu_ns %llu", (unsigned long long)s->cpu_ns);
	cr_assert_geq(s->wall_ns, 250 * 1000000ull, "wall_ns %llu", (unsigned long long)s->wall_ns);
	cr_assert_leq(s->cpu_ns, s->wall_ns + 5000000ull);
	cr_assert_gt(s->max_gap_ns, 0);
	cr_assert_geq(s->cpu, 0);
	cr_assert(gcpu_isset(s->cpus, s->cpu));
}

Test(guest_work, pipe_io_pair_advances_in_lockstep)
{
	struct shared *sh = new_shared();
	run_workers(WORK_PIPE_IO, 2, sh);
	cr_assert_eq(sh->slot[0].done, 1);
	cr_assert_eq(sh->slot[1].done, 1);
	cr_assert_gt(sh->slot[0].iters, 5);
	long d = (long)sh->slot[0].iters - (long)sh->slot[1].iters;
	cr_assert(d >= -1 && d <= 1, "pair iterations %llu vs %llu",
		  (unsigned long long)sh->slot[0].iters, (unsigned long long)sh->slot[1].iters);
	/* Each exchange is a wake the reader measured from its partner's stamp. */
	for (int i = 0; i < 2; i++) {
		const struct gwake *w = &sh->slot[i].wake;
		cr_assert_geq(w->n + 1, sh->slot[i].iters, "worker %d: %llu wake samples, %llu iters", i,
			      (unsigned long long)w->n, (unsigned long long)sh->slot[i].iters);
		cr_assert_lt(w->sum / (double)w->n, 1e9, "mean wake latency under a second");
	}
	if (!access("/proc/self/schedstat", R_OK))
		cr_assert_geq(sh->slot[0].run_delay_ns, 0, "run delay read from schedstat");
}

Test(guest_work, futex_ping_pong_pair_advances_in_lockstep)
{
	struct shared *sh = new_shared();
	run_workers(WORK_FUTEX_PING_PONG, 2, sh);
	cr_assert_eq(sh->slot[0].done, 1);
	cr_assert_gt(sh->slot[0].iters, 5);
	long d = (long)sh->slot[0].iters - (long)sh->slot[1].iters;
	cr_assert(d >= -1 && d <= 1, "pair iterations %llu vs %llu",
		  (unsigned long long)sh->slot[0].iters, (unsigned long long)sh->slot[1].iters);
	cr_assert_geq(sh->slot[1].wake.n + 1, sh->slot[1].iters, "the turn handed over is a measured wake");
}

Test(guest_work, bursty_sleeps_between_bursts)
{
	struct shared *sh = new_shared();
	run_workers(WORK_BURSTY, 1, sh);
	struct gwork_slot *s = &sh->slot[0];
	cr_assert_eq(s->done, 1);
	/* 300 ms of 50 ms bursts and 100 ms sleeps: 2-3 cycles, well under the wall time. */
	cr_assert(s->iters >= 1 && s->iters <= 4, "iters %llu", (unsigned long long)s->iters);
	cr_assert_lt(s->cpu_ns, s->wall_ns * 3 / 4, "cpu %llu wall %llu",
		     (unsigned long long)s->cpu_ns, (unsigned long long)s->wall_ns);
	cr_assert_geq(s->max_gap_ns, 90 * 1000000ull, "the sleep is a gap");
	/* Each finished sleep is a wake-latency sample (the one cut by stop is not). */
	cr_assert(s->wake.n >= 1 && s->wake.n <= s->iters, "wake samples %llu, iters %llu",
		  (unsigned long long)s->wake.n, (unsigned long long)s->iters);
}

Test(guest_work, yield_heavy_and_mixed_run)
{
	struct shared *sh = new_shared();
	run_workers(WORK_YIELD_HEAVY, 1, sh);
	cr_assert_gt(sh->slot[0].iters, 1000);
	struct shared *sh2 = new_shared();
	run_workers(WORK_MIXED, 1, sh2);
	cr_assert_gt(sh2->slot[0].iters, 10);
	cr_assert_eq(sh2->slot[0].done, 1);
}
