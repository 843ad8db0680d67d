/* `ktstr gauntlet FILE...`: scenarios x topology presets x flag profiles x kernels, each
 * cell a `ktstr run` of its own, into one gauntlet directory with gauntlet.json and,
 * with --junit, JUnit XML (docs/gauntlet.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/kernels.h"
#include "engine/sweep/budget.h"
#include "engine/sweep/gauntlet.h"
#include "engine/sweep/junit.h"
#include "engine/sweep/matrix.h"
#include "engine/sweep/shard.h"

#define G_MAX_KERNELS 16
#define G_MAX_JOBS 64

static void usage(void)
{
	fputs("usage: ktstr gauntlet SCENARIO.json... [--presets A,B|all] [--kernel SPEC]...\n"
	      "                      [--profiles all|default|a,b+c] [--budget-secs N] [--shard K/N]\n"
	      "                      [-j N] [--junit FILE] [--json] [--out DIR] [--accel kvm|tcg] [--list]\n"
	      "  --presets     topology presets (ktstr topo list) or NxLxCxT shapes; default all\n"
	      "  --profiles    scheduler flag profiles; default all (the power set that respects requires)\n"
	      "  --budget-secs keep the cells that cover the most per estimated second within N s\n"
	      "  --shard K/N   run only the K-th of N round-robin shares of the cell list\n"
	      "  -j N          N cells at once (default 1)\n"
	      "  --out DIR     the gauntlet directory (default: a new one under the runs root)\n"
	      "  --list        print the cells (and the budget line) without running them\n",
	      stderr);
}

static int pick_kernels(const char *const *specs, int nspecs, struct sweep_kernel **out, int *n,
			bool listing)
{
	char err[8192];
	*n = 0;
	*out = calloc((size_t)G_MAX_KERNELS * 8 + 1, sizeof(**out));
	if (!*out)
		return 3;
	if (!nspecs) {
		struct kernel_entry e;
		if (engine_kernel_resolve(NULL, &e, err, sizeof(err))) {
			if (!listing) {
				cli_error("%s", err);
				return 2;
			}
			snprintf((*out)[0].label, sizeof((*out)[0].label), "kernel_default");
		} else {
			sweep_kernel_label(e.version, (*out)[0].label, sizeof((*out)[0].label));
		}
		*n = 1;
		return 0;
	}
	for (int s = 0; s < nspecs; s++) {
		char **v;
		int nv, rc = engine_kernel_expand(specs[s], &v, &nv, err, sizeof(err));
		if (rc) {
			cli_error("--kernel %s: %s", specs[s], err);
			return rc == -ENOENT || rc == -EINVAL ? 2 : 3;
		}
		for (int i = 0; i < nv; i++) {
			struct kernel_entry e;
			if (*n >= G_MAX_KERNELS * 8) {
				cli_error("--kernel: more than %d kernels", G_MAX_KERNELS * 8);
				engine_kernel_specs_free(v, nv);
				return 2;
			}
			if ((rc = engine_kernel_ensure(v[i], false, 2, &e, err, sizeof(err)))) {
				cli_error("--kernel %s: %s", v[i], err);
				engine_kernel_specs_free(v, nv);
				return rc == -ENOENT || rc == -EINVAL || rc == -EPROTO ? 2 : 3;
			}
			struct sweep_kernel *k = &(*out)[(*n)++];
			snprintf(k->spec, sizeof(k->spec), "%s", strncmp(e.key, "path:", 5) ? e.key : v[i]);
			sweep_kernel_label(e.version[0] ? e.version : v[i], k->label, sizeof(k->label));
			/* Two kernels of one version still need two labels. */
			for (int j = 0; j < *n - 1; j++)
				if (!strcmp((*out)[j].label, k->label)) {
					size_t l = strlen(k->label);
					snprintf(k->label + (l < 80 ? l : 80), sizeof(k->label) - (l < 80 ? l : 80),
						 "_%d", *n);
				}
		}
		engine_kernel_specs_free(v, nv);
	}
	return 0;
}

static char *join_argv(int argc, char **argv)
{
	size_t len = 8;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "ktstr");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* The default gauntlet directory: <runs root>/gauntlet-<date>-<pid>. */
static int default_out(char *buf, size_t len)
{
	char root[4096], err[512];
	const char *rr = getenv("KTSTR_RUNS_DIR");
	if (rr && *rr)
		snprintf(root, sizeof(root), "%s", rr);
	else if (engine_cache_root(root, sizeof(root) - 8, err, sizeof(err))) {
		cli_error("%s", err);
		return 3;
	} else
		strcat(root, "/runs");
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "%s/gauntlet-%s-%d", root, ts, (int)getpid());
	return 0;
}

