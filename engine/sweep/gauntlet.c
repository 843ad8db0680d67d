/* The gauntlet's runner (gauntlet.h): a child `ktstr run` per cell, -j of them at once,
 * each with a runs root of its own under <out>/.w; when it ends its run directory is
 * moved to <out>/cells/<cell-dir> and its outcome read from the exit code and result.json.
 * CPU reservation between concurrent runs is the engine's (docs/locks.md), not ours. */
#include "engine/sweep/gauntlet.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/json_util.h"

#define ARGV_MAX (24 + SCN_MAX_SCHED_ARGS + SCN_MAX_FLAGS * SCN_MAX_FLAG_ARGS)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct child {
	pid_t pid;
	int cell;
	double t0;
};

static pid_t start_cell(const struct sweep_matrix *m, int ci, const struct sweep_gauntlet_opts *o)
{
	const struct sweep_cell *c = &m->cells[ci];
	const struct scenario *s = &m->scns[c->scn];
	char cd[600], work[4096], log[4096];
	sweep_cell_dirname(c->name, cd, sizeof(cd));
	/* Short: the run's control socket lives under it, and unix sockets allow 107 bytes. */
	snprintf(work, sizeof(work), "%s/.w/%d", o->out, ci);
	snprintf(log, sizeof(log), "%s/logs/%s.log", o->out, cd);
	fs_rm_rf(work);
	if (fs_mkdir_p(work, 0755))
		return -1;
	const char *argv[ARGV_MAX];
	int n = 0;
	argv[n++] = o->self;
	argv[n++] = "run";
	argv[n++] = o->scn_paths[c->scn];
	argv[n++] = "--topo";
	argv[n++] = m->presets[c->preset];
	argv[n++] = "--runs-dir";
	argv[n++] = work;
	argv[n++] = "--no-auto-repro";
	if (m->kernels[c->kernel].spec[0]) {
		argv[n++] = "--kernel";
		argv[n++] = m->kernels[c->kernel].spec;
	}
	if (o->accel) {
		argv[n++] = "--accel";
		argv[n++] = o->accel;
	}
	if (s->sched.kind != SCHED_EEVDF) {
		argv[n++] = "--scheduler";
		argv[n++] = s->sched.spec;
		argv[n++] = "--";
		n += sweep_cell_sched_args(s, c->profile, argv + n, ARGV_MAX - n - 1);
	}
	argv[n] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* The child: output to the cell's log, gone with the gauntlet. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || nul < 0)
		_exit(3);
	dup2(nul, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	/* -j decides how many cells run at once; a cell waiting for host CPUs held by its
	 * siblings (or by another ktstr) is queued work, not a 30 s infrastructure failure. */
	if (!getenv("KTSTR_LOCK_TIMEOUT_SECS") && !getenv("KTSTR_LOCK_TIMEOUT_MS"))
		setenv("KTSTR_LOCK_TIMEOUT_SECS", "3600", 1);
	execv(o->self, (char *const *)argv);
	dprintf(2, "ktstr gauntlet: cannot run %s: %s\n", o->self, strerror(errno));
	_exit(3);
}

/* The run directory the child made under work (its one entry not starting with '.'). */
static bool find_run_dir(const char *work, char *out, size_t len)
{
	DIR *d = opendir(work);
	if (!d)
		return false;
	struct dirent *e;
	bool found = false;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && !found) {
			snprintf(out, len, "%s/%s", work, e->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

/* The last non-empty line of the child's log ("ktstr: ..." for a refused run). */
static void last_line(const char *log, char *buf, size_t len)
{
	char tail[2048];
	fs_tail(log, 3, tail, sizeof(tail));
	char *p = tail + strlen(tail);
	while (p > tail && (p[-1] == '\n' || p[-1] == ' '))
		*--p = 0;
	char *nl = strrchr(tail, '\n');
	snprintf(buf, len, "%s", nl ? nl + 1 : tail);
}

/* Why a finished run did not pass: its first failed check, else its error. */
static void reason_from_result(const json_t *r, char *buf, size_t len)
{
	size_t i;
	json_t *ck;
	json_array_foreach(json_object_get(r, "checks"), i, ck)
		if (json_is_false(json_object_get(ck, "ok"))) {
			snprintf(buf, len, "%s: %s", ju_str_or(ck, "name", "?"), ju_str_or(ck, "message", ""));
			return;
		}
	const char *e = ju_str_or(r, "error", "");
	if (*e)
		snprintf(buf, len, "%s", e);
}

static void finish_cell(struct sweep_matrix *m, int ci, int status, double wall,
			const struct sweep_gauntlet_opts *o)
{
	struct sweep_cell *c = &m->cells[ci];
	char cd[600], work[4096], log[4096], run[4096 + 256], dst[4096];
	sweep_cell_dirname(c->name, cd, sizeof(cd));
	snprintf(work, sizeof(work), "%s/.w/%d", o->out, ci);
	snprintf(log, sizeof(log), "%s/logs/%s.log", o->out, cd);
	snprintf(dst, sizeof(dst), "%s/cells/%s", o->out, cd);
	c->wall_s = wall;
	c->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	c->status = c->exit_code == 0 ? SWEEP_PASS : c->exit_code == 1 ? SWEEP_FAIL : SWEEP_ERROR;
	c->dir[0] = c->reason[0] = 0;
	json_t *res = NULL;
	if (find_run_dir(work, run, sizeof(run))) {
		fs_rm_rf(dst);
		if (!rename(run, dst)) {
			snprintf(c->dir, sizeof(c->dir), "cells/%s", cd);
			char rj[4200];
			snprintf(rj, sizeof(rj), "%s/result.json", dst);
			res = json_load_file(rj, 0, NULL);
		}
	}
	fs_rm_rf(work);
	if (res && !strcmp(ju_str_or(res, "result", ""), "skip") && c->exit_code == 0) {
		c->status = SWEEP_SKIP;
		snprintf(c->reason, sizeof(c->reason), "skipped: %s", ju_str_or(res, "error", "not run"));
	} else if (c->status != SWEEP_PASS) {
		if (res)
			reason_from_result(res, c->reason, sizeof(c->reason));
		if (!c->reason[0])
			last_line(log, c->reason, sizeof(c->reason));
		if (!c->reason[0])
			snprintf(c->reason, sizeof(c->reason), "ktstr run exited %d", c->exit_code);
	}
	json_decref(res);
	if (o->lines) {
		static const char *const tag[] = { "?", "PASS", "FAIL", "ERROR", "SKIP" };
		fprintf(o->lines, "%-5s %s  %.1fs%s%s\n", tag[c->status], c->name, wall,
			c->status == SWEEP_PASS ? "" : "  ", c->status == SWEEP_PASS ? "" : c->reason);
		fflush(o->lines);
	}
}

int sweep_gauntlet_run(struct sweep_matrix *m, const bool *run, const struct sweep_gauntlet_opts *o,
		       char *err, size_t errlen)
{
	char p[4096];
	const char *sub[] = { "cells", "logs", ".w" };
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", o->out, sub[i]);
		int rc = fs_mkdir_p(p, 0755);
		if (rc) {
			snprintf(err, errlen, "cannot create %s: %s (choose another --out)", p, strerror(-rc));
			return rc;
		}
	}
	int jobs = o->jobs > 0 ? o->jobs : 1;
	struct child *kids = calloc((size_t)jobs, sizeof(*kids));
	if (!kids) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int next = 0, active = 0;
	while (1) {
		while (active < jobs) {
			while (next < m->ncells && !run[next])
				next++;
			if (next >= m->ncells)
				break;
			pid_t pid = start_cell(m, next, o);
			if (pid < 0) {
				finish_cell(m, next, 3 << 8, 0, o);
				next++;
				continue;
			}
			for (int k = 0; k < jobs; k++)
				if (!kids[k].pid) {
					kids[k] = (struct child){ pid, next, now_s() };
					break;
				}
			active++;
			next++;
		}
		if (!active)
			break;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int k = 0; k < jobs; k++)
			if (kids[k].pid == pid) {
				finish_cell(m, kids[k].cell, status, now_s() - kids[k].t0, o);
				kids[k].pid = 0;
				active--;
			}
	}
	free(kids);
	snprintf(p, sizeof(p), "%s/.w", o->out);
	rmdir(p);
	return 0;
}
