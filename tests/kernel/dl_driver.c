/* Test driver for engine/kernel/download.c and releases.c (tests/kernel/test_download.sh):
 *   dl_driver latest | resolve SPEC | range SPEC | fetch VERSION DEST
 * Prints the result on stdout, the error message on stderr (exit 1); progress goes to fd 2. */
#include <stdio.h>
#include <string.h>

#include "engine/kernel/download.h"
#include "engine/kernel/releases.h"

static int usage(void)
{
	fprintf(stderr, "usage: dl_driver latest | resolve SPEC | range SPEC | fetch VERSION DEST\n");
	return 2;
}

int main(int argc, char **argv)
{
	char err[1024] = "", ver[64];
	struct releases r = { 0 };
	int rc;
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "latest") && argc == 2) {
		if (!(rc = kernel_org_latest_stable(ver, sizeof(ver), err, sizeof(err))))
			printf("%s\n", ver);
	} else if (!strcmp(argv[1], "resolve") && argc == 3) {
		if (!(rc = kernel_org_releases(&r, err, sizeof(err))) &&
		    !(rc = releases_resolve(&r, argv[2], ver, sizeof(ver), err, sizeof(err))))
			printf("%s\n", ver);
	} else if (!strcmp(argv[1], "range") && argc == 3) {
		char **v;
		int n;
		if (!(rc = kernel_org_releases(&r, err, sizeof(err))) &&
		    !(rc = releases_range(&r, argv[2], &v, &n, err, sizeof(err)))) {
			for (int i = 0; i < n; i++)
				printf("%s\n", v[i]);
			releases_range_free(v, n);
		}
	} else if (!strcmp(argv[1], "fetch") && argc == 4) {
		rc = kernel_download_source(argv[2], NULL, argv[3], 2, err, sizeof(err));
	} else {
		return usage();
	}
	releases_free(&r);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}
