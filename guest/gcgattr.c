/* A cgroup's scheduling settings in the guest (see gcgattr.h): parsed from the scenario,
 * applied in each worker with raw syscalls (no libnuma), read back into a MAP_SHARED
 * record per worker, and reported by init on the worker's final line. */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "guest/cgattr_def.h"
#include "guest/gcgattr.h"
#include "guest/gcpu.h"
#include "guest/gutil.h"
#include "guest/scenario_wire.h"

#define NODE_WORDS 16 /* 1024 NUMA node ids: past any kernel's MAX_NUMNODES we boot */

struct rec {
	uint32_t done, failed, sent;    /* read back; failed (err holds why); err sent by init */
	int32_t policy, priority, nice, mpol;
	uint64_t dl_ns[3];              /* deadline: runtime, deadline, period */
	uint64_t aff[GCPU_WORDS];
	uint64_t nodes[NODE_WORDS];
	char ext_state[16];             /* /sys/kernel/sched_ext/state, for policy ext */
	char err[400];
};

/* The kernel's struct sched_attr, first version (48 bytes): glibc may or may not have it. */
struct dl_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t prio;
	uint64_t runtime, deadline, period;
};
#define DL_RESET_ON_FORK 0x01 /* SCHED_FLAG_RESET_ON_FORK: a deadline task may not fork otherwise */

static struct rec *recs;
static int nrecs;

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

static int get_int(json_t *c, const char *key, long lo, long hi, bool *has, int *out, const char *cg,
		   char *err, size_t errlen)
{
	json_t *x = json_object_get(c, key);
	if (!x || json_is_null(x))
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi)
		FAIL("scenario.json: cgroup '%s': %s must be an integer in %ld..%ld", cg, key, lo, hi);
	*out = (int)json_integer_value(x);
	if (has)
		*has = true;
	return 0;
}

static int get_list(json_t *c, const char *key, char *out, size_t len, const char *cg, char *err,
		    size_t errlen)
{
	uint64_t m[GCPU_WORDS];
	json_t *x = json_object_get(c, key);
	if (!x || json_is_null(x))
		return 0;
	const char *v = json_string_value(x);
	if (!v || strlen(v) >= len || gcpu_parse(v, m) < 0)
		FAIL("scenario.json: cgroup '%s': %s must be a list like \"0-3\"", cg, key);
	snprintf(out, len, "%s", v);
	return 0;
}

int gcgattr_parse(json_t *c, struct gcgattr *a, const char *cg, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	int rc = get_int(c, KTSTR_SCN_CG_POLICY, 0, 7, &a->has_policy, &a->policy, cg, err, errlen);
	if (!rc && a->has_policy && !cgattr_policy_name(a->policy))
		FAIL("scenario.json: cgroup '%s': policy %d is not one this guest knows", cg, a->policy);
	if (!rc)
		rc = get_int(c, KTSTR_SCN_CG_PRIORITY, 0, 99, NULL, &a->priority, cg, err, errlen);
	json_t *dl = json_object_get(c, KTSTR_SCN_CG_DEADLINE);
	if (!rc && a->has_policy && a->policy == KTSTR_SCHED_DEADLINE) {
		if (json_array_size(dl) != 3)
			FAIL("scenario.json: cgroup '%s': policy deadline needs %s [runtime, deadline, period]", cg,
			     KTSTR_SCN_CG_DEADLINE);
		for (int i = 0; i < 3; i++) {
			json_t *v = json_array_get(dl, (size_t)i);
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > KTSTR_DL_PERIOD_MAX_US)
				FAIL("scenario.json: cgroup '%s': %s[%d] must be 1..%d microseconds", cg,
				     KTSTR_SCN_CG_DEADLINE, i, KTSTR_DL_PERIOD_MAX_US);
			a->dl_us[i] = json_integer_value(v);
		}
	}
	if (!rc)
		rc = get_int(c, KTSTR_SCN_CG_NICE, KTSTR_NICE_MIN, KTSTR_NICE_MAX, &a->has_nice, &a->nice, cg,
			     err, errlen);
	if (!rc)
		rc = get_list(c, KTSTR_SCN_CG_AFFINITY, a->affinity, sizeof(a->affinity), cg, err, errlen);
	if (!rc)
		rc = get_int(c, KTSTR_SCN_CG_AFFINITY_COUNT, 0, GCPU_MAX, NULL, &a->aff_count, cg, err, errlen);
	if (!rc)
		rc = get_int(c, KTSTR_SCN_CG_MPOL, 0, 6, &a->has_mpol, &a->mpol, cg, err, errlen);
	if (!rc)
		rc = get_list(c, KTSTR_SCN_CG_MPOL_NODES, a->mpol_nodes, sizeof(a->mpol_nodes), cg, err, errlen);
	if (!rc)
		rc = get_int(c, KTSTR_SCN_CG_MPOL_FLAGS, 0, KTSTR_MPOL_FLAG_MASK, NULL, &a->mpol_flags, cg, err,
			     errlen);
	if (!rc && (a->mpol_flags & ~KTSTR_MPOL_FLAG_MASK))
		FAIL("scenario.json: cgroup '%s': mempolicy_flags %#x has bits that are no MPOL_F_* flag", cg,
		     (unsigned)a->mpol_flags);
	if (!rc && a->has_mpol && cgattr_mpol_nodes(a->mpol) > 0 && !a->mpol_nodes[0])
		FAIL("scenario.json: cgroup '%s': memory policy %s needs mempolicy_nodes", cg,
		     cgattr_mpol_name(a->mpol));
	return rc;
}

