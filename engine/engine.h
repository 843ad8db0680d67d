/* The engine: runs VMs on their own threads and reports what happens as events through
 * one queue. The CLI and the TUI are both consumers of this API; neither touches QEMU. */
#ifndef KTSTR_ENGINE_H
#define KTSTR_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/run.h"
#include "engine/initramfs/initramfs.h"

enum engine_ev_type {
	EV_STATE,    /* run->state or run->stage changed */
	EV_BOOT,     /* sys_rdy arrived (or the budget was missed) */
	EV_SAMPLE,   /* new sample / worker numbers */
	EV_LOG,      /* a line was added; text holds it, src says which log */
	EV_RESULT,   /* run finished: result, checks and exit code are final */
	EV_KERNEL_RM, /* engine_kernel_remove finished: key, rc, text (no run) */
	EV_REPRO,    /* run->repro changed (progress, or final when its state is past FIRED) */
	EV_KERNEL_BUILD, /* engine_kernel_build_async: progress or a status line (rc 1), the end */
};

enum engine_log_src { LOG_CONSOLE, LOG_SCHED, LOG_GUEST, LOG_VERIFIER, LOG_DUMP, LOG_HOST };

struct engine_event {
	enum engine_ev_type type;
	struct run *run;             /* a reference; released by engine_event_done */
	enum engine_log_src src;     /* EV_LOG */
	char *text;                  /* EV_LOG line, EV_BOOT warning, EV_KERNEL_RM message,
				      * EV_KERNEL_BUILD "label: done/total", status line or
				      * outcome; owned */
	char *key;                   /* EV_KERNEL_RM: the cache key; EV_KERNEL_BUILD rc 0: the
				      * built entry's key; owned by the event */
	int rc;                      /* EV_KERNEL_RM: 0 removed, else -errno (text says why);
				      * EV_KERNEL_BUILD: 1 going, 0 built, else -errno */
	bool progress;               /* EV_KERNEL_BUILD rc 1: a progress step (done, total; total
				      * 0 unknown), else text is a status line */
	uint64_t done, total;
};

struct run_request {
	struct scenario scn;         /* copied; the engine owns the copy */
	const char *kernel_spec;     /* NULL: KTSTR_TEST_KERNEL, KTSTR_KERNEL, newest cache entry */
	const char *runs_root;       /* NULL: KTSTR_RUNS_DIR or <cache root>/runs */
	int accel;                   /* 0 = auto, else engine_accel_by_name's answer */
	bool shell_port;             /* TUI: allow `s` to attach a shell */
	/* `ktstr shell`: the guest runs a shell (or exec_cmd) on the shell port instead of
	 * the scenario. No run watchdog: only the boot budget bounds it (until sys_rdy). */
	bool shell;
	const char *exec_cmd;        /* shell only: run this with /bin/sh -c; NULL: interactive */
	bool log_events;             /* emit EV_LOG for every line (TUI, verbose CLI) */
	const char *kernel_args;     /* appended to the guest kernel command line; may be NULL */
	const struct initramfs_extra *extra; /* extra files for the guest (shell -i); may be NULL */
	int nextra;
	/* 0: the scenario's performance_mode; 1: --perf-mode (on for any scenario);
	 * -1: --no-perf-mode (off; a performance_mode scenario is skipped). With 0,
	 * KTSTR_NO_PERF_MODE=1 in the environment means -1. */
	int perf_mode;
	/* Auto-repro: this run reproduces that one (engine_repro): its id is "<primary
	 * id>-repro", and its probe messages feed primary->repro. NULL for a normal run. */
	struct run *repro_of;
	/* The auto-repro probe spec (guest/probe_wire.h) for the guest; NULL: no probes. */
	const char *probe_spec;
	/* --no-snapshot: a cold boot with the run's data in the initramfs (docs/snapshot.md). */
	bool no_snapshot;
};

struct engine;
struct engine *engine_new(void);
void engine_free(struct engine *e);    /* stops every run and joins its thread */

/* Resolves the kernel and scheduler, builds the initramfs and starts the run's thread.
 * Errors that are the user's (no kernel, bad scheduler) return -EINVAL with the message
 * in err and exit code 2 semantics; infrastructure errors return other -errno. */
int engine_start(struct engine *e, const struct run_request *req, struct run **out,
		 char *err, size_t errlen);
void engine_stop(struct engine *e, struct run *r);  /* ends the run's VM early */
/* Copies the unix socket path of the running VM's shell port into buf (the VM, and the
 * path inside it, may be freed by the run thread as soon as this returns). 0, -ENOENT
 * when the run has no live VM with a shell port, -ENAMETOOLONG when len is too small. */
int engine_shell_sock(struct engine *e, struct run *r, char *buf, size_t len);

/* Removes the kernel cache entry key under root (cache_remove) on a thread of its own: it
 * waits for the entry's exclusive lock while runs hold it shared (up to
 * KTSTR_LOCK_TIMEOUT_MS), which a caller with a screen to draw must not. The outcome comes
 * as an EV_KERNEL_RM event: rc and the message ("removed KEY" or why not). -EBUSY when that
 * key is already being removed or too many removals wait. engine_free does not wait for a
 * removal: it is abandoned (the lock wait ends with the process; no event). */
int engine_kernel_remove(struct engine *e, const char *root, const char *key, char *err,
			 size_t errlen);

/* Builds a kernel (engine_kernel_build, into the cache root engine_cache_root names) on a
 * thread of its own: a build takes minutes to tens of minutes, a version is downloaded from
 * kernel.org first. o's strings are copied; its progress_fd, callbacks and cancel are the
 * engine's own. Progress and status lines come as EV_KERNEL_BUILD events with rc 1 (progress
 * at most 5 a second, and whenever a new phase starts), the end as one with rc 0 ("built
 * KEY (...)", key KEY) or -errno (text: the error). -EBUSY while a build runs (one per
 * engine). engine_free cancels a running build (make is killed) and waits for it a few
 * seconds before abandoning it. */
struct kbuild_opts;
int engine_kernel_build_async(struct engine *e, const struct kbuild_opts *o, char *err,
			      size_t errlen);
/* Stops the running build: its make is killed and it ends with EV_KERNEL_BUILD -ECANCELED.
 * false when no build runs. */
bool engine_kernel_build_cancel(struct engine *e);

/* Auto-repro (docs/auto-repro.md): reruns primary's failure in a second VM with BPF probes
 * on the crash path and stitches what they saw into primary->repro. Asynchronous: progress
 * and the end come as EV_REPRO events on primary; the primary's run directory (report.txt,
 * result.json) is rewritten at the end. primary may be live (just finished) or loaded from
 * its run directory. -EINVAL with err for a run that cannot be reproduced (no scheduler,
 * still running, expect_err), -EBUSY when a repro of it runs already. */
int engine_repro(struct engine *e, struct run *primary, char *err, size_t errlen);
/* Whether auto-repro runs by itself after this finished run: its scheduler (not EEVDF)
 * failed and the run is not expect_err, and KTSTR_NO_AUTO_REPRO is not set. */
bool engine_repro_wanted(const struct run *r);

/* run_request.accel for "kvm" or "tcg"; -EINVAL for any other name. */
int engine_accel_by_name(const char *name);
/* SIGKILLs every QEMU this process started; async-signal-safe, for signal and exit paths. */
void engine_kill_all(void);

int engine_event_fd(struct engine *e);  /* readable when events are queued (for poll) */
/* Pops the next event; returns false when the queue is empty. */
bool engine_next_event(struct engine *e, struct engine_event *ev);
void engine_event_done(struct engine_event *ev);

#endif
