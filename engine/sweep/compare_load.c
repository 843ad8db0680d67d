/* Loading one side of an A/B compare into cells (engine/sweep/compare.h): a run directory
 * (result.json), a gauntlet or merged result (gauntlet.json, cells per its "dir"), or a
 * directory whose subdirectories are runs. Every problem names the file. */
#include "engine/sweep/compare.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_CELLS 4096

const char *const cmp_dim_names[CMP_NDIMS] = { "scenario", "preset", "profile", "kernel" };

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static struct cmp_cell *add_cell(struct cmp_side *s, char *err, size_t errlen)
{
	if (s->ncells >= MAX_CELLS) {
		snprintf(err, errlen, "%s: more than %d cells; compare smaller parts", s->path, MAX_CELLS);
		return NULL;
	}
	struct cmp_cell *n = realloc(s->cells, (size_t)(s->ncells + 1) * sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "%s: out of memory", s->path);
		return NULL;
	}
	s->cells = n;
	struct cmp_cell *c = &n[s->ncells++];
	memset(c, 0, sizeof(*c));
	return c;
}

/* A parsed JSON object from path, or NULL with err saying where it is broken. */
static json_t *load_object(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *o = json_load_file(path, 0, &je);
	if (!o) {
		if (!is_file(path))
			snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOENT));
		else
			snprintf(err, errlen, "%s: not valid JSON at line %d column %d: %s; the run is damaged, "
				 "run it again", path, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s: expected a JSON object, found %s", path,
			 json_is_array(o) ? "an array" : "a scalar");
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The first failing check's message, or the run's error. */
static void fail_reason(const json_t *res, char *buf, size_t len)
{
	const json_t *chk = json_object_get(res, "checks"), *c;
	size_t i;
	buf[0] = 0;
	if (json_is_string(json_object_get(res, "error"))) {
		snprintf(buf, len, "%s", str(res, "error"));
		return;
	}
	json_array_foreach(chk, i, c)
		if (json_is_false(json_object_get(c, "ok"))) {
			snprintf(buf, len, "%s: %s", str(c, "name"), str(c, "message"));
			return;
		}
}

/* One run directory's result.json into c. with_dims: fill the pairing dimensions from it. */
static int load_run(const char *dir, struct cmp_cell *c, bool with_dims, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/result.json", dir);
	json_t *res = load_object(path, err, errlen);
	if (!res)
		return -EINVAL;
	const char *result = str(res, "result");
	static const char *const ok[] = { "pass", "fail", "error", "skip" };
	bool known = false;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		known |= !strcmp(result, ok[i]);
	if (!known) {
		snprintf(err, errlen, "%s: \"result\" is %s%s%s, expected pass, fail, error or skip; the run did not "
			 "finish, or this is not ktstr's result.json", path, *result ? "'" : "missing",
			 result, *result ? "'" : "");
		json_decref(res);
		return -EINVAL;
	}
	const json_t *cgs = json_object_get(res, "cgroups");
	if (cgs && !json_is_array(cgs)) {
		snprintf(err, errlen, "%s: \"cgroups\" is not an array", path);
		json_decref(res);
		return -EINVAL;
	}
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	snprintf(c->status, sizeof(c->status), "%s", result);
	const json_t *sc = json_object_get(res, "scenario"), *k = json_object_get(res, "kernel");
	if (with_dims) {
		snprintf(c->dim[0], sizeof(c->dim[0]), "%s", str(sc, "name"));
		snprintf(c->dim[1], sizeof(c->dim[1]), "%s", str(sc, "topology"));
		snprintf(c->dim[2], sizeof(c->dim[2]), "%s", str(sc, "scheduler"));
		snprintf(c->dim[3], sizeof(c->dim[3]), "%s", *str(k, "version") ? str(k, "version") : str(k, "key"));
		snprintf(c->name, sizeof(c->name), "%s/%s/%s/%s", c->dim[0], c->dim[1], c->dim[2], c->dim[3]);
	}
	if (strcmp(result, "pass"))
		fail_reason(res, c->reason, sizeof(c->reason));
	else
		metrics_extract(res, &c->m);
	json_decref(res);
	return 0;
}

