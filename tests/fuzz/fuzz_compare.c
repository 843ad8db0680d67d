/* libFuzzer harness: `ktstr compare` reads result.json and gauntlet.json files from CI
 * artifacts, so both are untrusted. The input is A's result.json, B's gauntlet.json and
 * its cell's result.json (cells/c), joined by FUZZ_FILE_SEP lines; both sides are loaded,
 * compared with the default gates and written as JSON. A refusal must say why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/sweep/compare.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char a[PATH_MAX], b[PATH_MAX + 8], bc[PATH_MAX + 16];
	if (!a[0]) {
		snprintf(a, sizeof(a), "%s/a", fuzz_tmpdir());
		snprintf(b, sizeof(b), "%s/b", fuzz_tmpdir());
		snprintf(bc, sizeof(bc), "%s/cells/c", b);
		if (fs_mkdir_p(a, 0755) || fs_mkdir_p(bc, 0755))
			abort();
	}
	const uint8_t *part[3];
	size_t len[3], n = fuzz_split(data, size, part, len, 3);
	fuzz_write(a, "result.json", part[0], len[0]);
	fuzz_write(b, "gauntlet.json", n > 1 ? part[1] : NULL, n > 1 ? len[1] : 0);
	fuzz_write(bc, "result.json", n > 2 ? part[2] : NULL, n > 2 ? len[2] : 0);

	struct cmp_side sa, sb;
	char err[8192] = "";
	if (cmp_side_load(a, &sa, err, sizeof(err))) {
		if (!err[0])
			abort();
		return 0;
	}
	/* B as a gauntlet; then the same cell as a plain run against A */
	const char *bside = cmp_side_load(b, &sb, err, sizeof(err)) == 0 ? NULL : bc;
	if (bside) {
		if (!err[0])
			abort();
		err[0] = 0;
		if (cmp_side_load(bside, &sb, err, sizeof(err))) {
			if (!err[0])
				abort();
			cmp_side_free(&sa);
			return 0;
		}
	}
	struct cmp_gates g;
	struct cmp_result r;
	cmp_gates_default(&g);
	if (cmp_compare(&sa, &sb, &g, NULL, &r, err, sizeof(err)) == 0) {
		json_t *j = cmp_result_json(&sa, &sb, &g, &r);
		char *s = json_dumps(j, 0);
		if (!s)
			abort(); /* every value must be serialisable */
		free(s);
		json_decref(j);
		cmp_result_free(&r);
	} else if (!err[0]) {
		abort();
	}
	cmp_side_free(&sa);
	cmp_side_free(&sb);
	return 0;
}
