/* Cgroups and workers in the guest: create the scenario's cgroups under
 * /sys/fs/cgroup/ktstr, fork one process per worker with a two-phase start (fork, move
 * into the cgroup, release), stream their live counters, stop them and report. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest/gcgattr.h"
#include "guest/gcpu.h"
#include "guest/gctl.h"
#include "guest/gprobe.h"
#include "guest/gproc.h"
#include "guest/gtrace.h"
#include "guest/gutil.h"
#include "guest/gworkers.h"
#include "guest/gwork.h"
#include "guest/gwork_meter.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_BASE GWORKERS_CG_BASE

struct shm_hdr {
	int64_t t0_ns;
	int64_t pad[7];
};

struct wk {
	pid_t pid;
	int cg;          /* index into the scenario's cgroups */
	struct gwork_slot *slot;
	bool reported;   /* its step ended: stopped, "worker" sent */
	bool picked;     /* chosen by gworkers_stop_pids */
};

static const struct gscn *S;
static struct wk wks[GSCN_MAX_WORKERS];
static int nwk;
static struct shm_hdr *shm;
static int start_w = -1;
static volatile sig_atomic_t wstop;  /* in a worker: SIGUSR1 (its stop request) arrived */

static void on_usr1(int sig)
{
	(void)sig;
	wstop = 1;
}

void gworkers_init(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
}

/* Enables one controller in both parents; a failure is logged, and the knob write that
 * needed it fails later with the wording that names the controller. */
static void enable_controller(const char *ctrl)
{
	static const char *const parents[] = { CG_ROOT, CG_BASE };
	char p[512], v[32], e[128];
	snprintf(v, sizeof(v), "+%s", ctrl);
	for (int k = 0; k < 2; k++) {
		snprintf(p, sizeof(p), "%s/cgroup.subtree_control", parents[k]);
		int rc = gutil_write_file(p, v);
		if (rc) {
			gscn_oserr(e, sizeof(e), -rc);
			gctl_log("guest", "enable %s in %s: %s (%s.* knobs will be missing)", v, p, e, ctrl);
		}
	}
}

/* A failed write in cgroup `name`: the seed's snapshot when the directory itself is gone
 * (a name that was never created), else the knob's wrapped error. */
void gworkers_knob_failed(const char *name, int knob, const char *value, int err)
{
	char msg[2048], dir[512];
	struct stat st;
	snprintf(dir, sizeof(dir), CG_BASE "/%s", name);
	if (err == ENOENT && stat(dir, &st) && errno == ENOENT)
		gscn_cgroup_snapshot(msg, sizeof(msg), CG_BASE, name, err);
	else
		gscn_knob_error(msg, sizeof(msg), name, knob, value, err);
	gctl_error("%s", msg);
}

/* Makes one cgroup directory and writes its knobs. 0 or -1 (error sent). */
static int make_cgroup(const struct gscn_cgroup *c)
{
	char e[128], p[512];
	snprintf(p, sizeof(p), CG_BASE "/%s", c->name);
	if (mkdir(p, 0755) && errno != EEXIST) {
		gscn_oserr(e, sizeof(e), errno);
		gctl_error("cgroup '%s': create %s: %s", c->name, p, e);
		return -1;
	}
	for (int k = 0; k < GSCN_KNOB__COUNT; k++) {
		const char *v = gscn_knob_value(c, k);
		if (!v[0])
			continue;
		snprintf(p, sizeof(p), CG_BASE "/%s/%s", c->name, gscn_knob_file(k));
		int rc = gutil_write_file(p, v);
		if (rc) {
			gworkers_knob_failed(c->name, k, v, -rc);
			return -1;
		}
	}
	return 0;
}

