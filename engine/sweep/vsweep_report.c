/* The verifier sweep's report: a section per cell (programs with verified_insns, verifier
 * stats, the scheduler log folded as the run report folds it), the A/B table across
 * kernels, the summary, and verifier.json (the format other tools read). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/collapse.h"
#include "engine/fsutil.h"
#include "engine/ring.h"
#include "engine/sweep/vsweep_priv.h"
#include "engine/verifier.h"

#define FOLD_MAX_BLOCK 64

static const char *sched_name(const struct vsweep_opts *o)
{
	const char *s = strrchr(o->sched, '/');
	return s ? s + 1 : o->sched;
}

static void print_folded(FILE *f, const char *const *lines, size_t n)
{
	struct fold *folds = malloc((n ? n : 1) * sizeof(*folds));
	size_t nf = folds ? collapse_cycles(lines, n, FOLD_MAX_BLOCK, folds, n) : 0;
	if (!folds) {
		for (size_t i = 0; i < n; i++)
			fprintf(f, "  %s\n", lines[i]);
		return;
	}
	for (size_t i = 0; i < nf; i++) {
		for (size_t j = 0; j < folds[i].len; j++)
			fprintf(f, "  %s\n", lines[folds[i].first + j]);
		if (folds[i].repeat > 1)
			fprintf(f, "  [previous %zu line%s repeated %zu time%s]\n", folds[i].len,
				folds[i].len == 1 ? "" : "s", folds[i].repeat - 1,
				folds[i].repeat == 2 ? "" : "s");
	}
	free(folds);
}

/* The scheduler's output, with the verifier ring appended when libbpf's copy of the log
 * is not in it already; loop iterations and repeated blocks folded unless --raw. */
static void print_schedlog(const struct vsweep_opts *o, struct run *r, FILE *f)
{
	size_t ns = ring_count(r->schedlog), nv = ring_count(r->verifier);
	bool dup = false;
	for (size_t i = 0; nv && i < ns && !dup; i++)
		dup = !strcmp(ring_get(r->schedlog, i), ring_get(r->verifier, 0));
	size_t n = ns + (dup ? 0 : nv);
	const char **v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < ns; i++)
		v[i] = ring_get(r->schedlog, i);
	for (size_t i = ns; i < n; i++)
		v[i] = ring_get(r->verifier, i - ns);
	char **c;
	size_t nc;
	if (o->raw) {
		for (size_t i = 0; i < n; i++)
			fprintf(f, "  %s\n", v[i]);
	} else if (!verifier_collapse(v, n, &c, &nc)) {
		print_folded(f, (const char *const *)c, nc);
		verifier_lines_free(c, nc);
	} else {
		print_folded(f, v, n);
	}
	if (!n)
		fprintf(f, "  (empty)\n");
	free(v);
}

void vsweep_print_cell(const struct vsweep_opts *o, const struct vsweep_cell *c, struct run *r)
{
	FILE *f = o->out;
	fprintf(f, "=== %s | kernel %s | topology %s", sched_name(o), c->kernel->label, c->preset);
	if (strcmp(c->profile->name, "default") || o->nprofiles > 1)
		fprintf(f, " | profile %s", c->profile->name);
	fprintf(f, " ===\nverifier\n");
	for (int i = 0; i < c->nprogs; i++) {
		if (c->progs[i].verified_insns >= 0)
			fprintf(f, "  %-40s verified_insns=%lld\n", c->progs[i].name,
				(long long)c->progs[i].verified_insns);
		else
			fprintf(f, "  %-40s verified_insns=-\n", c->progs[i].name);
	}
	if (c->pass)
		fprintf(f, "  scheduler: attached, dispatched (%s)\n", c->reason);
	else
		fprintf(f, "  %s\n", c->reason);
	if (r->warning[0]) /* the kfunc BTF check of the kernel (a pahole < 1.26 build) */
		fprintf(f, "  kernel: %s\n", r->warning);

	fprintf(f, "\n%s --- verifier stats ---\n", c->name);
	bool any = false;
	for (int i = 0; i < c->nprogs; i++) {
		const struct vsweep_prog *p = &c->progs[i];
		if (p->processed < 0)
			continue;
		any = true;
		fprintf(f, "  %-40s processed=%ld  states=%ld/%ld", p->name, p->processed,
			p->states_peak, p->states_total);
		if (p->time_us >= 0)
			fprintf(f, "  time=%ldus", p->time_us);
		if (p->stack[0])
			fprintf(f, "  stack=%s", p->stack);
		fputc('\n', f);
	}
	if (!any)
		fprintf(f, "  - (the scheduler printed no verifier stats)\n");
	fprintf(f, "%s --- scheduler log ---\n", c->name);
	print_schedlog(o, r, f);
	fprintf(f, "\n");
	fflush(f);
}

static const struct vsweep_prog *find_prog(const struct vsweep_cell *c, const char *name)
{
	for (int i = 0; i < c->nprogs; i++)
		if (!strcmp(c->progs[i].name, name))
			return &c->progs[i];
	return NULL;
}

