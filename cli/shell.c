/* `ktstr shell`: boot the kernel with a busybox shell on the VM's shell port and wire it to
 * this terminal in raw mode. Ctrl-] detaches (and powers the VM off). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "include_files.h"
#include "shell_attach.h"

int cmd_shell(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, 0, 'k' },
		{ "topo", required_argument, 0, 't' },
		{ "include-files", required_argument, 0, 'i' },
		{ "memory-mb", required_argument, 0, 'm' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *kernel = NULL, *topo = "1x1x1x1";
	static struct include_set inc;
	int memory = 256, rc = 2, c;
	char err[4096], warn[4200];
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:t:i:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 't': topo = optarg; break;
		case 'm': memory = atoi(optarg); break;
		case 'i':
			if (include_add(&inc, optarg, warn, sizeof(warn), err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				goto out;
			}
			if (warn[0])
				fprintf(stderr, "%s\n", warn);
			break;
		case 'h':
			fputs("usage: ktstr shell [--kernel SPEC] [--topo NxLxCxT] [-i FILE|DIR|NAME]...\n", stdout);
			rc = 0;
			goto out;
		default:
			goto out;
		}
	}
	if (shell_check_tty(STDIN_FILENO, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	struct run_request req = { .kernel_spec = kernel, .shell_port = true,
				   .kernel_args = "ktstr.mode=shell", .extra = inc.extra, .nextra = inc.n };
	snprintf(req.scn.name, sizeof(req.scn.name), "shell");
	req.scn.memory_mb = memory < 128 ? 128 : memory;
	req.scn.duration_ms = 1;
	if (scn_topo_parse(topo, &req.scn.topo, err, sizeof(err))) {
		cli_error("--topo: %s", err);
		goto out;
	}
	struct engine *e = engine_new();
	struct run *run = NULL;
	int src = e ? engine_start(e, &req, &run, err, sizeof(err)) : -ENOMEM;
	if (src) {
		cli_error("%s", e ? err : "cannot start the engine");
		rc = src == -EINVAL || src == -ENOENT ? 2 : 3; /* as `ktstr run` */
		engine_free(e);
		goto out;
	}
	fprintf(stderr, "ktstr: booting a shell VM (%s); Ctrl-] detaches and powers it off\n", topo);
	rc = shell_attach_wait(e, run, STDIN_FILENO, STDOUT_FILENO, err, sizeof(err));
	if (rc)
		cli_error("%s", err);
	engine_stop(e, run);
	run_put(run);
	engine_free(e);
	rc = rc ? 3 : 0;
out:
	include_free(&inc);
	return rc;
}
