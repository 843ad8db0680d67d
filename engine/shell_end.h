/* Why a shell VM (`ktstr shell`) ended, in one line for the terminal and the run record:
 * powered off, kernel panic, killed, never booted. Pure: the engine gathers the facts. */
#ifndef KTSTR_SHELL_END_H
#define KTSTR_SHELL_END_H

#include <stdbool.h>
#include <stddef.h>

struct shell_end_facts {
	const char *start_error; /* the VM never started: why ("" or NULL: it started) */
	bool exited;             /* QEMU ended by itself (not stopped by the engine) */
	int status;              /* QEMU's wait status (valid when exited or stopped) */
	bool guest_done;         /* the guest said "done" before powering off */
	bool stop_asked;         /* the consumer detached / acknowledged (engine_stop) */
	bool killed_by_engine;   /* engine_free tore it down (the application is exiting) */
	bool boot_timeout;       /* no sys_rdy within boot_limit_ms: the engine stopped it */
	int boot_limit_ms;
	const char *panic;       /* the console's "Kernel panic - not syncing" line, or NULL/"" */
	bool exec;               /* --exec mode */
	int exec_status;         /* the command's status; -1: it never finished */
};

/* Writes the reason into out. Returns true when the end is abnormal (panic, killed, no
 * boot, QEMU failure, an --exec command cut off): the shell run is then an error (exit 3). */
bool shell_end_reason(const struct shell_end_facts *f, char *out, size_t len);

#endif
