/* `ktstr shell`: boot the kernel with a busybox shell on the VM's shell port and wire it to
 * this terminal in raw mode. Ctrl-] detaches (and powers the VM off). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <dirent.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "shell_attach.h"

#define MAX_INCLUDES 64

/* A bare name (no '/', not . or ..) is looked up in PATH; anything else must exist. */
static int resolve_include(const char *arg, char *out, size_t len)
{
	if (!strchr(arg, '/') && strcmp(arg, ".") && strcmp(arg, "..")) {
		const char *path = getenv("PATH");
		char buf[8192];
		snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
		for (char *sv, *d = strtok_r(buf, ":", &sv); d; d = strtok_r(NULL, ":", &sv)) {
			snprintf(out, len, "%s/%s", d, arg);
			if (!access(out, X_OK))
				return 0;
		}
		if (!access(arg, R_OK)) {
			snprintf(out, len, "%s", arg);
			return 0;
		}
		cli_error("-i %s: not found in filesystem or PATH", arg);
		return -ENOENT;
	}
	struct stat st;
	if (stat(arg, &st)) {
		cli_error("--include-files path not found: %s", arg);
		return -ENOENT;
	}
	snprintf(out, len, "%s", arg);
	return 0;
}

/* Adds a file, or every regular file under a directory (structure kept). */
static int add_include(const char *host, const char *guest_base, struct initramfs_extra *ex,
		       char **store, int *n)
{
	struct stat st;
	if (stat(host, &st))
		return -errno;
	if (S_ISREG(st.st_mode)) {
		if (*n >= MAX_INCLUDES)
			return -E2BIG;
		char g[4096];
		snprintf(g, sizeof(g), "%s", guest_base);
		store[2 * *n] = strdup(g);
		store[2 * *n + 1] = strdup(host);
		ex[*n].guest_path = store[2 * *n];
		ex[*n].host_path = store[2 * *n + 1];
		(*n)++;
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* FIFOs, devices and sockets are skipped */
	DIR *d = opendir(host);
	if (!d)
		return -errno;
	int found = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char h[4096], g[4096];
		snprintf(h, sizeof(h), "%s/%s", host, de->d_name);
		snprintf(g, sizeof(g), "%s/%s", guest_base, de->d_name);
		int rc = add_include(h, g, ex, store, n);
		if (rc < 0) {
			closedir(d);
			return rc;
		}
		found += rc;
	}
	closedir(d);
	return found;
}

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
	struct initramfs_extra extra[MAX_INCLUDES];
	char *store[2 * MAX_INCLUDES] = { 0 };
	int nextra = 0, memory = 256, rc = 2, c;
	char path[4096], err[4096];
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:t:i:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 't': topo = optarg; break;
		case 'm': memory = atoi(optarg); break;
		case 'i': {
			if (resolve_include(optarg, path, sizeof(path)))
				goto out;
			const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
			char g[4096];
			snprintf(g, sizeof(g), "/include-files/%s", base);
			int n = add_include(path, g, extra, store, &nextra);
			if (n < 0) {
				cli_error("-i %s: %s", optarg, strerror(-n));
				goto out;
			}
			if (n == 0)
				fprintf(stderr, "warning: -i %s: directory contains no regular files\n", optarg);
			break;
		}
		case 'h':
			fputs("usage: ktstr shell [--kernel SPEC] [--topo NxLxCxT] [-i FILE|DIR|NAME]...\n", stdout);
			rc = 0;
			goto out;
		default:
			goto out;
		}
	}
	if (!isatty(STDIN_FILENO)) {
		cli_error("stdin must be a terminal for interactive shell mode");
		goto out;
	}
	struct run_request req = { .kernel_spec = kernel, .shell_port = true,
				   .kernel_args = "ktstr.mode=shell", .extra = extra, .nextra = nextra };
	snprintf(req.scn.name, sizeof(req.scn.name), "shell");
	req.scn.memory_mb = memory < 128 ? 128 : memory;
	req.scn.duration_ms = 1;
	if (scn_topo_parse(topo, &req.scn.topo, err, sizeof(err))) {
		cli_error("--topo: %s", err);
		goto out;
	}
	struct engine *e = engine_new();
	struct run *run = NULL;
	if (!e || engine_start(e, &req, &run, err, sizeof(err))) {
		cli_error("%s", e ? err : "cannot start the engine");
		rc = 3;
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
	for (int i = 0; i < 2 * MAX_INCLUDES; i++)
		free(store[i]);
	return rc;
}
