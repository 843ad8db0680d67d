/* A cgroup's scheduling settings (policy, nice, affinity, mem_policy, mpol_flags): their
 * shapes with FILE:LINE:COL errors, the rules against the final topology, the affinity
 * resolved to CPUs for the guest, and the keys written back to a run's scenario.json. */
#include "engine/scenario_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpumask.h"
#include "engine/json_util.h"
#include "guest/cgattr_def.h"
#include "guest/scenario_wire.h"

#define POLICY_HELP "normal (or other), batch, idle, ext, fifo:PRIO or rr:PRIO (PRIO 1..99; " \
		    "also {\"fifo\": PRIO}), {\"deadline\": {\"runtime_us\": R, \"deadline_us\": D, " \
		    "\"period_us\": P}}"
#define AFF_HELP "inherit, random_subset, llc_aligned, cross_cgroup, single_cpu, smt_sibling_pair, " \
		 "{\"exact\": \"CPUS\"} or {\"random_subset\": {\"from\": \"CPUS\", \"count\": N}}"
#define MPOL_HELP "default, local, {\"bind\": NODES}, {\"preferred\": NODE}, {\"interleave\": NODES}, " \
		  "{\"preferred_many\": NODES}, {\"weighted_interleave\": NODES} (NODES a list like \"0-1\" " \
		  "or [0, 1])"

static const char *const aff_names[] = {
	[SCN_AFF_INHERIT] = "inherit", [SCN_AFF_RANDOM] = "random_subset",
	[SCN_AFF_LLC_ALIGNED] = "llc_aligned", [SCN_AFF_CROSS_CGROUP] = "cross_cgroup",
	[SCN_AFF_SINGLE_CPU] = "single_cpu", [SCN_AFF_EXACT] = "exact",
	[SCN_AFF_SMT_PAIR] = "smt_sibling_pair",
};

/* "0-3,5" -> a mask (ids below CPUMASK_BITS). -1 when malformed, empty or past the end. */
static int list_mask(const char *s, struct cpumask *m)
{
	*m = (struct cpumask){ { 0 } };
	return scn_cpulist_max(s) < 0 || cpumask_parse(s, m) ? -1 : 0;
}

/* The mask of ids [0, n). */
static struct cpumask first_n(int n)
{
	struct cpumask m = { { 0 } };
	cpumask_set_range(&m, 0, n);
	return m;
}

/* {"runtime_us": R, "deadline_us": D, "period_us": P}: the kernel's bounds, R <= D <= P. */
static int parse_deadline(struct scn_pctx *c, json_t *x, const char *path, struct scn_cgattr *a)
{
	static const char *const keys[] = { "runtime_us", "deadline_us", "period_us", NULL };
	long *dst[] = { &a->dl_runtime_us, &a->dl_deadline_us, &a->dl_period_us };
	char sub[192];
	if (scn_want_object(c, x, path, path, keys))
		return -EINVAL;
	for (int i = 0; keys[i]; i++) {
		json_t *v = json_object_get(x, keys[i]);
		snprintf(sub, sizeof(sub), "%s.%s", path, keys[i]);
		if (!v)
			return scn_perr(c, path, false, "%s: missing key '%s' (microseconds)", path, keys[i]);
		if (scn_get_int(c, v, sub, i == 2 ? KTSTR_DL_PERIOD_MIN_US : 2, KTSTR_DL_PERIOD_MAX_US, dst[i]))
			return -EINVAL;
	}
	if (a->dl_runtime_us > a->dl_deadline_us || a->dl_deadline_us > a->dl_period_us)
		return scn_perr(c, path, false, "%s: needs runtime_us <= deadline_us <= period_us, got %ld, %ld, %ld",
				path, a->dl_runtime_us, a->dl_deadline_us, a->dl_period_us);
	a->has_policy = true;
	a->policy = KTSTR_SCHED_DEADLINE;
	return 0;
}

