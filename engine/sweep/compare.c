/* A/B compare: gates (registry, --threshold, --policy), the dual-gate verdict, pairing of
 * cells by key and the JSON form (engine/sweep/compare.h). Loading is compare_load.c. */
#include "engine/sweep/compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cmp_gates_default(struct cmp_gates *g)
{
	for (int i = 0; i < M__COUNT; i++) {
		g->abs[i] = metric_defs[i].abs_gate;
		g->rel[i] = metric_defs[i].rel_gate;
	}
}

void cmp_gates_threshold(struct cmp_gates *g, double pct)
{
	for (int i = 0; i < M__COUNT; i++)
		g->rel[i] = pct / 100.0;
}

static bool pct_ok(const json_t *v, double *out)
{
	if (!json_is_number(v))
		return false;
	double d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d > 1e6)
		return false;
	*out = d;
	return true;
}

int cmp_gates_policy(struct cmp_gates *g, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *p = json_load_file(path, 0, &je), *v;
	const char *k;
	double d;
	int rc = -EINVAL;
	if (!p) {
		snprintf(err, errlen, "--policy %s: %s", path, je.line > 0 ? je.text : strerror(errno ? errno : ENOENT));
		if (je.line > 0)
			snprintf(err + strlen(err), errlen - strlen(err), " (line %d column %d)", je.line, je.column);
		return -EINVAL;
	}
	if (!json_is_object(p)) {
		snprintf(err, errlen, "--policy %s: expected {\"default_percent\": N, \"per_metric_percent\": {...}}", path);
		goto out;
	}
	json_object_foreach(p, k, v) {
		if (strcmp(k, "default_percent") && strcmp(k, "per_metric_percent")) {
			snprintf(err, errlen, "--policy %s: unknown key '%s'; the keys are default_percent and "
				 "per_metric_percent", path, k);
			goto out;
		}
	}
	v = json_object_get(p, "default_percent");
	if (v) {
		if (!pct_ok(v, &d)) {
			snprintf(err, errlen, "--policy %s: \"default_percent\" must be a number of percent >= 0", path);
			goto out;
		}
		cmp_gates_threshold(g, d);
	}
	json_t *per = json_object_get(p, "per_metric_percent");
	if (per && !json_is_object(per)) {
		snprintf(err, errlen, "--policy %s: \"per_metric_percent\" must be an object {\"metric\": percent}", path);
		goto out;
	}
	json_object_foreach(per, k, v) {
		int id = metric_find(k);
		if (id < 0) {
			snprintf(err, errlen, "--policy %s: per_metric_percent: unknown metric '%s' (ktstr compare "
				 "--list-metrics lists them)", path, k);
			goto out;
		}
		if (!pct_ok(v, &d)) {
			snprintf(err, errlen, "--policy %s: per_metric_percent.%s must be a number of percent >= 0", path, k);
			goto out;
		}
		g->rel[id] = d / 100.0;
	}
	rc = 0;
out:
	json_decref(p);
	return rc;
}

const char *cmp_verdict_name(enum cmp_verdict v)
{
	switch (v) {
	case CMP_REGRESSION: return "regression";
	case CMP_IMPROVEMENT: return "improvement";
	case CMP_ONLY_A: return "only in A";
	case CMP_ONLY_B: return "only in B";
	default: return "~";
	}
}

/* "reaches": a gate equal to the change counts, with room for rounding (0.3 vs 3/10). */
static bool reaches(double x, double gate)
{
	return x + 1e-9 * (fabs(x) > 1 ? fabs(x) : 1) >= gate;
}

enum cmp_verdict cmp_judge(int metric, double abs_gate, double rel_gate, double a, double b)
{
	double delta = b - a, ad = fabs(delta);
	if (delta == 0 || !reaches(ad, abs_gate))
		return CMP_SAME;
	if (a != 0 && !reaches(ad / fabs(a), rel_gate))
		return CMP_SAME;
	bool worse = metric_defs[metric].polarity == METRIC_LOWER_BETTER ? delta > 0 : delta < 0;
	return worse ? CMP_REGRESSION : CMP_IMPROVEMENT;
}

/* A dimension pairs unless each side has exactly one value of it and the two differ (the
 * reference's slicing: runs of kernel X against runs of kernel Y pair across kernels). */
