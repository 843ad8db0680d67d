/* `ktstr merge OUT DIR...`: a gauntlet's shards joined into one directory, optionally
 * with JUnit XML over all of them (docs/gauntlet.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/sweep/junit.h"
#include "engine/sweep/merge.h"

static void usage(void)
{
	fputs("usage: ktstr merge OUT DIR... [--junit FILE] [--json]\n"
	      "  joins the gauntlet directories DIR... (the shards of one `ktstr gauntlet --shard K/N`)\n"
	      "  into the new directory OUT\n", stderr);
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "junit", required_argument, 0, 'J' }, { "json", no_argument, 0, 'O' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *junit = NULL;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'J': junit = optarg; break;
		case 'O': json = true; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (argc - optind < 2) {
		cli_error("merge: give OUT and at least one gauntlet directory");
		usage();
		return 2;
	}
	size_t len = 16;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *command = malloc(len), err[4096];
	if (!command)
		return 3;
	strcpy(command, "ktstr");
	for (int i = 0; i < argc; i++)
		strcat(strcat(command, " "), argv[i]);
	json_t *g = NULL;
	const char *out = argv[optind];
	int rc = sweep_merge(out, (const char *const *)argv + optind + 1, argc - optind - 1, command, &g,
			     err, sizeof(err));
	free(command);
	if (rc) {
		cli_error("merge: %s", err);
		return rc == -EINVAL ? 2 : 3;
	}
	if (junit && sweep_junit_write(out, g, junit, err, sizeof(err))) {
		cli_error("merge: %s", err);
		json_decref(g);
		return 3;
	}
	size_t i;
	json_t *cell;
	int cnt[4] = { 0 };
	json_array_foreach(json_object_get(g, "cells"), i, cell) {
		const char *st = json_string_value(json_object_get(cell, "status"));
		cnt[!st ? 2 : !strcmp(st, "pass") ? 0 : !strcmp(st, "fail") ? 1 : !strcmp(st, "skip") ? 3 : 2]++;
	}
	if (json) {
		char *t = json_dumps(g, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (t)
			puts(t);
		free(t);
	}
	fprintf(json ? stderr : stdout, "ktstr merge: %zu cells (%d passed, %d failed, %d errors, %d "
		"skipped) from %d directories into %s\n", json_array_size(json_object_get(g, "cells")),
		cnt[0], cnt[1], cnt[2], cnt[3], argc - optind - 1, out);
	json_decref(g);
	return 0;
}