bool gcgattr_none(const struct gcgattr *a)
{
	return !a->has_policy && !a->has_nice && !a->affinity[0] && !a->has_mpol;
}

int gcgattr_init(int nworkers)
{
	size_t sz = sizeof(struct rec) * (size_t)(nworkers > 0 ? nworkers : 1);
	void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	recs = p;
	nrecs = nworkers;
	return 0;
}

void gcgattr_policy_str(int policy, char *buf, size_t len)
{
	const char *n = cgattr_policy_name(policy);
	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%d", policy);
}

void gcgattr_mpol_str(int mode, char *buf, size_t len)
{
	char f[64];
	const char *n = cgattr_mpol_name(mode & ~KTSTR_MPOL_FLAG_MASK);
	cgattr_mpol_flags_str(mode, f, sizeof(f));
	if (n)
		snprintf(buf, len, "%s%s%s", n, f[0] ? "|" : "", f);
	else
		snprintf(buf, len, "%d", mode);
}

/* count CPUs of list drawn at random (a different draw per worker) into m. */
static void draw(const char *list, int count, uint64_t *m)
{
	uint64_t pool[GCPU_WORDS];
	int ids[GCPU_MAX], n = 0;
	gcpu_parse(list, pool);
	for (int c = 0; c < GCPU_MAX; c++)
		if (gcpu_isset(pool, c))
			ids[n++] = c;
	uint64_t x = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull ^ (uint64_t)gutil_now_ns();
	memset(m, 0, GCPU_WORDS * sizeof(*m));
	for (int i = 0; i < count && i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int j = i + (int)(x % (uint64_t)(n - i)), t = ids[i];
		ids[i] = ids[j], ids[j] = t;
		gcpu_set(m, ids[i]);
	}
}

static void oserr(char *buf, size_t len, int e)
{
	snprintf(buf, len, "%s (os error %d)", strerror(e), e);
}

#define AFAIL(...) do { snprintf(r->err, sizeof(r->err), __VA_ARGS__); \
		__atomic_store_n(&r->failed, 1, __ATOMIC_RELEASE); return -1; } while (0)

