/* JUnit XML for CI (junit.h), in the shape of the widely used Jenkins junit.xsd
 * (tests/fixtures/junit.xsd checks it). */
#include "engine/sweep/junit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/json_util.h"

#define REPORT_MAX (256 << 10) /* a report.txt is a few KiB; a runaway one is cut */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t l = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		   (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (!l || l > n || (l == 2 && s[0] < 0xc2) || (l == 4 && s[0] > 0xf4))
		return 0;
	for (size_t i = 1; i < l; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (l == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
		       (s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)))
		return 0; /* overlong, surrogate, U+FFFE/FFFF: not XML characters */
	if (l == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return l;
}

void sweep_xml_escape(FILE *f, const char *s, size_t n, int attribute)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n && p[i];) {
		unsigned char c = p[i];
		size_t l = utf8_len(p + i, n - i);
		if (!l) {
			fputc('?', f);
			i++;
			continue;
		}
		if (l > 1) {
			fwrite(p + i, 1, l, f);
			i += l;
			continue;
		}
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\t': case '\n': case '\r':
			if (attribute)
				fprintf(f, "&#%d;", c);
			else
				fputc(c, f);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
		}
		i++;
	}
}

static void attr(FILE *f, const char *name, const char *v)
{
	fprintf(f, " %s=\"", name);
	sweep_xml_escape(f, v, strlen(v), 1);
	fputc('"', f);
}

static void testcase(FILE *f, const char *dir, const json_t *c)
{
	const char *name = ju_str_or(c, "name", "?"), *st = ju_str_or(c, "status", "error");
	char cls[300];
	snprintf(cls, sizeof(cls), "gauntlet.%s", ju_str_or(c, "scenario", "?"));
	fputs("    <testcase", f);
	attr(f, "classname", cls);
	attr(f, "name", name);
	fprintf(f, " time=\"%.3f\"", ju_num_or(c, "wall_s", 0) > 0 ? ju_num_or(c, "wall_s", 0) : 0);
	if (!strcmp(st, "pass")) {
		fputs("/>\n", f);
		return;
	}
	const char *reason = ju_str_or(c, "reason", "");
	if (!strcmp(st, "skip")) {
		fputs(">\n      <skipped", f);
		attr(f, "message", reason);
		fputs("/>\n    </testcase>\n", f);
		return;
	}
	const char *tag = !strcmp(st, "fail") ? "failure" : "error";
	fprintf(f, ">\n      <%s", tag);
	attr(f, "message", *reason ? reason : st);
	attr(f, "type", st);
	fputc('>', f);
	/* The body: the run's report (verdict header and its sections), else the exit code. */
	const char *d = json_string_value(json_object_get(c, "dir"));
	char path[4096], *text = NULL;
	size_t len = 0;
	if (d)
		snprintf(path, sizeof(path), "%s/%s/report.txt", dir, d);
	if (d && !fs_read_file(path, 64 << 20, &text, &len)) {
		sweep_xml_escape(f, text, len > REPORT_MAX ? REPORT_MAX : len, 0);
		if (len > REPORT_MAX)
			fputs("\n[report cut at 256 KiB]\n", f);
	} else {
		fprintf(f, "ktstr run exited %d; no report.txt (see logs/ in the gauntlet directory)",
			(int)ju_int_or(c, "exit_code", -1));
	}
	free(text);
	fprintf(f, "</%s>\n    </testcase>\n", tag);
}

int sweep_junit_write(const char *dir, const json_t *g, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	if (!f) {
		snprintf(err, errlen, "out of memory writing %s", path);
		return -ENOMEM;
	}
	int tests = 0, fails = 0, errors = 0, skipped = 0;
	double time = 0;
	size_t i;
	json_t *c, *cells = json_object_get(g, "cells");
	json_array_foreach(cells, i, c) {
		const char *st = ju_str_or(c, "status", "error");
		tests++;
		fails += !strcmp(st, "fail");
		skipped += !strcmp(st, "skip");
		errors += strcmp(st, "fail") && strcmp(st, "skip") && strcmp(st, "pass");
		time += ju_num_or(c, "wall_s", 0);
	}
	double wall = ju_num_or(g, "wall_s", time);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"ktstr\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
		tests, fails, errors, wall);
	fprintf(f, "  <testsuite name=\"ktstr gauntlet\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
		"skipped=\"%d\" time=\"%.3f\"", tests, fails, errors, skipped, wall);
	const char *shard = json_string_value(json_object_get(g, "shard"));
	if (shard)
		attr(f, "id", shard);
	fputs(">\n", f);
	json_array_foreach(cells, i, c)
		testcase(f, dir, c);
	fputs("  </testsuite>\n</testsuites>\n", f);
	bool bad = ferror(f);
	if (fclose(f) || bad || !buf) {
		free(buf);
		snprintf(err, errlen, "out of memory writing %s", path);
		return -ENOMEM;
	}
	int rc = fs_write_atomic(path, buf, blen, 0644);
	free(buf);
	if (rc)
		snprintf(err, errlen, "cannot write %s: %s (check the --junit path)", path, strerror(-rc));
	return rc;
}
