/* Operations during a step: each runs at its at_ms from the step's start, then every
 * every_ms when it loops, from init's watch loop (50 ms granularity). A cgroup an op names
 * that does not exist fails the run with the seed's cgroup-state snapshot, except
 * StopCgroup and RemoveCgroup, which succeed on a missing cgroup (rmdir and kill of
 * nothing), as the reference's do. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/gcpu.h"
#include "guest/gctl.h"
#include "guest/gops.h"
#include "guest/gproc.h"
#include "guest/gutil.h"
#include "guest/gworkers.h"

#define CG_BASE GWORKERS_CG_BASE

static int64_t next_ms[GSCN_MAX_OPS]; /* -1: done for this step */
static int runs[GSCN_MAX_OPS];
/* Cgroups AddCgroup made: removed when their step ends (step-local, like a step's own). */
static struct { char name[64]; int step; bool live; } added[GSCN_MAX_OPS];
static int nadded;

static void path_of(char *p, size_t len, const char *cg, const char *file)
{
	snprintf(p, len, CG_BASE "/%s%s%s", cg, file ? "/" : "", file ? file : "");
}

static bool cg_exists(const char *cg)
{
	char p[512];
	struct stat st;
	path_of(p, sizeof(p), cg, NULL);
	return !stat(p, &st);
}

/* The failure of writing `value` to `file` of cg: the snapshot when cg is missing. */
static int write_failed(const char *cg, const char *file, const char *value, int err)
{
	char e[128], msg[2048];
	if (!cg_exists(cg)) {
		gscn_cgroup_snapshot(msg, sizeof(msg), CG_BASE, cg, ENOENT);
		gctl_error("%s", msg);
		return -1;
	}
	gscn_oserr(e, sizeof(e), err);
	gctl_error("cgroup '%s': set %s='%s': %s", cg, file, value, e);
	return -1;
}

/* The pids in cg's cgroup.procs: count, or -1 with the error sent (missing: snapshot);
 * a missing cgroup gives 0 when quiet_missing. */
static int procs(const char *cg, int *pids, int max, bool quiet_missing)
{
	static char buf[16384];
	char p[512], msg[2048];
	path_of(p, sizeof(p), cg, "cgroup.procs");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		if (quiet_missing && err == ENOENT)
			return 0;
		if (!cg_exists(cg)) {
			gscn_cgroup_snapshot(msg, sizeof(msg), CG_BASE, cg, ENOENT);
		} else {
			char e[128];
			gscn_oserr(e, sizeof(e), err);
			snprintf(msg, sizeof(msg), "cgroup '%s': read cgroup.procs: %s", cg, e);
		}
		gctl_error("%s", msg);
		return -1;
	}
	size_t got = 0;
	ssize_t r;
	while (got < sizeof(buf) - 1 && (r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	buf[got] = 0;
	int n = 0;
	for (char *t = strtok(buf, "\n"); t && n < max; t = strtok(NULL, "\n"))
		pids[n++] = atoi(t);
	return n;
}

static int set_cpuset(const char *cg, const char *cpus)
{
	char p[512];
	path_of(p, sizeof(p), cg, "cpuset.cpus");
	/* "\n" clears: the kernel strips it and an empty list means inherit. */
	int rc = gutil_write_file(p, cpus[0] ? cpus : "\n");
	if (!rc)
		return 0;
	if (!cg_exists(cg))
		return write_failed(cg, "cpuset.cpus", cpus, -rc);
	gworkers_knob_failed(cg, GSCN_KNOB_CPUSET_CPUS, cpus, -rc);
	return -1;
}

static int swap_cpusets(const char *a, const char *b)
{
	char pa[512], pb[512], va[256] = "", vb[256] = "";
	path_of(pa, sizeof(pa), a, "cpuset.cpus");
	path_of(pb, sizeof(pb), b, "cpuset.cpus");
	if (gutil_read_file(pa, va, sizeof(va)) < 0)
		return write_failed(a, "cpuset.cpus", "(swap)", ENOENT);
	if (gutil_read_file(pb, vb, sizeof(vb)) < 0)
		return write_failed(b, "cpuset.cpus", "(swap)", ENOENT);
	va[strcspn(va, "\n")] = vb[strcspn(vb, "\n")] = 0;
	return set_cpuset(a, vb) || set_cpuset(b, va) ? -1 : 0;
}

static int move_all(const char *from, const char *to)
{
	static int pids[GSCN_MAX_WORKERS * 2];
	int n = procs(from, pids, (int)(sizeof(pids) / sizeof(pids[0])), false);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		int rc = gworkers_move_pid(to, pids[i]);
		if (rc) {
			char v[16];
			snprintf(v, sizeof(v), "%d", pids[i]);
			return write_failed(to, "cgroup.procs", v, -rc);
		}
	}
	return 0;
}