int gworkers_cgroups(const struct gscn *s)
{
	bool want[GSCN_KNOB__COUNT] = { false };
	char e[128];
	/* Step cgroups count too: the controllers are enabled once, up front. */
	for (int i = 0; i < s->ncg; i++)
		for (int k = 0; k < GSCN_KNOB__COUNT; k++)
			want[k] |= gscn_knob_value(&s->cg[i], k)[0] != 0;
	/* Ops that write cpuset.cpus need the controller as much as a declared cpuset does. */
	for (int i = 0; i < s->nop; i++)
		want[GSCN_KNOB_CPUSET_CPUS] |= s->op[i].kind == OP_SET_CPUSET ||
					       s->op[i].kind == OP_CLEAR_CPUSET ||
					       s->op[i].kind == OP_SWAP_CPUSETS ||
					       (s->op[i].kind == OP_ADD_CGROUP && s->op[i].cpus[0]);
	if (!s->ncg && !s->nop)
		return 0;
	if (mkdir(CG_BASE, 0755) && errno != EEXIST) {
		gscn_oserr(e, sizeof(e), errno);
		gctl_error("cgroup parent %s: mkdir: %s (is cgroup2 mounted on " CG_ROOT "?)", CG_BASE, e);
		return -1;
	}
	/* +cpu always (cpu.stat, cpu.weight for schedulers); the others when a knob needs them. */
	enable_controller("cpu");
	if (want[GSCN_KNOB_CPUSET_CPUS] || want[GSCN_KNOB_CPUSET_MEMS])
		enable_controller("cpuset");
	if (want[GSCN_KNOB_MEMORY_MAX] || want[GSCN_KNOB_MEMORY_SWAP_MAX])
		enable_controller("memory");
	for (int i = 0; i < s->ncg; i++)
		if (!s->cg[i].step && !s->cg[i].spawned && make_cgroup(&s->cg[i]))
			return -1;
	return 0;
}

/* Writes pid into the cgroup; EBUSY (sched_ext's cgroup_prep_move) is retried. */
int gworkers_move_pid(const char *cg, pid_t pid)
{
	char p[512], v[32];
	snprintf(p, sizeof(p), CG_BASE "/%s/cgroup.procs", cg);
	snprintf(v, sizeof(v), "%d", (int)pid);
	int rc = 0;
	for (int i = 0; i < 4; i++) {
		rc = gutil_write_file(p, v);
		if (rc != -EBUSY)
			break;
		gutil_sleep_ms(100);
	}
	return rc == -ESRCH ? 0 : rc;
}

static __attribute__((noreturn)) void worker_main(int idx, int start_r, struct gwork_ctx *c,
						  const struct gscn_cgroup *cg)
{
	char name[16];
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(name, sizeof(name), "ktstr-w%d", idx);
	prctl(PR_SET_NAME, name);
	gctl_close_child();
	close(start_w);
	gtrace_child();
	gprobe_child();
	/* Phase two: init closes its end once every worker sits in its cgroup. */
	char b;
	ssize_t n;
	while ((n = read(start_r, &b, 1)) < 0 && errno == EINTR && !wstop)
		;
	close(start_r);
	if (wstop)
		_exit(0);
	if (gcgattr_apply(&cg->attr, cg->name, idx)) /* init sends the failure (gworkers_sample) */
		_exit(1);
	int rc = gwork_run(c);
	_exit(rc ? 1 : 0);
}

/* Forks the workers of cgroups cg[from..to) whose step is `step`, each parked on a new
 * start pipe (start_w) until release. 0 or -1 (error sent). */