static int load_gauntlet(struct cmp_side *s, const char *dir, char *err, size_t errlen)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/gauntlet.json", dir);
	json_t *g = load_object(path, err, errlen), *cells, *x;
	if (!g)
		return -EINVAL;
	int rc = -EINVAL;
	size_t i;
	cells = json_object_get(g, "cells");
	if (strcmp(str(g, "kind"), "gauntlet") || !json_is_array(cells)) {
		snprintf(err, errlen, "%s: expected {\"kind\": \"gauntlet\", \"cells\": [...]}; %s", path,
			 strcmp(str(g, "kind"), "gauntlet") ? "\"kind\" is not \"gauntlet\"" : "\"cells\" is not an array");
		goto out;
	}
	json_array_foreach(cells, i, x) {
		const char *name = str(x, "name"), *st = str(x, "status");
		if (!json_is_object(x) || !*name || !*st) {
			snprintf(err, errlen, "%s: cells[%zu] has no \"name\" or \"status\"", path, i);
			goto out;
		}
		struct cmp_cell *c = add_cell(s, err, errlen);
		if (!c)
			goto out;
		snprintf(c->name, sizeof(c->name), "%s", name);
		for (int d = 0; d < CMP_NDIMS; d++)
			snprintf(c->dim[d], sizeof(c->dim[d]), "%s", str(x, cmp_dim_names[d]));
		snprintf(c->status, sizeof(c->status), "%s", st);
		snprintf(c->reason, sizeof(c->reason), "%s", str(x, "reason"));
		const char *cd = str(x, "dir");
		if (!*cd) {
			if (!strcmp(st, "pass")) {
				snprintf(err, errlen, "%s: cell '%s' passed but has no \"dir\"", path, name);
				goto out;
			}
			continue;
		}
		if (strstr(cd, "..") || cd[0] == '/') {
			snprintf(err, errlen, "%s: cell '%s': \"dir\" '%s' must be relative, inside the gauntlet", path,
				 name, cd);
			goto out;
		}
		char cdir[4200];
		snprintf(cdir, sizeof(cdir), "%s/%s", dir, cd);
		if (strcmp(st, "pass")) { /* the run's own reason if it has one; never required */
			snprintf(c->dir, sizeof(c->dir), "%s", cdir);
			continue;
		}
		char keep[CMP_NDIMS][256];
		memcpy(keep, c->dim, sizeof(keep));
		if (load_run(cdir, c, false, err, errlen))
			goto out;
		if (strcmp(c->status, "pass")) { /* gauntlet.json and the cell's run disagree: trust the run */
			snprintf(c->reason, sizeof(c->reason), "gauntlet.json says pass, result.json says %s",
				 c->status);
		}
		memcpy(c->dim, keep, sizeof(keep));
	}
	rc = 0;
out:
	json_decref(g);
	return rc;
}

static int by_name(const struct dirent **x, const struct dirent **y)
{
	return strcmp((*x)->d_name, (*y)->d_name);
}

/* Every subdirectory with a result.json, except auto-repro's second VM (its "primary"
 * link points back at the run it repeats). */
static int load_runs(struct cmp_side *s, const char *dir, char *err, size_t errlen)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name), rc = 0;
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < n; i++) {
		char sub[4200], p[4300];
		snprintf(sub, sizeof(sub), "%s/%s", dir, ents[i]->d_name);
		snprintf(p, sizeof(p), "%s/result.json", sub);
		bool take = !rc && ents[i]->d_name[0] != '.' && is_file(p);
		snprintf(p, sizeof(p), "%s/primary", sub);
		struct stat st;
		if (take && lstat(p, &st) == 0)
			take = false;
		if (take) {
			struct cmp_cell *c = add_cell(s, err, errlen);
			rc = c ? load_run(sub, c, true, err, errlen) : -ENOMEM;
		}
		free(ents[i]);
	}
	free(ents);
	if (!rc && !s->ncells) {
		snprintf(err, errlen, "%s: not a run (no result.json), a gauntlet (no gauntlet.json) or a directory "
			 "of runs (no subdirectory has a result.json)", dir);
		rc = -ENOENT;
	}
	return rc;
}

int cmp_side_load(const char *path, struct cmp_side *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	char dir[4096], p[4200];
	snprintf(dir, sizeof(dir), "%s", path);
	if (is_file(path)) { /* result.json or gauntlet.json itself: its directory */
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (strcmp(base, "result.json") && strcmp(base, "gauntlet.json")) {
			snprintf(err, errlen, "%s: a file; pass a run directory, a gauntlet directory or a directory of "
				 "runs", path);
			return -EINVAL;
		}
		snprintf(dir, sizeof(dir), "%.*s", base == path ? 1 : (int)(base - path - 1), base == path ? "." : path);
	} else if (!is_dir(path)) {
		snprintf(err, errlen, "%s: no such directory", path);
		return -ENOENT;
	}
	int rc;
	snprintf(p, sizeof(p), "%s/gauntlet.json", dir);
	if (is_file(p)) {
		s->kind = "gauntlet";
		rc = load_gauntlet(s, dir, err, errlen);
	} else {
		snprintf(p, sizeof(p), "%s/result.json", dir);
		if (is_file(p)) {
			s->kind = "run";
			struct cmp_cell *c = add_cell(s, err, errlen);
			rc = c ? load_run(dir, c, true, err, errlen) : -ENOMEM;
		} else {
			snprintf(p, sizeof(p), "%s/verifier.json", dir);
			if (is_file(p)) {
				snprintf(err, errlen, "%s: a verifier sweep; compare takes runs, directories of runs and "
					 "gauntlets (`ktstr verifier` diffs kernels itself)", dir);
				return -EINVAL;
			}
			s->kind = "runs";
			rc = load_runs(s, dir, err, errlen);
		}
	}
	if (rc)
		cmp_side_free(s);
	return rc;
}

void cmp_side_free(struct cmp_side *s)
{
	free(s->cells);
	s->cells = NULL;
	s->ncells = 0;
}
