/* `ktstr compare A B [--json] [--threshold PCT | --policy FILE] [-E SUBSTR] [--metrics
 * LIST]` and `ktstr compare --list-metrics [--json]`: the A/B table per paired cell
 * (engine/sweep/compare.c does the work; docs/compare.md). */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/sweep/compare.h"
#include "engine/sweep/metrics.h"

#define COMPARE_USAGE                                                                              \
	"usage: ktstr compare A B [--json] [--threshold PCT | --policy FILE] [-E SUBSTR] "        \
	"[--metrics NAME,...]\n       ktstr compare --list-metrics [--json]"

static int print_json(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!s) {
		cli_error("compare: out of memory");
		return 3;
	}
	puts(s);
	free(s);
	return 0;
}

static int list_metrics(bool js)
{
	if (js)
		return print_json(metrics_registry_json());
	printf("%-34s %-8s %8s %6s %-4s %s\n", "NAME", "POLARITY", "ABS", "REL", "UNIT", "FROM result.json");
	for (int i = 0; i < M__COUNT; i++) {
		const struct metric_def *d = &metric_defs[i];
		printf("%-34s %-8s %8g %5g%% %-4s %s\n", d->name, metric_polarity_name(d->polarity), d->abs_gate,
		       d->rel_gate * 100, d->unit, d->source);
	}
	return 0;
}

static void fmt_num(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3f", v);
}

static void print_row(const struct cmp_row *r, bool colour)
{
	const struct metric_def *d = &metric_defs[r->metric];
	char a[32] = "-", b[32] = "-", delta[40] = "", pct[32] = "";
	bool ha = r->verdict != CMP_ONLY_B, hb = r->verdict != CMP_ONLY_A;
	if (ha)
		fmt_num(r->a, a, sizeof(a));
	if (hb)
		fmt_num(r->b, b, sizeof(b));
	if (ha && hb) {
		char n[32];
		fmt_num(r->b - r->a, n, sizeof(n));
		snprintf(delta, sizeof(delta), "%s%s", r->b - r->a > 0 ? "+" : "", n);
		if (r->a != 0)
			snprintf(pct, sizeof(pct), "%+.1f%%", (r->b - r->a) / fabs(r->a) * 100);
		else
			snprintf(pct, sizeof(pct), r->b != r->a ? "new" : "0.0%%");
	}
	const char *on = "", *off = "";
	if (colour && r->verdict == CMP_REGRESSION)
		on = "\033[31m", off = "\033[0m";
	else if (colour && r->verdict == CMP_IMPROVEMENT)
		on = "\033[32m", off = "\033[0m";
	printf("  %-34s %12s %12s %12s %9s  %s%-11s%s %s\n", d->name, a, b, delta, pct, on,
	       cmp_verdict_name(r->verdict), off, d->unit);
}

static void print_text(const struct cmp_side *a, const struct cmp_side *b, const struct cmp_result *r, bool colour)
{
	printf("A: %s (%s, %d cell%s)\nB: %s (%s, %d cell%s)\n", a->path, a->kind, a->ncells, a->ncells == 1 ? "" : "s",
	       b->path, b->kind, b->ncells, b->ncells == 1 ? "" : "s");
	for (int d = 0; d < CMP_NDIMS; d++)
		if (r->sliced[d])
			printf("compared across %s: '%s' (A) vs '%s' (B)\n", cmp_dim_names[d], a->cells[0].dim[d],
			       b->cells[0].dim[d]);
	for (int i = 0; i < r->npairs; i++) {
		const struct cmp_pair *p = &r->pairs[i];
		printf("\n== %s ==  A %s  B %s\n", p->a->name, p->a->status, p->b->status);
		if (strcmp(p->a->name, p->b->name))
			printf("   B is %s\n", p->b->name);
		if (!p->compared) {
			printf("  not compared: %s (cells that did not pass are left out of the metric comparison)\n",
			       p->excluded);
			if (p->status_change > 0)
				printf("  %sREGRESSION%s: passed in A, %s in B\n", colour ? "\033[31m" : "",
				       colour ? "\033[0m" : "", p->b->status);
			else if (p->status_change < 0)
				printf("  fixed: %s in A, passes in B\n", p->a->status);
			continue;
		}
		if (!p->nrows) {
			printf("  no metric recorded on either side\n");
			continue;
		}
		printf("  %-34s %12s %12s %12s %9s  %-11s %s\n", "metric", "A", "B", "delta", "delta %", "verdict",
		       "unit");
		for (int k = 0; k < p->nrows; k++)
			print_row(&p->rows[k], colour);
	}
	for (int i = 0; i < r->nonly_a; i++)
		printf("\nonly in A (not compared): %s [%s]\n", r->only_a[i]->name, r->only_a[i]->status);
	for (int i = 0; i < r->nonly_b; i++)
		printf("\nonly in B (not compared): %s [%s]\n", r->only_b[i]->name, r->only_b[i]->status);
	printf("\ncompare: %d pair%s compared, %d regression%s, %d improvement%s; %d excluded (did not pass), "
	       "%d only in A, %d only in B\n", r->compared, r->compared == 1 ? "" : "s", r->regressions,
	       r->regressions == 1 ? "" : "s", r->improvements, r->improvements == 1 ? "" : "s", r->excluded,
	       r->nonly_a, r->nonly_b);
	if (r->status_regressions)
		printf("compare: %d cell%s passed in A and failed or errored in B (a regression)\n",
		       r->status_regressions, r->status_regressions == 1 ? "" : "s");
}

