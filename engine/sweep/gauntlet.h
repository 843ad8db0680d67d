/* Running a gauntlet: each selected cell is `ktstr run` in a child process, up to -j at
 * once; its run directory becomes <out>/cells/<cell-dir>, its output <out>/logs/<cell-dir>.log
 * (docs/gauntlet.md). And the gauntlet.json that records it (sweep_formats: kind "gauntlet"). */
#ifndef KTSTR_SWEEP_GAUNTLET_H
#define KTSTR_SWEEP_GAUNTLET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine/sweep/matrix.h"

struct sweep_gauntlet_opts {
	const char *self;               /* the ktstr binary each cell runs */
	const char *out;                /* the gauntlet directory (made when missing) */
	const char *const *scn_paths;   /* the file of each scenario, by matrix index */
	int jobs;                       /* children at once, >= 1 */
	const char *accel;              /* NULL, or --accel for every cell */
	FILE *lines;                    /* one line per finished cell; NULL: silent */
};

/* Runs every cell with run[i] set and fills its outcome. 0, or -errno with a message when
 * the directory cannot be made (cells that cannot start are recorded as errors). */
int sweep_gauntlet_run(struct sweep_matrix *m, const bool *run, const struct sweep_gauntlet_opts *o,
		       char *err, size_t errlen);

struct sweep_meta {
	const char *command;     /* the argv joined */
	const char *shard;       /* "K/N" or NULL */
	int jobs;
	long budget_secs;        /* < 0: no budget */
	double wall_s;
	long long created_unix;
};
/* gauntlet.json: the cells with run[i] set (with "index", their place in the ordered list
 * before sharding, for merge), left_out = the matrix's constraint entries plus each cell
 * with budget_out[i] set (reason "budget"). listed: a plan (`--list`), statuses "pending". */
json_t *sweep_gauntlet_json(const struct sweep_matrix *m, const bool *run, const bool *budget_out,
			    const int *index, const struct sweep_meta *meta, bool listed);
/* <dir>/gauntlet.json, atomically. 0 or -errno with a message. */
int sweep_gauntlet_write(const char *dir, const json_t *g, char *err, size_t errlen);
/* <dir>/gauntlet.json read and checked (kind, version, cells with names). 0, -ENOENT (no
 * file) or -EINVAL (not a gauntlet.json) with a message naming the file. */
int sweep_gauntlet_load(const char *dir, json_t **out, char *err, size_t errlen);

#endif
