/* `ktstr run SCENARIO`: one run through the engine, progress on stderr, the report (or
 * one JSON object) on stdout, and an exit code scripts can rely on. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/kernels.h"
#include "engine/report.h"

static void usage(void)
{
	fputs("usage: ktstr run SCENARIO.json... [--json] [--kernel SPEC]... [--scheduler NAME|PATH]\n"
	      "                 [--topo NxLxCxT|PRESET] [--duration-ms N] [--accel kvm|tcg]\n"
	      "                 [--runs-dir DIR] [--kernel-arg ARG]... [--perf-mode|--no-perf-mode]\n"
	      "                 [--no-auto-repro] [--no-snapshot] [-v] [-- SCHEDULER ARGS]\n"
	      "  --kernel SPEC    a cache key, image or build tree, a version (6.14.2, 6.14, 6.15-rc3:\n"
	      "                   downloaded and built when not cached) or a range 6.12..6.14;\n"
	      "                   repeat it to run every scenario once per kernel\n"
	      "  --perf-mode      performance mode for every scenario (hugepage RAM, pinned vCPUs)\n"
	      "  --no-perf-mode   no performance mode; performance_mode scenarios are skipped\n"
	      "                   (same as KTSTR_NO_PERF_MODE=1)\n"
	      "  --no-auto-repro  no second VM with BPF probes after a scheduler failure\n"
	      "                   (same as KTSTR_NO_AUTO_REPRO=1; see docs/auto-repro.md)\n"
	      "  --no-snapshot    boot cold, neither restore nor save a snapshot\n"
	      "                   (same as KTSTR_NO_SNAPSHOT=1; see docs/snapshot.md)\n",
	      stderr);
}

static void set_scheduler(struct scenario *s, const char *spec, int nargs, char **args)
{
	for (int i = 0; i < s->sched.nargs; i++)
		free(s->sched.args[i]);
	s->sched.nargs = 0;
	if (!strcmp(spec, "eevdf"))
		s->sched.kind = SCHED_EEVDF;
	else
		s->sched.kind = strchr(spec, '/') ? SCHED_PATH : SCHED_NAME;
	snprintf(s->sched.spec, sizeof(s->sched.spec), "%s", spec);
	for (int i = 0; i < nargs && i < SCN_MAX_SCHED_ARGS; i++)
		s->sched.args[s->sched.nargs++] = strdup(args[i]);
}

static void progress(struct run *r, const struct engine_event *ev, bool verbose,
		     enum run_state *last_state, bool *last_accel)
{
	run_lock(r);
	switch (ev->type) {
	case EV_STATE:
		if (r->state == *last_state && !(r->state == RUN_BOOTING && !*last_accel && r->accel[0]))
			break;
		*last_state = r->state;
		*last_accel = r->accel[0] != 0;
		if (r->state == RUN_BOOTING && r->accel[0])
			fprintf(stderr, "ktstr: booting %s (accel=%s, %d vcpus, %d MiB), scheduler %s\n",
				r->kernel_version[0] ? r->kernel_version : r->kernel_key, r->accel,
				scn_topo_cpus(&r->scn.topo), r->scn.memory_mb, r->sched_label);
		else if (r->state == RUN_RUNNING)
			fprintf(stderr, "ktstr: running '%s' for %d ms\n", r->scn.name, r->scn.duration_ms);
		break;
	case EV_BOOT:
		if (ev->text)
			fprintf(stderr, "%s\n", ev->text);
		else if (r->restored)
			fprintf(stderr, "ktstr: guest ready after %lld ms (restored from snapshot)\n",
				(long long)r->sys_rdy_ms);
		else
			fprintf(stderr, "ktstr: guest ready after %lld ms (kernel %lld ms)\n",
				(long long)r->sys_rdy_ms, (long long)r->kernel_boot_ms);
		break;
	case EV_LOG:
		if (verbose && ev->text)
			fprintf(stderr, "  | %s\n", ev->text);
		break;
	default:
		break;
	}
	run_unlock(r);
}

#define RUN_MAX_KERNELS 16

struct kernel_pick {
	char key[4096];
	char version[128];
};

/* What a suite of scenarios saw, for the closing summary. */
struct suite_tally {
	int passed, failed, errors;
	int expect_err_total, expect_err_passed;
	bool any_attached;
};

