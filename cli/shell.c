/* `ktstr shell`: boot the kernel with a busybox shell on the VM's shell port and wire it to
 * this terminal in raw mode (Ctrl-] detaches and powers the VM off), or with --exec run one
 * command there, stream its output and exit with its status. Either way the last line says
 * why the VM ended. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/kernels.h"
#include "engine/engine.h"
#include "engine/initramfs/include_files.h"
#include "engine/shell_attach.h"

#define SHELL_MIN_MEMORY_MB 128
#define SHELL_MAX_MEMORY_MB 65536

static const char USAGE[] =
	"usage: ktstr shell [--kernel SPEC] [--topo NxLxCxT|PRESET] [--memory-mb N] [-i FILE|DIR|NAME]...\n"
	"                   [--exec CMD] [--no-snapshot]\n"
	"  --no-snapshot  accepted for symmetry with `ktstr run`: a shell always boots cold\n";

/* Exit code: --exec gives the command's status; otherwise 0 after a normal power-off.
 * 3 whenever the VM ended abnormally (panic, killed, never booted) or, with --exec,
 * before the command finished. */
static int finish(struct engine *e, struct run *run, bool exec, int relay_rc, int status)
{
	shell_wait_done(e, run);
	run_lock(run);
	fprintf(stderr, "ktstr: shell VM ended%s: %s\n",
		exec && relay_rc == -EPIPE ? " before the --exec command finished" : "",
		run->vm_end[0] ? run->vm_end : "unknown");
	int code = run->exit_code;
	run_unlock(run);
	if (exec)
		return relay_rc ? 3 : status;
	return relay_rc < 0 ? 3 : code;
}

int cmd_shell(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, 0, 'k' },
		{ "topo", required_argument, 0, 't' },
		{ "include-files", required_argument, 0, 'i' },
		{ "memory-mb", required_argument, 0, 'm' },
		{ "exec", required_argument, 0, 'x' },
		{ "no-snapshot", no_argument, 0, 'S' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *kernel = NULL, *topo = "1x1x1x1", *exec = NULL;
	static struct include_set inc;
	struct run_request req = { .shell = true };
	int rc = 2, c;
	char err[4096], warn[4200], *end;
	long mb;
	/* The same guest memory as `ktstr run` (512 MB): a few hundred tasks fit. */
	scn_init_default(&req.scn);
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:t:i:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 't': topo = optarg; break;
		case 'x': exec = optarg; break;
		case 'S': req.no_snapshot = true; break;
		case 'm':
			mb = strtol(optarg, &end, 10);
			if (end == optarg || *end || mb <= 0 || mb > SHELL_MAX_MEMORY_MB) {
				cli_error("--memory-mb '%s': give a size in MiB, %d to %d", optarg,
					  SHELL_MIN_MEMORY_MB, SHELL_MAX_MEMORY_MB);
				goto out;
			}
			req.scn.memory_mb = mb < SHELL_MIN_MEMORY_MB ? SHELL_MIN_MEMORY_MB : (int)mb;
			break;
		case 'i':
			if (include_add(&inc, optarg, warn, sizeof(warn), err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				goto out;
			}
			if (warn[0])
				fprintf(stderr, "%s\n", warn);
			break;
		case 'h':
			fputs(USAGE, stdout);
			rc = 0;
			goto out;
		default:
			fputs(USAGE, stderr);
			goto out;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'; quote the command: --exec 'CMD ARGS'", argv[optind]);
		goto out;
	}
	if (exec && !exec[0]) {
		cli_error("--exec needs a command, e.g. --exec 'uname -a'");
		goto out;
	}
	/* Before the kernel: a mistyped --topo should not cost a kernel build. */
	if (scn_topo_parse(topo, &req.scn.topo, err, sizeof(err))) {
		cli_error("--topo: %s", err);
		goto out;
	}
	/* A shell has no results to track, so it takes what QEMU's -M pc takes, not a run's 64. */
	if (scn_topo_cpus(&req.scn.topo) > VM_MAX_VCPUS) {
		cli_error("--topo %s: %d vCPUs; at most %d are supported (QEMU's -M pc limit)", topo,
			  scn_topo_cpus(&req.scn.topo), VM_MAX_VCPUS);
		goto out;
	}
	/* --exec needs no terminal: its output is a stream, its input /dev/null. */
	if (!exec && shell_check_tty(STDIN_FILENO, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	/* The seed: shell builds what it cannot find (a version not cached, or, with nothing
	 * found anywhere, the latest stable), before the VM starts. */
	struct kernel_entry ke;
	if (engine_kernel_ensure(kernel, true, 2, &ke, err, sizeof(err))) {
		cli_error("%s", err);
		goto out;
	}
	req.kernel_spec = ke.key[0] && strncmp(ke.key, "path:", 5) ? ke.key : kernel;
	req.exec_cmd = exec;
	req.extra = inc.extra;
	req.nextra = inc.n;
	snprintf(req.scn.name, sizeof(req.scn.name), "shell");
	req.scn.duration_ms = 1;
	struct engine *e = engine_new();
	struct run *run = NULL;
	int src = e ? engine_start(e, &req, &run, err, sizeof(err)) : -ENOMEM;
	if (src) {
		cli_error("%s", e ? err : "cannot start the engine");
		rc = src == -EINVAL || src == -ENOENT ? 2 : 3; /* as `ktstr run` */
		engine_free(e);
		goto out;
	}
	int status = 0, relay;
	if (exec) {
		fprintf(stderr, "ktstr: booting a VM (%s) for --exec\n", topo);
		relay = shell_exec_wait(e, run, STDOUT_FILENO, &status, err, sizeof(err));
		if (err[0] && relay != -EPIPE) /* -EPIPE: the closing line says why */
			cli_error("%s%s", relay ? "--exec: " : "warning: ", err);
		engine_stop(e, run); /* all output is here: the guest may power off */
	} else {
		fprintf(stderr, "ktstr: booting a shell VM (%s); Ctrl-] detaches and powers it off\n", topo);
		relay = shell_attach_wait(e, run, STDIN_FILENO, STDOUT_FILENO, err, sizeof(err));
		if (relay < 0)
			cli_error("%s", err);
		if (relay)
			engine_stop(e, run);
	}
	rc = finish(e, run, exec, relay, status);
	run_put(run);
	engine_free(e);
out:
	include_free(&inc);
	return rc;
}
