/* libFuzzer harness: scenario text from an untrusted file must never crash the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[1024];
	struct scenario *s = malloc(sizeof(*s));
	if (!text || !s)
		goto out;
	memcpy(text, data, size);
	text[size] = 0;
	if (scn_parse(text, "fuzz.json", s, err, sizeof(err)) == 0)
		scn_free(s);
	else if (strncmp(err, "fuzz.json:", 10))
		abort(); /* every error names the file and a position */
out:
	free(text);
	free(s);
	return 0;
}
