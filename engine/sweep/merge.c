/* Joining gauntlet shards (merge.h). */
#include "engine/sweep/merge.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/json_util.h"
#include "engine/sweep/gauntlet.h"

static int copy_tree(const char *src, const char *dst)
{
	struct stat st;
	if (lstat(src, &st))
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t l = readlink(src, target, sizeof(target) - 1);
		if (l < 0)
			return -errno;
		target[l] = 0;
		return symlink(target, dst) ? -errno : 0;
	}
	if (S_ISREG(st.st_mode))
		return fs_copy_file(src, dst, st.st_mode & 07777);
	if (!S_ISDIR(st.st_mode))
		return 0; /* sockets, fifos: nothing a reader needs */
	if (mkdir(dst, 0755) && errno != EEXIST)
		return -errno;
	DIR *d = opendir(src);
	if (!d)
		return -errno;
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char s[PATH_MAX], t[PATH_MAX];
		snprintf(s, sizeof(s), "%s/%s", src, e->d_name);
		snprintf(t, sizeof(t), "%s/%s", dst, e->d_name);
		rc = copy_tree(s, t);
	}
	closedir(d);
	return rc;
}

static bool same_dir(const char *a, const char *b)
{
	struct stat x, y;
	return !stat(a, &x) && !stat(b, &y) && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static int by_index(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int64_t i = ju_int_or(x, "index", INT32_MAX), j = ju_int_or(y, "index", INT32_MAX);
	if (i != j)
		return i < j ? -1 : 1;
	return strcmp(ju_str_or(x, "name", ""), ju_str_or(y, "name", ""));
}

static void axis_union(json_t *into, const json_t *from)
{
	size_t i, j;
	json_t *v, *w;
	json_array_foreach(from, i, v) {
		bool have = false;
		json_array_foreach(into, j, w)
			have |= json_equal(v, w);
		if (!have)
			json_array_append(into, v);
	}
}

/* Validates the inputs and builds the merged JSON (cells sorted by their index). */
static int build(const char *out, const char *const *dirs, int n, const char *command,
		 json_t **gs, json_t **merged, char *err, size_t errlen)
{
	if (!access(out, F_OK)) {
		snprintf(err, errlen, "%s already exists; give a new directory for the merged gauntlet", out);
		return -EINVAL;
	}
	json_t *cells = json_array(), *left = json_array(), *shards = json_array();
	json_t *axes = json_pack("{s:[], s:[], s:[], s:[]}", "scenarios", "presets", "profiles", "kernels");
	json_t *names = json_object();
	double wall = 0;
	int jobs = 0, rc = 0;
	for (int k = 0; !rc && k < n; k++) {
		if ((rc = sweep_gauntlet_load(dirs[k], &gs[k], err, errlen))) {
			rc = -EINVAL; /* missing or corrupt: bad input */
			break;
		}
		for (int j = 0; j < k; j++)
			if (same_dir(dirs[j], dirs[k])) {
				snprintf(err, errlen, "%s is given twice", dirs[k]);
				rc = -EINVAL;
			}
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(gs[k], "cells"), i, c) {
			const char *nm = ju_str_or(c, "name", "");
			json_t *prev = json_object_get(names, nm);
			if (prev && !rc) {
				snprintf(err, errlen, "cell %s is in both %s and %s; merge each shard once (a "
					 "cell must come from one shard only)", nm, json_string_value(prev), dirs[k]);
				rc = -EINVAL;
			}
			const char *d = json_string_value(json_object_get(c, "dir"));
			char p[PATH_MAX];
			struct stat st;
			if (d && !rc) {
				snprintf(p, sizeof(p), "%s/%s", dirs[k], d);
				if (stat(p, &st) || !S_ISDIR(st.st_mode)) {
					snprintf(err, errlen, "%s: cell %s names %s, which is missing; the shard "
						 "directory is incomplete (copy it whole)", dirs[k], nm, p);
					rc = -EINVAL;
				}
			}
			json_object_set_new(names, nm, json_string(dirs[k]));
			json_array_append(cells, c);
		}
		const char *sh = json_string_value(json_object_get(gs[k], "shard"));
		if (sh)
			json_array_append_new(shards, json_string(sh));
		json_t *ax = json_object_get(gs[k], "axes");
		const char *keys[] = { "scenarios", "presets", "profiles", "kernels" };
		for (int a = 0; a < 4; a++)
			axis_union(json_object_get(axes, keys[a]), json_object_get(ax, keys[a]));
		double w = ju_num_or(gs[k], "wall_s", 0);
		wall = w > wall ? w : wall;
		int jb = (int)ju_int_or(gs[k], "jobs", 1);
		jobs = jb > jobs ? jb : jobs;
	}
	for (int k = 0; !rc && k < n; k++) {
		if (same_dir(out, dirs[k])) {
			snprintf(err, errlen, "%s is one of the inputs; give a new directory", out);
			rc = -EINVAL;
		}
		size_t i;
		json_t *l;
		json_array_foreach(json_object_get(gs[k], "left_out"), i, l) {
			const char *nm = ju_str_or(l, "name", "");
			if (json_object_get(names, nm))
				continue; /* another shard ran it, or an earlier shard listed it */
			json_object_set_new(names, nm, json_string(dirs[k]));
			json_array_append(left, l);
		}
	}
	json_decref(names);
	if (rc) {
		json_decref(cells);
		json_decref(left);
		json_decref(shards);
		json_decref(axes);
		return rc;
	}
	size_t nc = json_array_size(cells);
	json_t **v = malloc((nc ? nc : 1) * sizeof(*v));
	for (size_t i = 0; v && i < nc; i++)
		v[i] = json_incref(json_array_get(cells, i));
	if (v)
		qsort(v, nc, sizeof(*v), by_index);
	json_array_clear(cells);
	for (size_t i = 0; v && i < nc; i++)
		json_array_append_new(cells, v[i]);
	free(v);
	json_t *b = json_object_get(gs[0], "budget_secs");
	*merged = json_pack("{s:s, s:i, s:I, s:s, s:n, s:o, s:i, s:O, s:f, s:o, s:o, s:o}", "kind",
			    "gauntlet", "version", 1, "created_unix", (json_int_t)time(NULL), "command",
			    command ? command : "", "shard", "shards", shards, "jobs", jobs, "budget_secs",
			    b ? b : json_null(), "wall_s", wall, "axes", axes, "cells", cells, "left_out", left);
	return *merged ? 0 : -ENOMEM;
}