/* --metrics a,b: every other metric is dropped from both sides' cells. */
static int keep_metrics(const char *list, bool keep[M__COUNT])
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", list);
	memset(keep, 0, sizeof(bool) * M__COUNT);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int id = metric_find(t);
		if (id < 0) {
			cli_error("compare: --metrics: unknown metric '%s' (ktstr compare --list-metrics lists them)", t);
			return -1;
		}
		keep[id] = true;
	}
	return 0;
}

static void drop_metrics(struct cmp_side *s, const bool keep[M__COUNT])
{
	for (int i = 0; i < s->ncells; i++)
		for (int m = 0; m < M__COUNT; m++)
			s->cells[i].m.has[m] &= keep[m];
}

static bool parse_pct(const char *s, double *out)
{
	char *end;
	double d = strtod(s, &end);
	if (end == s || *end || !isfinite(d) || d < 0)
		return false;
	*out = d;
	return true;
}

int cmd_compare(int argc, char **argv)
{
	bool js = false, list = false;
	const char *pos[2] = { NULL, NULL }, *policy = NULL, *filter = NULL, *threshold = NULL, *metrics = NULL;
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			puts(COMPARE_USAGE);
			return 0;
		} else if (!strcmp(a, "--json")) {
			js = true;
		} else if (!strcmp(a, "--list-metrics")) {
			list = true;
		} else if (!strcmp(a, "--threshold") || !strcmp(a, "--policy") || !strcmp(a, "-E") ||
			   !strcmp(a, "--metrics")) {
			if (!more) {
				cli_error("compare: %s needs a value; " COMPARE_USAGE, a);
				return 2;
			}
			const char **dst = a[2] == 't' ? &threshold : a[2] == 'p' ? &policy : a[1] == 'E' ? &filter : &metrics;
			*dst = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			cli_error("compare: unknown option '%s'; " COMPARE_USAGE, a);
			return 2;
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			cli_error("compare: too many arguments ('%s'); " COMPARE_USAGE, a);
			return 2;
		}
	}
	if (list) {
		if (npos || threshold || policy || filter || metrics) {
			cli_error("compare: --list-metrics takes only --json");
			return 2;
		}
		return list_metrics(js);
	}
	if (npos != 2) {
		cli_error("compare: expected two runs or gauntlets, A and B; " COMPARE_USAGE);
		return 2;
	}
	if (threshold && policy) {
		cli_error("compare: --threshold and --policy are mutually exclusive; pass one");
		return 2;
	}
	char err[8192];
	struct cmp_gates g;
	cmp_gates_default(&g);
	if (threshold) {
		double pct;
		if (!parse_pct(threshold, &pct)) {
			cli_error("compare: --threshold '%s': expected a percentage >= 0 (e.g. 10)", threshold);
			return 2;
		}
		cmp_gates_threshold(&g, pct);
	}
	if (policy && cmp_gates_policy(&g, policy, err, sizeof(err))) {
		cli_error("compare: %s", err);
		return 2;
	}
	bool keep[M__COUNT];
	if (metrics && keep_metrics(metrics, keep))
		return 2;
	struct cmp_side sa, sb;
	if (cmp_side_load(pos[0], &sa, err, sizeof(err))) {
		cli_error("compare: A: %s", err);
		return 2;
	}
	if (cmp_side_load(pos[1], &sb, err, sizeof(err))) {
		cli_error("compare: B: %s", err);
		cmp_side_free(&sa);
		return 2;
	}
	if (metrics) {
		drop_metrics(&sa, keep);
		drop_metrics(&sb, keep);
	}
	struct cmp_result r;
	int rc = 2;
	if (cmp_compare(&sa, &sb, &g, filter, &r, err, sizeof(err))) {
		cli_error("compare: %s", err);
		goto out;
	}
	if (js) {
		rc = print_json(cmp_result_json(&sa, &sb, &g, &r));
		if (!rc)
			rc = cmp_exit_code(&r);
	} else {
		print_text(&sa, &sb, &r, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
		rc = cmp_exit_code(&r);
	}
	cmp_result_free(&r);
out:
	cmp_side_free(&sa);
	cmp_side_free(&sb);
	return rc;
}
