/* A/B compare: two sides (a run, a directory of runs, a gauntlet or merged result) loaded
 * into cells, cells paired by key, each paired metric judged against the registry's gates
 * (engine/sweep/metrics.h). `ktstr compare` (cli/compare.c) prints the result. */
#ifndef KTSTR_SWEEP_COMPARE_H
#define KTSTR_SWEEP_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/sweep/metrics.h"

enum { CMP_NDIMS = 4 }; /* scenario, preset, profile, kernel */
extern const char *const cmp_dim_names[CMP_NDIMS];

struct cmp_cell {
	char name[512];          /* the gauntlet cell's name, or scenario/topology/scheduler/kernel */
	char dim[CMP_NDIMS][256]; /* the pairing dimensions */
	char key[1100];          /* the dimensions that pair, joined with '/' */
	char status[16];         /* pass, fail, error, skip */
	char reason[512];        /* why it did not pass ("" when it did) */
	char dir[4096];          /* its run directory ("" when it has none) */
	struct metric_values m;  /* only for a passing cell */
};

struct cmp_side {
	char path[4096];
	const char *kind; /* "run", "runs" (a directory of runs), "gauntlet" */
	struct cmp_cell *cells;
	int ncells;
};

/* Loads path. -errno with err naming the file and what is wrong with it (the CLI exits 2). */
int cmp_side_load(const char *path, struct cmp_side *s, char *err, size_t errlen);
void cmp_side_free(struct cmp_side *s);

/* Gates per metric: the registry's, then --threshold or --policy. */
struct cmp_gates {
	double abs[M__COUNT], rel[M__COUNT];
};
void cmp_gates_default(struct cmp_gates *g);
/* --threshold PCT: every rel gate becomes PCT / 100. */
void cmp_gates_threshold(struct cmp_gates *g, double pct);
/* --policy FILE: {"default_percent": N, "per_metric_percent": {"metric": N, ...}}. -errno
 * with err naming the file and the bad key. */
int cmp_gates_policy(struct cmp_gates *g, const char *path, char *err, size_t errlen);

enum cmp_verdict { CMP_SAME, CMP_REGRESSION, CMP_IMPROVEMENT, CMP_ONLY_A, CMP_ONLY_B };
const char *cmp_verdict_name(enum cmp_verdict v);
/* A metric regresses (improves) only when |b - a| reaches abs_gate and |b - a| / |a|
 * reaches rel_gate (a == 0: any change does) in the bad (good) direction. */
enum cmp_verdict cmp_judge(int metric, double abs_gate, double rel_gate, double a, double b);

struct cmp_row {
	int metric;
	double a, b; /* meaningful per verdict: CMP_ONLY_A has no b, CMP_ONLY_B no a */
	enum cmp_verdict verdict;
};

struct cmp_pair {
	const struct cmp_cell *a, *b;
	bool compared;        /* both passed: rows hold the metrics */
	char excluded[640];   /* why not compared ("" when compared) */
	int status_change;    /* +1: A passed and B failed or errored (a regression); -1 fixed */
	int nrows;
	struct cmp_row rows[M__COUNT];
	int regressions, improvements;
};

struct cmp_result {
	struct cmp_pair *pairs;
	int npairs;
	const struct cmp_cell **only_a, **only_b;
	int nonly_a, nonly_b;
	int compared, excluded, regressions, improvements, status_regressions;
	bool sliced[CMP_NDIMS]; /* dimensions left out of the key: one value per side, differing */
};

/* Pairs a with b (cells whose name contains filter, when not NULL) and judges every
 * metric; each cell's key is set here. -errno with err on a duplicate key within one side. */
int cmp_compare(struct cmp_side *a, struct cmp_side *b, const struct cmp_gates *g,
		const char *filter, struct cmp_result *out, char *err, size_t errlen);
void cmp_result_free(struct cmp_result *r);
/* 1 when anything regressed (a metric, or a cell that passed in A and not in B), else 0. */
int cmp_exit_code(const struct cmp_result *r);
/* The whole comparison as JSON (docs/compare.md). */
json_t *cmp_result_json(const struct cmp_side *a, const struct cmp_side *b, const struct cmp_gates *g,
			const struct cmp_result *r);

#endif
