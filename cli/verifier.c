/* `ktstr verifier SCHED`: the verifier sweep over kernels x topologies x flag profiles
 * (engine/sweep/verifier_sweep.h); resolves the kernels and parses the flags here. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "engine/kernels.h"
#include "engine/sweep/verifier_sweep.h"

#define VS_MAX 16

static void usage(FILE *f)
{
	fputs("usage: ktstr verifier SCHED [--kernel SPEC]... [--topo NxLxCxT|PRESET]...\n"
	      "                      [--profiles all|a,b+c] [--flags a,b] [--raw] [--out DIR]\n"
	      "                      [--json] [-- SCHEDULER ARGS]\n"
	      "  SCHED            a scheduler name or path, as `ktstr run --scheduler` takes it\n"
	      "  --kernel SPEC    a cache key, image or build tree, a version; repeat for an A/B table\n"
	      "  --topo T         a topology per cell (default 1x1x1x1: one vCPU)\n"
	      "  --profiles P     flag profiles: \"default\", flags joined with '+' (each flag F\n"
	      "                   passes --F), comma-separated; \"all\": the power set of --flags\n"
	      "  --raw            the scheduler log as is, not folded\n"
	      "  --out DIR        the sweep directory (default <runs root>/verifier-SCHED-TIME)\n"
	      "exit codes: 0 every cell passed, 1 a cell failed, 2 bad input, 3 infrastructure\n",
	      f);
}

struct vkernels {
	struct vsweep_kernel *v;
	int n;
};

static int add_kernel(void *ctx, const char *spec, const struct kernel_entry *e)
{
	struct vkernels *ks = ctx;
	struct vsweep_kernel *np = realloc(ks->v, (size_t)(ks->n + 1) * sizeof(*np));
	if (!np)
		return 3;
	ks->v = np;
	struct vsweep_kernel *k = &np[ks->n++];
	bool path = !strncmp(e->key, "path:", 5);
	snprintf(k->spec, sizeof(k->spec), "%s", path ? spec : e->key);
	vsweep_kernel_label(path ? spec : e->key, path, k->label, sizeof(k->label));
	for (int j = 0; j < ks->n - 1; j++)
		if (!strcmp(np[j].label, k->label)) {
			cli_error("--kernel %s: the same kernel as an earlier --kernel (%s)", spec, k->label);
			return 2;
		}
	/* Say up front when a kernel's kfunc BTF cannot load any scheduler. */
	char err[8192];
	struct btf_check bc;
	if (!engine_kernel_check_entry(e, &bc, err, sizeof(err)) && !bc.ok)
		fprintf(stderr, "ktstr: verifier: kernel %s: %s (`ktstr kernel check %s`)\n", k->label,
			bc.summary, k->spec);
	return 0;
}

/* Each --kernel resolved like `ktstr run` does (ranges expanded, versions built). */
static int pick_kernels(const char *const *specs, int nspecs, struct vsweep_kernel **out, int *n)
{
	char err[8192];
	*out = NULL;
	*n = 0;
	if (!nspecs) {
		struct kernel_entry e;
		if (engine_kernel_resolve(NULL, &e, err, sizeof(err))) {
			cli_error("%s", err);
			return 2;
		}
		*out = calloc(1, sizeof(**out));
		if (!*out)
			return 3;
		bool path = !strncmp(e.key, "path:", 5);
		snprintf((*out)->spec, sizeof((*out)->spec), "%s", path ? e.image : e.key);
		vsweep_kernel_label(path ? e.image : e.key, path, (*out)->label, sizeof((*out)->label));
		*n = 1;
		return 0;
	}
	struct vkernels ks = { 0 };
	int rc = cli_for_each_kernel(specs, nspecs, add_kernel, &ks);
	*out = ks.v;
	*n = ks.n;
	return rc;
}

