/* The engine's face of the kernel cache (engine/kernel/cache.h, lock.h) and the BTF check
 * (engine/kernel/btf.h) for the CLI and the TUI. Mostly the cache's own calls; what is
 * more is deciding which file a check reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kernels.h"
#include "engine/kernel/btf.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/download.h"
#include "engine/kernel/lock.h"
#include "engine/kernel/releases.h"
#include "engine/kernel/snapshot.h"

int engine_cache_root(char *buf, size_t len, char *err, size_t errlen)
{
	return cache_root(buf, len, err, errlen);
}

int engine_kernel_list(const char *root, struct kernel_entry **out, int *n, char *err, size_t errlen)
{
	return cache_list(root, out, n, err, errlen);
}

void engine_path_snapshot_stats(const char *root, int *count, uint64_t *bytes)
{
	char home[4096];
	uint64_t apparent;
	*count = 0;
	*bytes = 0;
	if (!snap_path_home(root, home, sizeof(home)))
		snap_stats(home, count, bytes, &apparent);
}

void engine_kernel_list_warnings(const char *root, const struct kernel_entry *v, int n, char *buf,
				 size_t len)
{
	cache_list_warnings(root, v, n, buf, len);
}

int engine_kernel_import(const char *root, const char *const *paths, int npaths, const char *config,
			 struct kernel_entry *out, char *err, size_t errlen)
{
	return cache_import(root, paths, npaths, config, out, err, errlen);
}

int engine_kernel_fetch_debian(const char *root, struct kernel_entry *out, char *err, size_t errlen)
{
	return cache_fetch_debian(root, out, err, errlen);
}

int engine_kernel_resolve(const char *spec, struct kernel_entry *out, char *err, size_t errlen)
{
	return cache_resolve(spec, out, err, errlen);
}

int engine_kernel_remove_now(const char *root, const char *key, char *err, size_t errlen)
{
	return cache_remove(root, key, err, errlen);
}

int engine_kernel_clean_corrupt(const char *root, int *removed, char *err, size_t errlen)
{
	return cache_clean_corrupt(root, removed, err, errlen);
}

int engine_kernel_lock_wait_ms(void)
{
	return lock_timeout_ms();
}

int engine_kernel_check_entry(const struct kernel_entry *e, struct btf_check *out, char *err,
			      size_t errlen)
{
	return e->vmlinux[0] ? btf_check_kfuncs(e->vmlinux, out, err, errlen)
			     : btf_check_image(e->image, out, err, errlen);
}

static bool is_raw_btf(const char *path)
{
	unsigned char m[2];
	FILE *f = fopen(path, "rb");
	bool ok = f && fread(m, 1, 2, f) == 2 && m[0] == 0x9f && m[1] == 0xeb;
	if (f)
		fclose(f);
	return ok;
}

int engine_kernel_check(const char *spec, struct btf_check *out, char *err, size_t errlen)
{
	if (spec && is_raw_btf(spec))
		return btf_check_kfuncs(spec, out, err, errlen);
	struct kernel_entry e;
	int rc = cache_resolve(spec, &e, err, errlen);
	return rc ? rc : engine_kernel_check_entry(&e, out, err, errlen);
}

struct json_t *engine_kernel_build_json(const struct kernel_entry *e)
{
	return cache_build_json(&e->build, true);
}

int engine_kernel_clean(const char *root, int keep, int *removed, char *err, size_t errlen)
{
	return cache_clean(root, keep, removed, err, errlen);
}

int engine_kernel_build(const char *root, const struct kbuild_opts *o, struct kernel_entry *out,
			char *err, size_t errlen)
{
	return kernel_build(root, o, out, err, errlen);
}

int engine_kernel_fetch_source(const char *root, char *dir, size_t len, char *err, size_t errlen)
{
	return cache_fetch_debian_source(root, dir, len, err, errlen);
}

static int build_version(const char *version, int progress_fd, struct kernel_entry *out,
			 char *err, size_t errlen)
{
	char root[4096];
	int rc = cache_root(root, sizeof(root), err, errlen);
	if (rc)
		return rc;
	struct kbuild_opts o = { .version = version, .progress_fd = progress_fd };
	return kernel_build(root, &o, out, err, errlen);
}

int engine_kernel_ensure(const char *spec, bool auto_latest, int progress_fd,
			 struct kernel_entry *out, char *err, size_t errlen)
{
	int rc = cache_resolve(spec, out, err, errlen);
	if (rc != -ENOENT)
		return rc;
	struct kver v;
	if (spec && *spec && !strchr(spec, '/') && !kver_parse(spec, &v))
		return build_version(spec, progress_fd, out, err, errlen);
	if (spec && *spec)
		return rc;
	/* Nothing was named: only an empty discovery chain downloads. */
	if (!auto_latest || getenv("KTSTR_KERNEL") || getenv("KTSTR_TEST_KERNEL"))
		return rc;
	char ver[64];
	fprintf(stderr, "ktstr: no kernel found, downloading latest stable\n");
	if ((rc = kernel_org_latest_stable(ver, sizeof(ver), err, errlen)))
		return rc;
	return build_version(ver, progress_fd, out, err, errlen);
}

int engine_kernel_latest_stable(char *ver, size_t len, char *err, size_t errlen)
{
	return kernel_org_latest_stable(ver, len, err, errlen);
}

int engine_kernel_expand(const char *spec, char ***out, int *n, char *err, size_t errlen)
{
	if (!releases_is_range(spec)) {
		*out = calloc(1, sizeof(char *));
		if (!*out || !((*out)[0] = strdup(spec))) {
			free(*out);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		*n = 1;
		return 0;
	}
	struct releases r;
	int rc = kernel_org_releases(&r, err, errlen);
	if (rc)
		return rc;
	rc = releases_range(&r, spec, out, n, err, errlen);
	releases_free(&r);
	return rc;
}

void engine_kernel_specs_free(char **v, int n)
{
	releases_range_free(v, n);
}
