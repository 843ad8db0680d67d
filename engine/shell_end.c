/* The one line that says why a shell VM ended. Order matters: a panic explains a later
 * power-off (panic=-1 reboots, and -no-reboot turns that into QEMU's clean exit). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "engine/shell_end.h"

/* What led to the power-off; NULL when nothing did (the guest powered off on its own). */
static const char *cause(const struct shell_end_facts *f, char *buf, size_t len)
{
	if (f->exec && f->exec_status >= 0) {
		snprintf(buf, len, "the command exited with status %d", f->exec_status);
		return buf;
	}
	if (f->exec)
		return NULL;
	if (f->stop_asked)
		return "ktstr detached (Ctrl-])";
	return f->guest_done ? "the shell exited" : NULL;
}

bool shell_end_reason(const struct shell_end_facts *f, char *out, size_t len)
{
	if (f->start_error && f->start_error[0]) {
		snprintf(out, len, "the VM did not start: %s", f->start_error);
		return true;
	}
	if (f->panic && f->panic[0]) {
		const char *p = strstr(f->panic, "Kernel panic");
		snprintf(out, len, "the guest kernel panicked (%s)", p ? p : f->panic);
		return true;
	}
	if (f->boot_timeout) {
		snprintf(out, len, "killed: the guest did not come up within %d ms (see console.log "
			 "in the run directory)", f->boot_limit_ms);
		return true;
	}
	if (f->killed_by_engine) {
		snprintf(out, len, "killed: ktstr stopped the VM while exiting");
		return f->exec && f->exec_status < 0;
	}
	if (f->exited && WIFSIGNALED(f->status)) {
		int sig = WTERMSIG(f->status);
		snprintf(out, len, "killed: QEMU was killed by signal %d (%s)", sig, strsignal(sig));
		return true;
	}
	if (f->exited && WIFEXITED(f->status) && WEXITSTATUS(f->status)) {
		snprintf(out, len, "QEMU exited with status %d (see qemu.log in the run directory)",
			 WEXITSTATUS(f->status));
		return true;
	}
	char buf[64];
	const char *why = cause(f, buf, sizeof(buf));
	if (!f->exited)
		snprintf(out, len, "stopped by ktstr: the guest did not power off after %s",
			 why ? why : "the stop request");
	else if (why)
		snprintf(out, len, "powered off after %s", why);
	else if (f->exec)
		snprintf(out, len, "the guest powered off before the command finished");
	else
		snprintf(out, len, "powered off from inside the guest (poweroff or reboot)");
	return f->exec && f->exec_status < 0;
}
