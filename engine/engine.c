/* The engine: one thread per run drives a VM with vm_poll(), feeds the guest's messages
 * into the run model, and tells consumers (CLI, TUI) what changed through one event queue
 * whose readiness is an eventfd, so a consumer can poll() it beside its own input. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/engine_priv.h"
#include "engine/engine_prepare.h"
#include "engine/engine_repro.h"
#include "engine/engine_snap.h"
#include "engine/monitor/sampler.h"
#include "engine/kernel/cache.h"
#include "engine/checks.h"
#include "engine/report.h"
#include "engine/shell_end.h"
#include "vmm/vm.h"
#include "guest/proto.h"
#include "guest/probe_wire.h"

#define EV_QUEUE_MAX 20000 /* beyond this, log and sample events are dropped (model keeps data) */
/* A shell VM has no run watchdog; one that has not said sys_rdy this long after its boot
 * budget is dead and is stopped (a run's watchdog keeps the same reserve). */
#define SHELL_BOOT_GRACE_MS 30000

struct run_slot {
	struct engine *e;
	struct run *run;
	struct run_plan plan;
	pthread_t thread;
	bool joined;
	volatile int finished;      /* the thread has returned; join and reuse the slot */
	volatile int stop;          /* 1: engine_stop asked the guest to stop; 2: kill now */
	struct vm *vm;              /* valid while the thread runs; guarded by e->lock */
	bool log_events;
	int64_t last_sample_ev_ms;
	int64_t last_mon_ev_ms;     /* the sampler thread's own rate limit */
	char panic[256];            /* shell runs: the console's first kernel panic line */
	struct run *primary;        /* a repro VM's run: the run it reproduces (a reference) */
	bool guest_waiting;         /* snapshot boot: the guest said "wait" (engine_snap.h) */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool engine_enqueue(struct engine *e, struct ev_node *n, bool droppable)
{
	pthread_mutex_lock(&e->lock);
	if (droppable && e->queued >= EV_QUEUE_MAX) {
		pthread_mutex_unlock(&e->lock);
		return false;
	}
	if (e->tail)
		e->tail->next = n;
	else
		e->head = n;
	e->tail = n;
	e->queued++;
	pthread_mutex_unlock(&e->lock);
	uint64_t one = 1;
	ssize_t w = write(e->efd, &one, sizeof(one));
	(void)w;
	return true;
}

static void push_event(struct engine *e, enum engine_ev_type type, struct run *r,
		       enum engine_log_src src, const char *text)
{
	/* A repro VM speaks only through its primary's EV_REPRO (engine_repro.c). */
	if (r && r->repro_of[0] && type != EV_REPRO)
		return;
	struct ev_node *n = calloc(1, sizeof(*n));
	if (!n)
		return;
	n->ev.type = type;
	n->ev.run = run_get(r);
	n->ev.src = src;
	n->ev.text = text ? strdup(text) : NULL;
	if (!engine_enqueue(e, n, type == EV_LOG || type == EV_SAMPLE)) {
		engine_event_done(&n->ev);
		free(n);
	}
}

bool engine_next_event(struct engine *e, struct engine_event *ev)
{
	pthread_mutex_lock(&e->lock);
	struct ev_node *n = e->head;
	if (n) {
		e->head = n->next;
		if (!e->head)
			e->tail = NULL;
		e->queued--;
	} else {
		uint64_t v;
		ssize_t r = read(e->efd, &v, sizeof(v)); /* drain readiness */
		(void)r;
	}
	pthread_mutex_unlock(&e->lock);
	if (!n)
		return false;
	*ev = n->ev;
	free(n);
	return true;
}

void engine_event_done(struct engine_event *ev)
{
	free(ev->text);
	ev->text = NULL;
	free(ev->key);
	ev->key = NULL;
	if (ev->run)
		run_put(ev->run);
	ev->run = NULL;
}

int engine_event_fd(struct engine *e) { return e->efd; }

struct engine *engine_new(void)
{
	struct engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	pthread_mutex_init(&e->lock, NULL);
	e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->efd < 0) {
		free(e);
		return NULL;
	}
	return e;
}

