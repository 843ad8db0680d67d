/* kernel.org's releases.json (engine/kernel/releases.c): parsing a real-shaped file, version
 * parsing and order, the latest-stable rule (patch >= 8), prefix resolution, ranges. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/kernel/releases.h"

/* Shaped like https://www.kernel.org/releases.json (fields the code ignores included). */
static const char REL_JSON[] =
	"{\n"
	"  \"latest_stable\": { \"version\": \"6.18.3\" },\n"
	"  \"releases\": [\n"
	"    { \"iseol\": false, \"version\": \"6.19-rc2\", \"moniker\": \"mainline\",\n"
	"      \"source\": \"https://git.kernel.org/torvalds/t/linux-6.19-rc2.tar.gz\", \"pgp\": null,\n"
	"      \"released\": { \"timestamp\": 1766265600, \"isodate\": \"2025-12-21\" },\n"
	"      \"gitweb\": \"https://git.kernel.org/torvalds/h/v6.19-rc2\", \"changelog\": null,\n"
	"      \"diffview\": \"https://git.kernel.org/torvalds/ds/v6.19-rc2/v6.18\",\n"
	"      \"patch\": { \"full\": \"https://git.kernel.org/torvalds/p/v6.19-rc2/v6.18\", \"incremental\": null } },\n"
	"    { \"iseol\": false, \"version\": \"6.18.3\", \"moniker\": \"stable\",\n"
	"      \"source\": \"https://cdn.kernel.org/pub/linux/kernel/v6.x/linux-6.18.3.tar.xz\" },\n"
	"    { \"iseol\": true, \"version\": \"6.17.7\", \"moniker\": \"stable\" },\n"
	"    { \"iseol\": false, \"version\": \"6.12.20\", \"moniker\": \"longterm\" },\n"
	"    { \"iseol\": false, \"version\": \"6.6.80\", \"moniker\": \"longterm\" },\n"
	"    { \"iseol\": false, \"version\": \"6.1.130\", \"moniker\": \"longterm\" },\n"
	"    { \"iseol\": true, \"version\": \"5.4.290\", \"moniker\": \"longterm\" },\n"
	"    { \"iseol\": false, \"version\": \"next-20251219\", \"moniker\": \"linux-next\" }\n"
	"  ]\n"
	"}\n";

static struct releases rel;
static char err[512], ver[32];

static void load(const char *json)
{
	err[0] = '\0';
	int rc = releases_parse(json, strlen(json), &rel, err, sizeof(err));
	cr_assert_eq(rc, 0, "releases_parse: %d: %s", rc, err);
}

static void teardown(void)
{
	releases_free(&rel);
}

TestSuite(releases, .fini = teardown);

Test(releases, parses_every_entry_with_moniker_and_eol)
{
	load(REL_JSON);
	cr_assert_eq(rel.n, 8);
	cr_assert_str_eq(rel.v[0].version, "6.19-rc2");
	cr_assert_str_eq(rel.v[0].moniker, "mainline");
	cr_assert_str_eq(rel.v[1].version, "6.18.3");
	cr_assert_str_eq(rel.v[1].moniker, "stable");
	cr_assert(!rel.v[1].iseol);
	cr_assert(rel.v[2].iseol);
	cr_assert_str_eq(rel.v[3].moniker, "longterm");
	cr_assert_str_eq(rel.v[7].moniker, "linux-next");
	cr_assert_str_eq(rel.v[7].version, "next-20251219");
}

Test(releases, skips_entries_without_version_or_moniker)
{
	load("{\"releases\":[{\"moniker\":\"stable\"},{\"version\":\"6.1.2\"},{\"version\":7,\"moniker\":\"stable\"},"
	     "{\"version\":\"6.2.9\",\"moniker\":\"stable\",\"iseol\":true}]}");
	cr_assert_eq(rel.n, 1);
	cr_assert_str_eq(rel.v[0].version, "6.2.9");
	cr_assert(rel.v[0].iseol);
}

Test(releases, malformed_json_names_releases_json)
{
	int rc = releases_parse("{\"releases\": [", 14, &rel, err, sizeof(err));
	cr_assert_eq(rc, -EINVAL);
	cr_assert(!strncmp(err, "releases.json: invalid JSON", 27), "got: %s", err);
	rc = releases_parse("<html>gateway timeout</html>", 28, &rel, err, sizeof(err));
	cr_assert_eq(rc, -EINVAL);
	cr_assert(strstr(err, "releases.json"), "got: %s", err);
	rc = releases_parse("{\"latest_stable\":{}}", 20, &rel, err, sizeof(err));
	cr_assert_eq(rc, -EINVAL);
	cr_assert_str_eq(err, "releases.json: no \"releases\" array");
	cr_assert_eq(rel.n, 0);
}