static int parse_policy(struct scn_pctx *c, json_t *x, const char *path, struct scn_cgattr *a)
{
	char name[32] = "";
	long prio = -1;
	if (json_is_object(x) && json_object_size(x) == 1 && json_object_get(x, "deadline")) {
		char sub[160];
		snprintf(sub, sizeof(sub), "%s.deadline", path);
		return parse_deadline(c, json_object_get(x, "deadline"), sub, a);
	}
	if (json_is_object(x) && json_object_size(x) == 1) {
		const char *k = json_object_iter_key(json_object_iter(x));
		char sub[128];
		snprintf(sub, sizeof(sub), "%s.%s", path, k);
		snprintf(name, sizeof(name), "%s", k);
		if (scn_get_int(c, json_object_get(x, k), sub, 1, 99, &prio))
			return -EINVAL;
	} else if (json_is_string(x)) {
		const char *s = json_string_value(x), *colon = strchr(s, ':');
		snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
		if (colon) {
			char *e;
			prio = strtol(colon + 1, &e, 10);
			if (!colon[1] || *e || prio < 1 || prio > 99)
				return scn_perr(c, path, false, "%s: '%s': the priority must be 1..99 (e.g. \"fifo:10\")",
						path, s);
		}
	} else {
		return scn_perr(c, path, false, "%s: expected a string or {\"fifo\": PRIO}, got %s; valid: %s",
				path, ju_type_name(x), POLICY_HELP);
	}
	int p = cgattr_policy_from_name(name);
	if (p < 0)
		return scn_perr(c, path, false, "%s: unknown policy '%s'; valid: %s", path, name, POLICY_HELP);
	if (p == KTSTR_SCHED_DEADLINE)
		return scn_perr(c, path, false, "%s: deadline needs its parameters: write {\"deadline\": "
				"{\"runtime_us\": 2000, \"deadline_us\": 5000, \"period_us\": 10000}}", path);
	if (prio > 0 && !cgattr_policy_has_prio(p))
		return scn_perr(c, path, false, "%s: policy '%s' takes no priority; only fifo and rr do", path, name);
	if (prio <= 0 && cgattr_policy_has_prio(p))
		return scn_perr(c, path, false, "%s: policy '%s' needs a priority 1..99: write \"%s:10\" or "
				"{\"%s\": 10}", path, name, name, name);
	a->has_policy = true;
	a->policy = p;
	a->priority = prio > 0 ? (int)prio : 0;
	return 0;
}

/* A CPU or node list: a string "0-1" or an array of integers. */
static int parse_set(struct scn_pctx *c, json_t *x, const char *path, const char *what, char *out, size_t len)
{
	struct cpumask m = { { 0 } };
	if (json_is_array(x)) {
		size_t i;
		json_t *e;
		json_array_foreach(x, i, e) {
			if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) >= CPUMASK_BITS)
				return scn_perr(c, path, false, "%s: entry %zu is not a %s number 0..%d", path, i, what,
						CPUMASK_BITS - 1);
			cpumask_set(&m, (int)json_integer_value(e));
		}
	} else if (!json_is_string(x) || list_mask(json_string_value(x), &m)) {
		return scn_perr(c, path, false, "%s: expected a %s list like \"0-1\" or [0, 1] (ids 0..%d)",
				path, what, CPUMASK_BITS - 1);
	}
	if (cpumask_empty(&m))
		return scn_perr(c, path, false, "%s: the %s set is empty; name at least one", path, what);
	cpumask_format(&m, out, len);
	return 0;
}