/* ---- kernel removal on a thread of its own --------------------------------------------- */

/* A job belongs to its engine until the thread reports; engine_free cuts it loose (e = NULL)
 * instead of joining a wait that may last KTSTR_LOCK_TIMEOUT_MS. rm_mu outlives engines. */
struct rm_job { struct engine *e; char root[4096]; char key[128]; };
static pthread_mutex_t rm_mu = PTHREAD_MUTEX_INITIALIZER;

static void *rm_thread(void *arg)
{
	struct rm_job *j = arg;
	char msg[2048];
	int rc = cache_remove(j->root, j->key, msg, sizeof(msg));
	if (!rc)
		snprintf(msg, sizeof(msg), "removed %s", j->key);
	pthread_mutex_lock(&rm_mu);
	struct engine *e = j->e;
	for (int i = 0; e && i < MAX_RM; i++)
		if (e->rm[i] == j)
			e->rm[i] = NULL;
	struct ev_node *n = e ? calloc(1, sizeof(*n)) : NULL;
	if (n) {
		n->ev.type = EV_KERNEL_RM;
		n->ev.src = LOG_HOST;
		n->ev.rc = rc;
		n->ev.key = strdup(j->key);
		n->ev.text = strdup(msg);
		engine_enqueue(e, n, false);
	}
	pthread_mutex_unlock(&rm_mu);
	free(j);
	return NULL;
}

int engine_kernel_remove(struct engine *e, const char *root, const char *key, char *err,
			 size_t errlen)
{
	struct rm_job *j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((size_t)snprintf(j->key, sizeof(j->key), "%s", key) >= sizeof(j->key)) {
		snprintf(err, errlen, "'%.64s...' is not a cache key; list keys with `ktstr kernel list`", key);
		free(j);
		return -EINVAL;
	}
	if ((size_t)snprintf(j->root, sizeof(j->root), "%s", root) >= sizeof(j->root)) {
		snprintf(err, errlen, "cache directory path is too long; set KTSTR_CACHE_DIR to a "
			 "shorter absolute path");
		free(j);
		return -ENAMETOOLONG;
	}
	int rc = 0, slot = -1;
	pthread_mutex_lock(&rm_mu);
	for (int i = 0; i < MAX_RM && !rc; i++) {
		if (!e->rm[i] && slot < 0)
			slot = i;
		else if (e->rm[i] && !strcmp(e->rm[i]->key, key)) {
			snprintf(err, errlen, "kernel %s is already being removed", key);
			rc = -EBUSY;
		}
	}
	if (!rc && slot < 0) {
		snprintf(err, errlen, "%d kernel removals are waiting already; let one finish first", MAX_RM);
		rc = -EBUSY;
	}
	pthread_t t;
	pthread_attr_t at;
	if (!rc) {
		j->e = e;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, rm_thread, j)) {
			snprintf(err, errlen, "cannot start a thread to remove kernel %s", key);
			rc = -EAGAIN;
		} else {
			e->rm[slot] = j;  /* the thread reads it only after taking rm_mu */
		}
		pthread_attr_destroy(&at);
	}
	pthread_mutex_unlock(&rm_mu);
	if (rc)
		free(j);
	return rc;
}

/* Abandons the removals still going: their threads end without an event. */
static void rm_cut_loose(struct engine *e)
{
	pthread_mutex_lock(&rm_mu);
	for (int i = 0; i < MAX_RM; i++)
		if (e->rm[i]) {
			e->rm[i]->e = NULL;
			e->rm[i] = NULL;
		}
	pthread_mutex_unlock(&rm_mu);
}

/* ---- the run thread ---------------------------------------------------------------- */

struct poll_ctx { struct run_slot *slot; int64_t vm_start_ms; };

