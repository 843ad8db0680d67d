/* `s`: a shell in the running VM. Curses steps aside (def_prog_mode + endwin), the
 * terminal is relayed raw to the VM's shell port until Ctrl-], then curses resumes. */
#include <stdio.h>

#include "engine/shell_attach.h"
#include "tui/app.h"

void shell_attach_tui(struct app *a)
{
	if (!a->live || !a->eng) {
		app_status(a, true, "no running VM to attach to; press r to start a run");
		return;
	}
	run_lock(a->live);
	enum run_state st = a->live->state;
	char id[64];
	snprintf(id, sizeof(id), "%s", a->live->id);
	run_unlock(a->live);
	if (st == RUN_DONE) {
		app_status(a, true, "run %s has ended; its VM is gone (press r for a new run)", id);
		return;
	}
	char sock[4096];
	if (engine_shell_sock(a->eng, a->live, sock, sizeof(sock))) {
		app_status(a, true, "the VM has no shell port yet (still booting); try s again in a moment");
		return;
	}
	char err[1024] = "";
	def_prog_mode();
	endwin();
	printf("\r\n[ktstr] shell in the VM of %s; Ctrl-] returns to the workstation\r\n", id);
	fflush(stdout);
	int rc = shell_attach_wait(a->eng, a->live, 0, 1, err, sizeof(err));
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (rc < 0)
		app_status(a, true, "%s", err);
	else
		app_status(a, false, "detached from the VM shell");
}