/* cells are kernel-major: cell (k, t, p) is cells[(k * nt + t) * np + p]. */
static void print_ab(FILE *f, const struct vsweep_cell *cells, int nk, int nt, int np)
{
	for (int t = 0; t < nt; t++)
		for (int p = 0; p < np; p++) {
			const struct vsweep_cell *first = &cells[t * np + p];
			fprintf(f, "verified_insns across kernels: topology %s, profile %s\n", first->preset,
				first->profile->name);
			/* A column as wide as its kernel's label (up to 40), numbers right-aligned. */
			int w[64];
			fprintf(f, "  %-40s", "program");
			for (int k = 0; k < nk && k < 64; k++) {
				const char *l = cells[(k * nt + t) * np + p].kernel->label;
				w[k] = (int)strlen(l) < 8 ? 8 : (int)strlen(l) > 40 ? 40 : (int)strlen(l);
				fprintf(f, "  %*.40s", w[k], l);
			}
			if (nk == 2)
				fprintf(f, "  %8s", "delta");
			fputc('\n', f);
			/* Every program any kernel had, in first-seen order. */
			for (int k = 0; k < nk; k++) {
				const struct vsweep_cell *c = &cells[(k * nt + t) * np + p];
				for (int i = 0; i < c->nprogs; i++) {
					const char *name = c->progs[i].name;
					bool seen = false;
					for (int k2 = 0; k2 < k && !seen; k2++)
						seen = find_prog(&cells[(k2 * nt + t) * np + p], name) != NULL;
					if (seen)
						continue;
					fprintf(f, "  %-40s", name);
					long long v[2] = { -1, -1 };
					for (int k2 = 0; k2 < nk; k2++) {
						const struct vsweep_prog *q = find_prog(&cells[(k2 * nt + t) * np + p], name);
						long long x = q ? q->verified_insns : -1;
						if (k2 < 2)
							v[k2] = x;
						int wk = k2 < 64 ? w[k2] : 8;
						if (x >= 0)
							fprintf(f, "  %*lld", wk, x);
						else
							fprintf(f, "  %*s", wk, "-");
					}
					if (nk == 2 && v[0] >= 0 && v[1] >= 0)
						fprintf(f, "  %+8lld", v[1] - v[0]);
					else if (nk == 2)
						fprintf(f, "  %8s", "-");
					fputc('\n', f);
				}
			}
			fputc('\n', f);
		}
}

void vsweep_print_summary(const struct vsweep_opts *o, const struct vsweep_cell *cells, int n,
			  int nk, int nt, int np)
{
	FILE *f = o->out;
	if (nk > 1)
		print_ab(f, cells, nk, nt, np);
	if (n <= 1)
		return;
	int pass = 0, fail = 0, mixed = 0;
	for (int i = 0; i < n; i++)
		cells[i].pass ? pass++ : fail++;
	/* Mixed: a topology and profile that passes on one kernel and fails on another. */
	for (int t = 0; nk > 1 && t < nt; t++)
		for (int p = 0; p < np; p++) {
			int ok = 0;
			for (int k = 0; k < nk; k++)
				ok += cells[(k * nt + t) * np + p].pass;
			mixed += ok && ok < nk;
		}
	fprintf(f, "verifier summary: %d ✅  %d ❌", pass, fail);
	if (nk > 1)
		fprintf(f, "  %d 🇽", mixed);
	fputc('\n', f);
	if (fail) {
		fprintf(f, "failing combinations (scheduler / kernel / topology):\n");
		for (int i = 0; i < n; i++)
			if (!cells[i].pass)
				fprintf(f, "  %s / %s / %s%s%s: %s\n", sched_name(o), cells[i].kernel->label,
					cells[i].preset, np > 1 ? " / " : "", np > 1 ? cells[i].profile->name : "",
					cells[i].reason);
	}
	fflush(f);
}

static json_t *num_or_null(long long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

int vsweep_write_json(const struct vsweep_opts *o, const struct vsweep_cell *cells, int n,
		      FILE *json_out, char *err, size_t errlen)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		const struct vsweep_cell *c = &cells[i];
		json_t *progs = json_array();
		for (int j = 0; j < c->nprogs; j++) {
			const struct vsweep_prog *p = &c->progs[j];
			json_array_append_new(progs, json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", p->name,
				"verified_insns", num_or_null(p->verified_insns), "processed",
				num_or_null(p->processed), "states_peak", num_or_null(p->states_peak),
				"states_total", num_or_null(p->states_total)));
		}
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:o}",
			"name", c->name, "kernel", c->kernel->label, "preset", c->preset, "profile",
			c->profile->name, "verdict", c->pass ? "pass" : "fail", "attached", c->attached,
			"dispatched", c->dispatched, "reason", c->reason, "dir", c->dir, "programs", progs));
	}
	json_t *root = json_pack("{s:s, s:i, s:s, s:s, s:o}", "kind", "verifier", "version", 1,
				 "scheduler", sched_name(o), "command", o->command ? o->command : "",
				 "cells", arr);
	char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(root);
	if (!text) {
		snprintf(err, errlen, "out of memory writing verifier.json");
		return -ENOMEM;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/verifier.json", o->out_dir);
	size_t len = strlen(text);
	char *line = malloc(len + 2);
	if (!line) {
		free(text);
		snprintf(err, errlen, "out of memory writing verifier.json");
		return -ENOMEM;
	}
	memcpy(line, text, len);
	line[len++] = '\n';
	line[len] = 0;
	free(text);
	int rc = fs_write_atomic(path, line, len, 0644);
	if (rc)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	if (json_out) {
		fputs(line, json_out);
		fflush(json_out);
	}
	free(line);
	return rc;
}