static void on_console(void *p, const char *line)
{
	struct poll_ctx *c = p;
	struct run *r = c->slot->run;
	run_lock(r);
	ring_push(r->console, line);
	bool shell = r->shell;
	run_unlock(r);
	/* panic=-1 and -no-reboot make a panic look like a clean power-off: the console
	 * line is what tells them apart. */
	if (shell && !c->slot->panic[0] && strstr(line, "Kernel panic - not syncing"))
		snprintf(c->slot->panic, sizeof(c->slot->panic), "%s", line);
	if (c->slot->log_events)
		push_event(c->slot->e, EV_LOG, r, LOG_CONSOLE, line);
}


static void on_ctl(void *p, const char *line)
{
	struct poll_ctx *c = p;
	struct run_slot *s = c->slot;
	struct run *r = s->run;
	if (engine_snap_is_wait(line)) {
		s->guest_waiting = true;
		return;
	}
	run_lock(r);
	enum run_state before = r->state;
	char stage_before[sizeof(r->stage)];
	memcpy(stage_before, r->stage, sizeof(stage_before));
	/* run_ingest stamps sys_rdy_ms from elapsed_ms: make it exact for this line. */
	r->elapsed_ms = now_ms() - c->vm_start_ms;
	r->last_guest_line_ms = r->elapsed_ms;
	bool had_rdy = r->sys_rdy_ms >= 0;
	uint64_t sched_lines = ring_total(r->schedlog);
	const char *type = run_ingest(r, line);
	/* Which log a "log" line went to: the model decided, ask it rather than the text. */
	enum engine_log_src src = !type ? LOG_GUEST : !strcmp(type, KTSTR_MSG_VERIFIER) ? LOG_VERIFIER :
				  !strcmp(type, KTSTR_MSG_DUMP) ? LOG_DUMP :
				  ring_total(r->schedlog) != sched_lines ? LOG_SCHED : LOG_GUEST;
	/* The line as the model stored it (text, not the wire JSON), for EV_LOG. */
	struct ring *dest = src == LOG_VERIFIER ? r->verifier : src == LOG_DUMP ? r->dump :
			    src == LOG_SCHED ? r->schedlog : r->guestlog;
	bool is_log = type && (!strcmp(type, KTSTR_MSG_LOG) || !strcmp(type, KTSTR_MSG_VERIFIER) || !strcmp(type, KTSTR_MSG_DUMP));
	char *text = s->log_events && is_log && ring_count(dest) ?
		     strdup(ring_get(dest, ring_count(dest) - 1)) : NULL;
	bool boot = !had_rdy && r->sys_rdy_ms >= 0;
	if (type && !strcmp(type, KTSTR_MSG_STAGE) && !strcmp(r->stage, "running"))
		r->state = RUN_RUNNING;
	if (type && !strcmp(type, KTSTR_MSG_DONE) && r->state < RUN_FINISHING)
		r->state = RUN_FINISHING;
	bool state_changed = r->state != before || strcmp(stage_before, r->stage);
	run_unlock(r);

	if (!type) {
		free(text);
		return;
	}
	if (s->primary && !strcmp(type, KTSTR_MSG_PROBE) && engine_repro_line(s->primary, line))
		push_event(s->e, EV_REPRO, s->primary, LOG_HOST, NULL);
	if (boot)
		push_event(s->e, EV_BOOT, r, LOG_HOST, NULL);
	if (state_changed)
		push_event(s->e, EV_STATE, r, LOG_HOST, NULL);
	if (!strcmp(type, KTSTR_MSG_SAMPLE) || !strcmp(type, KTSTR_MSG_WORKER)) {
		int64_t t = now_ms();
		if (t - s->last_sample_ev_ms >= 100 || !strcmp(type, KTSTR_MSG_WORKER)) {
			s->last_sample_ev_ms = t;
			push_event(s->e, EV_SAMPLE, r, LOG_HOST, NULL);
		}
	} else if (s->log_events && is_log) {
		push_event(s->e, EV_LOG, r, src, text ? text : line);
	}
	free(text);
}

