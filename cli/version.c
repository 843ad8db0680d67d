/* `ktstr version` (and `ktstr --version`): what this ktstr is and what it runs with, the
 * same facts every result.json records under "ktstr". Never fails for a missing QEMU. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/version.h"

static json_t *jstr_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

int cmd_version(int argc, char **argv)
{
	bool js = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			js = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: ktstr version [--json]   (also: ktstr --version)");
			return 0;
		} else {
			cli_error("version: unknown argument '%s'; usage: ktstr version [--json]", argv[i]);
			return 2;
		}
	}
	struct version_info v;
	version_collect(&v);
	if (js) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o}", "version", v.version, "commit", v.commit,
				      "libbpf", v.libbpf, "qemu", jstr_or_null(v.qemu), "qemu_path",
				      jstr_or_null(v.qemu_path));
		char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		if (s)
			puts(s);
		free(s);
		json_decref(o);
		return s ? 0 : 3;
	}
	printf("ktstr %s\ncommit: %s\nlibbpf: %s\n", v.version, v.commit, v.libbpf);
	if (v.qemu_path[0])
		printf("qemu: %s at %s\n", v.qemu, v.qemu_path);
	else
		puts("qemu: not found (install it: sudo apt install qemu-system-x86, or set KTSTR_QEMU)");
	return 0;
}
