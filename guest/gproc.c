/* Init's child processes (see gproc.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest/gproc.h"
#include "guest/gscn.h"

#define TRACK_MAX (GSCN_MAX_WORKERS + 16)
static struct { pid_t pid; int status; bool exited; } tracked[TRACK_MAX];
static int ntracked;

void gproc_track(pid_t pid)
{
	for (int i = 0; i < ntracked; i++)
		if (tracked[i].pid == pid) {
			tracked[i].exited = false;
			return;
		}
	if (ntracked < TRACK_MAX)
		tracked[ntracked++].pid = pid;
}

void gproc_reap(void)
{
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		for (int i = 0; i < ntracked; i++)
			if (tracked[i].pid == p) {
				tracked[i].status = st;
				tracked[i].exited = true;
			}
}

bool gproc_exited(pid_t pid, int *status)
{
	for (int i = 0; i < ntracked; i++)
		if (tracked[i].pid == pid && tracked[i].exited) {
			if (status)
				*status = tracked[i].status;
			return true;
		}
	return false;
}

int gproc_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return 0;
}

void gproc_child_setup(void)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

pid_t gproc_spawn_piped(const char *path, char *const argv[], int *in, int *out, int *err)
{
	int pi[2] = { -1, -1 }, po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	if (pipe2(pi, O_CLOEXEC) || pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		goto fail;
	pid_t pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		gproc_child_setup();
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(path, argv);
		dprintf(2, "cannot execute %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(pi[0]);
	close(po[1]);
	close(pe[1]);
	gproc_track(pid);
	*in = pi[1];
	*out = po[0];
	*err = pe[0];
	return pid;
fail:;
	int e = errno;
	for (int i = 0; i < 2; i++) {
		if (pi[i] >= 0)
			close(pi[i]);
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	errno = e;
	return -1;
}
