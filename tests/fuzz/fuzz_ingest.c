/* libFuzzer harness: control-port lines from the guest are untrusted; run_ingest, auto-repro's
 * stitcher, the report and the TUI's models over whatever it built must never crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/checks.h"
#include "engine/report.h"
#include "engine/repro/stitch.h"
#include "tests/fuzz/fuzz_views.h"

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
	/* Probe messages (a repro VM's) go through auto-repro's own parser and stitcher. */
	if (ring_count(r->probe) && (r->repro = repro_new())) {
		size_t n = ring_count(r->probe);
		const char **lines = calloc(n, sizeof(*lines));
		for (size_t i = 0; lines && i < n; i++) {
			lines[i] = ring_get(r->probe, i);
			repro_progress(r->repro, lines[i]);
		}
		if (lines)
			repro_stitch(lines, n, "", "", r->repro);
		free(lines);
		r->repro->state = REPRO_DONE;
	}
	fuzz_render(r);
out:
	free(buf);
	if (r)
		run_put(r);
	return 0;
}
