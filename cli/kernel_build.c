/* `ktstr kernel build` and `ktstr kernel clean`: the two kernel subcommands that change the
 * cache wholesale, beside cli/kernel.c's listing and single-entry verbs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/kernel_priv.h"
#include "engine/kernels.h"

static const char build_usage[] =
	"usage: ktstr kernel build [VERSION | --kernel SPEC | --source DIR | --git URL --ref REF |\n"
	"                           --debian-source] [--extra-kconfig FILE] [--force] [-j N]\n"
	"  VERSION       a kernel.org release (6.14.2), a series for its newest release (6.14),\n"
	"                or an RC (6.15-rc3); none: the latest stable with patch level >= 8\n"
	"  --source DIR  a kernel source tree (built out of tree into the cache)\n"
	"  --debian-source  Debian sid's linux-source tree, fetched like the test kernel\n";

static int build_err(const char *msg)
{
	fprintf(stderr, "ktstr: %s\n%s", msg, build_usage);
	return 2;
}

/* The newest built entry whose key or version is spec: its source (a tree or a git URL
 * and ref) and, unless given, its extra fragment go into o. */
static bool from_entry(const char *root, const char *spec, struct kernel_entry *out,
		       struct kbuild_opts *o)
{
	struct kernel_entry *v;
	int n;
	char err[1024];
	bool found = false;
	if (engine_kernel_list(root, &v, &n, err, sizeof(err)))
		return false;
	for (int i = 0; i < n && !found; i++) {
		const struct kernel_build_info *b = &v[i].build;
		if (v[i].corrupt || !b->built || !b->src[0] ||
		    (strcmp(v[i].key, spec) && strcmp(v[i].version, spec)))
			continue;
		if (!strcmp(v[i].source, "build:source") || !strcmp(v[i].source, "build:git")) {
			*out = v[i];
			found = true;
		}
	}
	free(v);
	if (!found)
		return false;
	if (!strcmp(out->source, "build:source")) {
		o->source_dir = out->build.src;
	} else {
		o->git_url = out->build.src;
		o->git_ref = out->build.ref;
	}
	if (!o->extra_kconfig && out->build.extra_kconfig[0])
		o->extra_kconfig = out->build.extra_kconfig;
	return true;
}

int cli_kernel_build(int argc, char **argv)
{
	struct kbuild_opts o = { .progress_fd = 2 };
	bool debian_source = false;
	const char *kernel_spec = NULL;
	char root[4096], err[8192], src[4096];
	struct kernel_entry made; /* the entry --kernel names, when ktstr built it */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(build_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--force"))
			o.force = true;
		else if (!strcmp(a, "--debian-source"))
			debian_source = true;
		else if (!strcmp(a, "--source") && more)
			o.source_dir = argv[++i];
		else if (!strcmp(a, "--git") && more)
			o.git_url = argv[++i];
		else if (!strcmp(a, "--ref") && more)
			o.git_ref = argv[++i];
		else if (!strcmp(a, "--extra-kconfig") && more)
			o.extra_kconfig = argv[++i];
		else if (!strcmp(a, "--kernel") && more) {
			/* The seed's `kernel build --force --kernel <entry version>`: a path is a
			 * source tree, anything else a version. */
			const char *k = argv[++i];
			if (strchr(k, '/') || k[0] == '.' || k[0] == '~')
				o.source_dir = k;
			else
				kernel_spec = k;
		} else if (!strcmp(a, "-j") && more) {
			char *end;
			long j = strtol(argv[++i], &end, 10);
			if (*end || j < 1 || j > 1024)
				return build_err("kernel build: -j takes a number of jobs from 1 to 1024");
			o.jobs = (int)j;
		} else if (a[0] == '-' && a[1])
			return build_err("kernel build: unknown or incomplete option (see usage)");
		else if (!o.version)
			o.version = a;
		else
			return build_err("kernel build: give one VERSION");
	}
	if (!o.git_url != !o.git_ref)
		return build_err("kernel build: --git and --ref go together");
	if (get_cache_root(root, sizeof(root)))
		return 2;
	/* --kernel VERSION|KEY of an entry ktstr built rebuilds it from where it came from (the
	 * seed's stale-kconfig advice); any other version comes from kernel.org. */
	if (kernel_spec && !o.version && !o.source_dir && !o.git_url &&
	    from_entry(root, kernel_spec, &made, &o))
		fprintf(stderr, "ktstr: rebuilding %s from %s%s%s\n", made.key, made.build.src,
			o.extra_kconfig ? " with --extra-kconfig " : "",
			o.extra_kconfig ? o.extra_kconfig : "");
	else if (kernel_spec && !o.version)
		o.version = kernel_spec;
	if (!!o.source_dir + !!o.version + !!o.git_url + debian_source > 1)
		return build_err("kernel build: give one source: VERSION, --source, --git or "
				 "--debian-source");
	if (debian_source) {
		if (engine_kernel_fetch_source(root, src, sizeof(src), err, sizeof(err))) {
			cli_error("%s", err);
			return 3;
		}
		o.source_dir = src;
	}
	struct kernel_entry e;
	char latest[64];
	int rc = 0;
	if (!o.source_dir && !o.version && !o.git_url) {
		fprintf(stderr, "ktstr: no version given, building the latest stable release\n");
		if (!(rc = engine_kernel_latest_stable(latest, sizeof(latest), err, sizeof(err))))
			o.version = latest;
	}
	if (!rc)
		rc = engine_kernel_build(root, &o, &e, err, sizeof(err));
	if (rc) {
		cli_error("%s", err);
		return rc == -EINVAL || rc == -ENOENT || rc == -EPROTO || rc == -EEXIST ||
		       rc == -ETIMEDOUT ? 2 : 3;
	}
	printf("%s (%s%s, %s, built in %d s with pahole %s)\n%s\n", e.key, e.version,
	       e.has_sched_ext ? ", sched_ext" : ", no sched_ext", e.source, e.build.secs,
	       e.build.pahole[0] ? e.build.pahole : "?", e.dir);
	return 0;
}

