/* Finding ktstr's own parts beside the binary, in the installed libexec directory, or in
 * the source tree's build directory (see parts.h for the order). */
#include "engine/parts.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int parts_self(char *out, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", out, len ? len - 1 : 0);
	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	out[n] = 0;
	return 0;
}

static bool try_part(const char *dir, const char *sub, const char *name, char *out, size_t len)
{
	char p[PATH_MAX];
	struct stat st;
	if (snprintf(p, sizeof(p), "%s/%s%s", dir, sub, name) >= (int)sizeof(p) ||
	    stat(p, &st) || !S_ISREG(st.st_mode) || access(p, X_OK) ||
	    snprintf(out, len, "%s", p) >= (int)len)
		return false;
	return true;
}

int parts_find_at(const char *exe, const char *name, char *out, size_t len)
{
	char dir[PATH_MAX];
	if (len)
		out[0] = 0;
	if (exe)
		snprintf(dir, sizeof(dir), "%s", exe);
	else if (parts_self(dir, sizeof(dir)))
		return -ENOENT;
	char *slash = strrchr(dir, '/');
	if (!*name || !slash)
		return -ENOENT;
	*slash = 0;
	if (try_part(dir, "", name, out, len) || try_part(dir, "bpf/", name, out, len))
		return 0;
	/* The parent is written out, not "..", so paths in messages read plainly. */
	char up[PATH_MAX];
	snprintf(up, sizeof(up), "%s", dir);
	if ((slash = strrchr(up, '/'))) {
		*slash = 0;
		if (try_part(up, PARTS_LIBEXEC "/", name, out, len))
			return 0;
	}
	for (int i = 0; i < 4 && (slash = strrchr(dir, '/')) && slash != dir; i++) {
		*slash = 0;
		if (try_part(dir, "build/", name, out, len) || try_part(dir, "build/bpf/", name, out, len) ||
		    try_part(dir, "bpf/", name, out, len))
			return 0;
	}
	return -ENOENT;
}

int parts_find(const char *name, char *out, size_t len)
{
	return parts_find_at(NULL, name, out, len);
}