static int parse_affinity(struct scn_pctx *c, json_t *x, const char *path, struct scn_cgattr *a)
{
	char sub[160], sub2[192];
	if (json_is_string(x)) {
		const char *s = json_string_value(x);
		for (size_t k = 0; k < sizeof(aff_names) / sizeof(aff_names[0]); k++)
			if (k != SCN_AFF_EXACT && !strcmp(s, aff_names[k])) {
				a->aff = (enum scn_aff_kind)k;
				return 0;
			}
		return scn_perr(c, path, false, "%s: unknown affinity '%s'; valid: %s", path, s, AFF_HELP);
	}
	static const char *const kinds[] = { "exact", "random_subset", NULL };
	if (!json_is_object(x))
		return scn_perr(c, path, false, "%s: expected a string or an object, got %s; valid: %s", path,
				ju_type_name(x), AFF_HELP);
	if (scn_check_keys(c, x, path, path, kinds))
		return -EINVAL;
	if (json_object_size(x) != 1)
		return scn_perr(c, path, false, "%s: give exactly one of exact, random_subset", path);
	json_t *v;
	if ((v = json_object_get(x, "exact"))) {
		snprintf(sub, sizeof(sub), "%s.exact", path);
		a->aff = SCN_AFF_EXACT;
		return parse_set(c, v, sub, "CPU", a->aff_cpus, sizeof(a->aff_cpus));
	}
	static const char *const rkeys[] = { "from", "count", NULL };
	v = json_object_get(x, "random_subset");
	snprintf(sub, sizeof(sub), "%s.random_subset", path);
	if (scn_want_object(c, v, sub, sub, rkeys))
		return -EINVAL;
	a->aff = SCN_AFF_RANDOM;
	json_t *f = json_object_get(v, "from"), *n = json_object_get(v, "count");
	snprintf(sub2, sizeof(sub2), "%s.from", sub);
	if (f && parse_set(c, f, sub2, "CPU", a->aff_cpus, sizeof(a->aff_cpus)))
		return -EINVAL;
	long cnt = 0;
	snprintf(sub2, sizeof(sub2), "%s.count", sub);
	if (n && scn_get_int(c, n, sub2, 1, SCN_MAX_VCPUS, &cnt))
		return -EINVAL;
	a->aff_count = (int)cnt;
	return 0;
}

static int parse_mpol(struct scn_pctx *c, json_t *x, const char *path, struct scn_cgattr *a)
{
	char sub[160];
	const char *k;
	json_t *v = NULL;
	if (json_is_string(x)) {
		k = json_string_value(x);
	} else if (json_is_object(x) && json_object_size(x) == 1) {
		k = json_object_iter_key(json_object_iter(x));
		v = json_object_get(x, k);
	} else {
		return scn_perr(c, path, false, "%s: expected a string or an object with one key, got %s; "
				"valid: %s", path, ju_type_name(x), MPOL_HELP);
	}
	int m = cgattr_mpol_from_name(k);
	if (m < 0)
		return scn_perr(c, path, false, "%s: unknown memory policy '%s'; valid: %s", path, k, MPOL_HELP);
	int kind = cgattr_mpol_nodes(m);
	if (!kind != !v)
		return scn_perr(c, path, false, kind ? "%s: '%s' needs nodes: write {\"%s\": %s}"
				: "%s: '%s' takes no nodes: write \"%s\"%s", path, k, k, kind == 1 ? "0" : kind ? "\"0-1\"" : "");
	a->has_mpol = true;
	a->mpol = m;
	snprintf(sub, sizeof(sub), "%s.%s", path, k);
	if (kind == 1) {
		long node;
		if (scn_get_int(c, v, sub, 0, 63, &node))
			return -EINVAL;
		snprintf(a->mpol_nodes, sizeof(a->mpol_nodes), "%ld", node);
	} else if (kind == 2) {
		return parse_set(c, v, sub, "NUMA node", a->mpol_nodes, sizeof(a->mpol_nodes));
	}
	return 0;
}

static int parse_flags(struct scn_pctx *c, json_t *x, const char *path, struct scn_cgattr *a)
{
	size_t i;
	json_t *e;
	if (!json_is_array(x))
		return scn_perr(c, path, false, "%s: expected an array of flag names (static_nodes, "
				"relative_nodes, numa_balancing), got %s", path, ju_type_name(x));
	json_array_foreach(x, i, e) {
		int f = json_is_string(e) ? cgattr_mpol_flag_from_name(json_string_value(e)) : -1;
		if (f < 0)
			return scn_perr(c, path, false, "%s: entry %zu is not a flag; valid: static_nodes, "
					"relative_nodes, numa_balancing", path, i);
		a->mpol_flags |= f;
	}
	if ((a->mpol_flags & (1 << 15)) && (a->mpol_flags & (1 << 14)))
		return scn_perr(c, path, false, "%s: static_nodes and relative_nodes exclude each other "
				"(the kernel refuses both: EINVAL); keep one", path);
	return 0;
}

