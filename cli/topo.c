/* `ktstr topo list [--json]`: the named topology presets a scenario's "topology" and
 * `--topo` accept (engine/topo_presets.c holds the table and its formatting). */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/topo_presets.h"

#define TOPO_USAGE "usage: ktstr topo list [--json]"

static int topo_list(bool js)
{
	if (js) {
		json_t *a = topo_presets_json();
		char *s = a ? json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		if (s)
			puts(s);
		free(s);
		json_decref(a);
		if (!s)
			cli_error("topo list: out of memory");
		return s ? 0 : 3;
	}
	size_t need = topo_presets_text(NULL, 0) + 1;
	char *buf = malloc(need);
	if (!buf) {
		cli_error("topo list: out of memory");
		return 3;
	}
	topo_presets_text(buf, need);
	fputs(buf, stdout);
	free(buf);
	return 0;
}

int cmd_topo(int argc, char **argv)
{
	bool js = false, list = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts(TOPO_USAGE);
			return 0;
		} else if (!strcmp(argv[i], "list") && !list) {
			list = true;
		} else if (!strcmp(argv[i], "--json") && list) {
			js = true;
		} else {
			cli_error("topo: unknown argument '%s'; " TOPO_USAGE, argv[i]);
			return 2;
		}
	}
	if (!list) {
		cli_error("topo: missing subcommand; " TOPO_USAGE);
		return 2;
	}
	return topo_list(js);
}
