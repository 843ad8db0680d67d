/* libFuzzer harness: control-port lines from the guest are untrusted; run_ingest and the
 * report over whatever it built must never crash.
 * clang -fsanitize=fuzzer,address,undefined -I. -Iengine tests/fuzz/fuzz_ingest.c engine/run.c \
 *   engine/ring.c engine/scenario.c engine/checks.c engine/report.c engine/collapse.c \
 *   -ljansson -lpthread -lm -o build/fuzz_ingest */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run *r = run_new(NULL);
	char *buf = malloc(size + 1);
	if (!r || !buf)
		goto out;
	memcpy(buf, data, size);
	buf[size] = 0;
	/* Each newline-separated piece is one control-port line. */
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		run_ingest(r, l);
	checks_finalize(r);
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		report_text(r, devnull);
		fclose(devnull);
	}
	free(report_json(r));
out:
	free(buf);
	if (r)
		run_put(r);
	return 0;
}