static void slicing(const struct cmp_side *a, const struct cmp_side *b, bool sliced[CMP_NDIMS])
{
	for (int d = 0; d < CMP_NDIMS; d++) {
		bool one_a = true, one_b = true;
		for (int i = 1; i < a->ncells; i++)
			one_a &= !strcmp(a->cells[i].dim[d], a->cells[0].dim[d]);
		for (int i = 1; i < b->ncells; i++)
			one_b &= !strcmp(b->cells[i].dim[d], b->cells[0].dim[d]);
		sliced[d] = a->ncells && b->ncells && one_a && one_b &&
			    strcmp(a->cells[0].dim[d], b->cells[0].dim[d]);
	}
}

static void make_key(struct cmp_cell *c, const bool sliced[CMP_NDIMS])
{
	size_t n = 0;
	c->key[0] = 0;
	for (int d = 0; d < CMP_NDIMS; d++)
		if (!sliced[d])
			n += (size_t)snprintf(c->key + n, n < sizeof(c->key) ? sizeof(c->key) - n : 0, "%s%s",
					      n ? "/" : "", c->dim[d]);
}

static bool wanted(const struct cmp_cell *c, const char *filter)
{
	return !filter || !*filter || strstr(c->name, filter);
}

static int keys(struct cmp_side *s, const bool sliced[CMP_NDIMS], char *err, size_t errlen)
{
	for (int i = 0; i < s->ncells; i++) {
		make_key(&s->cells[i], sliced);
		for (int j = 0; j < i; j++)
			if (!strcmp(s->cells[i].key, s->cells[j].key)) {
				snprintf(err, errlen, "%s: duplicate pairing key '%s' (%s and %s); pass the run "
					 "directories themselves, or one directory per side with one run per scenario",
					 s->path, s->cells[i].key, *s->cells[j].dir ? s->cells[j].dir : s->cells[j].name,
					 *s->cells[i].dir ? s->cells[i].dir : s->cells[i].name);
				return -EINVAL;
			}
	}
	return 0;
}

static void judge_pair(struct cmp_pair *p, const struct cmp_gates *g)
{
	const struct cmp_cell *a = p->a, *b = p->b;
	bool pa = !strcmp(a->status, "pass"), pb = !strcmp(b->status, "pass");
	if (!pa || !pb) {
		const struct cmp_cell *f = !pa ? a : b;
		snprintf(p->excluded, sizeof(p->excluded), "%s %s%s%s", !pa ? "A" : "B", f->status,
			 *f->reason ? ": " : "", f->reason);
		if (pa && (!strcmp(b->status, "fail") || !strcmp(b->status, "error")))
			p->status_change = 1;
		else if (pb && (!strcmp(a->status, "fail") || !strcmp(a->status, "error")))
			p->status_change = -1;
		return;
	}
	p->compared = true;
	for (int m = 0; m < M__COUNT; m++) {
		if (!a->m.has[m] && !b->m.has[m])
			continue;
		struct cmp_row *r = &p->rows[p->nrows++];
		r->metric = m;
		r->a = a->m.v[m];
		r->b = b->m.v[m];
		if (!b->m.has[m])
			r->verdict = CMP_ONLY_A;
		else if (!a->m.has[m])
			r->verdict = CMP_ONLY_B;
		else
			r->verdict = cmp_judge(m, g->abs[m], g->rel[m], r->a, r->b);
		p->regressions += r->verdict == CMP_REGRESSION;
		p->improvements += r->verdict == CMP_IMPROVEMENT;
	}
}

int cmp_compare(struct cmp_side *a, struct cmp_side *b, const struct cmp_gates *g,
		const char *filter, struct cmp_result *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	slicing(a, b, out->sliced);
	if (keys(a, out->sliced, err, errlen) || keys(b, out->sliced, err, errlen))
		return -EINVAL;
	out->pairs = calloc((size_t)(a->ncells ? a->ncells : 1), sizeof(*out->pairs));
	out->only_a = calloc((size_t)(a->ncells ? a->ncells : 1), sizeof(*out->only_a));
	out->only_b = calloc((size_t)(b->ncells ? b->ncells : 1), sizeof(*out->only_b));
	bool *used = calloc((size_t)(b->ncells ? b->ncells : 1), sizeof(bool));
	if (!out->pairs || !out->only_a || !out->only_b || !used) {
		free(used);
		cmp_result_free(out);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < a->ncells; i++) {
		const struct cmp_cell *x = &a->cells[i];
		if (!wanted(x, filter))
			continue;
		int j = 0;
		while (j < b->ncells && strcmp(b->cells[j].key, x->key))
			j++;
		if (j == b->ncells || !wanted(&b->cells[j], filter)) {
			out->only_a[out->nonly_a++] = x;
			continue;
		}
		used[j] = true;
		struct cmp_pair *p = &out->pairs[out->npairs++];
		p->a = x;
		p->b = &b->cells[j];
		judge_pair(p, g);
		out->compared += p->compared;
		out->excluded += !p->compared;
		out->regressions += p->regressions;
		out->improvements += p->improvements;
		out->status_regressions += p->status_change > 0;
	}
	for (int j = 0; j < b->ncells; j++)
		if (!used[j] && wanted(&b->cells[j], filter))
			out->only_b[out->nonly_b++] = &b->cells[j];
	free(used);
	return 0;
}

