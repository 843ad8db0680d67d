/* A cgroup's scheduling settings in the guest: read from the scenario (keys in
 * guest/scenario_wire.h), applied by each worker before its work starts (affinity, memory
 * policy, nice, then the policy), read back by the worker into a shared record that init
 * puts on the worker's "worker" line. No gctl: host unit tests link it. */
#ifndef KTSTR_GUEST_GCGATTR_H
#define KTSTR_GUEST_GCGATTR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "guest/gjson.h"

struct gcgattr {
	bool has_policy;
	int policy, priority;      /* SCHED_*; 1..99 for fifo, rr */
	long long dl_us[3];        /* deadline: runtime, deadline, period in microseconds */
	bool has_nice;
	int nice;
	char affinity[256];        /* a CPU list; "" = inherit */
	int aff_count;             /* > 0: each worker draws this many CPUs of affinity */
	bool has_mpol;
	int mpol, mpol_flags;      /* MPOL_* mode, MPOL_F_* bits */
	char mpol_nodes[64];
};

/* The settings of cgroup object c (named cg in messages) into a. 0 or -EINVAL. */
int gcgattr_parse(json_t *c, struct gcgattr *a, const char *cg, char *err, size_t errlen);
/* True when a asks for nothing. */
bool gcgattr_none(const struct gcgattr *a);

/* Maps one shared record per worker (init, before forking them). 0 or -errno. */
int gcgattr_init(int nworkers);
/* In worker idx of cgroup cg: applies a, then reads back what is in effect. 0, or -1 with
 * the failure (naming the cgroup and the setting) left in the record for init. */
int gcgattr_apply(const struct gcgattr *a, const char *cg, int idx);
/* In init: the next failure no one reported yet into buf (true), else false. */
bool gcgattr_failure(char *buf, size_t len);
/* In init: worker idx's read-back settings as fields of its "worker" line (nothing when
 * the worker never got that far). */
void gcgattr_report(struct gjson *j, int idx);

/* Read-back formatting, shared with the unit tests: "fifo" or the number, and the mode's
 * name with flags ("bind|static_nodes"). */
void gcgattr_policy_str(int policy, char *buf, size_t len);
void gcgattr_mpol_str(int mode, char *buf, size_t len);

#endif
