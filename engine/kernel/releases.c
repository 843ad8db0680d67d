/* kernel.org's releases.json and the version arithmetic on it: parse, compare, the latest
 * stable rule, prefix resolution and ranges. No network here (download.c fetches). */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kernel/releases.h"

/* A decimal number of at most 6 digits (no sign, no leading '+'); advances *p. */
static int read_num(const char **p, int *out)
{
	const char *s = *p;
	int v = 0, nd = 0;
	while (isdigit((unsigned char)*s)) {
		if (++nd > 6)
			return -EINVAL;
		v = v * 10 + (*s++ - '0');
	}
	if (!nd)
		return -EINVAL;
	*p = s;
	*out = v;
	return 0;
}

int kver_parse(const char *s, struct kver *out)
{
	struct kver v = { .minor = -1, .patch = -1, .rc = 0 };
	if (!s || read_num(&s, &v.major))
		return -EINVAL;
	if (*s == '.') {
		s++;
		if (read_num(&s, &v.minor))
			return -EINVAL;
		if (*s == '.') {
			s++;
			if (read_num(&s, &v.patch))
				return -EINVAL;
		} else if (!strncmp(s, "-rc", 3)) {
			s += 3;
			if (read_num(&s, &v.rc) || v.rc < 1)
				return -EINVAL;
		}
	}
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

static int cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

int kver_cmp(const struct kver *a, const struct kver *b)
{
	int c = cmp_int(a->major, b->major);
	if (!c)
		c = cmp_int(a->minor < 0 ? 0 : a->minor, b->minor < 0 ? 0 : b->minor);
	if (!c)
		c = cmp_int(a->patch < 0 ? 0 : a->patch, b->patch < 0 ? 0 : b->patch);
	if (!c) /* a release (rc 0) is after all of its RCs */
		c = cmp_int(a->rc ? a->rc : INT_MAX, b->rc ? b->rc : INT_MAX);
	return c;
}

int releases_parse(const char *json, size_t len, struct releases *out, char *err, size_t errlen)
{
	json_error_t je;
	out->v = NULL;
	out->n = 0;
	json_t *root = json_loadb(json, len, 0, &je);
	if (!root) {
		snprintf(err, errlen, "releases.json: invalid JSON at line %d column %d: %s",
			 je.line, je.column, je.text);
		return -EINVAL;
	}
	json_t *arr = json_is_object(root) ? json_object_get(root, "releases") : NULL;
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "releases.json: no \"releases\" array");
		json_decref(root);
		return -EINVAL;
	}
	size_t cap = json_array_size(arr);
	out->v = calloc(cap ? cap : 1, sizeof(*out->v));
	if (!out->v) {
		json_decref(root);
		snprintf(err, errlen, "releases.json: out of memory");
		return -ENOMEM;
	}
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		const char *ver = json_string_value(json_object_get(e, "version"));
		const char *mon = json_string_value(json_object_get(e, "moniker"));
		if (!ver || !mon || strlen(ver) >= sizeof(out->v[0].version) ||
		    strlen(mon) >= sizeof(out->v[0].moniker))
			continue;
		struct release *r = &out->v[out->n++];
		strcpy(r->version, ver);
		strcpy(r->moniker, mon);
		r->iseol = json_is_true(json_object_get(e, "iseol"));
	}
	json_decref(root);
	return 0;
}