int scn_parse_cgattr(struct scn_pctx *c, json_t *v, const char *base, struct scn_cgattr *a)
{
	char path[128];
	json_t *x;
	long n;
	snprintf(path, sizeof(path), "%s.policy", base);
	if ((x = json_object_get(v, "policy")) && parse_policy(c, x, path, a))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s.nice", base);
	if ((x = json_object_get(v, "nice"))) {
		if (scn_get_int(c, x, path, KTSTR_NICE_MIN, KTSTR_NICE_MAX, &n))
			return -EINVAL;
		a->has_nice = true;
		a->nice = (int)n;
	}
	snprintf(path, sizeof(path), "%s.affinity", base);
	if ((x = json_object_get(v, "affinity")) && parse_affinity(c, x, path, a))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s.mem_policy", base);
	if ((x = json_object_get(v, "mem_policy")) && parse_mpol(c, x, path, a))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s.mpol_flags", base);
	if ((x = json_object_get(v, "mpol_flags"))) {
		if (parse_flags(c, x, path, a))
			return -EINVAL;
		if (a->mpol_flags && !(a->has_mpol && cgattr_mpol_nodes(a->mpol) > 0))
			return scn_perr(c, path, false, "%s: flags need a memory policy with nodes (bind, "
					"preferred, interleave, preferred_many, weighted_interleave)", path);
	}
	return 0;
}

/* The cgroup's cpuset as a mask: its list, its CpusetSpec resolved, or empty (none). */
static struct cpumask cpuset_mask(const struct vm_topology *t, const struct scn_cgroup *g)
{
	char list[1024], e[256];
	struct cpumask m = { { 0 } };
	const char *l = g->cpuset;
	if (!l[0] && g->cpuset_spec.kind > CPUSET_LIST &&
	    !scn_cpuset_resolve(t, &g->cpuset_spec, g->name, list, sizeof(list), e, sizeof(e)))
		l = list;
	if (l[0] && list_mask(l, &m))
		m = (struct cpumask){ { 0 } };
	return m;
}

#define RFAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

int scn_cgattr_resolve(const struct vm_topology *t, const struct scn_cgroup *g, char *cpus, size_t len,
		       int *count, char *err, size_t errlen)
{
	const struct scn_cgattr *a = &g->attr;
	int total = scn_topo_cpus(t), per_llc = t->cores * t->threads;
	struct cpumask all = first_n(total), cs = cpuset_mask(t, g);
	bool has_cs = !cpumask_empty(&cs);
	struct cpumask pool = has_cs ? cs : all, out = { { 0 } }, m;
	char pl[128];
	cpumask_format(&pool, pl, sizeof(pl));
	cpus[0] = 0;
	*count = 0;
	switch (a->aff) {
	case SCN_AFF_INHERIT:
		return 0;
	case SCN_AFF_CROSS_CGROUP:
		out = all;
		break;
	case SCN_AFF_SINGLE_CPU:
		cpumask_set(&out, cpumask_next(&pool, 0));
		break;
	case SCN_AFF_LLC_ALIGNED: {
		/* The LLC holding most of the pool (the first on a tie), within the pool. */
		int best = -1;
		for (int l = 0; l < t->numa * t->llcs; l++) {
			struct cpumask lm = { { 0 } };
			cpumask_set_range(&lm, l * per_llc, (l + 1) * per_llc);
			cpumask_and(&lm, &lm, &pool);
			if (best < 0 || cpumask_weight(&lm) > cpumask_weight(&out))
				out = lm, best = l;
		}
		break;
	}
	case SCN_AFF_SMT_PAIR:
		for (int core = 0; cpumask_empty(&out) && core < total / t->threads; core++) {
			m = (struct cpumask){ { 0 } };
			for (int th = 0; th < t->threads; th++)
				if (cpumask_test(&pool, core * t->threads + th) && cpumask_weight(&m) < 2)
					cpumask_set(&m, core * t->threads + th);
			if (cpumask_weight(&m) == 2)
				out = m;
		}
		if (cpumask_empty(&out))
			RFAIL("affinity smt_sibling_pair: no core has two SMT siblings in %s %s (the topology has "
			      "%d thread%s per core); use a topology with threads >= 2 or another affinity",
			      has_cs ? "the cgroup's cpuset" : "the CPUs", pl, t->threads, t->threads == 1 ? "" : "s");
		break;
	case SCN_AFF_EXACT:
	case SCN_AFF_RANDOM: {
		struct cpumask off;
		m = pool;
		if (a->aff_cpus[0] && !list_mask(a->aff_cpus, &m) && cpumask_andnot(&off, &m, &all)) {
			char o[128];
			cpumask_format(&off, o, sizeof(o));
			RFAIL("affinity %s: CPU %s outside the topology's %d vCPUs (0-%d)", aff_names[a->aff], o,
			      total, total - 1);
		}
		if (!cpumask_and(&out, &m, &pool))
			RFAIL("affinity %s: CPUs %s have none in the cgroup's cpuset %s; pick CPUs inside it",
			      aff_names[a->aff], a->aff_cpus, pl);
		if (a->aff == SCN_AFF_RANDOM) {
			int n = cpumask_weight(&out);
			*count = a->aff_count ? a->aff_count : (n / 2 > 1 ? n / 2 : 1);
			if (*count > n)
				RFAIL("affinity random_subset: count %d is more than the %d CPU%s of its pool", *count,
				      n, n == 1 ? "" : "s");
		}
		break;
	}
	}
	cpumask_format(&out, cpus, len);
	return 0;
}

