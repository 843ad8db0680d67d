/* The terminal is always given back: SIGINT/SIGTERM/SIGHUP set a flag the main loop
 * checks (it then tears down and calls endwin); crashes call endwin before the previous
 * handler (cli/main.c's, which kills the VMs) runs; an atexit guard covers the rest. */
#include <curses.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

volatile sig_atomic_t tui_stop_signal;

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static const int crash_sigs[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
static struct sigaction old_stop[3], old_crash[5];
static bool installed;

static void on_stop(int sig)
{
	tui_stop_signal = sig;
}

static void on_crash(int sig)
{
	/* endwin is not async-signal-safe, but the process is dying and a terminal left in
	 * raw mode is worse than the small risk. */
	if (!isendwin())
		endwin();
	for (size_t i = 0; i < sizeof(crash_sigs) / sizeof(crash_sigs[0]); i++)
		if (crash_sigs[i] == sig) {
			sigaction(sig, &old_crash[i], NULL);
			break;
		}
	raise(sig);
}

static void endwin_guard(void)
{
	if (installed && !isendwin())
		endwin();
}

void tui_signals_install(void)
{
	static bool atexit_done;
	if (!atexit_done) {
		atexit(endwin_guard);
		atexit_done = true;
	}
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++) {
		/* No SA_RESTART: the signal must interrupt poll() so the loop sees the flag. */
		struct sigaction sa = { .sa_handler = on_stop };
		sigemptyset(&sa.sa_mask);
		sigaction(stop_sigs[i], &sa, &old_stop[i]);
	}
	for (size_t i = 0; i < sizeof(crash_sigs) / sizeof(crash_sigs[0]); i++) {
		struct sigaction sa = { .sa_handler = on_crash, .sa_flags = SA_RESETHAND };
		sigemptyset(&sa.sa_mask);
		sigaction(crash_sigs[i], &sa, &old_crash[i]);
	}
	installed = true;
}

void tui_signals_restore(void)
{
	if (!installed)
		return;
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigaction(stop_sigs[i], &old_stop[i], NULL);
	for (size_t i = 0; i < sizeof(crash_sigs) / sizeof(crash_sigs[0]); i++)
		sigaction(crash_sigs[i], &old_crash[i], NULL);
	installed = false;
}