struct gopts {
	const char *presets, *profiles, *shard, *junit, *out, *accel;
	const char *kernels[G_MAX_KERNELS];
	int nkernels, jobs;
	long budget;
	bool json, list;
};

static int parse_opts(int argc, char **argv, struct gopts *g)
{
	static const struct option opts[] = {
		{ "presets", required_argument, 0, 'p' }, { "kernel", required_argument, 0, 'k' },
		{ "profiles", required_argument, 0, 'P' }, { "budget-secs", required_argument, 0, 'b' },
		{ "shard", required_argument, 0, 's' }, { "jobs", required_argument, 0, 'j' },
		{ "junit", required_argument, 0, 'J' }, { "json", no_argument, 0, 'O' },
		{ "out", required_argument, 0, 'o' }, { "list", no_argument, 0, 'l' },
		{ "accel", required_argument, 0, 'a' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	*g = (struct gopts){ .jobs = 1, .budget = -1 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'p': g->presets = optarg; break;
		case 'P': g->profiles = optarg; break;
		case 's': g->shard = optarg; break;
		case 'J': g->junit = optarg; break;
		case 'O': g->json = true; break;
		case 'o': g->out = optarg; break;
		case 'l': g->list = true; break;
		case 'a': g->accel = optarg; break;
		case 'k':
			if (g->nkernels == G_MAX_KERNELS) {
				cli_error("--kernel: at most %d", G_MAX_KERNELS);
				return 2;
			}
			g->kernels[g->nkernels++] = optarg;
			break;
		case 'b':
			g->budget = strtol(optarg, &end, 10);
			if (*end || g->budget <= 0 || g->budget > 100000000) {
				cli_error("--budget-secs '%s': expected a positive number of seconds", optarg);
				return 2;
			}
			break;
		case 'j':
			g->jobs = (int)strtol(optarg, &end, 10);
			if (*end || g->jobs < 1 || g->jobs > G_MAX_JOBS) {
				cli_error("-j '%s': expected 1..%d cells at once", optarg, G_MAX_JOBS);
				return 2;
			}
			break;
		case 'h': usage(); return -1;
		default: usage(); return 2;
		}
	}
	if (g->accel && engine_accel_by_name(g->accel) < 0) {
		cli_error("--accel '%s': expected kvm or tcg", g->accel);
		return 2;
	}
	if (optind >= argc) {
		cli_error("gauntlet: missing SCENARIO file (see examples/ and docs/gauntlet.md)");
		usage();
		return 2;
	}
	return 0;
}

/* Runs (or lists) the planned cells; returns the exit code. */
static int execute(struct sweep_matrix *m, const struct gopts *g, char **paths, const char *command)
{
	char err[4096];
	int n = m->ncells, k = 1, nsh = 1, rc = 0;
	bool *keep = calloc((size_t)n + 1, sizeof(bool)), *bout = calloc((size_t)n + 1, sizeof(bool));
	bool *run = calloc((size_t)n + 1, sizeof(bool));
	int *index = calloc((size_t)n + 1, sizeof(int));
	if (!keep || !bout || !run || !index) {
		rc = 3;
		goto out;
	}
	if (g->shard && sweep_shard_parse(g->shard, &k, &nsh, err, sizeof(err))) {
		cli_error("%s", err);
		rc = 2;
		goto out;
	}
	for (int i = 0; i < n; i++)
		keep[i] = true;
	if (g->budget > 0) {
		struct sweep_budget b;
		char line[256];
		if (sweep_budget_select(m->cells, n, m->nfeatures, (double)g->budget, keep, &b)) {
			rc = 3;
			goto out;
		}
		sweep_budget_line(&b, line, sizeof(line));
		fprintf(g->json ? stderr : stdout, "%s\n", line);
	}
	int pos = 0;
	for (int i = 0; i < n; i++) {
		bout[i] = !keep[i];
		if (keep[i]) {
			index[i] = pos;
			run[i] = sweep_shard_has(pos++, k, nsh);
		}
	}
	struct sweep_meta meta = { .command = command, .shard = g->shard, .jobs = g->jobs,
				   .budget_secs = g->budget, .created_unix = time(NULL) };
	if (g->list) {
		json_t *j = sweep_gauntlet_json(m, run, bout, index, &meta, true);
		if (g->json) {
			char *t = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			if (t)
				puts(t);
			free(t);
		} else {
			for (int i = 0; i < n; i++)
				if (run[i])
					printf("%s  (~%.0fs)\n", m->cells[i].name, m->cells[i].est_s);
			for (int i = 0; i < m->nleft; i++)
				printf("left out: %s  (%s)\n", m->left[i].name, m->left[i].reason);
		}
		json_decref(j);
		goto out;
	}
	char outdir[4096], self[4096];
	if (g->out)
		snprintf(outdir, sizeof(outdir), "%s", g->out);
	else if ((rc = default_out(outdir, sizeof(outdir))))
		goto out;
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0) {
		cli_error("cannot find the ktstr binary (/proc/self/exe): %s", strerror(errno));
		rc = 3;
		goto out;
	}
	self[sl] = 0;
	int total = 0;
	for (int i = 0; i < n; i++)
		total += run[i];
	fprintf(stderr, "ktstr: gauntlet: %d cells%s%s, -j %d, into %s\n", total, g->shard ? ", shard " : "",
		g->shard ? g->shard : "", g->jobs, outdir);
	if (!total)
		fprintf(stderr, "ktstr: gauntlet: no cell to run (all left out: see left_out in "
			"%s/gauntlet.json, or --list)\n", outdir);
	struct sweep_gauntlet_opts o = { .self = self, .out = outdir, .scn_paths = (const char *const *)paths,
					 .jobs = g->jobs, .accel = g->accel,
					 .lines = g->json ? stderr : stdout };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sweep_gauntlet_run(m, run, &o, err, sizeof(err))) {
		cli_error("%s", err);
		rc = 3;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	meta.wall_s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	int cnt[5] = { 0 };
	for (int i = 0; i < n; i++)
		if (run[i])
			cnt[m->cells[i].status]++;
	json_t *j = sweep_gauntlet_json(m, run, bout, index, &meta, false);
	if (!j || sweep_gauntlet_write(outdir, j, err, sizeof(err)) ||
	    (g->junit && sweep_junit_write(outdir, j, g->junit, err, sizeof(err)))) {
		cli_error("%s", j ? err : "out of memory");
		json_decref(j);
		rc = 3;
		goto out;
	}
	fprintf(g->json ? stderr : stdout, "ktstr gauntlet: %d cells, %d passed, %d failed, %d errors, "
		"%d skipped in %.1fs (-j %d); %s\n", total, cnt[SWEEP_PASS], cnt[SWEEP_FAIL],
		cnt[SWEEP_ERROR], cnt[SWEEP_SKIP], meta.wall_s, g->jobs, outdir);
	if (g->json) {
		char *t = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (t)
			puts(t);
		free(t);
	}
	json_decref(j);
	rc = cnt[SWEEP_FAIL] ? 1 : cnt[SWEEP_ERROR] ? 3 : 0; /* a failed check outranks an error */
out:
	free(keep);
	free(bout);
	free(run);
	free(index);
	return rc;
}

