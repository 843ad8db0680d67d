/* ktstr_sched.c: userspace loader for ktstr_sched and its broken variants (built once per
 * skeleton: -DSKEL_HEADER="x.skel.h" -DSKEL_NAME=x). Loads, attaches through a BPF link so
 * the scheduler dies with this process, prints counters, and injects process faults. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef SKEL_HEADER
#define SKEL_HEADER "ktstr_sched.skel.h"
#define SKEL_NAME ktstr_sched
#endif
#include SKEL_HEADER

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define SKEL_OPEN CAT(SKEL_NAME, __open_opts)
#define SKEL_LOAD CAT(SKEL_NAME, __load)
#define SKEL_DESTROY CAT(SKEL_NAME, __destroy)

/* Not in bookworm's uapi headers (libbpf 1.1 era); values from the kernel's uapi bpf.h:
 * BPF_STRUCT_OPS follows BPF_LSM_CGROUP (43) in enum bpf_attach_type, BPF_F_LINK is
 * map flag bit 13. */
#define KTSTR_BPF_STRUCT_OPS 44
#define KTSTR_BPF_F_LINK (1U << 13)
#ifndef BPF_F_SLEEPABLE
#define BPF_F_SLEEPABLE (1U << 4)
#endif

#define TAG "ktstr_sched"

struct opts {
	unsigned long long error_after_ms, stall_after_ms, exit_after_ms, crash_after_ms;
	unsigned long long spin_after_ms, spin_ms;
	bool pile_on_cpu0, bad_select_cpu, keep_last;
	int stall_pid;
	bool verbose, libbpf_debug, verifier_stats;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static bool libbpf_debug;

/* libbpf's messages, including the full verifier log of a rejected program, go to stderr
 * untouched: the guest forwards them to the host as the scheduler log. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !libbpf_debug)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [--verbose] [--error-after-ms N] [--stall-after-ms N [--stall-pid TID]]\n"
		"          [--exit-after-ms N] [--crash-after-ms N] [--spin-after-ms N [--spin-ms M]]\n"
		"          [--pile-on-cpu0] [--bad-select-cpu] [--keep-last] [--libbpf-debug]\n"
		"          [--verifier-stats]\n"
		"  --verbose            print enqueue/dispatch counters every second\n"
		"  --verifier-stats     print each program's verifier statistics after the load\n"
		"                       (`verifier stats: PROG processed=N states=PEAK/TOTAL ...`)\n"
		"  --error-after-ms N   the BPF side calls scx_bpf_error() after N ms\n"
		"  --stall-after-ms N   stop dispatching user tasks after N ms (watchdog fires)\n"
		"  --stall-pid TID      stall only this task instead of all user tasks\n"
		"  --exit-after-ms N    this process exits after N ms (the scheduler goes with it)\n"
		"  --crash-after-ms N   this process dies of SIGSEGV after N ms\n"
		"  --spin-after-ms N    each CPU's next tick after N ms spins M ms (default 1500) with\n"
		"                       interrupts off and its rq lock held: the guest wedges\n"
		"  --pile-on-cpu0       queue every task free to run anywhere on CPU 0's local DSQ\n"
		"  --bad-select-cpu     ops.select_cpu returns nr_cpus-1-prev_cpu, allowed or not\n"
		"  --keep-last          register without SCX_OPS_ENQ_LAST: the kernel keeps a CPU's\n"
		"                       last task at each slice end (dispatch_keep_last events)\n",
		argv0);
}

static int parse_ull(const char *name, const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, TAG ": %s expects a number of milliseconds, got '%s'\n", name, s);
		return -EINVAL;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "error-after-ms", required_argument, NULL, 'e' },
		{ "stall-after-ms", required_argument, NULL, 's' },
		{ "stall-pid", required_argument, NULL, 'p' },
		{ "exit-after-ms", required_argument, NULL, 'x' },
		{ "crash-after-ms", required_argument, NULL, 'c' },
		{ "spin-after-ms", required_argument, NULL, 'S' },
		{ "spin-ms", required_argument, NULL, 'M' },
		{ "pile-on-cpu0", no_argument, NULL, '0' },
		{ "bad-select-cpu", no_argument, NULL, 'B' },
		{ "keep-last", no_argument, NULL, 'K' },
		{ "libbpf-debug", no_argument, NULL, 'd' },
		{ "verifier-stats", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long pid;
	int c;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': o->verbose = true; break;
		case 'd': o->libbpf_debug = true; break;
		case 'V': o->verifier_stats = true; break;
		case 'e': if (parse_ull("--error-after-ms", optarg, &o->error_after_ms)) return -EINVAL; break;
		case 's': if (parse_ull("--stall-after-ms", optarg, &o->stall_after_ms)) return -EINVAL; break;
		case 'x': if (parse_ull("--exit-after-ms", optarg, &o->exit_after_ms)) return -EINVAL; break;
		case 'c': if (parse_ull("--crash-after-ms", optarg, &o->crash_after_ms)) return -EINVAL; break;
		case 'S': if (parse_ull("--spin-after-ms", optarg, &o->spin_after_ms)) return -EINVAL; break;
		case 'M': if (parse_ull("--spin-ms", optarg, &o->spin_ms)) return -EINVAL; break;
		case '0': o->pile_on_cpu0 = true; break;
		case 'B': o->bad_select_cpu = true; break;
		case 'K': o->keep_last = true; break;
		case 'p':
			if (parse_ull("--stall-pid", optarg, &pid)) return -EINVAL;
			if (pid == 0 || pid > INT_MAX) {
				fprintf(stderr, TAG ": --stall-pid must be a task id > 0, got '%s'\n", optarg);
				return -EINVAL;
			}
			o->stall_pid = (int)pid;
			break;
		case 'h': usage(stdout, argv[0]); return 1;
		default: usage(stderr, argv[0]); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, TAG ": unexpected argument '%s'\n", argv[optind]);
		usage(stderr, argv[0]);
		return -EINVAL;
	}
	return 0;
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* libbpf 1.1 cannot attach struct_ops through a link itself (no ".struct_ops.link"):
 * let it fill the map value (state READY on a BPF_F_LINK map), then create the link. */
static int attach_link(struct bpf_map *ops)
{
	struct bpf_link *fill;
	int fd;

	fill = bpf_map__attach_struct_ops(ops);
	if (!fill) {
		fprintf(stderr, TAG ": cannot register struct_ops map '%s': %s\n",
			bpf_map__name(ops), strerror(errno));
		return -1;
	}
	/* Its detach would delete the map element, which a link-based map refuses. */
	bpf_link__disconnect(fill);
	bpf_link__destroy(fill);

	fd = bpf_link_create(bpf_map__fd(ops), 0, KTSTR_BPF_STRUCT_OPS, NULL);
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, TAG ": cannot attach: bpf_link_create(BPF_STRUCT_OPS): %s\n", strerror(e));
		if (e == EEXIST || e == EBUSY)
			fprintf(stderr, TAG ": another sched_ext scheduler is active; see "
				"/sys/kernel/sched_ext/root/ops\n");
		return -1;
	}
	return fd;
}