/* SetAffinity, SetNice, SetPolicy: the call on every task of cg. */
static int each_task(const struct ktstr_op *op)
{
	static int pids[GSCN_MAX_WORKERS * 2];
	int n = procs(op->cgroup, pids, (int)(sizeof(pids) / sizeof(pids[0])), false);
	uint64_t mask[GCPU_WORDS];
	cpu_set_t set;
	if (n < 0)
		return -1;
	if (op->kind == OP_SET_AFFINITY) {
		gcpu_parse(op->cpus, mask);
		CPU_ZERO(&set);
		for (int c = 0; c < GCPU_MAX && c < CPU_SETSIZE; c++)
			if (gcpu_isset(mask, c))
				CPU_SET(c, &set);
	}
	for (int i = 0; i < n; i++) {
		int rc = 0;
		if (op->kind == OP_SET_AFFINITY) {
			rc = sched_setaffinity(pids[i], sizeof(set), &set);
		} else if (op->kind == OP_SET_NICE) {
			rc = setpriority(PRIO_PROCESS, (id_t)pids[i], op->nice);
		} else {
			struct sched_param sp = { .sched_priority = op->prio };
			rc = (int)syscall(SYS_sched_setscheduler, pids[i], op->policy, &sp);
		}
		if (rc && errno != ESRCH) { /* a task that just exited is no failure */
			char e[128];
			gscn_oserr(e, sizeof(e), errno);
			if (op->kind == OP_SET_AFFINITY)
				gctl_error("cgroup '%s': SetAffinity cpus=%s on pid %d: %s (the CPUs must be "
					   "online and inside the cgroup's cpuset)", op->cgroup, op->cpus, pids[i], e);
			else if (op->kind == OP_SET_NICE)
				gctl_error("cgroup '%s': SetNice %d on pid %d: %s", op->cgroup, op->nice, pids[i], e);
			else
				gctl_error("cgroup '%s': SetPolicy %s on pid %d: %s%s", op->cgroup, op->policy_text,
					   pids[i], e, op->policy == KTSTR_SCHED_EXT ?
					   " (SCHED_EXT needs a kernel with sched_ext, CONFIG_SCHED_CLASS_EXT=y)" : "");
			return -1;
		}
	}
	return 0;
}

/* StopCgroup, RemoveCgroup: a missing cgroup is no failure (nothing to stop or remove). */
static int stop_cgroup(const struct ktstr_op *op)
{
	static int pids[GSCN_MAX_WORKERS * 2];
	int n = procs(op->cgroup, pids, (int)(sizeof(pids) / sizeof(pids[0])), true);
	if (n < 0)
		return -1;
	gworkers_stop_pids(pids, n);
	if (op->kind != OP_REMOVE_CGROUP)
		return 0;
	char p[512], e[128];
	path_of(p, sizeof(p), op->cgroup, NULL);
	for (int t = 0; rmdir(p) && errno == EBUSY && t < 50; t++) {
		gproc_reap();
		gutil_sleep_ms(10);
	}
	if (!access(p, F_OK)) {
		gscn_oserr(e, sizeof(e), errno);
		gctl_error("cgroup '%s': RemoveCgroup: rmdir %s: %s (tasks not started by ktstr live in it?)",
			   op->cgroup, p, e);
		return -1;
	}
	for (int i = 0; i < nadded; i++)
		if (!strcmp(added[i].name, op->cgroup))
			added[i].live = false;
	return 0;
}

/* The names alive now: the backdrop's, the step's own, and earlier AddCgroups'. */
static bool tracked(const struct gscn *s, int step, const char *name)
{
	for (int i = 0; i < s->ncg; i++)
		if (!s->cg[i].spawned && (!s->cg[i].step || s->cg[i].step == step) &&
		    !strcmp(s->cg[i].name, name))
			return true;
	for (int i = 0; i < nadded; i++)
		if (added[i].live && !strcmp(added[i].name, name))
			return true;
	return false;
}