int scn_cgattr_validate(const struct scenario *s, const struct scn_cgroup *g, const char *where,
			char *path, size_t plen, char *msg, size_t mlen)
{
	const struct scn_cgattr *a = &g->attr;
	const struct vm_topology *t = &s->topo;
	char cpus[128], e[384];
	int cnt;
	if (scn_cgattr_resolve(t, g, cpus, sizeof(cpus), &cnt, e, sizeof(e))) {
		snprintf(path, plen, "%s.affinity", where);
		snprintf(msg, mlen, "%s.affinity: cgroup '%s': %s", where, g->name, e);
		return -EINVAL;
	}
	struct cpumask cs = cpuset_mask(t, g);
	bool has_cs = !cpumask_empty(&cs);
	if (a->has_policy && a->policy == KTSTR_SCHED_DEADLINE && (a->aff != SCN_AFF_INHERIT || has_cs)) {
		/* __sched_setscheduler: EPERM unless the task may run on its whole root domain. */
		snprintf(path, plen, "%s.policy", where);
		snprintf(msg, mlen, "%s.policy: cgroup '%s': a deadline task must be allowed every CPU of its "
			 "root domain (the kernel refuses it otherwise: EPERM); drop the cgroup's %s", where,
			 g->name, a->aff != SCN_AFF_INHERIT ? "affinity" : "cpuset");
		return -EINVAL;
	}
	if (!a->has_mpol || !a->mpol_nodes[0] || (a->mpol_flags & (1 << 14)))
		return 0; /* relative_nodes: the kernel remaps the ordinals itself */
	/* Node sets in the same mask type: node ids are below GUESTMEM_MAX_NODES. */
	struct cpumask nodes, reach = { { 0 } }, bad, exist = first_n(t->numa);
	list_mask(a->mpol_nodes, &nodes);
	int per_node = t->llcs * t->cores * t->threads;
	for (int n = 0; n < t->numa; n++) {
		struct cpumask nm = { { 0 } };
		cpumask_set_range(&nm, n * per_node, (n + 1) * per_node);
		if (!has_cs || cpumask_and(&nm, &nm, &cs))
			cpumask_set(&reach, n);
	}
	/* static_nodes: absolute node ids, only their existence matters. */
	if (!cpumask_andnot(&bad, &nodes, (a->mpol_flags & (1 << 15)) || !has_cs ? &exist : &reach))
		return 0;
	char b[64], r[64];
	cpumask_format(&bad, b, sizeof(b));
	cpumask_format(&reach, r, sizeof(r));
	snprintf(path, plen, "%s.mem_policy", where);
	if (cpumask_andnot(&nodes, &bad, &exist))
		snprintf(msg, mlen, "%s.mem_policy: cgroup '%s': node %s is outside the topology's %d NUMA "
			 "node%s (0-%d)", where, g->name, b, t->numa, t->numa == 1 ? "" : "s", t->numa - 1);
	else
		snprintf(msg, mlen, "%s.mem_policy: cgroup '%s': node %s is not reachable from the cgroup's "
			 "cpuset (its CPUs are on node %s); bind to those nodes, widen the cpuset, or add "
			 "\"mpol_flags\": [\"static_nodes\"]", where, g->name, b, r);
	return -EINVAL;
}

