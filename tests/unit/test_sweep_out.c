/* The gauntlet's outputs (engine/sweep/): XML escaping, JUnit counts and failure bodies,
 * gauntlet.json written and read back, and `merge` of shards (union, duplicates and
 * missing files refused with nothing written). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/sweep/gauntlet.h"
#include "engine/sweep/junit.h"
#include "engine/sweep/merge.h"
#include "tests/unit/tenv.h"

static char *escape(const char *s, size_t n, int attribute)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	sweep_xml_escape(f, s, n, attribute);
	fclose(f);
	return buf;
}

Test(sweep_junit, escaping_entities_controls_and_bad_utf8)
{
	char *e = escape("a<b>&\"c\" 'd'\n\t", 15, 0);
	cr_assert_str_eq(e, "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;\n\t");
	free(e);
	e = escape("x\ny\tz\r", 6, 1);
	cr_assert_str_eq(e, "x&#10;y&#9;z&#13;");
	free(e);
	/* ESC, DEL, a lone continuation byte, an overlong '/', a surrogate: '?' each; é and
	 * a 4-byte emoji stay. */
	const char in[] = "\x1b[1m\x7f\x80\xc0\xaf\xed\xa0\x80 caf\xc3\xa9 \xf0\x9f\x98\x80";
	e = escape(in, sizeof(in) - 1, 0);
	cr_assert_str_eq(e, "?[1m??????? caf\xc3\xa9 \xf0\x9f\x98\x80", "%s", e);
	free(e);
	e = escape("]]>", 3, 0);
	cr_assert_str_eq(e, "]]&gt;");
	free(e);
}

static void put(const char *path, const char *text)
{
	cr_assert_eq(fs_write_atomic(path, text, strlen(text), 0644), 0, "%s", path);
}

/* A shard directory with gauntlet.json of the given cells; each cell "name:status". */
static void shard(const char *dir, const char *sh, const char *const *cells, int n)
{
	char p[4096];
	json_t *a = json_array();
	for (int i = 0; i < n; i++) {
		char name[256], cd[300];
		const char *colon = strchr(cells[i], ':');
		snprintf(name, sizeof(name), "%.*s", (int)(colon - cells[i]), cells[i]);
		for (size_t j = 0, o = 0; j <= strlen(name); j++) /* '/' -> "__" */
			o += (size_t)snprintf(cd + o, sizeof(cd) - o, "%s", name[j] == '/' ? "__" :
					      (char[]){ name[j], 0 });
		snprintf(p, sizeof(p), "%s/cells/%s", dir, cd);
		cr_assert_eq(fs_mkdir_p(p, 0755), 0);
		strcat(p, "/report.txt");
		put(p, "ktstr: 'x' FAILED\n--- scheduler log ---\n<bpf> & \"quoted\"\n");
		char d[320];
		snprintf(d, sizeof(d), "cells/%s", cd);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:i}", "name", name,
						   "scenario", "x", "status", colon + 1, "exit_code",
						   strcmp(colon + 1, "pass") ? 1 : 0, "wall_s", 1.5, "dir", d,
						   "reason", "max_gap_ms: <stuck> 9ms", "index", i * 2 + (sh[0] - '1')));
	}
	json_t *g = json_pack("{s:s, s:i, s:s, s:s, s:i, s:n, s:f, s:{s:[s], s:[s], s:[s], s:[]}, s:o, s:[{s:s, s:s}]}",
			      "kind", "gauntlet", "version", 1, "command", "t", "shard", sh, "jobs", 1,
			      "budget_secs", "wall_s", 3.0, "axes", "scenarios", "x", "presets", "tiny-1llc",
			      "profiles", "default", "kernels", "cells", a, "left_out", "name",
			      "gauntlet/x/big/default", "reason", "budget");
	char err[512];
	cr_assert_eq(sweep_gauntlet_write(dir, g, err, sizeof(err)), 0, "%s", err);
	json_decref(g);
}

