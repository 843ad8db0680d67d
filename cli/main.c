/* ktstr's entry point: dispatches verbs and makes sure no QEMU outlives us, whatever way
 * we end (return, signal, crash). */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "tui/tui.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("ktstr: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void on_fatal_signal(int sig)
{
	engine_kill_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_teardown(void)
{
	atexit(engine_kill_all);
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa = { .sa_handler = on_fatal_signal };
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
}

static void usage(FILE *f)
{
	fputs("usage: ktstr [VERB] [ARGS]\n"
	      "  (no verb) | tui [SCENARIO] [--open RUN_DIR]   the full-screen workstation\n"
	      "  run SCENARIO [--json] [--kernel SPEC] [--scheduler NAME|PATH] [-- ARGS]\n"
	      "  kernel list|import|fetch|check|vmlinux|path|rm|clean ...\n"
	      "  shell [--kernel SPEC] [--topo NxLxCxT] [--exec CMD]  a busybox shell in a VM\n"
	      "  repro RUN_DIR [--json]                        rerun a scheduler failure with BPF probes\n"
	      "  locks [--watch DURATION] [--json] [--all]      ktstr flocks held on this host\n"
	      "  topo list [--json]                            the named topology presets (--topo NAME)\n"
	      "  gauntlet SCENARIO... [--presets ..] [--profiles ..] [-j N] [--shard K/N] [--junit F]\n"
	      "                                                scenarios x presets x flag profiles x kernels\n"
	      "  merge OUT DIR... [--junit FILE]               join gauntlet shards into one directory\n"
	      "  compare A B [--json] [--threshold PCT|--policy FILE] [-E SUBSTR]  A/B metrics; exit 1 on a regression\n"
	      "  compare --list-metrics [--json]               the regression metric registry\n"
	      "  verifier SCHED [--kernel K]... [--topo T]... [--profiles P] [--raw] [--out DIR]\n"
	      "                                                the verifier sweep (docs/verifier.md)\n"
	      "  version [--json] | --version                  ktstr, its commit, libbpf, QEMU\n"
	      "  help\n"
	      "exit codes: 0 pass, 1 checks failed, 2 bad input, 3 infrastructure failure\n"
	      "see `man ktstr` (docs/ktstr.1) and docs/\n", f);
}

int main(int argc, char **argv)
{
	install_teardown();
	if (argc < 2)
		return tui_main(1, argv);
	const char *verb = argv[1];
	if (!strcmp(verb, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(verb, "kernel"))
		return cmd_kernel(argc - 1, argv + 1);
	if (!strcmp(verb, "tui"))
		return tui_main(argc - 1, argv + 1);
	if (!strcmp(verb, "shell"))
		return cmd_shell(argc - 1, argv + 1);
	if (!strcmp(verb, "locks"))
		return cmd_locks(argc - 1, argv + 1);
	if (!strcmp(verb, "repro"))
		return cmd_repro(argc - 1, argv + 1);
	if (!strcmp(verb, "verifier"))
		return cmd_verifier(argc - 1, argv + 1);
	if (!strcmp(verb, "topo"))
		return cmd_topo(argc - 1, argv + 1);
	if (!strcmp(verb, "gauntlet"))
		return cmd_gauntlet(argc - 1, argv + 1);
	if (!strcmp(verb, "merge"))
		return cmd_merge(argc - 1, argv + 1);
	if (!strcmp(verb, "compare"))
		return cmd_compare(argc - 1, argv + 1);
	if (!strcmp(verb, "version") || !strcmp(verb, "--version"))
		return cmd_version(argc - 1, argv + 1);
	if (!strcmp(verb, "help") || !strcmp(verb, "--help") || !strcmp(verb, "-h")) {
		usage(stdout);
		return 0;
	}
	cli_error("unknown verb '%s'", verb);
	usage(stderr);
	return 2;
}