void scn_cgattr_wire(const struct scenario *scn, const struct scn_cgroup *g, json_t *o)
{
	const struct scn_cgattr *a = &g->attr;
	char cpus[128], e[256];
	int cnt = 0;
	if (a->has_policy) {
		json_object_set_new(o, KTSTR_SCN_CG_POLICY, json_integer(a->policy));
		json_object_set_new(o, KTSTR_SCN_CG_PRIORITY, json_integer(a->priority));
	}
	if (a->has_policy && a->policy == KTSTR_SCHED_DEADLINE)
		json_object_set_new(o, KTSTR_SCN_CG_DEADLINE, json_pack("[I, I, I]", (json_int_t)a->dl_runtime_us,
									 (json_int_t)a->dl_deadline_us,
									 (json_int_t)a->dl_period_us));
	if (a->has_nice)
		json_object_set_new(o, KTSTR_SCN_CG_NICE, json_integer(a->nice));
	if (!scn_cgattr_resolve(&scn->topo, g, cpus, sizeof(cpus), &cnt, e, sizeof(e)) && cpus[0]) {
		json_object_set_new(o, KTSTR_SCN_CG_AFFINITY, json_string(cpus));
		if (cnt)
			json_object_set_new(o, KTSTR_SCN_CG_AFFINITY_COUNT, json_integer(cnt));
	}
	if (a->has_mpol) {
		json_object_set_new(o, KTSTR_SCN_CG_MPOL, json_integer(a->mpol));
		json_object_set_new(o, KTSTR_SCN_CG_MPOL_NODES, json_string(a->mpol_nodes));
		json_object_set_new(o, KTSTR_SCN_CG_MPOL_FLAGS, json_integer(a->mpol_flags));
	}
}

void scn_cgattr_save(const struct scn_cgattr *a, json_t *o)
{
	char buf[160];
	if (a->has_policy && a->policy == KTSTR_SCHED_DEADLINE)
		json_object_set_new(o, "policy", json_pack("{s:{s:I, s:I, s:I}}", "deadline", "runtime_us",
							   (json_int_t)a->dl_runtime_us, "deadline_us",
							   (json_int_t)a->dl_deadline_us, "period_us",
							   (json_int_t)a->dl_period_us));
	else if (a->has_policy) {
		if (a->priority)
			snprintf(buf, sizeof(buf), "%s:%d", cgattr_policy_name(a->policy), a->priority);
		else
			snprintf(buf, sizeof(buf), "%s", cgattr_policy_name(a->policy));
		json_object_set_new(o, "policy", json_string(buf));
	}
	if (a->has_nice)
		json_object_set_new(o, "nice", json_integer(a->nice));
	if (a->aff == SCN_AFF_EXACT)
		json_object_set_new(o, "affinity", json_pack("{s:s}", "exact", a->aff_cpus));
	else if (a->aff == SCN_AFF_RANDOM && (a->aff_cpus[0] || a->aff_count)) {
		json_t *r = json_object();
		if (a->aff_cpus[0])
			json_object_set_new(r, "from", json_string(a->aff_cpus));
		if (a->aff_count)
			json_object_set_new(r, "count", json_integer(a->aff_count));
		json_object_set_new(o, "affinity", json_pack("{s:o}", "random_subset", r));
	} else if (a->aff != SCN_AFF_INHERIT)
		json_object_set_new(o, "affinity", json_string(aff_names[a->aff]));
	if (a->has_mpol) {
		const char *m = cgattr_mpol_name(a->mpol);
		int kind = cgattr_mpol_nodes(a->mpol);
		json_object_set_new(o, "mem_policy", !kind ? json_string(m) : kind == 1 ?
				    json_pack("{s:i}", m, atoi(a->mpol_nodes)) :
				    json_pack("{s:s}", m, a->mpol_nodes));
	}
	if (a->mpol_flags) {
		json_t *f = json_array();
#define X(n, v) if (a->mpol_flags & (v)) json_array_append_new(f, json_string(n));
		KTSTR_MPOL_FLAGS(X)
#undef X
		json_object_set_new(o, "mpol_flags", f);
	}
}