void cmp_result_free(struct cmp_result *r)
{
	free(r->pairs);
	free(r->only_a);
	free(r->only_b);
	memset(r, 0, sizeof(*r));
}

int cmp_exit_code(const struct cmp_result *r)
{
	return r->regressions || r->status_regressions ? 1 : 0;
}

static json_t *jnum_or_null(bool have, double d)
{
	return have && isfinite(d) ? json_real(d) : json_null();
}

static json_t *cell_json(const struct cmp_cell *c)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "name", c->name, "key", c->key, "status", c->status);
	json_object_set_new(o, "dir", *c->dir ? json_string(c->dir) : json_null());
	json_object_set_new(o, "reason", *c->reason ? json_string(c->reason) : json_null());
	return o;
}

static json_t *pair_json(const struct cmp_pair *p, const struct cmp_gates *g)
{
	json_t *o = json_pack("{s:s, s:o, s:o, s:b}", "key", p->a->key, "a", cell_json(p->a), "b", cell_json(p->b),
			      "compared", p->compared);
	json_object_set_new(o, "excluded", p->compared ? json_null() : json_string(p->excluded));
	json_object_set_new(o, "status_change", p->status_change > 0 ? json_string("regression") :
				    p->status_change < 0 ? json_string("fixed") : json_null());
	json_t *rows = json_array();
	for (int i = 0; i < p->nrows; i++) {
		const struct cmp_row *r = &p->rows[i];
		bool ha = r->verdict != CMP_ONLY_B, hb = r->verdict != CMP_ONLY_A;
		const struct metric_def *d = &metric_defs[r->metric];
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:f, s:f, s:s}", "name",
						      d->name, "unit", d->unit, "polarity",
						      metric_polarity_name(d->polarity), "a", jnum_or_null(ha, r->a),
						      "b", jnum_or_null(hb, r->b), "delta",
						      jnum_or_null(ha && hb, r->b - r->a), "delta_pct",
						      jnum_or_null(ha && hb && r->a != 0, (r->b - r->a) / fabs(r->a) * 100),
						      "abs_gate", g->abs[r->metric], "rel_gate", g->rel[r->metric],
						      "verdict", cmp_verdict_name(r->verdict)));
	}
	json_object_set_new(o, "metrics", rows);
	return o;
}

json_t *cmp_result_json(const struct cmp_side *a, const struct cmp_side *b, const struct cmp_gates *g,
			const struct cmp_result *r)
{
	json_t *o = json_object(), *arr;
	json_object_set_new(o, "a", json_pack("{s:s, s:s, s:i}", "path", a->path, "kind", a->kind, "cells", a->ncells));
	json_object_set_new(o, "b", json_pack("{s:s, s:s, s:i}", "path", b->path, "kind", b->kind, "cells", b->ncells));
	arr = json_array();
	for (int d = 0; d < CMP_NDIMS; d++)
		if (r->sliced[d])
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "dimension", cmp_dim_names[d], "a",
							     a->cells[0].dim[d], "b", b->cells[0].dim[d]));
	json_object_set_new(o, "sliced", arr);
	arr = json_array();
	for (int i = 0; i < r->npairs; i++)
		json_array_append_new(arr, pair_json(&r->pairs[i], g));
	json_object_set_new(o, "pairs", arr);
	arr = json_array();
	for (int i = 0; i < r->nonly_a; i++)
		json_array_append_new(arr, cell_json(r->only_a[i]));
	json_object_set_new(o, "only_in_a", arr);
	arr = json_array();
	for (int i = 0; i < r->nonly_b; i++)
		json_array_append_new(arr, cell_json(r->only_b[i]));
	json_object_set_new(o, "only_in_b", arr);
	json_object_set_new(o, "summary", json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "pairs", r->npairs,
						    "compared", r->compared, "excluded", r->excluded, "regressions",
						    r->regressions, "improvements", r->improvements,
						    "status_regressions", r->status_regressions, "only_in_a", r->nonly_a,
						    "only_in_b", r->nonly_b));
	json_object_set_new(o, "exit_code", json_integer(cmp_exit_code(r)));
	return o;
}