static int spawn_range(const struct gscn *s, int from, int to, int step)
{
	struct gwork_slot *slots = (struct gwork_slot *)(shm + 1);
	int sp[2];
	if (pipe2(sp, O_CLOEXEC)) {
		gctl_error("pipe: %s", strerror(errno));
		return -1;
	}
	start_w = sp[1];
	for (int g = from; g < to; g++) {
		const struct gscn_cgroup *cg = &s->cg[g];
		if (cg->step != step)
			continue;
		int grp = work_group_size(cg->work, cg->params);
		bool piped = cg->work == WORK_PIPE_IO || cg->work == WORK_CACHE_PIPE;
		int pa[2] = { -1, -1 }, pb[2] = { -1, -1 }; /* pair pipes: a: 0->1, b: 1->0 */
		for (int w = 0; w < cg->workers; w++) {
			int role = w % grp;
			if (nwk >= GSCN_MAX_WORKERS) {
				gctl_error("more than %d workers", GSCN_MAX_WORKERS);
				close(sp[0]);
				return -1;
			}
			struct gwork_ctx c = {
				.work = cg->work, .role = role, .index = nwk, .rfd = -1, .wfd = -1,
				.slot = &slots[nwk], .t0_ns = &shm->t0_ns, .stop = &wstop,
				.group = &slots[nwk - role], .group_size = grp,
				.params = cg->params, .seq = &cg->seq,
			};
			if (piped && role == 0) {
				if (pipe2(pa, O_CLOEXEC) || pipe2(pb, O_CLOEXEC)) {
					gctl_error("pipe for %s pair in cgroup '%s': %s", work_type_name(cg->work),
						cg->name, strerror(errno));
					close(sp[0]);
					return -1;
				}
			}
			if (piped) {
				c.rfd = role ? pa[0] : pb[0];
				c.wfd = role ? pb[1] : pa[1];
			}
			if (grp > 1)
				c.futex = &slots[nwk - role].futex;
			pid_t pid = fork();
			if (pid < 0) {
				gctl_error("fork worker %d of cgroup '%s': %s", w, cg->name, strerror(errno));
				close(sp[0]);
				return -1;
			}
			if (pid == 0) {
				if (piped) {
					close(role ? pa[1] : pb[1]);
					close(role ? pb[0] : pa[0]);
				}
				worker_main(nwk, sp[0], &c, cg);
			}
			gproc_track(pid);
			setpgid(pid, pid); /* both sides, so the group exists before either runs on */
			wks[nwk].pid = pid;
			wks[nwk].cg = g;
			wks[nwk].slot = &slots[nwk];
			wks[nwk].reported = false;
			nwk++;
			if (piped && role == 1) {
				close(pa[0]);
				close(pa[1]);
				close(pb[0]);
				close(pb[1]);
			}
			int rc = gworkers_move_pid(cg->name, pid);
			char dir[512];
			struct stat st;
			snprintf(dir, sizeof(dir), CG_BASE "/%s", cg->name);
			if (rc == -ENOENT && stat(dir, &st) && errno == ENOENT) {
				char msg[2048];
				gscn_cgroup_snapshot(msg, sizeof(msg), CG_BASE, cg->name, ENOENT);
				gctl_error("%s", msg);
				close(sp[0]);
				return -1;
			}
			if (rc) {
				char e[128];
				gscn_oserr(e, sizeof(e), -rc);
				gctl_error("cgroup '%s': move worker pid %d into cgroup.procs: %s", cg->name,
					(int)pid, e);
				close(sp[0]);
				return -1;
			}
		}
	}
	close(sp[0]);
	return 0;
}

int gworkers_spawn(const struct gscn *s)
{
	S = s;
	int total = 0;
	/* One slot per worker of the whole run, step workers included: a step's slots stay
	 * readable after it ended. */
	for (int i = 0; i < s->ncg; i++)
		total += s->cg[i].workers;
	size_t sz = sizeof(struct shm_hdr) + (size_t)(total ? total : 1) * sizeof(struct gwork_slot);
	shm = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		shm = NULL;
		gctl_error("cannot map %zu bytes of shared memory for %d workers: %s", sz, total,
			strerror(errno));
		return -1;
	}
	struct gwork_slot *slots = (struct gwork_slot *)(shm + 1);
	for (int i = 0; i < total; i++) {
		slots[i].cpu = slots[i].max_gap_cpu = -1;
		slots[i].run_delay_ns = -1; /* a worker that never started has none */
	}
	int arc = gcgattr_init(total);
	if (arc) {
		gctl_error("cannot map the per-worker settings records for %d workers: %s", total, strerror(-arc));
		return -1;
	}
	return spawn_range(s, 0, s->ncg, 0);
}

/* Workers forked since index `first`: traced, then released (t0 stays the run's: gap
 * times count from the workload's start). */
static void track_and_release(int first)
{
	static int tids[GSCN_MAX_WORKERS];
	int n = 0;
	for (int i = first; i < nwk; i++)
		tids[n++] = wks[i].pid;
	if (n)
		gtrace_track(tids, n);
	if (start_w >= 0) {
		close(start_w);
		start_w = -1;
	}
}

/* After a failed spawn, the ones forked so far leave the start line for the stop. */
static void drop_start_line(void)
{
	if (start_w >= 0) {
		close(start_w);
		start_w = -1;
	}
}