/* Runs one scenario to its end and prints its report. Returns its exit code. */
static int run_one(struct run_request *req, bool json, bool verbose, bool auto_repro,
		   struct suite_tally *t)
{
	char err[4096];
	struct engine *e = engine_new();
	if (!e) {
		cli_error("cannot start the engine (out of memory or file descriptors)");
		t->errors++;
		return 3;
	}
	struct run *run = NULL;
	int src = engine_start(e, req, &run, err, sizeof(err));
	if (src) {
		cli_error("%s", err);
		engine_free(e);
		t->errors++;
		return src == -EINVAL || src == -ENOENT ? 2 : 3;
	}
	bool finished = false, last_accel = false;
	enum run_state last_state = RUN_PENDING;
	while (!finished) {
		struct pollfd p = { .fd = engine_event_fd(e), .events = POLLIN };
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			break;
		struct engine_event ev;
		while (engine_next_event(e, &ev)) {
			if (!json || ev.type == EV_BOOT)
				progress(ev.run, &ev, verbose, &last_state, &last_accel);
			if (ev.type == EV_RESULT)
				finished = true;
			engine_event_done(&ev);
		}
	}
	/* The seed's "Scheduler died" next step: a second VM reproduces the crash with probes. */
	if (auto_repro && engine_repro_wanted(run)) {
		if (!json)
			fprintf(stderr, "ktstr: auto-repro: rerunning '%s' in a second VM with BPF probes on "
				"the crash path (--no-auto-repro skips it)\n", run->scn.name);
		if (engine_repro(e, run, err, sizeof(err)))
			fprintf(stderr, "ktstr: auto-repro: %s\n", err);
		else
			cli_repro_wait(e, run, json);
	}
	run_lock(run);
	if (json) {
		char *text = report_json(run);
		if (text) {
			fputs(text, stdout);
			fputc('\n', stdout);
			free(text);
		}
	} else {
		report_text(run, stdout);
	}
	fflush(stdout);
	int rc = run->exit_code;
	if (run->sched_attached)
		t->any_attached = true;
	if (run->scn.expect_err) {
		t->expect_err_total++;
		if (rc == 0)
			t->expect_err_passed++;
	}
	if (rc == 0)
		t->passed++;
	else if (rc == 1)
		t->failed++;
	else
		t->errors++;
	run_unlock(run);
	run_put(run);
	engine_free(e);
	return rc;
}

static void tally_add(struct suite_tally *t, const struct suite_tally *k)
{
	t->passed += k->passed;
	t->failed += k->failed;
	t->errors += k->errors;
	t->expect_err_total += k->expect_err_total;
	t->expect_err_passed += k->expect_err_passed;
	t->any_attached |= k->any_attached;
}

struct picks {
	struct kernel_pick *v;
	int n;
};

static int add_pick(void *ctx, const char *spec, const struct kernel_entry *e)
{
	struct picks *ps = ctx;
	struct kernel_pick *np = realloc(ps->v, (size_t)(ps->n + 1) * sizeof(*np));
	if (!np)
		return 3;
	ps->v = np;
	struct kernel_pick *p = &np[ps->n++];
	/* Cached entries go by key; a path ("path:..." key) keeps its spec. */
	snprintf(p->key, sizeof(p->key), "%s", strncmp(e->key, "path:", 5) ? e->key : spec);
	snprintf(p->version, sizeof(p->version), "%s", e->version[0] ? e->version : spec);
	return 0;
}

/* The kernels of a run: each --kernel SPEC, ranges expanded over kernel.org's releases,
 * versions no entry has downloaded and built. None given: the resolution chain, at run time. */
static int pick_kernels(const char *const *specs, int nspecs, struct kernel_pick **out, int *n)
{
	struct picks ps = { 0 };
	int rc = cli_for_each_kernel(specs, nspecs, add_pick, &ps);
	*out = ps.v;
	*n = ps.n;
	return rc;
}

/* The seed's warning: expect_err inverts a load failure into a pass, so a suite can look
 * green while no scheduler ever loaded. Say so loudly. */