static int set_all(const struct gcgattr *a, const char *cg, struct rec *r)
{
	char e[128], l[256];
	if (a->affinity[0]) {
		uint64_t m[GCPU_WORDS];
		cpu_set_t set;
		if (a->aff_count > 0)
			draw(a->affinity, a->aff_count, m);
		else
			gcpu_parse(a->affinity, m);
		gcpu_format(m, l, sizeof(l));
		CPU_ZERO(&set);
		for (int c = 0; c < GCPU_MAX && c < CPU_SETSIZE; c++)
			if (gcpu_isset(m, c))
				CPU_SET(c, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			oserr(e, sizeof(e), errno);
			AFAIL("cgroup '%s': set affinity %s (sched_setaffinity): %s (none of these CPUs is online "
			      "and in the cgroup's cpuset)", cg, l, e);
		}
	}
	if (a->has_mpol) {
		unsigned long nodes[NODE_WORDS] = { 0 };
		uint64_t m[GCPU_WORDS];
		int nk = cgattr_mpol_nodes(a->mpol);
		if (nk > 0 && gcpu_parse(a->mpol_nodes, m) > 0)
			for (int n = 0; n < GCPU_MAX && n < NODE_WORDS * 64; n++)
				if (gcpu_isset(m, n))
					nodes[n / 64] |= 1ul << (n % 64);
		if (syscall(SYS_set_mempolicy, a->mpol | a->mpol_flags, nk > 0 ? nodes : NULL,
			    nk > 0 ? (unsigned long)NODE_WORDS * 64 + 1 : 0ul)) {
			char mp[64];
			oserr(e, sizeof(e), errno);
			gcgattr_mpol_str(a->mpol | a->mpol_flags, mp, sizeof(mp));
			AFAIL("cgroup '%s': set mem_policy %s%s%s (set_mempolicy): %s (the nodes must be online and "
			      "in the cgroup's cpuset.mems; numa_balancing goes with bind or preferred_many only)",
			      cg, mp, nk > 0 ? " " : "", nk > 0 ? a->mpol_nodes : "", e);
		}
	}
	if (a->has_nice && setpriority(PRIO_PROCESS, 0, a->nice)) {
		oserr(e, sizeof(e), errno);
		AFAIL("cgroup '%s': set nice %d (setpriority): %s", cg, a->nice, e);
	}
	if (a->has_policy && a->policy == KTSTR_SCHED_DEADLINE) {
		struct dl_attr at = { .size = sizeof(at), .policy = KTSTR_SCHED_DEADLINE, .flags = DL_RESET_ON_FORK,
				      .runtime = (uint64_t)a->dl_us[0] * 1000, .deadline = (uint64_t)a->dl_us[1] * 1000,
				      .period = (uint64_t)a->dl_us[2] * 1000 };
		if (syscall(SYS_sched_setattr, 0, &at, 0u)) {
			int en = errno;
			oserr(e, sizeof(e), en);
			AFAIL("cgroup '%s': set policy deadline runtime %lldus deadline %lldus period %lldus "
			      "(sched_setattr): %s%s", cg, a->dl_us[0], a->dl_us[1], a->dl_us[2], e,
			      en == EBUSY ? " (over the deadline admission limit, 95% of each CPU: lower runtime_us "
					    "or the workers)" : en == EPERM ? " (the task must be allowed every CPU of "
					    "its root domain)" : "");
		}
	} else if (a->has_policy) {
		struct sched_param sp = { .sched_priority = a->priority };
		if (sched_setscheduler(0, a->policy, &sp)) {
			int en = errno;
			oserr(e, sizeof(e), en);
			if (a->policy == KTSTR_SCHED_EXT && en == EINVAL)
				AFAIL("cgroup '%s': set policy ext (sched_setscheduler SCHED_EXT=7): %s: this kernel has "
				      "no sched_ext class; boot one built with CONFIG_SCHED_CLASS_EXT=y (ktstr's test "
				      "kernel has it) or pick another policy", cg, e);
			gcgattr_policy_str(a->policy, l, sizeof(l));
			AFAIL("cgroup '%s': set policy %s%s%.0d (sched_setscheduler): %s%s", cg, l,
			      a->priority ? ":" : "", a->priority, e,
			      en == EPERM ? " (fifo and rr need CAP_SYS_NICE and RT runtime)" : "");
		}
	}
	return 0;
}

