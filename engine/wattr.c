/* A worker's read-back scheduling settings: parsed from the guest's line (untrusted: types
 * and sizes checked), written to result.json, summarized for report.txt. */
#include "engine/wattr.h"

#include "engine/run.h"

#include <stdio.h>
#include <string.h>

static bool str(json_t *o, const char *k, char *out, size_t len)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return true;
	if (!json_is_string(v) || strlen(json_string_value(v)) >= len)
		return false;
	snprintf(out, len, "%s", json_string_value(v));
	return true;
}

static bool num(json_t *o, const char *k, int lo, int hi, int *out)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return false;
	*out = (int)json_integer_value(v);
	return true;
}

bool wattr_from_json(json_t *o, struct wattr *a)
{
	memset(a, 0, sizeof(*a));
	if (!str(o, "policy", a->policy, sizeof(a->policy)) || !num(o, "priority", 0, 99, &a->priority) ||
	    !num(o, "nice", -20, 19, &a->nice) || !num(o, "dl_runtime_us", 0, 4000000, &a->dl_us[0]) ||
	    !num(o, "dl_deadline_us", 0, 4000000, &a->dl_us[1]) || !num(o, "dl_period_us", 0, 4000000, &a->dl_us[2]) || !str(o, "affinity", a->affinity, sizeof(a->affinity)) ||
	    !str(o, "mempolicy", a->mempolicy, sizeof(a->mempolicy)) ||
	    !str(o, "mempolicy_nodes", a->mempolicy_nodes, sizeof(a->mempolicy_nodes)) ||
	    !str(o, "ext_state", a->ext_state, sizeof(a->ext_state)))
		return false;
	a->have = a->policy[0] != 0;
	return true;
}

void wattr_to_json(const struct wattr *a, json_t *o)
{
	if (!a->have)
		return;
	json_object_set_new(o, "policy", json_string(a->policy));
	json_object_set_new(o, "priority", json_integer(a->priority));
	json_object_set_new(o, "nice", json_integer(a->nice));
	if (a->dl_us[2]) {
		json_object_set_new(o, "dl_runtime_us", json_integer(a->dl_us[0]));
		json_object_set_new(o, "dl_deadline_us", json_integer(a->dl_us[1]));
		json_object_set_new(o, "dl_period_us", json_integer(a->dl_us[2]));
	}
	json_object_set_new(o, "affinity", json_string(a->affinity));
	if (a->mempolicy[0]) {
		json_object_set_new(o, "mempolicy", json_string(a->mempolicy));
		json_object_set_new(o, "mempolicy_nodes", json_string(a->mempolicy_nodes));
	}
	if (a->ext_state[0])
		json_object_set_new(o, "ext_state", json_string(a->ext_state));
}

void wattr_summary(const struct wattr *a, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	if (!a->have)
		return;
#define ADD(...) do { if (o < len) o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__); } while (0)
	if (strcmp(a->policy, "normal")) {
		ADD("policy=%s", a->policy);
		if (a->priority)
			ADD(":%d", a->priority);
		if (a->dl_us[2])
			ADD(":%d/%d/%dus", a->dl_us[0], a->dl_us[1], a->dl_us[2]);
		/* The kernel takes SCHED_EXT without a BPF scheduler: the task runs in the fair class. */
		if (a->ext_state[0] && strcmp(a->ext_state, "enabled"))
			ADD(" (sched_ext %s: runs in the fair class)", a->ext_state);
	}
	if (a->nice)
		ADD("%snice=%d", o ? " " : "", a->nice);
	if (a->mempolicy[0] && strcmp(a->mempolicy, "default")) {
		ADD("%smempolicy=%s", o ? " " : "", a->mempolicy);
		if (a->mempolicy_nodes[0])
			ADD(":%s", a->mempolicy_nodes);
	}
#undef ADD
}

void wattr_cgroup_summary(const struct run *r, const char *cg, char *buf, size_t len)
{
	const struct wattr *first = NULL;
	char lists[4][128], aff[540] = "";
	int nl = 0;
	bool more = false;
	buf[0] = 0;
	for (int i = 0; i < r->nworkers; i++) {
		const struct wattr *a = &r->workers[i].attr;
		if (!a->have || strcmp(r->workers[i].cgroup, cg))
			continue;
		if (!first)
			first = a;
		int k = 0;
		while (k < nl && strcmp(lists[k], a->affinity))
			k++;
		if (k == nl && nl < 4)
			snprintf(lists[nl++], sizeof(lists[0]), "%s", a->affinity);
		else if (k == nl)
			more = true;
	}
	if (!first)
		return;
	wattr_summary(first, buf, len);
	bool set = false;
	for (int i = 0; i < r->scn.ncgroups; i++)
		if (!strcmp(r->scn.cgroups[i].name, cg) && r->scn.cgroups[i].attr.aff != SCN_AFF_INHERIT)
			set = true;
	if (!set)
		return;
	size_t o = 0;
	for (int k = 0; k < nl; k++)
		o += (size_t)snprintf(aff + o, sizeof(aff) - o, "%s%s", k ? "|" : "", lists[k]);
	size_t bl = strlen(buf);
	snprintf(buf + bl, len - bl, "%saffinity=%s%s", bl ? " " : "", aff, more ? "|..." : "");
}