/* The seed's send_sys_rdy warning, host-measured: the guest has not said sys_rdy within
 * the budget. port_exists: the guest opened the control port (any byte arrived);
 * kern_addrs_sent: its hello (kernel identity) arrived. */
static void warn_boot_budget(struct run_slot *s, int64_t elapsed, bool port_exists, bool hello)
{
	struct run *r = s->run;
	char msg[512];
	snprintf(msg, sizeof(msg),
		 "WARN ktstr::vmm: ktstr-init: send_sys_rdy failed within boot budget; see "
		 "docs/troubleshooting.md#send_sys_rdy-timeout budget_ms=%d vcpus=%d elapsed_ms=%lld "
		 "port_exists=%s kern_addrs_sent=%s",
		 r->boot_budget_ms, scn_topo_cpus(&r->scn.topo), (long long)elapsed,
		 port_exists ? "true" : "false", hello ? "true" : "false");
	run_lock(r);
	r->boot_budget_missed = true;
	ring_push(r->guestlog, msg);
	run_unlock(r);
	push_event(s->e, EV_BOOT, r, LOG_HOST, msg);
}

/* A host-side line for the run's guest log and an EV_BOOT event (the CLI prints it on
 * stderr), like the boot-budget warning. */
static void host_warning(struct run_slot *s, const char *msg)
{
	struct run *r = s->run;
	run_lock(r);
	ring_push(r->guestlog, msg);
	run_unlock(r);
	push_event(s->e, EV_BOOT, r, LOG_HOST, msg);
}

static void fail_infra(struct run_slot *s, const char *fmt, ...)
{
	struct run *r = s->run;
	va_list ap;
	run_lock(r);
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	run_unlock(r);
}

/* A shell run's end: the one-line reason, and an error (exit 3) when the end was not a
 * normal power-off. Called with r locked. */
static void shell_ended(struct run_slot *s, struct shell_end_facts *f)
{
	struct run *r = s->run;
	f->start_error = r->error;
	f->guest_done = r->guest_done;
	f->stop_asked = s->stop == 1;
	f->killed_by_engine = s->stop == 2;
	f->panic = s->panic;
	f->exec = r->exec;
	f->exec_status = r->exec_status;
	char why[sizeof(r->vm_end)];
	bool abnormal = shell_end_reason(f, why, sizeof(why));
	snprintf(r->vm_end, sizeof(r->vm_end), "%s", why);
	if (abnormal && !r->error[0])
		snprintf(r->error, sizeof(r->error), "shell VM ended: %s", why);
}

/* From the sampler thread: a monitor sample is a sample event for the faces, at the same
 * 100 ms rate limit the guest's samples have. */
static void monitor_sampled(void *ctx)
{
	struct run_slot *s = ctx;
	int64_t t = now_ms();
	if (t - __atomic_load_n(&s->last_mon_ev_ms, __ATOMIC_RELAXED) >= 100) {
		__atomic_store_n(&s->last_mon_ev_ms, t, __ATOMIC_RELAXED);
		push_event(s->e, EV_SAMPLE, s->run, LOG_HOST, NULL);
	}
}

