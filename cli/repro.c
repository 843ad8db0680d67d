/* `ktstr repro RUN_DIR`: auto-repro on demand (docs/auto-repro.md). Reruns a past failure
 * from its run directory (scenario.json, the kernel's key, scheduler/NAME and its arguments)
 * in a VM with BPF probes on the crash path, adds the `--- probe pipeline ---` and
 * `--- auto-repro ---` sections to that directory's report and prints it. Also the waiting
 * loop `ktstr run` uses for the automatic repro after a scheduler failure. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/report.h"

int cli_repro_wait(struct engine *e, struct run *primary, bool quiet)
{
	enum repro_state last = REPRO_NONE;
	int last_n = -1;
	for (;;) {
		run_lock(primary);
		struct repro_result *r = primary->repro;
		enum repro_state st = r ? r->state : REPRO_NONE;
		int n = r ? r->probes_attached : 0;
		run_unlock(primary);
		if (!quiet && (st != last || (st == REPRO_ATTACHED && n != last_n)) && st != REPRO_NONE &&
		    st < REPRO_DONE) {
			if (st == REPRO_ATTACHED || st == REPRO_WAITING)
				fprintf(stderr, "ktstr: auto-repro: %s (%d probes)\n", repro_state_name(st), n);
			else
				fprintf(stderr, "ktstr: auto-repro: %s\n", repro_state_name(st));
		}
		last = st;
		last_n = n;
		if (st >= REPRO_DONE || st == REPRO_NONE)
			return st;
		struct pollfd p = { .fd = engine_event_fd(e), .events = POLLIN };
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return REPRO_FAILED;
		struct engine_event ev;
		while (engine_next_event(e, &ev))
			engine_event_done(&ev);
	}
}

static void usage(FILE *f)
{
	fputs("usage: ktstr repro RUN_DIR [--json]\n"
	      "  reruns the failed scheduler run in RUN_DIR in a second VM with BPF probes on the\n"
	      "  crash path and prints its report with the --- auto-repro --- section\n"
	      "  exit: 0 the repro VM ran, 2 bad input (nothing to reproduce), 3 it could not run\n",
	      f);
}

int cmd_repro(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		cli_error("repro: give exactly one RUN_DIR (a run directory of a failed scheduler run)");
		usage(stderr);
		return 2;
	}
	char err[4096];
	struct run *run = NULL;
	int rc = report_load_dir(argv[optind], &run, err, sizeof(err));
	if (rc) {
		cli_error("repro: %s", err);
		return 2;
	}
	struct engine *e = engine_new();
	if (!e) {
		run_put(run);
		cli_error("cannot start the engine (out of memory or file descriptors)");
		return 3;
	}
	rc = engine_repro(e, run, err, sizeof(err));
	if (rc) {
		cli_error("repro: %s", err);
		engine_free(e);
		run_put(run);
		return rc == -EINVAL || rc == -ENOENT || rc == -EBUSY ? 2 : 3;
	}
	fprintf(stderr, "ktstr: auto-repro of %s\n", argv[optind]);
	int st = cli_repro_wait(e, run, json);
	run_lock(run);
	if (json) {
		char *text = report_json(run);
		if (text)
			printf("%s\n", text);
		free(text);
	} else {
		report_text(run, stdout);
	}
	run_unlock(run);
	engine_free(e);
	run_put(run);
	return st == REPRO_DONE ? 0 : 3;
}
