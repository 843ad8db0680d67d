/* Shared by the harnesses that read files: one temp dir per process, made on first use
 * under $TMPDIR (tests/fuzz/run.sh points it at its own mktemp dir, so a crash that skips
 * atexit still leaves nothing once the runner exits) and removed at normal exit; and the
 * splitting of one input into several files. Static inline: each harness is one unit
 * and uses only some of them. */
#ifndef KTSTR_FUZZ_UTIL_H
#define KTSTR_FUZZ_UTIL_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsutil.h"

static char fuzz_dir[PATH_MAX];

static inline void fuzz_dir_remove(void)
{
	if (fuzz_dir[0])
		fs_rm_rf(fuzz_dir);
}

static inline const char *fuzz_tmpdir(void)
{
	if (!fuzz_dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/ktstr-fuzz-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(fuzz_dir)) {
			perror(fuzz_dir);
			abort(); /* a harness without its dir would fuzz nothing */
		}
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir;
}

/* Plain write (not atomic: only this process reads it). NULL data removes the file so
 * an input with fewer parts does not see the previous input's files. */
static inline void fuzz_write(const char *dir, const char *name, const void *data, size_t len)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (!data) {
		unlink(p);
		return;
	}
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(p);
		abort();
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w <= 0) {
			perror(p);
			abort();
		}
		off += (size_t)w;
	}
	close(fd);
}

/* One input holds several files, in a fixed order, separated by FUZZ_FILE_SEP lines.
 * memmem is intercepted by libFuzzer, which so learns the separator by itself. */
#define FUZZ_FILE_SEP "\n--ktstr-fuzz-next-file--\n"

/* Fills part[i]/len[i] for up to max parts; returns how many there are. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, const uint8_t **part,
				size_t *len, size_t max)
{
	size_t n = 0, seplen = strlen(FUZZ_FILE_SEP);
	while (n < max) {
		const uint8_t *sep = n + 1 < max ? memmem(data, size, FUZZ_FILE_SEP, seplen) : NULL;
		part[n] = data;
		len[n] = sep ? (size_t)(sep - data) : size;
		n++;
		if (!sep)
			break;
		size -= len[n - 1] + seplen;
		data = sep + seplen;
	}
	return n;
}

#endif