static void *run_thread(void *arg)
{
	struct run_slot *s = arg;
	struct run *r = s->run;
	struct engine *e = s->e;
	char err[2048] = "";

	/* The VM's signals go to the CLI/TUI thread, never here. */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	run_lock(r);
	r->state = RUN_BOOTING;
	run_unlock(r);
	push_event(e, EV_STATE, r, LOG_HOST, NULL);

	struct vm_config cfg = {
		.topo = r->scn.topo,
		.memory_mb = r->scn.memory_mb,
		.kernel = s->plan.boot_image,
		.initrd = s->plan.initrd,
		.cmdline_extra = s->plan.cmdline_extra,
		.accel = (enum vm_accel)s->plan.accel,
		.run_dir = r->dir,
		.watchdog_ms = s->plan.watchdog_ms,
		.shell_port = s->plan.shell_port,
		.disk = s->plan.disk[0] ? s->plan.disk : NULL,
		.perf_mode = s->plan.perf_mode,
	};
	struct vm *vm = NULL;
	struct shell_end_facts end = { 0 };
	if (s->plan.skip) {
		host_warning(s, "ktstr: SKIP: performance_mode scenario under --no-perf-mode");
		run_lock(r);
		r->result = RESULT_SKIP;
		run_unlock(r);
		goto finish;
	}
	/* Host CPUs first (docs/locks.md): the vCPU threads run on them only. An unusable
	 * accelerator is left for vm_start to report. */
	int accel = vm_choose_accel(cfg.accel, err, sizeof(err)), rc;
	char note[256] = "", who[300];
	snprintf(who, sizeof(who), "run %s", r->id);
	if (accel >= 0 &&
	    (rc = hostcpus_reserve_vm(scn_topo_cpus(&cfg.topo), accel == VM_ACCEL_TCG, cfg.perf_mode,
				      cfg.topo.numa * cfg.topo.llcs, who, &s->stop, &s->plan.cpus,
				      note, sizeof(note), err, sizeof(err)))) {
		if (rc == -ETIMEDOUT && cfg.perf_mode) { /* the reference's contention skip */
			char line[sizeof(err) + 64];
			snprintf(line, sizeof(line), "ktstr: SKIP: performance_mode: %s", err);
			host_warning(s, line);
			run_lock(r);
			r->result = RESULT_SKIP;
			run_unlock(r);
		} else {
			fail_infra(s, "%s", err);
		}
		goto finish;
	}
	if (note[0])
		host_warning(s, note);
	cfg.host_cpus = s->plan.cpus ? hostcpus_set(s->plan.cpus) : NULL;
	/* A snapshot restore when there is one, else a cold start (engine_snap.h). */
	struct poll_ctx pc = { .slot = s };
	struct vm_callbacks cb = { .ctx = &pc, .console_line = on_console, .ctl_line = on_ctl };
	char snap_warn[1024];
	rc = engine_snap_start(&s->plan.snap, r, &cfg, &vm, &cb, &pc.vm_start_ms, snap_warn,
				   sizeof(snap_warn), err, sizeof(err));
	if (snap_warn[0])
		host_warning(s, snap_warn);
	if (rc) {
		fail_infra(s, "%s", err);
		goto finish;
	}
	pthread_mutex_lock(&e->lock);
	s->vm = vm;
	pthread_mutex_unlock(&e->lock);

	bool tcg = vm_accel(vm) == VM_ACCEL_TCG;
	run_lock(r);
	snprintf(r->accel, sizeof(r->accel), "%s", vm_accel_name(vm_accel(vm)));
	if (!s->plan.boot_budget_override)
		r->boot_budget_ms = vm_boot_budget_ms(scn_topo_cpus(&r->scn.topo), tcg);
	run_unlock(r);
	push_event(e, EV_STATE, r, LOG_HOST, NULL);
	/* Performance mode's warnings (hugepage fallback, pinning, RT) reach the run's guest
	 * log and the consumer the same way the boot-budget warning does. */
	for (const char *p = vm_perf_notes(vm); *p;) {
		const char *nl = strchrnul(p, '\n');
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		host_warning(s, line);
		p = *nl ? nl + 1 : nl;
	}

	/* The host-side monitor: every run but a shell reads its guest's scheduler state. */
	struct mon_sampler *sampler = r->shell ? NULL :
		mon_sampler_start(r, vm_guestmem(vm), s->plan.vmlinux, r->kernel_path,
				  pc.vm_start_ms, monitor_sampled, s);

	bool warned = false, stop_sent = false, done = false;
	int64_t done_at = 0;
	enum vm_status st;
	for (;;) {
		bool awaiting = s->plan.snap.wait && !s->plan.snap.sent;
		st = vm_poll(vm, awaiting ? 10 : 100, &cb);
		if (awaiting && s->guest_waiting && st == VM_RUNNING) {
			char note[1200];
			int src = engine_snap_on_wait(&s->plan.snap, r, vm, &cb, note, sizeof(note));
			if (note[0]) {
				run_lock(r);
				ring_push(r->guestlog, note);
				run_unlock(r);
			}
			if (src) {
				fail_infra(s, "%s", note);
				break;
			}
		}
		int64_t elapsed = now_ms() - pc.vm_start_ms;
		run_lock(r);
		r->elapsed_ms = elapsed;
		bool rdy = r->sys_rdy_ms >= 0;
		int64_t rdy_ms = r->sys_rdy_ms;
		bool hello = r->kernel_boot_ms >= 0;
		bool port = hello || r->malformed_lines > 0;
		done = r->state >= RUN_FINISHING;
		int budget = r->boot_budget_ms;
		run_unlock(r);
		if (st != VM_RUNNING || s->stop == 2)
			break;
		/* Missed either way: no sys_rdy yet past the budget, or one that came late (a
		 * snapshot restore answers before this loop first runs). */
		if (!warned && (rdy ? rdy_ms > budget : elapsed > budget)) {
			warned = true;
			warn_boot_budget(s, rdy ? rdy_ms : elapsed, port, hello);
		}
		if (r->shell && !rdy && elapsed > budget + SHELL_BOOT_GRACE_MS) {
			end.boot_timeout = true;
			end.boot_limit_ms = budget + SHELL_BOOT_GRACE_MS;
			break;
		}
		if (s->stop && !stop_sent) {
			stop_sent = true;
			vm_ctl_send(vm, "{\"" KTSTR_MSG_KEY_TYPE "\":\"" KTSTR_CMD_STOP "\"}");
			done_at = now_ms(); /* give the guest a moment to report, then stop */
		}
		if (done && !done_at)
			done_at = now_ms();
		/* The guest powers off by itself after "done"; don't wait forever for it. */
		if (done_at && now_ms() - done_at > 10000)
			break;
	}
	mon_sampler_stop(sampler);
	int status = vm_stop(vm, 3000);
	end.exited = st == VM_EXITED;
	end.status = status;
	run_lock(r);
	r->vm_exit_code = status;
	if (st == VM_WATCHDOG && !done)
		snprintf(r->error, sizeof(r->error),
			 "no test result received from guest: the run watchdog fired after %d ms and "
			 "QEMU was killed (see --- diagnostics --- for the console tail; raise "
			 "KTSTR_WATCHDOG_MS if the scenario legitimately needs longer)",
			 s->plan.watchdog_ms);
	run_unlock(r);
	pthread_mutex_lock(&e->lock);
	s->vm = NULL;
	pthread_mutex_unlock(&e->lock);
	vm_free(vm);
	hostcpus_release(&s->plan.cpus); /* QEMU is gone: its CPUs are free for the next run */

finish:
	run_lock(r);
	if (r->shell)
		shell_ended(s, &end);
	/* A run the user stopped did not run as declared: it cannot pass. A shell is stopped
	 * by design (detach, or --exec's output read in full). */
	if (s->stop == 1 && !r->shell)
		run_add_check(r, "stopped", false, "run stopped by the user after %.1fs, before the "
			      "scenario's %d ms were over", (double)r->elapsed_ms / 1000.0, r->scn.duration_ms);
	checks_finalize(r);
	r->state = RUN_DONE;
	run_unlock(r);
	if (report_write_dir(r, err, sizeof(err)))
		fprintf(stderr, "ktstr: %s\n", err);
	engine_repro_keep_scheduler(r);
	if (s->primary) {
		engine_repro_done(s->primary, r);
		push_event(e, EV_REPRO, s->primary, LOG_HOST, NULL);
	}
	engine_prepare_cleanup(&s->plan);
	push_event(e, EV_STATE, r, LOG_HOST, NULL);
	push_event(e, EV_RESULT, r, LOG_HOST, NULL);
	s->finished = 1;
	return NULL;
}

