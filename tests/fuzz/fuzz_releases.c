/* libFuzzer harness: kernel.org's releases.json comes off the network (or a proxy, or a
 * mirror named by KTSTR_KERNEL_ORG_URL); parsing it and every question asked of it (latest
 * stable, a series, a range, the 404 sibling) must answer or refuse, never crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kernel/releases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct releases r;
	char err[512], ver[64];
	if (releases_parse((const char *)data, size, &r, err, sizeof(err)))
		return 0;
	releases_latest_stable(&r, ver, sizeof(ver), err, sizeof(err));
	const char *specs[] = { "6.14", "6", "7.2", "6.15-rc3", "6.14.2" };
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		releases_resolve(&r, specs[i], ver, sizeof(ver), err, sizeof(err));
	const char *ranges[] = { "6.1..7.2", "6.12..=6.14", "5..9" };
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		char **v = NULL;
		int n = 0;
		if (!releases_range(&r, ranges[i], &v, &n, err, sizeof(err)))
			releases_range_free(v, n);
	}
	releases_free(&r);
	return 0;
}