int cmd_gauntlet(int argc, char **argv)
{
	struct gopts g;
	int rc = parse_opts(argc, argv, &g);
	if (rc)
		return rc < 0 ? 0 : rc;
	int nfiles = argc - optind, loaded = 0;
	struct scenario *scns = calloc((size_t)nfiles, sizeof(*scns));
	char **paths = argv + optind;
	struct sweep_kernel *kernels = NULL;
	int nk = 0;
	char err[4096], *command = join_argv(argc, argv);
	if (!scns || !command) {
		rc = 3;
		goto out;
	}
	rc = 2;
	for (int i = 0; i < nfiles; i++, loaded++) {
		if (scn_load(paths[i], &scns[i], err, sizeof(err))) {
			cli_error("%s", err);
			goto out;
		}
		for (int j = 0; j < i; j++)
			if (!strcmp(scns[j].name, scns[i].name)) {
				cli_error("%s and %s both name their scenario '%s'; cell names need distinct "
					  "scenario names", paths[j], paths[i], scns[i].name);
				loaded++;
				goto out;
			}
	}
	if ((rc = pick_kernels(g.kernels, g.nkernels, &kernels, &nk, g.list)))
		goto out;
	struct sweep_matrix m;
	int mrc = sweep_matrix_build(&m, scns, nfiles, g.presets, g.profiles, kernels, nk, err,
				     sizeof(err));
	if (mrc) {
		cli_error("%s", err);
		rc = mrc == -EINVAL ? 2 : 3;
		goto out;
	}
	rc = execute(&m, &g, paths, command);
	sweep_matrix_free(&m);
out:
	for (int i = 0; i < loaded; i++)
		scn_free(&scns[i]);
	free(scns);
	free(kernels);
	free(command);
	return rc;
}