static int add_cgroup(const struct gscn *s, const struct ktstr_op *op)
{
	char p[512], e[128];
	if (tracked(s, op->step, op->cgroup)) {
		gctl_error("Op::AddCgroup '%s' collides with a cgroup already tracked (by a prior Backdrop "
			   "or step-local CgroupDef) — declare it in exactly one place; use a fresh name for "
			   "the step-local cgroup", op->cgroup);
		return -1;
	}
	path_of(p, sizeof(p), op->cgroup, NULL);
	if (mkdir(p, 0755)) {
		gscn_oserr(e, sizeof(e), errno);
		gctl_error("cgroup '%s': AddCgroup: mkdir %s: %s", op->cgroup, p, e);
		return -1;
	}
	if (nadded < GSCN_MAX_OPS) {
		snprintf(added[nadded].name, sizeof(added[nadded].name), "%s", op->cgroup);
		added[nadded].step = op->step;
		added[nadded++].live = true;
	}
	return op->cpus[0] ? set_cpuset(op->cgroup, op->cpus) : 0;
}

static int freeze(const struct ktstr_op *op)
{
	char p[512];
	const char *v = op->kind == OP_FREEZE_CGROUP ? "1" : "0";
	path_of(p, sizeof(p), op->cgroup, "cgroup.freeze");
	int rc = gutil_write_file(p, v);
	return rc ? write_failed(op->cgroup, "cgroup.freeze", v, -rc) : 0;
}

static int run_op(const struct gscn *s, const struct ktstr_op *op)
{
	switch (op->kind) {
	case OP_SET_CPUSET: return set_cpuset(op->cgroup, op->cpus);
	case OP_CLEAR_CPUSET: return set_cpuset(op->cgroup, "");
	case OP_SWAP_CPUSETS: return swap_cpusets(op->cgroup, op->other);
	case OP_MOVE_ALL_TASKS: return move_all(op->cgroup, op->other);
	case OP_SET_AFFINITY:
	case OP_SET_NICE:
	case OP_SET_POLICY: return each_task(op);
	case OP_STOP_CGROUP:
	case OP_REMOVE_CGROUP: return stop_cgroup(op);
	case OP_ADD_CGROUP: return add_cgroup(s, op);
	case OP_SPAWN: return gworkers_spawn_entry(s, op->cg_index);
	case OP_FREEZE_CGROUP:
	case OP_UNFREEZE_CGROUP: return freeze(op);
	}
	return 0;
}

void gops_step_begin(const struct gscn *s, int step)
{
	for (int i = 0; i < s->nop; i++) {
		next_ms[i] = s->op[i].step == step ? s->op[i].at_ms : -1;
		runs[i] = 0;
	}
}

int gops_run_due(const struct gscn *s, int step, int64_t step_ms)
{
	for (int i = 0; i < s->nop; i++) {
		const struct ktstr_op *op = &s->op[i];
		if (op->step != step || next_ms[i] < 0 || step_ms < next_ms[i])
			continue;
		if (!runs[i])
			gctl_log("ops", "step %d, %lld ms: %s %s%s%s", step, (long long)step_ms,
				 op_kind_name(op->kind), op->cgroup, op->other[0] ? " " : "", op->other);
		runs[i]++;
		/* A loop keeps its phase: a late tick does not push the later ones back. */
		next_ms[i] = op->every_ms ? next_ms[i] + op->every_ms : -1;
		if (next_ms[i] >= 0 && next_ms[i] <= step_ms)
			next_ms[i] = step_ms + op->every_ms;
		if (run_op(s, op))
			return -1;
	}
	return 0;
}

void gops_step_end(const struct gscn *s, int step)
{
	for (int i = 0; i < s->nop; i++)
		if (s->op[i].step == step && s->op[i].every_ms)
			gctl_log("ops", "step %d: %s %s ran %d times", step, op_kind_name(s->op[i].kind),
				 s->op[i].cgroup, runs[i]);
	for (int i = 0; i < nadded; i++) {
		if (!added[i].live || added[i].step != step)
			continue;
		char p[512];
		path_of(p, sizeof(p), added[i].name, NULL);
		for (int t = 0; rmdir(p) && errno == EBUSY && t < 50; t++) {
			gproc_reap();
			gutil_sleep_ms(10);
		}
		added[i].live = false;
	}
}