int gworkers_step_begin(const struct gscn *s, int k)
{
	if (k < 0 || k >= s->nstep || !shm)
		return 0;
	const struct gscn_step *sp = &s->step[k];
	for (int i = sp->first; i < sp->first + sp->ncg; i++)
		if (make_cgroup(&s->cg[i]))
			return -1;
	int first = nwk;
	if (spawn_range(s, sp->first, sp->first + sp->ncg, k + 1)) {
		drop_start_line();
		return -1;
	}
	track_and_release(first);
	return 0;
}

int gworkers_spawn_entry(const struct gscn *s, int cg)
{
	if (cg < 0 || cg >= s->ncg || !shm)
		return 0;
	int first = nwk;
	if (spawn_range(s, cg, cg + 1, s->cg[cg].step)) {
		drop_start_line();
		return -1;
	}
	track_and_release(first);
	return 0;
}

int gworkers_tids(int *out, int max)
{
	int n = 0;
	for (int i = 0; i < nwk && n < max; i++)
		out[n++] = wks[i].pid;
	return n;
}

int64_t gworkers_release(void)
{
	int64_t t0 = gutil_now_ns();
	if (shm)
		__atomic_store_n(&shm->t0_ns, t0, __ATOMIC_RELEASE);
	if (start_w >= 0) {
		close(start_w);
		start_w = -1;
	}
	return t0;
}

#define LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* A worker that could not take its cgroup's settings left why in its record. */
static void send_attr_failures(void)
{
	char why[512];
	while (gcgattr_failure(why, sizeof(why)))
		gctl_error("%s", why);
}

void gworkers_sample(int64_t elapsed_ms)
{
	struct gjson j;
	int i = 0;
	send_attr_failures();
	if (!nwk)
		return;
	/* Split into several lines when many workers do not fit in one. */
	while (i < nwk) {
		gjson_begin(&j, KTSTR_MSG_SAMPLE, gutil_now_ns());
		gjson_int(&j, "elapsed_ms", elapsed_ms);
		gjson_arr_open(&j, "workers");
		for (; i < nwk && gjson_room(&j) > 300; i++) {
			if (wks[i].reported)
				continue;
			struct gwork_slot *s = wks[i].slot;
			const struct gscn_cgroup *cg = &S->cg[wks[i].cg];
			int cpu = LD(s->cpu);
			gjson_obj_open(&j, NULL);
			gjson_int(&j, "tid", wks[i].pid);
			/* Live views group by cgroup before the final report arrives. */
			gjson_str(&j, "cgroup", cg->name);
			gjson_str(&j, "work", work_type_name(cg->work));
			gjson_int(&j, "cpu_ns", (int64_t)LD(s->cpu_ns));
			gjson_int(&j, "iters", (int64_t)LD(s->iters));
			gjson_dbl(&j, "max_gap_ms", (double)LD(s->max_gap_ns) / 1e6);
			gjson_int(&j, "cpu", cpu >= 0 && cpu < GCPU_MAX ? cpu : -1);
			gjson_obj_close(&j);
		}
		gjson_arr_close(&j);
		gctl_emit(&j);
	}
}

#define SET_ALL -1
#define SET_PICKED -2 /* the ones gworkers_stop_pids picked */

/* Workers in play: all, the picked ones, or those of step `step` (0 = backdrop). */
static bool in_set(int i, int step)
{
	if (wks[i].reported)
		return false;
	if (step == SET_PICKED)
		return wks[i].picked;
	return step == SET_ALL || S->cg[wks[i].cg].step == step;
}

static bool all_exited(int step)
{
	for (int i = 0; i < nwk; i++)
		if (in_set(i, step) && !gproc_exited(wks[i].pid, NULL))
			return false;
	return true;
}

/* SIGUSR1 to the set, GWORKERS_STOP_WAIT_MS for their final numbers, then SIGKILL. */
static void stop_set(int step)
{
	if (start_w >= 0)
		gworkers_release(); /* workers still parked at the start line: let them see the stop */
	for (int i = 0; i < nwk; i++)
		if (in_set(i, step) && !gproc_exited(wks[i].pid, NULL))
			kill(wks[i].pid, SIGUSR1);
	int64_t deadline = gutil_now_ns() + GWORKERS_STOP_WAIT_MS * 1000000LL;
	gproc_reap();
	while (!all_exited(step) && gutil_now_ns() < deadline) {
		gutil_sleep_ms(10);
		gproc_reap();
	}
	int killed = 0;
	for (int i = 0; i < nwk; i++)
		if (in_set(i, step) && !gproc_exited(wks[i].pid, NULL)) {
			kill(-wks[i].pid, SIGKILL);
			kill(wks[i].pid, SIGKILL);
			killed++;
		}
	if (killed) {
		gctl_log("guest", "%d worker(s) did not stop within %d ms of SIGUSR1 and were killed",
			 killed, GWORKERS_STOP_WAIT_MS);
		for (int k = 0; k < 100 && !all_exited(step); k++) {
			gutil_sleep_ms(10);
			gproc_reap();
		}
	}
}