int engine_start(struct engine *e, const struct run_request *req, struct run **out,
		 char *err, size_t errlen)
{
	int slot_i = -1;
	pthread_mutex_lock(&e->lock);
	for (int i = 0; i < MAX_RUNS && slot_i < 0; i++) {
		struct run_slot *old = e->slots[i];
		if (old && old->finished && !old->joined) {
			pthread_join(old->thread, NULL);
			old->joined = true;
		}
		if (!old || old->joined)
			slot_i = i;
	}
	pthread_mutex_unlock(&e->lock);
	if (slot_i < 0) {
		snprintf(err, errlen, "too many runs at once (%d); stop one first", MAX_RUNS);
		return -EBUSY;
	}
	struct run *r = run_new(&req->scn);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	struct run_slot *s = calloc(1, sizeof(*s));
	if (!s) {
		run_put(r);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = engine_prepare(req, r, &s->plan, err, errlen);
	if (rc) {
		run_put(r);
		free(s);
		return rc;
	}
	s->e = e;
	s->run = r;
	s->log_events = req->log_events;
	if (req->repro_of) {
		s->primary = run_get(req->repro_of);
		snprintf(r->repro_of, sizeof(r->repro_of), "%s", req->repro_of->dir);
	}
	if (pthread_create(&s->thread, NULL, run_thread, s)) {
		engine_prepare_cleanup(&s->plan);
		run_put(s->primary);
		run_put(r);
		free(s);
		snprintf(err, errlen, "cannot start the run thread");
		return -EAGAIN;
	}
	pthread_mutex_lock(&e->lock);
	if (e->slots[slot_i]) { /* a finished, joined slot: reuse it */
		run_put(e->slots[slot_i]->primary);
		run_put(e->slots[slot_i]->run);
		free(e->slots[slot_i]);
	}
	e->slots[slot_i] = s;
	pthread_mutex_unlock(&e->lock);
	*out = run_get(r);
	return 0;
}

void engine_stop(struct engine *e, struct run *r)
{
	pthread_mutex_lock(&e->lock);
	for (int i = 0; i < MAX_RUNS; i++)
		if (e->slots[i] && e->slots[i]->run == r)
			e->slots[i]->stop = 1;
	pthread_mutex_unlock(&e->lock);
}

int engine_shell_sock(struct engine *e, struct run *r, char *buf, size_t len)
{
	int rc = -ENOENT;
	/* The copy is made under e->lock: the run thread clears s->vm under it before vm_free. */
	pthread_mutex_lock(&e->lock);
	for (int i = 0; i < MAX_RUNS; i++) {
		const char *path = e->slots[i] && e->slots[i]->run == r && e->slots[i]->vm ?
				   vm_shell_sock(e->slots[i]->vm) : NULL;
		if (path)
			rc = snprintf(buf, len, "%s", path) < (int)len ? 0 : -ENAMETOOLONG;
	}
	pthread_mutex_unlock(&e->lock);
	if (rc && len)
		buf[0] = 0;
	return rc;
}

int engine_accel_by_name(const char *name)
{
	return !strcmp(name, "kvm") ? VM_ACCEL_KVM : !strcmp(name, "tcg") ? VM_ACCEL_TCG : -EINVAL;
}

void engine_kill_all(void)
{
	vm_kill_all();
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	rm_cut_loose(e);
	engine_kbuild_stop(e);
	for (int i = 0; i < MAX_RUNS; i++) {
		struct run_slot *s = e->slots[i];
		if (!s)
			continue;
		s->stop = 2;
		if (!s->joined) {
			/* The thread's loop sees stop == 2 and tears its VM down at once. */
			pthread_join(s->thread, NULL);
			s->joined = true;
		}
		run_put(s->primary);
		run_put(s->run);
		free(s);
		e->slots[i] = NULL;
	}
	struct engine_event ev;
	while (engine_next_event(e, &ev))
		engine_event_done(&ev);
	close(e->efd);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

