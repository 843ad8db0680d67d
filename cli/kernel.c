/* `ktstr kernel`: list, import, fetch, check, vmlinux, path, rm and clean over the kernel
 * cache and the BTF kfunc check, as the engine offers them (engine/kernels.h). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernels.h"
#include "cli/cli.h"
#include "cli/kernel_priv.h"

static const char kernel_usage[] =
	"usage: ktstr kernel list [--json] | import PATH... [--config FILE] |\n"
	"       fetch --debian | fetch --debian-source |\n"
	"       build [VERSION | --source DIR | --git URL --ref REF | --debian-source]\n"
	"             [--extra-kconfig FILE] [--force] [-j N] |\n"
	"       check [SPEC|BTF] | vmlinux [SPEC] | path [SPEC] | rm KEY |\n"
	"       clean [--keep N | --corrupt-only] [--force]\n";

static int usage_err(const char *fmt, const char *arg)
{
	fputs("ktstr: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(kernel_usage, stderr);
	return 2;
}

/* Missing files and bad specs are the user's (2); anything else is infrastructure (3). */
static int exit_for(int rc)
{
	return rc == -ENOENT || rc == -EINVAL || rc == -ENOTDIR || rc == -EACCES ? 2 : 3;
}

int get_cache_root(char *root, size_t len)
{
	char err[1024];
	if (engine_cache_root(root, len, err, sizeof(err))) {
		cli_error("%s", err);
		return 2;
	}
	return 0;
}

static json_t *entry_json(const struct kernel_entry *e)
{
	json_t *o = json_pack("{s:s, s:s, s:b}", "key", e->key, "dir", e->dir, "corrupt", e->corrupt);
	if (e->corrupt) {
		json_object_set_new(o, "error_kind", json_string(e->error_kind));
		json_object_set_new(o, "error", json_string(e->error));
		return o;
	}
	json_object_set_new(o, "version", json_string(e->version));
	json_object_set_new(o, "source", json_string(e->source));
	json_object_set_new(o, "image", json_string(e->image));
	json_object_set_new(o, "vmlinux", e->vmlinux[0] ? json_string(e->vmlinux) : json_null());
	json_object_set_new(o, "config", e->config[0] ? json_string(e->config) : json_null());
	json_object_set_new(o, "created", json_string(e->created_iso));
	json_object_set_new(o, "size", json_integer((json_int_t)e->size_bytes));
	json_object_set_new(o, "has_sched_ext", json_boolean(e->has_sched_ext));
	json_object_set_new(o, "snapshots", json_integer(e->snapshots));
	json_object_set_new(o, "snapshot_bytes", json_integer((json_int_t)e->snapshot_bytes));
	json_object_set_new(o, "stale_kconfig", json_boolean(e->stale_kconfig));
	if (e->build.built)
		json_object_set_new(o, "build", engine_kernel_build_json(e));
	return o;
}

static int do_list(int argc, char **argv)
{
	bool js = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			js = true;
		else
			return usage_err("kernel list: unknown argument '%s'", argv[i]);
	}
	char root[4096], err[1024];
	if (get_cache_root(root, sizeof(root)))
		return 2;
	struct kernel_entry *v;
	int n;
	int rc = engine_kernel_list(root, &v, &n, err, sizeof(err));
	if (rc) {
		cli_error("%s", err);
		return 3;
	}
	if (js) {
		json_t *a = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(a, entry_json(&v[i]));
		char *s = json_dumps(a, JSON_INDENT(2));
		if (s)
			puts(s);
		free(s);
		json_decref(a);
		free(v);
		return 0;
	}
	if (!n)
		printf("no cached kernels in %s/kernels; add one with `ktstr kernel fetch --debian` "
		       "or `ktstr kernel import PATH`\n", root);
	else
		printf("%-44s %-26s %-14s %-20s %7s\n", "KEY", "VERSION", "SOURCE", "CREATED", "SIZE");
	for (int i = 0; i < n; i++) {
		const struct kernel_entry *e = &v[i];
		if (e->corrupt) {
			printf("%-44s (corrupt: %s)\n", e->key, e->error);
			continue;
		}
		char sz[16], snaps[64] = "", ssz[16];
		fs_human_size(e->size_bytes, sz, sizeof(sz));
		fs_human_size(e->snapshot_bytes, ssz, sizeof(ssz));
		if (e->snapshots) /* docs/snapshot.md */
			snprintf(snaps, sizeof(snaps), " (%d snapshot%s, %s)", e->snapshots,
				 e->snapshots == 1 ? "" : "s", ssz);
		printf("%-44s %-26s %-14s %-20s %7s%s%s%s%s%s\n", e->key, e->version, e->source,
		       e->created_iso, sz, e->has_sched_ext ? " (sched_ext)" : " (no sched_ext)",
		       e->vmlinux[0] ? "" : " (no vmlinux)", e->stale_kconfig ? " (stale kconfig)" : "",
		       e->build.extra_kconfig[0] ? " (extra kconfig)" : "", snaps);
	}
	int pn;
	uint64_t pbytes;
	engine_path_snapshot_stats(root, &pn, &pbytes);
	if (pn) { /* docs/snapshot.md; on stderr: stdout is one entry per line for scripts */
		char psz[16];
		fs_human_size(pbytes, psz, sizeof(psz));
		fprintf(stderr, "kernels given by path: %d snapshot%s, %s (the %d most recently used are kept; "
		       "`ktstr kernel clean` removes them)\n", pn, pn == 1 ? "" : "s", psz, SNAP_PATH_KEEP);
	}
	char warn[2048];
	engine_kernel_list_warnings(root, v, n, warn, sizeof(warn));
	fputs(warn, stderr);
	free(v);
	return 0;
}