void gworkers_stop(void)
{
	stop_set(SET_ALL);
}

/* One "worker" line per worker of the set; each is sent once. */
static void report_set(int step)
{
	send_attr_failures();
	for (int i = 0; i < nwk; i++) {
		if (!in_set(i, step))
			continue;
		wks[i].reported = true;
		struct gwork_slot *s = wks[i].slot;
		const struct gscn_cgroup *cg = &S->cg[wks[i].cg];
		struct gjson j;
		gjson_begin(&j, KTSTR_MSG_WORKER, gutil_now_ns());
		gjson_int(&j, "tid", wks[i].pid);
		gjson_str(&j, "cgroup", cg->name);
		gjson_str(&j, "work", work_type_name(cg->work));
		gjson_int(&j, "cpu_ns", (int64_t)LD(s->cpu_ns));
		gjson_int(&j, "wall_ns", (int64_t)LD(s->wall_ns));
		gjson_int(&j, "iters", (int64_t)LD(s->iters));
		gjson_dbl(&j, "max_gap_ms", (double)LD(s->max_gap_ns) / 1e6);
		gjson_int(&j, "max_gap_cpu", LD(s->max_gap_cpu));
		gjson_int(&j, "max_gap_at_ms", (int64_t)(LD(s->max_gap_at_ns) / 1000000));
		gjson_arr_open(&j, "cpus");
		for (int c = 0; c < GCPU_MAX; c++) /* = the host's CPUMASK_BITS */
			if (gcpu_isset(s->cpus, c))
				gjson_int(&j, NULL, c);
		gjson_arr_close(&j);
		gjson_int(&j, "migrations", LD(s->migrations));
		gcgattr_report(&j, i);
		gmeter_report(&j, s);
		if (work_type_figure(cg->work)) /* named by the table on both sides */
			gjson_int(&j, "figure", (int64_t)LD(s->figure));
		int st = 0;
		bool clean = gproc_exited(wks[i].pid, &st) && WIFEXITED(st) && WEXITSTATUS(st) == 0;
		gjson_bool(&j, "completed", __atomic_load_n(&s->done, __ATOMIC_ACQUIRE) && clean);
		gctl_emit(&j);
	}
}

void gworkers_report(void)
{
	report_set(SET_ALL);
}

int gworkers_stop_pids(const int *pids, int n)
{
	int hit = 0;
	for (int i = 0; i < nwk; i++) {
		wks[i].picked = false;
		for (int k = 0; k < n && !wks[i].reported; k++)
			if (wks[i].pid == pids[k]) {
				wks[i].picked = true;
				hit++;
			}
	}
	if (!hit)
		return 0;
	stop_set(SET_PICKED);
	report_set(SET_PICKED);
	return hit;
}

void gworkers_step_end(const struct gscn *s, int k)
{
	if (k < 0 || k >= s->nstep || !S)
		return;
	const struct gscn_step *sp = &s->step[k];
	stop_set(k + 1);
	report_set(k + 1);
	/* The step's cgroups go with it; a later step may reuse a name. */
	for (int i = sp->first; i < sp->first + sp->ncg; i++) {
		char p[512], e[128];
		snprintf(p, sizeof(p), CG_BASE "/%s", s->cg[i].name);
		for (int t = 0; rmdir(p) && errno == EBUSY && t < 50; t++) {
			gproc_reap();
			gutil_sleep_ms(10);
		}
		if (!access(p, F_OK)) {
			gscn_oserr(e, sizeof(e), errno);
			gctl_log("guest", "step %d: cannot remove cgroup %s: %s", k + 1, p, e);
		}
	}
}