Test(sweep_merge, union_sorted_by_index_then_junit_counts)
{
	char root[4096], s1[4200], s2[4200], out[4200], xml[4200], err[1024];
	tenv_mkdtemp(root, sizeof(root), "merge");
	snprintf(s1, sizeof(s1), "%s/s1", root);
	snprintf(s2, sizeof(s2), "%s/s2", root);
	snprintf(out, sizeof(out), "%s/all", root);
	shard(s1, "1/2", (const char *[]){ "gauntlet/x/a/default:pass", "gauntlet/x/c/default:fail" }, 2);
	shard(s2, "2/2", (const char *[]){ "gauntlet/x/b/default:pass", "gauntlet/x/d/default:error" }, 2);
	json_t *g;
	const char *dirs[] = { s1, s2 };
	cr_assert_eq(sweep_merge(out, dirs, 2, "ktstr merge", &g, err, sizeof(err)), 0, "%s", err);
	json_t *cells = json_object_get(g, "cells");
	cr_assert_eq(json_array_size(cells), 4);
	const char *order[] = { "a", "b", "c", "d" }; /* indexes 0, 1, 2, 3 across the shards */
	for (int i = 0; i < 4; i++) {
		char want[64];
		snprintf(want, sizeof(want), "gauntlet/x/%s/default", order[i]);
		cr_assert_str_eq(json_string_value(json_object_get(json_array_get(cells, i), "name")), want);
	}
	cr_assert_eq(json_array_size(json_object_get(g, "left_out")), 1, "left_out once");
	char p[4400];
	snprintf(p, sizeof(p), "%s/cells/gauntlet__x__c__default/report.txt", out);
	cr_assert_eq(access(p, R_OK), 0, "cell dir copied: %s", p);
	json_t *back;
	cr_assert_eq(sweep_gauntlet_load(out, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert(json_equal(back, g));
	json_decref(back);

	snprintf(xml, sizeof(xml), "%s/j.xml", root);
	cr_assert_eq(sweep_junit_write(out, g, xml, err, sizeof(err)), 0, "%s", err);
	char *text;
	size_t len;
	cr_assert_eq(fs_read_file(xml, 1 << 20, &text, &len), 0);
	cr_assert(strstr(text, "<testsuite name=\"ktstr gauntlet\" tests=\"4\" failures=\"1\" errors=\"1\" "
			       "skipped=\"0\""), "%s", text);
	cr_assert(strstr(text, "<failure message=\"max_gap_ms: &lt;stuck&gt; 9ms\" type=\"fail\">ktstr: "
			       "&apos;x&apos; FAILED\n--- scheduler log ---\n&lt;bpf&gt; &amp; &quot;quoted&quot;"),
		  "%s", text);
	cr_assert(strstr(text, "<testcase classname=\"gauntlet.x\" name=\"gauntlet/x/a/default\" "
			       "time=\"1.500\"/>"), "%s", text);
	free(text);
	json_decref(g);
	/* Again into the same OUT: refused, it exists. */
	cr_assert_eq(sweep_merge(out, dirs, 2, "m", &g, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "already exists"), "%s", err);
	fs_rm_rf(root);
}

Test(sweep_merge, duplicates_and_missing_refused_nothing_written)
{
	char root[4096], s1[4200], s2[4200], s3[4200], out[4200], err[1024];
	tenv_mkdtemp(root, sizeof(root), "merge");
	snprintf(s1, sizeof(s1), "%s/s1", root);
	snprintf(s2, sizeof(s2), "%s/s2", root);
	snprintf(s3, sizeof(s3), "%s/empty", root);
	snprintf(out, sizeof(out), "%s/all", root);
	shard(s1, "1/2", (const char *[]){ "gauntlet/x/a/default:pass" }, 1);
	shard(s2, "2/2", (const char *[]){ "gauntlet/x/a/default:fail" }, 1);
	mkdir(s3, 0755);
	json_t *g;
	cr_assert_eq(sweep_merge(out, (const char *[]){ s1, s2 }, 2, "m", &g, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "cell gauntlet/x/a/default is in both"), "%s", err);
	cr_assert_eq(access(out, F_OK), -1);
	cr_assert_eq(sweep_merge(out, (const char *[]){ s1, s3 }, 2, "m", &g, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "gauntlet.json: no such file"), "%s", err);
	/* A cell whose directory is gone: the shard is incomplete. */
	char cd[4400];
	snprintf(cd, sizeof(cd), "%s/cells/gauntlet__x__a__default", s1);
	fs_rm_rf(cd);
	cr_assert_eq(sweep_merge(out, (const char *[]){ s1 }, 1, "m", &g, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "which is missing"), "%s", err);
	/* Not a gauntlet.json. */
	char p[4400];
	snprintf(p, sizeof(p), "%s/gauntlet.json", s3);
	put(p, "{\"kind\": \"verifier\", \"version\": 1, \"cells\": []}");
	cr_assert_eq(sweep_merge(out, (const char *[]){ s3 }, 1, "m", &g, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "not a gauntlet.json"), "%s", err);
	put(p, "{\"kind\": \"gauntlet\", \"version\": 1, \"cells\": [{\"name\": \"n\", \"dir\": \"../../etc\"}]}");
	cr_assert_eq(sweep_merge(out, (const char *[]){ s3 }, 1, "m", &g, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "cells/<cell-dir>"), "%s", err);
	cr_assert_eq(access(out, F_OK), -1, "nothing written");
	fs_rm_rf(root);
}