/* What is in effect now, as the kernel answers. */
static void read_back(struct rec *r)
{
	cpu_set_t set;
	struct sched_param sp = { 0 };
	unsigned long nodes[NODE_WORDS] = { 0 };
	int mode = 0;
	r->policy = sched_getscheduler(0) & ~0x40000000; /* SCHED_RESET_ON_FORK */
	r->priority = sched_getparam(0, &sp) ? 0 : sp.sched_priority;
	struct dl_attr at = { 0 };
	if (r->policy == KTSTR_SCHED_DEADLINE && !syscall(SYS_sched_getattr, 0, &at, (unsigned)sizeof(at), 0u)) {
		r->dl_ns[0] = at.runtime;
		r->dl_ns[1] = at.deadline;
		r->dl_ns[2] = at.period;
	}
	errno = 0;
	r->nice = getpriority(PRIO_PROCESS, 0);
	if (!sched_getaffinity(0, sizeof(set), &set))
		for (int c = 0; c < GCPU_MAX && c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				gcpu_set(r->aff, c);
	if (!syscall(SYS_get_mempolicy, &mode, nodes, (unsigned long)NODE_WORDS * 64, NULL, 0ul)) {
		r->mpol = mode;
		for (int w = 0; w < NODE_WORDS; w++)
			r->nodes[w] = nodes[w];
	} else {
		r->mpol = -1;
	}
	if (r->policy == KTSTR_SCHED_EXT &&
	    gutil_read_file("/sys/kernel/sched_ext/state", r->ext_state, sizeof(r->ext_state)) >= 0)
		r->ext_state[strcspn(r->ext_state, "\n")] = 0;
}

int gcgattr_apply(const struct gcgattr *a, const char *cg, int idx)
{
	struct rec *r = recs && idx >= 0 && idx < nrecs ? &recs[idx] : NULL;
	if (!r)
		return 0;
	if (set_all(a, cg, r))
		return -1;
	read_back(r);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return 0;
}

bool gcgattr_failure(char *buf, size_t len)
{
	for (int i = 0; i < nrecs; i++) {
		struct rec *r = &recs[i];
		if (__atomic_load_n(&r->failed, __ATOMIC_ACQUIRE) && !r->sent) {
			r->sent = 1;
			snprintf(buf, len, "%s", r->err);
			return true;
		}
	}
	return false;
}

void gcgattr_report(struct gjson *j, int idx)
{
	char b[256];
	if (!recs || idx < 0 || idx >= nrecs || !__atomic_load_n(&recs[idx].done, __ATOMIC_ACQUIRE))
		return;
	const struct rec *r = &recs[idx];
	gcgattr_policy_str(r->policy, b, sizeof(b));
	gjson_str(j, "policy", b);
	gjson_int(j, "priority", r->priority);
	if (r->policy == KTSTR_SCHED_DEADLINE) {
		gjson_int(j, "dl_runtime_us", (int64_t)(r->dl_ns[0] / 1000));
		gjson_int(j, "dl_deadline_us", (int64_t)(r->dl_ns[1] / 1000));
		gjson_int(j, "dl_period_us", (int64_t)(r->dl_ns[2] / 1000));
	}
	gjson_int(j, "nice", r->nice);
	gcpu_format(r->aff, b, sizeof(b));
	gjson_str(j, "affinity", b);
	if (r->mpol >= 0) {
		uint64_t m[GCPU_WORDS] = { 0 };
		gcgattr_mpol_str(r->mpol, b, sizeof(b));
		gjson_str(j, "mempolicy", b);
		for (int n = 0; n < GCPU_MAX; n++)
			if (r->nodes[n / 64] >> (n % 64) & 1)
				gcpu_set(m, n);
		gcpu_format(m, b, sizeof(b));
		gjson_str(j, "mempolicy_nodes", b);
	}
	if (r->ext_state[0])
		gjson_str(j, "ext_state", r->ext_state);
}
