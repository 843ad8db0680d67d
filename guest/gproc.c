/* Init's child processes (see gproc.h). */
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
