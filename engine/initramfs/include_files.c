/* `-i` resolution for shell mode, in the seed's words. FIFOs, devices and sockets are
 * skipped; the directory structure is kept under /include-files/<basename>. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/initramfs/elfdeps.h"
#include "engine/initramfs/include_files.h"

static int resolve(const char *arg, char *out, size_t len, char *err, size_t errlen)
{
	/* Bare names (no '/', not . or ..) are searched in PATH. */
	if (!strchr(arg, '/') && strcmp(arg, ".") && strcmp(arg, "..")) {
		if (!fs_which(arg, getenv("PATH") ? NULL : "/usr/bin:/bin", out, len))
			return 0;
		if (!access(arg, R_OK)) {
			snprintf(out, len, "%s", arg);
			return 0;
		}
		snprintf(err, errlen, "-i %s: not found in filesystem or PATH", arg);
		return -ENOENT;
	}
	struct stat st;
	if (stat(arg, &st)) {
		snprintf(err, errlen, "--include-files path not found: %s", arg);
		return -ENOENT;
	}
	snprintf(out, len, "%s", arg);
	return 0;
}

static int add_extra(struct include_set *s, const char *guest, const char *host, char *err, size_t errlen)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->extra[i].guest_path, guest))
			return 0;
	if (s->n >= INCLUDE_MAX) {
		snprintf(err, errlen, "-i: more than %d files; include fewer", INCLUDE_MAX);
		return -E2BIG;
	}
	s->store[2 * s->n] = strdup(guest);
	s->store[2 * s->n + 1] = strdup(host);
	if (!s->store[2 * s->n] || !s->store[2 * s->n + 1])
		return -ENOMEM;
	s->extra[s->n].guest_path = s->store[2 * s->n];
	s->extra[s->n].host_path = s->store[2 * s->n + 1];
	s->n++;
	return 0;
}

/* A dynamically linked program needs its libraries and interpreter at their host paths:
 * the guest has no libc of its own. Non-ELF files have none. */
static int add_libraries(struct include_set *s, const char *host, char *err, size_t errlen)
{
	struct elf_deps d;
	char ignore[512];
	if (elf_deps_resolve(host, &d, ignore, sizeof(ignore)))
		return 0;
	int rc = 0;
	for (int i = 0; i < d.n && !rc; i++)
		rc = add_extra(s, d.paths[i], d.paths[i], err, errlen);
	elf_deps_free(&d);
	return rc;
}

/* Returns the number of regular files added, or -errno. */
static int walk(struct include_set *s, const char *host, const char *guest, char *err, size_t errlen)
{
	struct stat st;
	if (stat(host, &st)) {
		snprintf(err, errlen, "-i %s: %s", host, strerror(errno));
		return -errno;
	}
	if (S_ISREG(st.st_mode)) {
		int rc = add_extra(s, guest, host, err, errlen);
		if (!rc && (st.st_mode & 0111))
			rc = add_libraries(s, host, err, errlen);
		return rc < 0 ? rc : 1;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	DIR *d = opendir(host);
	if (!d) {
		snprintf(err, errlen, "-i %s: %s", host, strerror(errno));
		return -errno;
	}
	int found = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char h[4096], g[4096];
		snprintf(h, sizeof(h), "%s/%s", host, de->d_name);
		snprintf(g, sizeof(g), "%s/%s", guest, de->d_name);
		int rc = walk(s, h, g, err, errlen);
		if (rc < 0) {
			closedir(d);
			return rc;
		}
		found += rc;
	}
	closedir(d);
	return found;
}

int include_add(struct include_set *s, const char *arg, char *warning, size_t wlen,
		char *err, size_t errlen)
{
	char path[4096], guest[4096];
	warning[0] = 0;
	int rc = resolve(arg, path, sizeof(path), err, errlen);
	if (rc)
		return rc;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(guest, sizeof(guest), "/include-files/%s", base);
	rc = walk(s, path, guest, err, errlen);
	if (rc < 0)
		return rc;
	struct stat st;
	if (rc == 0 && !stat(path, &st) && S_ISDIR(st.st_mode))
		snprintf(warning, wlen, "warning: -i %s: directory contains no regular files", arg);
	else if (rc == 0)
		snprintf(warning, wlen, "warning: -i %s: not a regular file (FIFOs, devices and sockets "
			 "are skipped)", arg);
	return 0;
}

void include_free(struct include_set *s)
{
	for (int i = 0; i < 2 * s->n; i++)
		free(s->store[i]);
	s->n = 0;
}