/* Opens the skeleton and applies the options; NULL (said why) on failure. */
static struct SKEL_NAME *open_prepared(const struct opts *o, struct bpf_map **ops_out)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct SKEL_NAME *skel;
	struct bpf_program *init;
	struct bpf_map *ops, *keep_last_ops;
	int err;

	/* libbpf's own verifier-log buffer starts at 16 MiB and grows on ENOSPC, so a
	 * rejected program's log arrives whole; a fixed kernel_log_buf here would truncate. */
	skel = SKEL_OPEN(&open_opts);
	if (!skel) {
		fprintf(stderr, TAG ": cannot open BPF skeleton: %s\n", strerror(errno));
		return NULL;
	}
	skel->rodata->error_after_ms = o->error_after_ms;
	skel->rodata->spin_after_ms = o->spin_after_ms;
	if (o->spin_ms)
		skel->rodata->spin_ms = o->spin_ms;
	skel->rodata->pile_on_cpu0 = o->pile_on_cpu0;
	skel->rodata->bad_select_cpu = o->bad_select_cpu;
	skel->rodata->stall_after_ms = o->stall_after_ms;
	skel->rodata->stall_pid = o->stall_pid;
	skel->rodata->loader_tgid = getpid();

	/* The main scheduler has a second copy of its ops without SCX_OPS_ENQ_LAST
	 * (--keep-last); only the one registered is created. The broken variants have one. */
	ops = skel->maps.ktstr_ops;
	keep_last_ops = bpf_object__find_map_by_name(skel->obj, "ktstr_ops_keep_last");
	if (o->keep_last && !keep_last_ops) {
		fprintf(stderr, TAG ": --keep-last: this build has no ktstr_ops_keep_last map\n");
		SKEL_DESTROY(skel);
		return NULL;
	}
	if (keep_last_ops) {
		bpf_map__set_autocreate(o->keep_last ? ops : keep_last_ops, false);
		if (o->keep_last)
			ops = keep_last_ops;
	}
	err = bpf_map__set_map_flags(ops, bpf_map__map_flags(ops) | KTSTR_BPF_F_LINK);
	init = bpf_object__find_program_by_name(skel->obj, "ktstr_init");
	if (!err && init)
		err = bpf_program__set_flags(init, bpf_program__flags(init) | BPF_F_SLEEPABLE);
	if (err) {
		fprintf(stderr, TAG ": cannot prepare BPF object: %s\n", strerror(-err));
		SKEL_DESTROY(skel);
		return NULL;
	}
	*ops_out = ops;
	return skel;
}

#define STATS_LOG_SIZE (64 * 1024)

/* One program's BPF_LOG_STATS log as one line: "verifier stats: PROG processed=N
 * states=PEAK/TOTAL[ time=Tus][ stack=S]" (ktstr's verifier sweep reads it). */
