/* A worker's scheduling settings as the guest read them back when it started (policy,
 * nice, affinity, memory policy; guest/gcgattr.c): taken from its "worker" line, kept in
 * result.json's workers and shown per cgroup in report.txt when not the defaults. */
#ifndef KTSTR_ENGINE_WATTR_H
#define KTSTR_ENGINE_WATTR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct wattr {
	bool have;                 /* the guest sent them */
	char policy[16];           /* "normal", "fifo", ... or the number */
	int priority, nice;
	int dl_us[3];              /* deadline: runtime, deadline, period */
	char affinity[128];        /* CPU list as sched_getaffinity answered */
	char mempolicy[48];        /* "default", "bind|static_nodes", ... */
	char mempolicy_nodes[64];
	char ext_state[16];        /* policy ext: /sys/kernel/sched_ext/state ("enabled") */
};

/* The fields of a "worker" line (or a result.json worker) into a. False when one is there
 * with the wrong type or out of range (the line is malformed). */
bool wattr_from_json(json_t *o, struct wattr *a);
/* Adds them to a result.json worker object (nothing when !a->have). */
void wattr_to_json(const struct wattr *a, json_t *o);
/* "policy=fifo:10 nice=5 mempolicy=bind:1" — only what differs from the defaults (normal,
 * nice 0, default memory policy); "" when nothing does. Affinity is left to the caller. */
void wattr_summary(const struct wattr *a, char *buf, size_t len);
/* The settings of cgroup cg's workers in run r for report.txt: wattr_summary of its first
 * reporting worker, plus "affinity=0|1" (each worker's list, distinct ones joined by '|')
 * when the scenario gave the cgroup an affinity. "" when all is default. */
struct run;
void wattr_cgroup_summary(const struct run *r, const char *cg, char *buf, size_t len);

#endif