void releases_free(struct releases *r)
{
	if (!r)
		return;
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static bool is_stable(const struct release *r)
{
	return !strcmp(r->moniker, "stable") || !strcmp(r->moniker, "longterm");
}

/* Copies s into out; -ENAMETOOLONG (with err) when it does not fit. */
static int put(const char *s, char *out, size_t len, char *err, size_t errlen)
{
	if (strlen(s) >= len) {
		snprintf(err, errlen, "version %s: too long for its buffer", s);
		return -ENAMETOOLONG;
	}
	strcpy(out, s);
	return 0;
}

int releases_latest_stable(const struct releases *r, char *ver, size_t len, char *err, size_t errlen)
{
	const struct release *best = NULL;
	struct kver bk = { 0 }, k;
	for (int i = 0; i < r->n; i++) {
		const struct release *e = &r->v[i];
		if (!is_stable(e) || kver_parse(e->version, &k) || k.rc || k.patch < 8)
			continue;
		if (!best || kver_cmp(&k, &bk) > 0) {
			best = e;
			bk = k;
		}
	}
	if (!best) {
		snprintf(err, errlen, "no stable kernel with patch >= 8 found in releases.json");
		return -ENOENT;
	}
	return put(best->version, ver, len, err, errlen);
}

/* Does k belong to the series `pre` names (a bare major, or major.minor)? */
static bool in_series(const struct kver *k, const struct kver *pre)
{
	return k->major == pre->major && (pre->minor < 0 || k->minor == pre->minor);
}

int releases_sibling(const struct releases *r, const struct kver *ver, char *out, size_t len)
{
	struct kver series = { ver->major, ver->minor, -1, 0 }, k, bk = { 0 };
	const char *best = NULL;
	if (ver->minor < 0)
		return -ENOENT;
	for (int i = 0; i < r->n; i++) {
		const struct release *e = &r->v[i];
		if (!is_stable(e) || e->iseol || kver_parse(e->version, &k) || k.rc ||
		    !in_series(&k, &series))
			continue;
		if (!best || kver_cmp(&k, &bk) > 0) {
			best = e->version;
			bk = k;
		}
	}
	if (!best || strlen(best) >= len)
		return -ENOENT;
	strcpy(out, best);
	return 0;
}

int releases_resolve(const struct releases *r, const char *spec, char *ver, size_t len, char *err, size_t errlen)
{
	struct kver want, k, bk = { 0 };
	if (kver_parse(spec, &want)) {
		snprintf(err, errlen, "invalid kernel version '%s': expected MAJOR.MINOR[.PATCH] or MAJOR.MINOR-rcN (e.g. 6.14, 6.14.2, 6.15-rc3)", spec);
		return -EINVAL;
	}
	if (want.rc || want.patch >= 0)
		return put(spec, ver, len, err, errlen);
	const char *best = NULL, *mainline = NULL;
	for (int i = 0; i < r->n; i++) {
		const struct release *e = &r->v[i];
		if (kver_parse(e->version, &k) || k.rc || !in_series(&k, &want))
			continue;
		if (!is_stable(e)) {
			/* Just released, before its first stable: mainline lists "6.16" itself. */
			if (!strcmp(e->moniker, "mainline") && want.minor >= 0)
				mainline = e->version;
			continue;
		}
		if (!best || kver_cmp(&k, &bk) > 0) {
			best = e->version;
			bk = k;
		}
	}
	if (!best)
		best = mainline;
	if (!best) {
		if (want.minor < 0)
			snprintf(err, errlen, "no %d.x release listed in releases.json", want.major);
		else
			snprintf(err, errlen, "no %d.%d.x release listed in releases.json (an end-of-life series is no longer listed; give an exact version, e.g. %d.%d.1)",
				 want.major, want.minor, want.major, want.minor);
		return -ENOENT;
	}
	return put(best, ver, len, err, errlen);
}

bool releases_is_range(const char *spec)
{
	/* "../linux" and "~/src/a..b" are paths (the spec grammar's path rule), not ranges. */
	return spec && strstr(spec, "..") && !strchr(spec, '/') && spec[0] != '.' && spec[0] != '~';
}

struct ranked { struct kver k; const char *v; };

static int ranked_cmp(const void *a, const void *b)
{
	return kver_cmp(&((const struct ranked *)a)->k, &((const struct ranked *)b)->k);
}

/* k <= hi, where a hi without a patch level (or minor) covers its whole series. */
static bool at_most(const struct kver *k, const struct kver *hi)
{
	if (hi->rc == 0 && hi->patch < 0) {
		if (k->major != hi->major)
			return k->major < hi->major;
		return hi->minor < 0 || k->minor <= hi->minor;
	}
	return kver_cmp(k, hi) <= 0;
}

int releases_range(const struct releases *r, const char *spec, char ***out, int *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	const char *dots = spec ? strstr(spec, "..") : NULL;
	if (!dots) {
		snprintf(err, errlen, "invalid range '%s': expected START..END or START..=END (e.g. 6.12..6.14)", spec ? spec : "");
		return -EINVAL;
	}
	char a[32], b[32];
	const char *end = dots[2] == '=' ? dots + 3 : dots + 2;
	size_t alen = (size_t)(dots - spec);
	struct kver lo, hi;
	if (alen >= sizeof(a) || strlen(end) >= sizeof(b)) {
		snprintf(err, errlen, "invalid range '%s': expected START..END or START..=END (e.g. 6.12..6.14)", spec);
		return -EINVAL;
	}
	memcpy(a, spec, alen);
	a[alen] = '\0';
	strcpy(b, end);
	if (kver_parse(a, &lo) || kver_parse(b, &hi)) {
		snprintf(err, errlen, "invalid range '%s': '%s' is not a kernel version (expected START..END or START..=END, e.g. 6.12..6.14)",
			 spec, kver_parse(a, &lo) ? a : b);
		return -EINVAL;
	}
	if (!at_most(&lo, &hi)) {
		snprintf(err, errlen, "invalid range '%s': %s is after %s", spec, a, b);
		return -EINVAL;
	}
	struct ranked *sel = calloc(r->n ? (size_t)r->n : 1, sizeof(*sel));
	if (!sel) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int m = 0;
	for (int i = 0; i < r->n; i++) {
		struct kver k;
		if (!is_stable(&r->v[i]) || kver_parse(r->v[i].version, &k))
			continue;
		if (kver_cmp(&k, &lo) >= 0 && at_most(&k, &hi))
			sel[m++] = (struct ranked){ k, r->v[i].version };
	}
	if (!m) {
		free(sel);
		snprintf(err, errlen, "no stable or longterm release in range %s in releases.json", spec);
		return -ENOENT;
	}
	qsort(sel, (size_t)m, sizeof(*sel), ranked_cmp);
	char **v = calloc((size_t)m, sizeof(*v));
	int k = 0, rc = 0;
	for (int i = 0; v && i < m; i++) {
		if (k && !strcmp(v[k - 1], sel[i].v))
			continue;
		if (!(v[k] = strdup(sel[i].v))) {
			rc = -ENOMEM;
			break;
		}
		k++;
	}
	free(sel);
	if (!v || rc) {
		releases_range_free(v, k);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*out = v;
	*n = k;
	return 0;
}

void releases_range_free(char **v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
