/* Benchmark: initramfs base build cold vs cached, and the per-run archive + concat, with
 * the real init and busybox. Prints one line per figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/initramfs/initramfs.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_initramfs INIT BUSYBOX\n");
		return 2;
	}
	char root[4096], base[4096], err[1024], path[4096], out[4096];
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/ktstr-bench.XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
	if (!mkdtemp(root))
		return 3;
	bool cached;
	double t0 = now_s();
	if (initramfs_base(root, argv[1], argv[2], base, sizeof(base), &cached, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 3;
	}
	double cold = now_s() - t0;
	t0 = now_s();
	if (initramfs_base(root, argv[1], argv[2], base, sizeof(base), &cached, err, sizeof(err)) || !cached) {
		fprintf(stderr, "bench: second base build was not cached: %s\n", err);
		return 3;
	}
	double warm = now_s() - t0;
	snprintf(path, sizeof(path), "%s/run.cpio", root);
	snprintf(out, sizeof(out), "%s/initrd.cpio", root);
	t0 = now_s();
	if (initramfs_run(path, "{\"name\":\"bench\"}", NULL, NULL, 0, err, sizeof(err)) ||
	    initramfs_concat(base, path, out, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 3;
	}
	double per_run = now_s() - t0;
	printf("initramfs base build, cold:        %8.1f ms\n", cold * 1e3);
	printf("initramfs base, cached:            %8.1f ms\n", warm * 1e3);
	printf("initramfs per-run archive + concat: %7.1f ms\n", per_run * 1e3);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) ? 3 : 0;
}