static void suite_summary(const struct suite_tally *t, int n)
{
	fprintf(stderr, "ktstr: suite: %d scenarios, %d passed, %d failed, %d errors\n", n, t->passed,
		t->failed, t->errors);
	if (t->expect_err_total > 0 && t->expect_err_passed == t->expect_err_total && !t->any_attached)
		fprintf(stderr,
			"ktstr: WARNING: all %d expect_err scenarios \"passed\" but no scheduler ever attached in "
			"this suite. expect_err inverts a load failure into a pass, so this suite can look green "
			"with zero schedulers loaded. Check the kernel's BTF before trusting the run: "
			"`ktstr kernel check` (see docs/troubleshooting.md#kfunc-btf-mismatch).\n",
			t->expect_err_total);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, 0, 'j' },
		{ "kernel", required_argument, 0, 'k' },
		{ "scheduler", required_argument, 0, 's' },
		{ "topo", required_argument, 0, 't' },
		{ "duration-ms", required_argument, 0, 'd' },
		{ "accel", required_argument, 0, 'a' },
		{ "runs-dir", required_argument, 0, 'r' },
		{ "kernel-arg", required_argument, 0, 'K' },
		{ "verbose", no_argument, 0, 'v' },
		{ "perf-mode", no_argument, 0, 'P' },
		{ "no-perf-mode", no_argument, 0, 'N' },
		{ "no-auto-repro", no_argument, 0, 'R' },
		{ "no-snapshot", no_argument, 0, 'S' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	bool json = false, verbose = false, auto_repro = true, no_snapshot = false;
	const char *kernels[RUN_MAX_KERNELS], *sched = NULL, *topo = NULL, *runs = NULL, *accel = NULL;
	long duration = 0;
	int perf_mode = 0, nkernels = 0; /* run_request.perf_mode */
	char kargs[2048] = "";
	int c;
	/* Scheduler arguments follow "--"; split them off before option parsing. */
	int nsched_args = 0;
	char **sched_args = NULL;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			sched_args = argv + i + 1;
			nsched_args = argc - i - 1;
			argc = i;
			break;
		}
	optind = 1;
	while ((c = getopt_long(argc, argv, "jk:s:t:d:a:r:K:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'k':
			if (nkernels == RUN_MAX_KERNELS) {
				cli_error("--kernel: at most %d kernels in one run", RUN_MAX_KERNELS);
				return 2;
			}
			kernels[nkernels++] = optarg;
			break;
		case 's': sched = optarg; break;
		case 't': topo = optarg; break;
		case 'a': accel = optarg; break;
		case 'r': runs = optarg; break;
		case 'v': verbose = true; break;
		case 'R': auto_repro = false; break;
		case 'S': no_snapshot = true; break;
		case 'P':
		case 'N':
			if (perf_mode && perf_mode != (c == 'P' ? 1 : -1)) {
				cli_error("--perf-mode and --no-perf-mode contradict each other; pass one");
				return 2;
			}
			perf_mode = c == 'P' ? 1 : -1;
			break;
		case 'K':
			if (strlen(kargs) + strlen(optarg) + 2 >= sizeof(kargs)) {
				cli_error("--kernel-arg: command line too long");
				return 2;
			}
			if (kargs[0])
				strcat(kargs, " ");
			strcat(kargs, optarg);
			break;
		case 'd': {
			char *end;
			duration = strtol(optarg, &end, 10);
			if (*end || duration <= 0) {
				cli_error("--duration-ms '%s': expected a positive number of milliseconds", optarg);
				return 2;
			}
			break;
		}
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind >= argc) {
		cli_error("run: missing SCENARIO file (see examples/)");
		usage();
		return 2;
	}
	if (nsched_args > 0 && !sched) {
		cli_error("run: scheduler arguments after -- need --scheduler NAME|PATH");
		return 2;
	}
	int accel_v = accel ? engine_accel_by_name(accel) : 0;
	if (accel_v < 0) {
		cli_error("--accel '%s': expected kvm or tcg", accel);
		return 2;
	}

	/* Every scenario is loaded and validated before the first VM boots: bad input costs
	 * no boot and runs nothing. */
	int nfiles = argc - optind;
	struct run_request *reqs = calloc((size_t)nfiles, sizeof(*reqs));
	if (!reqs)
		return 3;
	int loaded = 0, rc = 2;
	char err[4096];
	for (int i = 0; i < nfiles; i++, loaded++) {
		struct run_request *q = &reqs[i];
		*q = (struct run_request){ .runs_root = runs, .log_events = verbose,
					   .kernel_args = kargs[0] ? kargs : NULL, .accel = accel_v,
					   .perf_mode = perf_mode, .no_snapshot = no_snapshot };
		if (scn_load(argv[optind + i], &q->scn, err, sizeof(err))) {
			cli_error("%s", err);
			goto out;
		}
		if (sched)
			set_scheduler(&q->scn, sched, nsched_args, sched_args);
		if (topo && scn_topo_parse(topo, &q->scn.topo, err, sizeof(err))) {
			cli_error("--topo: %s", err);
			loaded++;
			goto out;
		}
		if (duration)
			q->scn.duration_ms = (int)duration;
		if (scn_validate(&q->scn, err, sizeof(err))) {
			cli_error("%s", err);
			loaded++;
			goto out;
		}
	}

	/* Every kernel is resolved (built when missing) before the first VM boots. */
	struct kernel_pick *picks = NULL;
	int npicks = 0;
	if ((rc = pick_kernels(kernels, nkernels, &picks, &npicks)))
		goto out;
	struct suite_tally t = { 0 };
	for (int k = 0; k < (npicks ? npicks : 1); k++) {
		struct suite_tally kt = { 0 };
		if (npicks > 1)
			fprintf(stderr, "ktstr: kernel %d of %d: %s (%s)\n", k + 1, npicks,
				picks[k].version, picks[k].key);
		for (int i = 0; i < nfiles; i++) {
			reqs[i].kernel_spec = npicks ? picks[k].key : NULL;
			int one = run_one(&reqs[i], json, verbose, auto_repro, &kt);
			if (one > rc) /* the suite's code is its worst scenario's */
				rc = one;
		}
		if (npicks > 1)
			fprintf(stderr, "ktstr: kernel %s (%s): %d passed, %d failed, %d errors\n",
				picks[k].version, picks[k].key, kt.passed, kt.failed, kt.errors);
		tally_add(&t, &kt);
	}
	if (nfiles * (npicks ? npicks : 1) > 1)
		suite_summary(&t, nfiles * (npicks ? npicks : 1));
	free(picks);
out:
	for (int i = 0; i < loaded; i++)
		scn_free(&reqs[i].scn);
	free(reqs);
	return rc;
}
