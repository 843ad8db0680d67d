/* libFuzzer harness: a kernel cache entry's metadata.json may be damaged, hand-edited or
 * written by another ktstr version; listing the cache (cache_list -> cache_read_entry)
 * must mark such entries corrupt, never crash. The input is the metadata.json of one
 * entry in a cache root made once per process (its bzImage and vmlinux exist). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/kernel/cache.h"
#include "tests/fuzz/fuzz_util.h"

/* path is <entry>/<name> with a name that is a file's, not the dir's or its parent's. */
static bool in_entry(const char *path, const char *entry)
{
	size_t n = strlen(entry);
	const char *name = path + n + 1;
	return !strncmp(path, entry, n) && path[n] == '/' && *name && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char root[PATH_MAX], entry[PATH_MAX + 32];
	if (!root[0]) {
		snprintf(root, sizeof(root), "%s", fuzz_tmpdir());
		snprintf(entry, sizeof(entry), "%s/kernels/fuzz-key", root);
		if (fs_mkdir_p(entry, 0755))
			abort();
		fuzz_write(entry, "bzImage", "HdrS", 4);
		fuzz_write(entry, "vmlinux", "\177ELF", 4);
	}
	fuzz_write(entry, "metadata.json", data, size);

	struct kernel_entry *v = NULL;
	int n = 0;
	char err[1024], warn[2048];
	if (cache_list(root, &v, &n, err, sizeof(err)))
		abort(); /* the root is ours and readable */
	if (n != 1)
		abort();
	/* A corrupt entry says why; a usable one boots a file of its own dir. */
	struct stat st;
	if (v[0].corrupt ? !v[0].error[0] || !v[0].error_kind[0] :
			   !in_entry(v[0].image, entry) || stat(v[0].image, &st) || !S_ISREG(st.st_mode))
		abort();
	if ((v[0].vmlinux[0] && !in_entry(v[0].vmlinux, entry)) ||
	    (v[0].config[0] && !in_entry(v[0].config, entry)))
		abort();
	cache_list_warnings(root, v, n, warn, sizeof(warn));
	free(v);
	return 0;
}