static char *join_argv(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int default_out(const char *sched, char *out, size_t len)
{
	char root[4096], err[512];
	const char *runs = getenv("KTSTR_RUNS_DIR");
	if (runs && *runs)
		snprintf(root, sizeof(root), "%s", runs);
	else if (engine_cache_root(root, sizeof(root), err, sizeof(err))) {
		cli_error("%s (or pass --out DIR)", err);
		return 2;
	} else
		strncat(root, "/runs", sizeof(root) - strlen(root) - 1);
	const char *base = strrchr(sched, '/');
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
	snprintf(out, len, "%s/verifier-%.64s-%s", root, base ? base + 1 : sched, ts);
	return 0;
}

int cmd_verifier(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, 0, 'k' },
		{ "topo", required_argument, 0, 't' },
		{ "profiles", required_argument, 0, 'p' },
		{ "flags", required_argument, 0, 'f' },
		{ "raw", no_argument, 0, 'r' },
		{ "out", required_argument, 0, 'o' },
		{ "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *kernels[VS_MAX], *topos[VS_MAX], *profiles = NULL, *out = NULL;
	const char *flags[VSWEEP_MAX_FLAGS + 1];
	int nk = 0, nt = 0, nflags = 0, c;
	bool raw = false, json = false;
	char *cmdline = join_argv(argc, argv), flagbuf[1024] = "";
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
	int rc = 2;
	while ((c = getopt_long(argc, argv, "k:t:p:f:ro:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
		case 't':
			if ((c == 'k' ? nk : nt) == VS_MAX) {
				cli_error("--%s: at most %d", c == 'k' ? "kernel" : "topo", VS_MAX);
				goto out;
			}
			if (c == 'k')
				kernels[nk++] = optarg;
			else
				topos[nt++] = optarg;
			break;
		case 'p': profiles = optarg; break;
		case 'f':
			snprintf(flagbuf, sizeof(flagbuf), "%s", optarg);
			nflags = 0;
			for (char *s = NULL, *tok = strtok_r(flagbuf, ",", &s); tok; tok = strtok_r(NULL, ",", &s))
				if (nflags <= VSWEEP_MAX_FLAGS)
					flags[nflags++] = tok;
			break;
		case 'r': raw = true; break;
		case 'o': out = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); rc = 0; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (optind != argc - 1) {
		cli_error(optind >= argc ? "verifier: missing SCHED (a scheduler name or path)"
					 : "verifier: one SCHED at a time (got '%s' too)", argv[optind + 1]);
		usage(stderr);
		goto out;
	}
	const char *sched = argv[optind];
	struct vsweep_profile *pv = NULL;
	int np = 0;
	char err[8192];
	if (profiles && vsweep_parse_profiles(profiles, flags, nflags, &pv, &np, err, sizeof(err))) {
		cli_error("%s", err);
		goto out;
	}
	if (!profiles && nflags) {
		cli_error("--flags names the flags for --profiles all; pass --profiles too");
		goto out;
	}
	char outbuf[4096];
	if (!out) {
		if ((rc = default_out(sched, outbuf, sizeof(outbuf))))
			goto out_pv;
		out = outbuf;
	}
	struct vsweep_kernel *kv = NULL;
	int nkv = 0;
	if ((rc = pick_kernels(kernels, nk, &kv, &nkv)))
		goto out_kv;
	struct vsweep_opts o = {
		.sched = sched, .sched_args = sched_args, .nsched_args = nsched_args,
		.kernels = kv, .nkernels = nkv, .topos = topos, .ntopos = nt,
		.profiles = pv, .nprofiles = np, .raw = raw, .quiet = json, .out_dir = out,
		.command = cmdline, .out = json ? NULL : stdout,
	};
	err[0] = 0;
	rc = vsweep_run(&o, json ? stdout : NULL, err, sizeof(err));
	if (rc == 2)
		cli_error("%s", err);
	else if (!json)
		fprintf(stderr, "ktstr: verifier: sweep directory %s\n", out);
out_kv:
	free(kv);
out_pv:
	free(pv);
out:
	free(cmdline);
	return rc;
}