int sweep_merge(const char *out, const char *const *dirs, int n, const char *command,
		json_t **merged, char *err, size_t errlen)
{
	*merged = NULL;
	json_t **gs = calloc((size_t)(n > 0 ? n : 1), sizeof(*gs));
	if (!gs)
		return -ENOMEM;
	int rc = build(out, dirs, n, command, gs, merged, err, errlen);
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s.merge-tmp.%d", out, (int)getpid());
	if (!rc) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/cells", tmp);
		if ((rc = fs_mkdir_p(p, 0755)))
			snprintf(err, errlen, "cannot create %s: %s", p, strerror(-rc));
	}
	for (int k = 0; !rc && k < n; k++) {
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(gs[k], "cells"), i, c) {
			const char *d = json_string_value(json_object_get(c, "dir"));
			if (!d || rc)
				continue;
			char s[PATH_MAX], t[PATH_MAX];
			snprintf(s, sizeof(s), "%s/%s", dirs[k], d);
			snprintf(t, sizeof(t), "%s/%s", tmp, d);
			if ((rc = copy_tree(s, t)))
				snprintf(err, errlen, "copying %s to %s: %s", s, t, strerror(-rc));
		}
		char s[PATH_MAX], t[PATH_MAX];
		snprintf(s, sizeof(s), "%s/logs", dirs[k]);
		snprintf(t, sizeof(t), "%s/logs", tmp);
		if (!rc && !access(s, F_OK) && (rc = copy_tree(s, t)))
			snprintf(err, errlen, "copying %s to %s: %s", s, t, strerror(-rc));
	}
	if (!rc && (rc = sweep_gauntlet_write(tmp, *merged, err, errlen)) == 0 && rename(tmp, out)) {
		rc = -errno;
		snprintf(err, errlen, "rename %s -> %s: %s", tmp, out, strerror(-rc));
	}
	if (rc) {
		fs_rm_rf(tmp);
		json_decref(*merged);
		*merged = NULL;
	}
	for (int k = 0; k < n; k++)
		json_decref(gs[k]);
	free(gs);
	return rc;
}