static int do_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' }, { 0, 0, 0, 0 },
	};
	const char *config = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:", opts, NULL)) != -1) {
		if (c == 'c')
			config = optarg;
		else
			return usage_err("kernel import: bad option '%s'", argv[optind - 1]);
	}
	/* Options may also follow the paths. */
	const char *paths[16];
	int np = 0;
	for (int i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
			continue;
		}
		if (argv[i][0] == '-')
			return usage_err("kernel import: bad option '%s'", argv[i]);
		if (np == 16)
			return usage_err("kernel import: too many paths (at most 16)%s", "");
		paths[np++] = argv[i];
	}
	if (!np)
		return usage_err("kernel import: give a bzImage or .deb files%s", "");
	char root[4096], err[2048];
	if (get_cache_root(root, sizeof(root)))
		return 2;
	struct kernel_entry e;
	int rc = engine_kernel_import(root, paths, np, config, &e, err, sizeof(err));
	if (rc) {
		cli_error("%s", err);
		return exit_for(rc);
	}
	printf("imported %s (%s%s)\n%s\n", e.key, e.version,
	       e.has_sched_ext ? ", sched_ext" : ", no sched_ext", e.dir);
	return 0;
}

static int do_fetch(int argc, char **argv)
{
	bool src = argc == 2 && !strcmp(argv[1], "--debian-source");
	if (argc != 2 || (strcmp(argv[1], "--debian") && !src))
		return usage_err("kernel fetch: `--debian` (Debian sid's cloud kernel) or "
				 "`--debian-source` (sid's linux-source tree, for kernel build)%s", "");
	char root[4096], err[4096];
	if (get_cache_root(root, sizeof(root)))
		return 2;
	if (src) {
		char dir[4096];
		if (engine_kernel_fetch_source(root, dir, sizeof(dir), err, sizeof(err))) {
			cli_error("%s", err);
			return 3;
		}
		puts(dir);
		return 0;
	}
	struct kernel_entry e;
	int rc = engine_kernel_fetch_debian(root, &e, err, sizeof(err));
	if (rc) {
		cli_error("%s", err);
		return 3;
	}
	printf("%s (%s%s)\n%s\n", e.key, e.version, e.has_sched_ext ? ", sched_ext" : "", e.dir);
	return 0;
}

static int resolve_arg(int argc, char **argv, struct kernel_entry *e)
{
	if (argc > 2)
		return usage_err("kernel %s: at most one SPEC", argv[0]);
	char err[2048];
	int rc = engine_kernel_resolve(argc == 2 ? argv[1] : NULL, e, err, sizeof(err));
	if (rc) {
		cli_error("%s", err);
		return 2;
	}
	return 0;
}

static int do_path(int argc, char **argv, bool vmlinux)
{
	struct kernel_entry e;
	int rc = resolve_arg(argc, argv, &e);
	if (rc)
		return rc;
	if (vmlinux && !e.vmlinux[0]) {
		cli_error("kernel %s has no vmlinux (the image could not be decompressed at import); "
			  "import it again or pass a build tree with a vmlinux", e.key);
		return 2;
	}
	puts(vmlinux ? e.vmlinux : e.image);
	return 0;
}

/* Every SPEC `run --kernel` takes (key, version, bzImage, vmlinux, build tree, or none:
 * the env and the cache), plus a raw BTF file such as /sys/kernel/btf/vmlinux. A kernel
 * without a vmlinux at hand is checked through its bzImage. */
static int do_check(int argc, char **argv)
{
	if (argc > 2)
		return usage_err("kernel %s: at most one SPEC", argv[0]);
	struct btf_check *ck = calloc(1, sizeof(*ck));
	char err[2048];
	if (!ck)
		return 3;
	int rc = engine_kernel_check(argc == 2 ? argv[1] : NULL, ck, err, sizeof(err));
	if (rc) {
		free(ck);
		cli_error("%s", err);
		return 2;
	}
	for (int i = 0; i < ck->n; i++)
		printf("%s: %s\n", ck->k[i].name, ck->k[i].detail);
	printf("%s\n", ck->summary);
	rc = ck->ok ? 0 : 1;
	free(ck);
	return rc;
}

static int do_rm(int argc, char **argv)
{
	if (argc != 2)
		return usage_err("kernel rm: give exactly one KEY%s", "");
	char root[4096], err[2048];
	if (get_cache_root(root, sizeof(root)))
		return 2;
	int rc = engine_kernel_remove_now(root, argv[1], err, sizeof(err));
	if (rc) {
		cli_error("%s", err);
		return exit_for(rc);
	}
	printf("removed %s\n", argv[1]);
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	if (argc < 2)
		return usage_err("kernel: missing subcommand%s", "");
	const char *sub = argv[1];
	argc--;
	argv++;
	if (!strcmp(sub, "list"))
		return do_list(argc, argv);
	if (!strcmp(sub, "import"))
		return do_import(argc, argv);
	if (!strcmp(sub, "fetch"))
		return do_fetch(argc, argv);
	if (!strcmp(sub, "check"))
		return do_check(argc, argv);
	if (!strcmp(sub, "vmlinux"))
		return do_path(argc, argv, true);
	if (!strcmp(sub, "path"))
		return do_path(argc, argv, false);
	if (!strcmp(sub, "rm"))
		return do_rm(argc, argv);
	if (!strcmp(sub, "clean"))
		return cli_kernel_clean(argc, argv);
	if (!strcmp(sub, "build"))
		return cli_kernel_build(argc, argv);
	if (!strcmp(sub, "help") || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(kernel_usage, stdout);
		return 0;
	}
	return usage_err("kernel: unknown subcommand '%s'", sub);
}
