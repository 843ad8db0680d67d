/* Private to the scenario module (scenario*.c): what its files share. Other modules use
 * engine/scenario.h. scenario.c parses the file's sections with scenario_cgroup.c, on top of
 * scenario_locate.c (positions, checked reads), scenario_topo.c and scenario_validate.c. */
#ifndef KTSTR_SCENARIO_PRIV_H
#define KTSTR_SCENARIO_PRIV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/scenario.h"

#define SCN_MAX_DURATION_MS 600000

/* ---- scenario_locate.c ---- */

/* Where the key and the value of one key path ("cgroups[1].workers") start. */
struct scn_pos { char path[160]; int kline, kcol, vline, vcol; };
struct scn_loc { struct scn_pos *v; size_t n, cap; int line, col; const char *p; };
/* Records every key path of text (already valid JSON: jansson parsed it). */
void scn_loc_scan(struct scn_loc *L, const char *text);
void scn_loc_free(struct scn_loc *L);

/* A parse in progress: the file name and positions for messages, the caller's buffer. */
struct scn_pctx {
	const char *file;
	struct scn_loc loc;
	char *err;
	size_t errlen;
};
/* Formats "FILE:LINE:COL: msg" at the value (or key, when at_key) of path; -EINVAL. */
int scn_perr(struct scn_pctx *c, const char *path, bool at_key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Each returns 0, or -EINVAL with the message at path: a key outside valid[] (NULL-ended;
 * what names the object), a type other than t (JSON_TRUE: any boolean), an integer
 * outside lo..hi, a value that is not a number. */
int scn_check_keys(struct scn_pctx *c, json_t *obj, const char *path, const char *what,
		   const char *const *valid);
int scn_want(struct scn_pctx *c, json_t *v, const char *path, json_type t, const char *tname);
/* scn_want for an object, then scn_check_keys on it. */
int scn_want_object(struct scn_pctx *c, json_t *v, const char *path, const char *what,
		    const char *const *valid);
int scn_get_int(struct scn_pctx *c, json_t *v, const char *path, long lo, long hi, long *out);
int scn_get_num(struct scn_pctx *c, json_t *v, const char *path, double *out);
/* 1..max-1 characters of [A-Za-z0-9_-] (cgroup and scheduler names). */
bool scn_valid_ident(const char *s, size_t max);

/* ---- scenario_monitor.c ---- */

/* The "monitor" block into t (defaults already in t); scn_monitor_json gives the block
 * back with only what differs from the defaults (NULL: nothing). */
int scn_parse_monitor(struct scn_pctx *c, json_t *x, struct mon_thresholds *t);
json_t *scn_monitor_json(const struct mon_thresholds *t);

/* ---- scenario_checks.c ---- */

/* "isolation" and every SCN_WORKER_CHECKS key present in the checks object x (its keys
 * were already checked) into ck. 0 or -EINVAL. */
int scn_parse_worker_checks(struct scn_pctx *c, json_t *x, struct scn_checks *ck);
bool scn_worker_checks_set(const struct scn_checks *ck);
/* Adds the set ones to o, as the file writes them. */
void scn_worker_checks_json(const struct scn_checks *ck, json_t *o);

/* ---- scenario_sweep.c ---- */

/* The scheduler object's "flags" array into sc, and the top-level "constraints" object
 * into k. 0 or -EINVAL. The _json functions give them back (NULL: nothing to write). */
int scn_parse_flags(struct scn_pctx *c, json_t *x, struct scn_scheduler *sc);
int scn_parse_constraints(struct scn_pctx *c, json_t *x, struct scn_constraints *k);
json_t *scn_flags_json(const struct scn_scheduler *sc);
json_t *scn_constraints_json(const struct scn_constraints *k);

/* ---- scenario_cgroup.c ---- */

/* The cgroup entry v at key path base into g (g->step is the caller's). 0 or -EINVAL. */
int scn_parse_cgroup(struct scn_pctx *c, json_t *v, const char *base, struct scn_cgroup *g);

/* ---- scenario_work.c ---- */

/* A "work" value at path (a type name, or {"type": NAME, PARAM: N..., "phases": [...]})
 * into *work, params with *set (bit i: params[i] given) and seq (Sequence's phases). */
int scn_parse_work(struct scn_pctx *c, json_t *x, const char *path, int *work,
		   int64_t params[WORK_PARAMS_MAX], uint32_t *set, struct work_seq *seq);
/* g's "work" value back: the name alone when every parameter is at its default, else the
 * object with the non-default parameters (and Sequence's phases). New reference. */
json_t *scn_work_json(const struct scn_cgroup *g);

/* ---- scenario_ops.c ---- */

/* The "ops" array at key path base, for step (1-based), appended to s->ops. 0 or -EINVAL. */
int scn_parse_ops(struct scn_pctx *c, json_t *ops, const char *base, int step, struct scenario *s);
/* Step `step`'s ops in the file's (and the wire's) shape; NULL when it has none. */
json_t *scn_ops_json(const struct scenario *s, int step);
/* "steps[1].ops[0]" or "ops[2]": where op i was written. */
void scn_op_where(const struct scenario *s, int i, char *buf, size_t len);

/* ---- scenario_cgattr.c ---- */

/* policy, nice, affinity, mem_policy, mpol_flags of cgroup entry v into a. 0 or -EINVAL. */
int scn_parse_cgattr(struct scn_pctx *c, json_t *v, const char *base, struct scn_cgattr *a);
/* The rules against the (final) topology and the cgroup's cpuset; like scn_validate_core. */
int scn_cgattr_validate(const struct scenario *s, const struct scn_cgroup *g, const char *where,
			char *path, size_t plen, char *msg, size_t mlen);
/* g's affinity as the CPU list its workers get ("" = inherit) and, for random_subset, how
 * many of them each worker draws (*count, else 0). 0 or -EINVAL with a message. */
int scn_cgattr_resolve(const struct vm_topology *t, const struct scn_cgroup *g, char *cpus, size_t len,
		       int *count, char *err, size_t errlen);
/* The settings as wire keys (guest/scenario_wire.h) into the guest's cgroup object o. */
void scn_cgattr_wire(const struct scenario *scn, const struct scn_cgroup *g, json_t *o);
/* The settings back in the file format (docs/scenario.md) into the cgroup object o. */
void scn_cgattr_save(const struct scn_cgattr *a, json_t *o);

/* ---- scenario_topo.c ---- */

/* Parses a cpu list "0-3,5". Returns the highest CPU or -1 when malformed. */
int scn_cpulist_max(const char *s);
/* The CpusetSpec rules that hold on any topology (the parser checks these before --topo
 * settles it). 0, or -EINVAL with the seed's "CpusetSpec validation failed" message. */
int scn_spec_check_shape(const struct scn_cpuset_spec *sp, const char *cg, char *err, size_t errlen);

/* ---- scenario_validate.c ---- */

/* Cross-field rules shared by the parser (final = false: the topology may still change)
 * and scn_validate (final). 0, or -EINVAL with the offending value's key path in path
 * and the message in msg. */
int scn_validate_core(const struct scenario *s, bool final, char *path, size_t plen, char *msg,
		      size_t mlen);

#endif
