/* gauntlet.json (gauntlet.h; the shared format of issue 13): built from the matrix and
 * its outcomes, written atomically, read back and checked for `ktstr merge`. */
#include "engine/sweep/gauntlet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"

#define GAUNTLET_MAX_FILE (64 << 20)

static json_t *str_array(const char *base, size_t stride, int n)
{
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(base + (size_t)i * stride));
	return a;
}

json_t *sweep_gauntlet_json(const struct sweep_matrix *m, const bool *run, const bool *budget_out,
			    const int *index, const struct sweep_meta *meta, bool listed)
{
	json_t *scns = json_array(), *kernels = json_array(), *cells = json_array(),
	       *left = json_array();
	for (int i = 0; i < m->nscns; i++)
		json_array_append_new(scns, json_string(m->scns[i].name));
	for (int i = 0; i < m->nkernels; i++)
		json_array_append_new(kernels, json_string(m->kernels[i].label));
	for (int i = 0; i < m->nleft; i++)
		json_array_append_new(left, json_pack("{s:s, s:s}", "name", m->left[i].name, "reason",
						      m->left[i].reason));
	for (int i = 0; i < m->ncells; i++) {
		const struct sweep_cell *c = &m->cells[i];
		if (budget_out && budget_out[i])
			json_array_append_new(left, json_pack("{s:s, s:s}", "name", c->name, "reason", "budget"));
		if (!run[i])
			continue;
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:i, s:f}", "name", c->name,
				      "scenario", m->scns[c->scn].name, "preset", m->presets[c->preset],
				      "profile", c->profile_name, "kernel", m->kernels[c->kernel].label,
				      "status", listed ? "pending" : sweep_status_name(c->status),
				      "exit_code", c->exit_code, "wall_s", c->wall_s, "index",
				      index ? index[i] : i, "est_s", c->est_s);
		if (!o)
			continue;
		json_object_set_new(o, "dir", c->dir[0] ? json_string(c->dir) : json_null());
		json_object_set_new(o, "reason", json_string(c->reason));
		json_array_append_new(cells, o);
	}
	json_t *g = json_pack("{s:s, s:i, s:I, s:s, s:o, s:i, s:o, s:f, s:{s:o, s:o, s:o, s:o}, s:o, s:o}",
			      "kind", "gauntlet", "version", 1, "created_unix",
			      (json_int_t)meta->created_unix, "command", meta->command ? meta->command : "",
			      "shard", meta->shard ? json_string(meta->shard) : json_null(), "jobs",
			      meta->jobs, "budget_secs",
			      meta->budget_secs >= 0 ? json_integer(meta->budget_secs) : json_null(),
			      "wall_s", meta->wall_s, "axes", "scenarios", scns, "presets",
			      str_array(m->presets ? m->presets[0] : "", sizeof(m->presets[0]), m->npresets), "profiles",
			      str_array(m->profiles ? m->profiles[0] : "", sizeof(m->profiles[0]), m->nprofiles),
			      "kernels", kernels, "cells", cells, "left_out", left);
	return g;
}

int sweep_gauntlet_write(const char *dir, const json_t *g, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/gauntlet.json", dir);
	char *text = json_dumps(g, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text) {
		snprintf(err, errlen, "out of memory writing %s", path);
		return -ENOMEM;
	}
	size_t len = strlen(text);
	text[len] = 0;
	char *t2 = realloc(text, len + 2);
	if (t2) {
		text = t2;
		text[len++] = '\n';
	}
	int rc = fs_write_atomic(path, text, len, 0644);
	free(text);
	if (rc)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	return rc;
}

int sweep_gauntlet_load(const char *dir, json_t **out, char *err, size_t errlen)
{
	char path[4096], *text;
	size_t len;
	*out = NULL;
	snprintf(path, sizeof(path), "%s/gauntlet.json", dir);
	int rc = fs_read_file(path, GAUNTLET_MAX_FILE, &text, &len);
	if (rc) {
		snprintf(err, errlen, "%s: %s; give a directory `ktstr gauntlet` wrote (--out DIR)", path,
			 rc == -ENOENT ? "no such file" : strerror(-rc));
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	}
	json_error_t je;
	json_t *g = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!g) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -EINVAL;
	}
	json_t *cells = json_object_get(g, "cells");
	const char *why = NULL;
	if (!json_is_object(g) || !json_is_string(json_object_get(g, "kind")) ||
	    strcmp(json_string_value(json_object_get(g, "kind")), "gauntlet"))
		why = "not a gauntlet.json (\"kind\" is not \"gauntlet\")";
	else if (json_integer_value(json_object_get(g, "version")) != 1)
		why = "unsupported \"version\" (this ktstr reads version 1)";
	else if (!json_is_array(cells))
		why = "\"cells\" is not an array";
	size_t i;
	json_t *c;
	json_array_foreach(cells, i, c) {
		if (why)
			break;
		const char *dirv = json_string_value(json_object_get(c, "dir"));
		if (!json_is_object(c) || !json_is_string(json_object_get(c, "name")))
			why = "a cell has no \"name\"";
		else if (dirv && (strncmp(dirv, "cells/", 6) || strstr(dirv, "..") || strchr(dirv + 6, '/')))
			why = "a cell's \"dir\" is not cells/<cell-dir>";
	}
	if (why) {
		snprintf(err, errlen, "%s: %s", path, why);
		json_decref(g);
		return -EINVAL;
	}
	*out = g;
	return 0;
}
