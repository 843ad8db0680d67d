/* `ktstr locks [--watch DURATION] [--json] [--all]`: every ktstr lockfile currently held on
 * this host (host LLCs and CPUs reserved by runs, kernel cache entries, run directories)
 * with holder PID and cmdline. Read-only: it takes no locks; /proc/locks is the source. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/hostcpus.h"
#include "engine/kernel/lock.h"
#include "engine/kernels.h"

static void usage(FILE *f)
{
	fputs("usage: ktstr locks [--watch DURATION] [--json] [--all]\n"
	      "  lists ktstr flocks held on this host (host LLCs and CPUs reserved by runs,\n"
	      "  kernel cache entries, run directories)\n"
	      "  --watch DURATION  redraw every DURATION (1, 1s, 500ms, 2m) until Ctrl-C\n"
	      "  --json            JSON (one line per redraw under --watch)\n"
	      "  --all             also list lockfiles nobody holds\n", f);
}

/* "2", "2s", "500ms", "1m" -> milliseconds; -1 if not a positive duration. */
static long parse_duration_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1000;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mul = 60000;
	else if (*end && strcmp(end, "s"))
		return -1;
	if (end == s || !(v > 0) || v * mul > 86400000.0)
		return -1;
	long ms = (long)(v * mul);
	return ms > 0 ? ms : -1;
}

static json_t *rows_json(const struct lock_row *rows, int n, const char *kind)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++) {
		if (strcmp(rows[i].kind, kind))
			continue;
		json_t *hs = json_array();
		for (int j = 0; j < rows[i].nholders; j++)
			json_array_append_new(hs, json_pack("{s:i, s:s, s:s}", "pid", rows[i].holders[j].pid,
							    "cmdline", rows[i].holders[j].cmd, "mode",
							    rows[i].holders[j].exclusive ? "EX" : "SH"));
		json_t *o = json_pack("{s:s, s:s, s:o}", "lockfile", rows[i].lockfile, "key",
				      rows[i].key, "holders", hs);
		if (!strcmp(kind, "llc") || !strcmp(kind, "cpu"))
			json_object_set_new(o, kind, json_integer(atoi(rows[i].key)));
		if (!strcmp(kind, "llc"))
			json_object_set_new(o, "node", rows[i].node >= 0 ? json_integer(rows[i].node)
								    : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

static int show(const char *const *dirs, int ndirs, bool all, bool json, bool watch)
{
	struct lock_row *rows;
	int n;
	char err[512];
	if (lock_scan(dirs, ndirs, all, &rows, &n, err, sizeof(err)) ||
	    hostcpus_scan(hostcpus_lock_dir(), all, &rows, &n, err, sizeof(err))) {
		free(rows);
		cli_error("%s", err);
		return 3;
	}
	if (json) {
		json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o}", "cache", rows_json(rows, n, "kernel"),
				      "run_dirs", rows_json(rows, n, "run"), "other",
				      rows_json(rows, n, "other"), "llcs", rows_json(rows, n, "llc"),
				      "cpus", rows_json(rows, n, "cpu"));
		char *t = o ? json_dumps(o, watch ? JSON_COMPACT : JSON_INDENT(2)) : NULL;
		json_decref(o);
		if (t)
			printf("%s\n", t);
		free(t);
	} else {
		size_t want = lock_format_rows(rows, n, NULL, 0) + 1;
		char *buf = malloc(want);
		if (buf) {
			lock_format_rows(rows, n, buf, want);
			fputs(buf, stdout);
		}
		free(buf);
		if (!n) {
			printf("(scanned");
			for (int i = 0; i < ndirs; i++)
				printf(" %s", dirs[i]);
			printf(" and %s/ktstr-{llc,cpu}-*.lock)\n", hostcpus_lock_dir());
		}
	}
	free(rows);
	fflush(stdout);
	return 0;
}

int cmd_locks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "watch", required_argument, 0, 'w' },
		{ "json", no_argument, 0, 'j' },
		{ "all", no_argument, 0, 'a' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	long watch_ms = 0;
	bool json = false, all = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:jah", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if ((watch_ms = parse_duration_ms(optarg)) < 0) {
				cli_error("--watch %s: not a duration; use e.g. 1, 1s, 500ms or 2m", optarg);
				return 2;
			}
			break;
		case 'j': json = true; break;
		case 'a': all = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		cli_error("locks takes no positional arguments ('%s')", argv[optind]);
		usage(stderr);
		return 2;
	}

	char root[PATH_MAX], err[1024];
	if (engine_cache_root(root, sizeof(root), err, sizeof(err))) {
		cli_error("%s", err);
		return 3;
	}
	/* Kernel entries lock under the cache root; run dirs under the runs root (its default
	 * is <cache root>/runs). KTSTR_SIDECAR_DIR runs take no flock, so there is nothing to scan. */
	char d_cache[PATH_MAX + 8], d_runs[PATH_MAX + 16];
	snprintf(d_cache, sizeof(d_cache), "%s/.locks", root);
	const char *rr = getenv("KTSTR_RUNS_DIR");
	if (rr && *rr)
		snprintf(d_runs, sizeof(d_runs), "%s/.locks", rr);
	else
		snprintf(d_runs, sizeof(d_runs), "%s/runs/.locks", root);
	const char *dirs[] = { d_cache, d_runs };

	if (!watch_ms)
		return show(dirs, 2, all, json, false);
	bool tty = isatty(STDOUT_FILENO);
	for (;;) { /* ends with SIGINT (main's handler re-raises it) */
		if (tty && !json) {
			char ts[32];
			time_t t = time(NULL);
			struct tm tm;
			localtime_r(&t, &tm);
			strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
			printf("\033[H\033[2Jktstr locks — %s, every %ld ms (Ctrl-C to stop)\n\n", ts, watch_ms);
		}
		int rc = show(dirs, 2, all, json, true);
		if (rc)
			return rc;
		if (!tty && !json)
			printf("\n");
		struct timespec ts = { .tv_sec = watch_ms / 1000, .tv_nsec = (watch_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
}
