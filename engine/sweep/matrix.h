/* The gauntlet's matrix (docs/gauntlet.md): scenarios x topology presets x flag profiles x
 * kernels, in that order, filtered by each scenario's constraints; each cell's name, its
 * estimated seconds and the features the budget counts. */
#ifndef KTSTR_SWEEP_MATRIX_H
#define KTSTR_SWEEP_MATRIX_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/scenario.h"

#define SWEEP_MAX_FEATS 48   /* per cell */
#define SWEEP_MAX_CELLS 50000 /* cells and left-out entries, each */

struct sweep_kernel {
	char spec[4096];   /* passed to `ktstr run --kernel`; "" = the default resolution */
	char label[96];    /* kernel_7_2_13 (filesystem-safe) */
};

enum sweep_status { SWEEP_PENDING, SWEEP_PASS, SWEEP_FAIL, SWEEP_ERROR, SWEEP_SKIP };

struct sweep_cell {
	char name[512];          /* gauntlet/<scenario>/<preset>/<profile>[/<kernel label>] */
	int scn, preset, kernel; /* indices into the matrix's arrays */
	uint32_t profile;        /* flag mask of scenario scn's scheduler */
	char profile_name[256];
	double est_s;
	int feat[SWEEP_MAX_FEATS], nfeat; /* indices into sweep_matrix.features */
	/* the outcome (gauntlet.c) */
	enum sweep_status status;
	int exit_code;
	double wall_s;
	char dir[600];           /* "cells/<cell-dir>", "" when no run directory was made */
	char reason[512];
};

struct sweep_leftout {
	char name[512];
	char reason[192];
};

struct sweep_matrix {
	const struct scenario *scns;
	int nscns;
	char (*presets)[64];
	struct vm_topology *topos;
	int npresets;
	const struct sweep_kernel *kernels;
	int nkernels;
	char (*profiles)[256];   /* every profile name used, first-seen order (the axis) */
	int nprofiles;
	struct sweep_cell *cells;
	int ncells;
	struct sweep_leftout *left;
	int nleft;
	char **features;         /* "sched:ktstr_sched", "flag:ktstr_sched/keep-last", ... */
	int nfeatures;
};

/* Expands the matrix. presets: NULL or "all" (every preset, table order) or "a,b" (preset
 * names or NxLxCxT shapes); profiles: NULL or "all" (each scenario's power set),
 * "default", or "a,b+c" (each named profile for the scenarios declaring its flags). The scenarios and kernels must outlive m. 0, or -EINVAL with
 * a message naming the bad value (the CLI's exit 2), -ENOMEM. */
int sweep_matrix_build(struct sweep_matrix *m, const struct scenario *scns, int nscns,
		       const char *presets, const char *profiles, const struct sweep_kernel *kernels,
		       int nkernels, char *err, size_t errlen);
void sweep_matrix_free(struct sweep_matrix *m);

/* Why a topology does not meet a scenario's constraints ("constraint: needs >= 4 CPUs
 * (min_cpus), preset has 2"), or false when it does. Unset maxima take the reference's
 * defaults: 192 CPUs, 12 LLCs, 1 NUMA node (raised to the minimum when that is higher). */
bool sweep_constraint_fails(const struct scn_constraints *k, const struct vm_topology *t,
			    char *why, size_t len);
/* The reference's estimate: 10 + max(0, (cpus - 16) / 10) + duration + 2 (+3 with
 * performance mode) seconds. */
double sweep_estimate_s(const struct scenario *s, const struct vm_topology *t);
/* "kernel_" + the version's leading [0-9a-z.-] run with '.' and '-' as '_'. */
void sweep_kernel_label(const char *version, char *buf, size_t len);
/* The cell's directory name: its name with '/' as "__". */
void sweep_cell_dirname(const char *name, char *buf, size_t len);
/* The arguments the cell's scheduler gets: the scenario's own, then each active flag's
 * (declared order). Fills argv (pointers into the scenario) and returns the count. */
int sweep_cell_sched_args(const struct scenario *s, uint32_t profile, const char **argv, int max);
const char *sweep_status_name(enum sweep_status st);

#endif