static void print_stats(const char *prog, const char *log)
{
	const char *p = strstr(log, "processed ");
	long processed, total = -1, peak = -1, us = -1;
	char stack[64] = "";
	const char *q;

	if (!p || sscanf(p, "processed %ld insns", &processed) != 1)
		return;
	if ((q = strstr(p, "total_states ")))
		total = strtol(q + 13, NULL, 10);
	if ((q = strstr(p, "peak_states ")))
		peak = strtol(q + 12, NULL, 10);
	if ((q = strstr(log, "verification time ")))
		us = strtol(q + 18, NULL, 10);
	if ((q = strstr(log, "stack depth ")))
		sscanf(q + 12, "%63[0-9+]", stack);
	fprintf(stderr, "verifier stats: %s processed=%ld states=%ld/%ld", prog, processed, peak, total);
	if (us >= 0)
		fprintf(stderr, " time=%ldus", us);
	if (stack[0])
		fprintf(stderr, " stack=%s", stack);
	fputc('\n', stderr);
}

/* Opens, prepares and loads the skeleton; NULL (said why) on failure. --verifier-stats
 * loads with BPF_LOG_STATS into a buffer per program and prints their stats. A custom log
 * buffer stops libbpf from printing a rejected program's log, and BPF_LOG_STATS alone has
 * no instruction trace: after a rejection the object is loaded again the usual way, so the
 * full log reaches stderr as without the option. */
static struct SKEL_NAME *load_skel(const struct opts *o, struct bpf_map **ops)
{
	struct SKEL_NAME *skel = open_prepared(o, ops);
	struct bpf_program *prog;
	char *bufs[64] = { 0 };
	int n = 0, err;

	if (!skel)
		return NULL;
	if (o->verifier_stats) {
		bpf_object__for_each_program(prog, skel->obj) {
			if (n == 64 || !(bufs[n] = calloc(1, STATS_LOG_SIZE)))
				break;
			bpf_program__set_log_level(prog, 4 /* BPF_LOG_STATS */);
			bpf_program__set_log_buf(prog, bufs[n++], STATS_LOG_SIZE);
		}
	}
	err = SKEL_LOAD(skel);
	if (o->verifier_stats) {
		int i = 0;

		bpf_object__for_each_program(prog, skel->obj) {
			if (i == n)
				break;
			print_stats(bpf_program__name(prog), bufs[i++]);
		}
		for (i = 0; i < n; i++)
			free(bufs[i]);
		if (err) {
			SKEL_DESTROY(skel);
			struct opts plain = *o;
			plain.verifier_stats = false;
			return load_skel(&plain, ops);
		}
	}
	if (err) {
		fprintf(stderr, TAG ": failed to load BPF skeleton: %s\n", strerror(-err));
		SKEL_DESTROY(skel);
		return NULL;
	}
	return skel;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct SKEL_NAME *skel;
	struct bpf_map *ops;
	struct sigaction sa;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned long long start, next_report;
	int link_fd, err, ret = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2; /* 1: --help was printed */
	libbpf_debug = o.libbpf_debug;
	libbpf_set_print(print_libbpf);
	setrlimit(RLIMIT_MEMLOCK, &rl); /* pre-5.11 kernels charge BPF memory to it */

	skel = load_skel(&o, &ops);
	if (!skel)
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed log pipe must not kill the scheduler along with the process. */
	signal(SIGPIPE, SIG_IGN);

	link_fd = attach_link(ops);
	if (link_fd < 0)
		goto out;
	printf(TAG ": attached\n");

	start = now_ms();
	next_report = start + 1000;
	while (!stop_signal) {
		unsigned long long t = now_ms() - start;

		if (skel->bss->exit_kind) {
			/* The kernel disabled us (error, stall, sysrq): say why in the
			 * kernel's own words (reason = its "disabled (...)" text), then leave. */
			printf(TAG ": disabled by the kernel (%s)%s%s\n", skel->bss->exit_reason,
			       skel->bss->exit_msg[0] ? ": " : "", skel->bss->exit_msg);
			close(link_fd);
			goto out;
		}
		if (o.crash_after_ms && t >= o.crash_after_ms) {
			volatile int *volatile nowhere = NULL;

			printf(TAG ": crashing on purpose after %llu ms\n", t);
			*nowhere = 1;
		}
		if (o.exit_after_ms && t >= o.exit_after_ms) {
			printf(TAG ": exiting on purpose after %llu ms\n", t);
			/* Nonzero, and no clean detach: the link goes with the process. */
			_exit(3);
		}
		if (o.verbose && now_ms() >= next_report) {
			next_report += 1000;
			printf(TAG ": t=%llus enqueued=%llu dispatched=%llu direct=%llu stalled=%llu\n",
			       t / 1000, skel->bss->nr_enqueued, skel->bss->nr_dispatched,
			       skel->bss->nr_direct, skel->bss->nr_stalled);
		}
		usleep(20 * 1000);
	}

	close(link_fd); /* detaches: the kernel switches tasks back to the fair class */
	printf(TAG ": detached (signal %d)\n", (int)stop_signal);
	ret = 0;
out:
	SKEL_DESTROY(skel);
	return ret;
}