static const char clean_usage[] =
	"usage: ktstr kernel clean [--keep N | --corrupt-only] [--force]\n"
	"  removes every cached kernel but the N newest valid ones (corrupt entries never keep\n"
	"  a slot), or only the corrupt ones; asks first on a terminal unless --force\n";

int cli_kernel_clean(int argc, char **argv)
{
	bool corrupt_only = false, force = false;
	long keep = 0;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--corrupt-only"))
			corrupt_only = true;
		else if (!strcmp(argv[i], "--force"))
			force = true;
		else if (!strcmp(argv[i], "--keep") && i + 1 < argc &&
			 (keep = strtol(argv[++i], &end, 10)) >= 0 && !*end && keep < 100000)
			continue;
		else {
			fprintf(stderr, "ktstr: kernel clean: bad argument '%s'\n%s", argv[i], clean_usage);
			return 2;
		}
	}
	bool has_keep = false;
	for (int i = 1; i < argc; i++)
		has_keep |= !strcmp(argv[i], "--keep");
	if (corrupt_only && has_keep) {
		fprintf(stderr, "ktstr: kernel clean: --keep and --corrupt-only contradict each "
			"other; pass one\n%s", clean_usage);
		return 2;
	}
	if (!force) {
		if (!isatty(0)) {
			fprintf(stderr, "ktstr: kernel clean: --force is required when stdin is not a "
				"terminal (nothing is removed without it)\n");
			return 2;
		}
		fprintf(stderr, "remove %s cached kernels%s? [y/N] ",
			corrupt_only ? "the corrupt" : "the", !corrupt_only && keep ?
			" except the newest valid ones kept by --keep" : "");
		char ans[16];
		if (!fgets(ans, sizeof(ans), stdin) || (ans[0] != 'y' && ans[0] != 'Y')) {
			fprintf(stderr, "nothing removed\n");
			return 0;
		}
	}
	char root[4096], err[2048];
	if (get_cache_root(root, sizeof(root)))
		return 2;
	int removed = 0;
	int rc = corrupt_only ? engine_kernel_clean_corrupt(root, &removed, err, sizeof(err))
			      : engine_kernel_clean(root, (int)keep, &removed, err, sizeof(err));
	if (rc) {
		cli_error("%s (removed %d before that)", err, removed);
		return 3;
	}
	printf("removed %d %sentr%s\n", removed, corrupt_only ? "corrupt " : "",
	       removed == 1 ? "y" : "ies");
	return 0;
}
