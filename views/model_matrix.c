/* A sweep directory as a matrix: gauntlet.json (rows scenario x profile x kernel, columns
 * preset) or verifier.json (rows kernel x profile, columns preset), read tolerantly: unknown
 * keys are ignored, and a damaged file is one clear line, never a crash. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "views/model.h"

#define MATM_MAX_JSON (64u << 20)
#define MATM_MAX_CELLS 100000

enum runs_kind sweep_kind_of(const char *dir)
{
	char p[1200];
	snprintf(p, sizeof(p), "%s/gauntlet.json", dir);
	if (!access(p, F_OK))
		return RUNS_GAUNTLET;
	snprintf(p, sizeof(p), "%s/verifier.json", dir);
	if (!access(p, F_OK))
		return RUNS_VERIFIER;
	return RUNS_RUN;
}

static const char *js(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

void matm_free(struct matm *m)
{
	for (int i = 0; i < m->nrows; i++)
		free(m->rows[i]);
	for (int i = 0; i < m->ncols; i++)
		free(m->cols[i]);
	free(m->rows);
	free(m->cols);
	free(m->cells);
	free(m->grid);
	char err[sizeof(m->err)];
	memcpy(err, m->err, sizeof(err));
	memset(m, 0, sizeof(*m));
	memcpy(m->err, err, sizeof(err));  /* a load's error outlives the data */
}

/* The index of label in *v, appended when new; -1 out of memory. */
static int intern(char ***v, int *n, const char *label)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*v)[i], label))
			return i;
	char **nv = realloc(*v, (size_t)(*n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(label)))
		return -1;
	return (*n)++;
}

/* How many distinct values key takes over the cells. */
static int distinct(json_t *cells, const char *key)
{
	json_t *c, *d;
	size_t i, j;
	int n = 0;
	json_array_foreach(cells, i, c) {
		bool seen = false;
		json_array_foreach(cells, j, d) {
			if (j >= i)
				break;
			if (!strcmp(js(c, key), js(d, key))) {
				seen = true;
				break;
			}
		}
		n += !seen;
		if (n > 1)
			return n;
	}
	return n;
}

static void row_label(const struct matm *m, json_t *c, bool profiles, bool kernels, char *buf, size_t len)
{
	const char *first = m->kind == RUNS_GAUNTLET ? js(c, "scenario") : js(c, "kernel");
	int l = snprintf(buf, len, "%s", *first ? first : "?");
	if (profiles && l >= 0 && (size_t)l < len)
		l += snprintf(buf + l, len - (size_t)l, " / %s", *js(c, "profile") ? js(c, "profile") : "default");
	if (kernels && m->kind == RUNS_GAUNTLET && l >= 0 && (size_t)l < len)
		snprintf(buf + l, len - (size_t)l, " / %s", *js(c, "kernel") ? js(c, "kernel") : "?");
}

static int fill(struct matm *m, json_t *o)
{
	json_t *cells = json_object_get(o, "cells");
	if (!json_is_array(cells))
		return -EINVAL;
	size_t nc = json_array_size(cells);
	if (nc > MATM_MAX_CELLS)
		nc = MATM_MAX_CELLS;
	m->cells = calloc(nc ? nc : 1, sizeof(*m->cells));
	if (!m->cells)
		return -ENOMEM;
	bool profiles = distinct(cells, "profile") > 1, kernels = distinct(cells, "kernel") > 1;
	for (size_t i = 0; i < nc; i++) {
		json_t *c = json_array_get(cells, i);
		if (!json_is_object(c))
			continue;
		struct matm_cell *e = &m->cells[m->ncells];
		char label[512];
		row_label(m, c, profiles, kernels, label, sizeof(label));
		e->row = intern(&m->rows, &m->nrows, label);
		e->col = intern(&m->cols, &m->ncols, *js(c, "preset") ? js(c, "preset") : "-");
		if (e->row < 0 || e->col < 0)
			return -ENOMEM;
		snprintf(e->name, sizeof(e->name), "%s", js(c, "name"));
		const char *st = m->kind == RUNS_GAUNTLET ? js(c, "status") : js(c, "verdict");
		snprintf(e->status, sizeof(e->status), "%s", *st ? st : "?");
		json_t *w = json_object_get(c, "wall_s");
		e->wall_s = json_is_number(w) ? json_number_value(w) : -1;
		snprintf(e->reason, sizeof(e->reason), "%s", js(c, "reason"));
		const char *d = js(c, "dir");
		if (*d && strstr(d, "..") == NULL)  /* relative to the sweep dir, never outside it */
			snprintf(e->dir, sizeof(e->dir), "%s%s%s", d[0] == '/' ? "" : m->dir, d[0] == '/' ? "" : "/", d);
		m->npass += !strcmp(e->status, "pass");
		m->nfail += !strcmp(e->status, "fail");
		m->nerror += !strcmp(e->status, "error");
		m->nskip += !strcmp(e->status, "skip");
		m->ncells++;
	}
	m->grid = malloc((size_t)(m->nrows ? m->nrows : 1) * (size_t)(m->ncols ? m->ncols : 1) * sizeof(int));
	if (!m->grid)
		return -ENOMEM;
	for (int i = 0; i < m->nrows * m->ncols; i++)
		m->grid[i] = -1;
	for (int i = 0; i < m->ncells; i++)
		if (m->grid[m->cells[i].row * m->ncols + m->cells[i].col] < 0)
			m->grid[m->cells[i].row * m->ncols + m->cells[i].col] = i;
	json_t *lo = json_object_get(o, "left_out"), *w = json_object_get(o, "wall_s");
	m->nleft_out = json_is_array(lo) ? (int)json_array_size(lo) : 0;
	m->wall_s = json_is_number(w) ? json_number_value(w) : -1;
	snprintf(m->shard, sizeof(m->shard), "%s", js(o, "shard"));
	return 0;
}

int matm_load(const char *dir, struct matm *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
	m->kind = sweep_kind_of(dir);
	const char *file = m->kind == RUNS_VERIFIER ? "verifier.json" : "gauntlet.json";
	if (m->kind == RUNS_RUN) {
		snprintf(m->err, sizeof(m->err), "%s: no gauntlet.json or verifier.json (ktstr gauntlet or ktstr "
			 "verifier writes one)", dir);
		return -ENOENT;
	}
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	struct stat st;
	if (stat(path, &st) || st.st_size > MATM_MAX_JSON) {
		snprintf(m->err, sizeof(m->err), "%s: %s", path, errno ? strerror(errno) : "over 64 MiB");
		return -EINVAL;
	}
	json_error_t je;
	json_t *o = json_load_file(path, 0, &je);
	if (!o) {
		snprintf(m->err, sizeof(m->err), "%s:%d:%d: %s: not valid JSON; rerun the sweep or `ktstr merge` to "
			 "write it again", path, je.line, je.column, je.text);
		return -EINVAL;
	}
	int rc = json_is_object(o) ? fill(m, o) : -EINVAL;
	json_decref(o);
	if (rc) {
		matm_free(m);
		snprintf(m->err, sizeof(m->err), "%s: %s", path, rc == -ENOMEM ? "out of memory" :
			 "no \"cells\" array; this is not a sweep result (rerun the sweep to write it again)");
	}
	return rc;
}

int matm_at(const struct matm *m, int row, int col)
{
	if (!m->grid || row < 0 || col < 0 || row >= m->nrows || col >= m->ncols)
		return -1;
	return m->grid[row * m->ncols + col];
}
