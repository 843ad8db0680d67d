/* Runs history model: the runs root scanned for finished runs (result.json fields only,
 * never the logs), newest first. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/kernels.h"
#include "views/model.h"

int runs_root(char *buf, size_t len, char *err, size_t errlen)
{
	const char *e = getenv("KTSTR_RUNS_DIR");
	if (e && *e) {
		snprintf(buf, len, "%s", e);
		return 0;
	}
	char root[4096];
	int rc = engine_cache_root(root, sizeof(root), err, errlen);
	if (rc)
		return rc;
	snprintf(buf, len, "%s/runs", root);
	return 0;
}

static const char *js(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

static void load_entry(const char *dir, struct runs_entry *e)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/result.json", dir);
	snprintf(e->dir, sizeof(e->dir), "%s", dir);
	const char *slash = strrchr(dir, '/');
	snprintf(e->id, sizeof(e->id), "%s", slash ? slash + 1 : dir);
	snprintf(e->result, sizeof(e->result), "?");
	struct stat st;
	if (stat(path, &st) || st.st_size > 64 * 1024 * 1024)
		return;
	e->started_unix = st.st_mtime;
	json_t *o = json_load_file(path, 0, NULL);
	if (!o)
		return;
	if (json_is_object(o)) {
		snprintf(e->result, sizeof(e->result), "%s", js(o, "result"));
		if (*js(o, "id"))
			snprintf(e->id, sizeof(e->id), "%s", js(o, "id"));
		json_t *v = json_object_get(o, "started_unix");
		if (json_is_integer(v))
			e->started_unix = json_integer_value(v);
		json_t *k = json_object_get(o, "kernel");
		snprintf(e->kernel, sizeof(e->kernel), "%s", *js(k, "version") ? js(k, "version") : js(k, "key"));
		json_t *s = json_object_get(o, "scenario");
		snprintf(e->topo, sizeof(e->topo), "%s", js(s, "topology"));
		snprintf(e->sched, sizeof(e->sched), "%s", js(s, "scheduler"));
		json_t *sc = json_object_get(o, "scheduler");
		if (*js(sc, "label"))
			snprintf(e->sched, sizeof(e->sched), "%s", js(sc, "label"));
		json_t *g = json_object_get(o, "guest");
		v = json_object_get(g, "elapsed_ms");
		e->duration_ms = json_is_integer(v) ? json_integer_value(v) : -1;
		json_t *checks = json_object_get(o, "checks"), *c;
		size_t i;
		json_array_foreach(checks, i, c)
			e->nfailed += json_is_false(json_object_get(c, "ok"));
	}
	json_decref(o);
}

/* A sweep directory: one entry, its verdict from the cells (fail when any failed). */
static void load_sweep(const char *dir, enum runs_kind kind, struct runs_entry *e)
{
	snprintf(e->dir, sizeof(e->dir), "%s", dir);
	const char *slash = strrchr(dir, '/');
	snprintf(e->id, sizeof(e->id), "%s", slash ? slash + 1 : dir);
	e->kind = kind;
	e->duration_ms = -1;
	struct stat st;
	if (!stat(dir, &st))
		e->started_unix = st.st_mtime;
	struct matm *m = calloc(1, sizeof(*m));
	if (!m || matm_load(dir, m)) {
		snprintf(e->result, sizeof(e->result), "?");
		free(m);
		return;
	}
	snprintf(e->result, sizeof(e->result), "%s", m->nfail || m->nerror ? "fail" : m->npass ? "pass" : "none");
	e->nfailed = m->nfail + m->nerror;
	if (m->wall_s >= 0)
		e->duration_ms = (int64_t)(m->wall_s * 1000);
	snprintf(e->topo, sizeof(e->topo), "%d preset%s", m->ncols, m->ncols == 1 ? "" : "s");
	snprintf(e->sched, sizeof(e->sched), "%s", kind == RUNS_GAUNTLET ? "gauntlet" : "verifier");
	snprintf(e->kernel, sizeof(e->kernel), "%d cells %d pass %d fail", m->ncells, m->npass, m->nfail + m->nerror);
	matm_free(m);
	free(m);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct runs_entry *x = a, *y = b;
	if (x->started_unix != y->started_unix)
		return x->started_unix > y->started_unix ? -1 : 1;
	return strcmp(y->id, x->id);
}

int runs_scan(const char *root, struct runs_entry **out, int *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(root);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		int e = -errno;
		snprintf(err, errlen, "%s: %s (set KTSTR_RUNS_DIR to the runs directory)", root, strerror(errno));
		return e;
	}
	struct runs_entry *v = NULL;
	int cap = 0, k = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char dir[1024], res[1100];
		if (snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name) >= (int)sizeof(dir))
			continue;
		snprintf(res, sizeof(res), "%s/result.json", dir);
		enum runs_kind kind = access(res, F_OK) ? sweep_kind_of(dir) : RUNS_RUN;
		if (kind == RUNS_RUN && access(res, F_OK))
			continue;
		if (k == cap) {
			int nc = cap ? cap * 2 : 32;
			struct runs_entry *nv = realloc(v, (size_t)nc * sizeof(*nv));
			if (!nv)
				break;
			v = nv;
			cap = nc;
		}
		memset(&v[k], 0, sizeof(v[k]));
		if (kind == RUNS_RUN)
			load_entry(dir, &v[k]);
		else
			load_sweep(dir, kind, &v[k]);
		k++;
	}
	closedir(d);
	if (k)
		qsort(v, (size_t)k, sizeof(*v), cmp_entry);
	*out = v;
	*n = k;
	return 0;
}