Test(releases, latest_stable_skips_patch_below_8)
{
	load(REL_JSON);
	/* 6.18.3 is newest but too fresh; 6.17.7 too; the longterm 6.12.20 qualifies. */
	cr_assert_eq(releases_latest_stable(&rel, ver, sizeof(ver), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(ver, "6.12.20");
}

Test(releases, latest_stable_takes_patch_8_exactly_and_newest)
{
	load("{\"releases\":[{\"version\":\"6.19-rc8\",\"moniker\":\"mainline\"},"
	     "{\"version\":\"6.18.8\",\"moniker\":\"stable\"},{\"version\":\"6.12.40\",\"moniker\":\"longterm\"}]}");
	cr_assert_eq(releases_latest_stable(&rel, ver, sizeof(ver), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(ver, "6.18.8");
}

Test(releases, latest_stable_none_qualifying_exact_message)
{
	load("{\"releases\":[{\"version\":\"6.19-rc2\",\"moniker\":\"mainline\"},"
	     "{\"version\":\"6.18.3\",\"moniker\":\"stable\"},{\"version\":\"6.12.7\",\"moniker\":\"longterm\"},"
	     "{\"version\":\"next-20251219\",\"moniker\":\"linux-next\"}]}");
	cr_assert_eq(releases_latest_stable(&rel, ver, sizeof(ver), err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "no stable kernel with patch >= 8 found in releases.json");
}

Test(releases, resolve_prefix_to_newest_of_series)
{
	load("{\"releases\":[{\"version\":\"6.14.10\",\"moniker\":\"stable\"},{\"version\":\"6.14.9\",\"moniker\":\"stable\"},"
	     "{\"version\":\"6.12.20\",\"moniker\":\"longterm\"},{\"version\":\"6.16\",\"moniker\":\"mainline\"}]}");
	cr_assert_eq(releases_resolve(&rel, "6.14", ver, sizeof(ver), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(ver, "6.14.10");
	cr_assert_eq(releases_resolve(&rel, "6.12", ver, sizeof(ver), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(ver, "6.12.20");
	/* a bare major: the newest x.y.z of it */
	cr_assert_eq(releases_resolve(&rel, "6", ver, sizeof(ver), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(ver, "6.14.10");
	/* released, no stable yet: mainline's own entry */
	cr_assert_eq(releases_resolve(&rel, "6.16", ver, sizeof(ver), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(ver, "6.16");
}

Test(releases, resolve_exact_and_rc_as_is)
{
	load(REL_JSON);
	cr_assert_eq(releases_resolve(&rel, "6.14.2", ver, sizeof(ver), err, sizeof(err)), 0);
	cr_assert_str_eq(ver, "6.14.2");
	cr_assert_eq(releases_resolve(&rel, "6.15-rc3", ver, sizeof(ver), err, sizeof(err)), 0);
	cr_assert_str_eq(ver, "6.15-rc3");
}

Test(releases, resolve_unlisted_prefix_and_garbage)
{
	load(REL_JSON);
	cr_assert_eq(releases_resolve(&rel, "6.13", ver, sizeof(ver), err, sizeof(err)), -ENOENT);
	cr_assert(!strncmp(err, "no 6.13.x release listed in releases.json", 41), "got: %s", err);
	cr_assert_eq(releases_resolve(&rel, "5", ver, sizeof(ver), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(ver, "5.4.290");
	cr_assert_eq(releases_resolve(&rel, "4", ver, sizeof(ver), err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "no 4.x release listed in releases.json");
	cr_assert_eq(releases_resolve(&rel, "latest", ver, sizeof(ver), err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "'latest'"), "got: %s", err);
}

Test(releases, sibling_skips_eol_series)
{
	load("{\"releases\":[{\"version\":\"6.14.10\",\"moniker\":\"stable\"},"
	     "{\"version\":\"6.13.12\",\"moniker\":\"stable\",\"iseol\":true}]}");
	struct kver k;
	cr_assert_eq(kver_parse("6.14.22", &k), 0);
	cr_assert_eq(releases_sibling(&rel, &k, ver, sizeof(ver)), 0);
	cr_assert_str_eq(ver, "6.14.10");
	cr_assert_eq(kver_parse("6.13.99", &k), 0);
	cr_assert_eq(releases_sibling(&rel, &k, ver, sizeof(ver)), -ENOENT);
	cr_assert_eq(kver_parse("6.11.1", &k), 0);
	cr_assert_eq(releases_sibling(&rel, &k, ver, sizeof(ver)), -ENOENT);
}

static void expect_range(const char *spec, const char *const *want, int nwant)
{
	char **v = NULL;
	int n = -1;
	int rc = releases_range(&rel, spec, &v, &n, err, sizeof(err));
	cr_assert_eq(rc, 0, "%s: %d: %s", spec, rc, err);
	cr_assert_eq(n, nwant, "%s: %d versions, expected %d", spec, n, nwant);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(v[i], want[i], "%s: [%d] %s, expected %s", spec, i, v[i], want[i]);
	releases_range_free(v, n);
}

Test(releases, range_inclusive_both_forms_sorted_stable_only)
{
	load(REL_JSON);
	const char *const mid[] = { "6.6.80", "6.12.20", "6.17.7" };
	expect_range("6.6.80..6.17.7", mid, 3);
	expect_range("6.6.80..=6.17.7", mid, 3);
	/* endpoints need not exist; a series endpoint covers its whole series */
	const char *const wide[] = { "6.1.130", "6.6.80", "6.12.20", "6.17.7", "6.18.3" };
	expect_range("6.0..6.18", wide, 5);
	expect_range("6.1..=6.19", wide, 5);   /* 6.19-rc2 is mainline: dropped */
	const char *const one[] = { "6.12.20" };
	expect_range("6.12..6.12", one, 1);
	const char *const all5[] = { "5.4.290", "6.1.130", "6.6.80", "6.12.20", "6.17.7", "6.18.3" };
	expect_range("5..6", all5, 6);
}

Test(releases, range_errors)
{
	load(REL_JSON);
	char **v = (char **)1;
	int n = 7;
	cr_assert_eq(releases_range(&rel, "6.7..6.11", &v, &n, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "no stable or longterm release in range 6.7..6.11 in releases.json");
	cr_assert_null(v);
	cr_assert_eq(n, 0);
	cr_assert_eq(releases_range(&rel, "6.12..", &v, &n, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "invalid range '6.12..'"), "got: %s", err);
	cr_assert_eq(releases_range(&rel, "..6.12", &v, &n, err, sizeof(err)), -EINVAL);
	cr_assert_eq(releases_range(&rel, "a..b", &v, &n, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "'a' is not a kernel version"), "got: %s", err);
	cr_assert_eq(releases_range(&rel, "6.14...6.16", &v, &n, err, sizeof(err)), -EINVAL);
	cr_assert_eq(releases_range(&rel, "6.14..=6.12", &v, &n, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "6.14 is after 6.12"), "got: %s", err);
	cr_assert_eq(releases_range(&rel, "6.12", &v, &n, err, sizeof(err)), -EINVAL);
}

Test(releases, is_range)
{
	cr_assert(releases_is_range("6.12..6.14"));
	cr_assert(releases_is_range("6.12..=6.14"));
	cr_assert(!releases_is_range("6.12"));
	cr_assert(releases_is_range("6.12.."));       /* malformed, but a range: its error says so */
	cr_assert(!releases_is_range("../linux"));    /* paths are not ranges */
	cr_assert(!releases_is_range("~/src/linux..old"));
	cr_assert(!releases_is_range("src/a..b"));
}

Test(kver, parses_every_form)
{
	struct kver k;
	cr_assert_eq(kver_parse("6.14.2", &k), 0);
	cr_assert(k.major == 6 && k.minor == 14 && k.patch == 2 && k.rc == 0);
	cr_assert_eq(kver_parse("6.14", &k), 0);
	cr_assert(k.major == 6 && k.minor == 14 && k.patch == -1 && k.rc == 0);
	cr_assert_eq(kver_parse("6.15-rc3", &k), 0);
	cr_assert(k.major == 6 && k.minor == 15 && k.patch == -1 && k.rc == 3);
	cr_assert_eq(kver_parse("7", &k), 0);
	cr_assert(k.major == 7 && k.minor == -1 && k.patch == -1 && k.rc == 0);
	cr_assert_eq(kver_parse("6.1.130", &k), 0);
	cr_assert_eq(k.patch, 130);
}

Test(kver, rejects_malformed)
{
	static const char *const bad[] = { "", "6.", "6..1", ".6", "6.14.", "6.14.2.1", "v6.14", "6.14-rc",
		"6.14-rc0", "6-rc1", "6.14.2-rc1", "6.14rc1", "6.x", "next-20251219", " 6.14", "6.14 ",
		"-6.14", "+6.14", "1234567.1", "6.14-rc3x" };
	struct kver k = { 9, 9, 9, 9 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(kver_parse(bad[i], &k), -EINVAL, "'%s' accepted", bad[i]);
	cr_assert_eq(kver_parse(NULL, &k), -EINVAL);
	cr_assert(k.major == 9 && k.rc == 9, "out written on failure");
}

static int cmp(const char *a, const char *b)
{
	struct kver x, y;
	cr_assert_eq(kver_parse(a, &x), 0, "%s", a);
	cr_assert_eq(kver_parse(b, &y), 0, "%s", b);
	return kver_cmp(&x, &y);
}

Test(kver, orders_numerically_with_rcs_before_release)
{
	cr_assert_lt(cmp("6.9.1", "6.10"), 0);
	cr_assert_lt(cmp("6.14.2", "6.14.10"), 0);
	cr_assert_lt(cmp("6.15-rc3", "6.15"), 0);
	cr_assert_lt(cmp("6.15-rc3", "6.15-rc10"), 0);
	cr_assert_gt(cmp("6.15-rc1", "6.14.99"), 0);
	cr_assert_lt(cmp("6.15-rc7", "6.15.1"), 0);
	cr_assert_eq(cmp("6.14", "6.14.0"), 0);
	cr_assert_eq(cmp("7", "7.0"), 0);
	cr_assert_gt(cmp("7", "6.99.99"), 0);
	cr_assert_eq(cmp("6.14.2", "6.14.2"), 0);
}
