/* The engine's face of the kernel cache (engine/kernel/cache.h, lock.h) and the BTF check
 * (engine/kernel/btf.h) for the CLI and the TUI. Mostly the cache's own calls; what is
 * more is deciding which file a check reads. */
#include <stdio.h>

#include "engine/kernels.h"
#include "engine/kernel/btf.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/lock.h"

int engine_cache_root(char *buf, size_t len, char *err, size_t errlen)
{
	return cache_root(buf, len, err, errlen);
}

int engine_kernel_list(const char *root, struct kernel_entry **out, int *n, char *err, size_t errlen)
{
	return cache_list(root, out, n, err, errlen);
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
