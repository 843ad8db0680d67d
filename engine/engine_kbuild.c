/* A kernel build (engine_kernel_build) on a thread of its own, for a screen that must keep
 * drawing for the minutes it takes: its progress and status lines become EV_KERNEL_BUILD
 * events, and engine_free stops it through the build's cancel flag. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/engine_priv.h"
#include "engine/kernels.h"

#define PROGRESS_EVERY_MS 200 /* at most 5 progress events a second */
#define STOP_WAIT_MS 3000     /* engine_free waits this long for a cancelled build */

/* A job belongs to its engine until the thread reports; engine_free cuts it loose (e =
 * NULL) when the build does not end soon after its cancel. kb_mu outlives engines; the
 * thread frees the job. */
struct kb_job {
	struct engine *e;
	volatile int cancel;
	struct kbuild_opts o;        /* its strings point into the copies below */
	char root[4096];
	char source[4096], version[64], git_url[1024], git_ref[128], extra[4096];
	char what[4200];             /* "6.14.2 from kernel.org", "source /path": for messages */
	int64_t last_ms;             /* the last progress event */
	char last_label[128];
	uint64_t last_total;
};
static pthread_mutex_t kb_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kb_cv = PTHREAD_COND_INITIALIZER;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Queues an EV_KERNEL_BUILD unless the job was cut loose. Called with kb_mu held. */
static void push(struct kb_job *j, int rc, const char *text, const char *key, bool progress,
		 uint64_t done, uint64_t total)
{
	if (!j->e)
		return;
	struct ev_node *n = calloc(1, sizeof(*n));
	if (!n)
		return;
	n->ev.type = EV_KERNEL_BUILD;
	n->ev.src = LOG_HOST;
	n->ev.rc = rc;
	n->ev.text = text ? strdup(text) : NULL;
	n->ev.key = key ? strdup(key) : NULL;
	n->ev.progress = progress;
	n->ev.done = done;
	n->ev.total = total;
	/* Progress may be dropped on a full queue: the next one says as much. */
	if (!engine_enqueue(j->e, n, progress)) {
		engine_event_done(&n->ev);
		free(n);
	}
}

static void on_progress(void *ctx, const char *label, uint64_t done, uint64_t total)
{
	struct kb_job *j = ctx;
	int64_t t = mono_ms();
	/* A new phase and a phase's last step always show; steps between, 5 a second. */
	bool phase = strcmp(label, j->last_label) != 0;
	bool last = total && done >= total && j->last_total != done;
	if (!phase && !last && t - j->last_ms < PROGRESS_EVERY_MS)
		return;
	j->last_ms = t;
	j->last_total = last ? done : 0;
	snprintf(j->last_label, sizeof(j->last_label), "%s", label);
	char text[256];
	snprintf(text, sizeof(text), "%s: %llu/%llu", label, (unsigned long long)done,
		 (unsigned long long)total);
	pthread_mutex_lock(&kb_mu);
	push(j, 1, text, NULL, true, done, total);
	pthread_mutex_unlock(&kb_mu);
}

static void on_status(void *ctx, const char *line)
{
	struct kb_job *j = ctx;
	pthread_mutex_lock(&kb_mu);
	push(j, 1, line, NULL, false, 0, 0);
	pthread_mutex_unlock(&kb_mu);
}

static void *kb_thread(void *arg)
{
	struct kb_job *j = arg;
	/* Signals go to the CLI/TUI thread, never here. */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	struct kernel_entry *ent = calloc(1, sizeof(*ent));
	char err[4096] = "", msg[4400];
	int rc = ent ? engine_kernel_build(j->root, &j->o, ent, err, sizeof(err)) : -ENOMEM;
	if (!ent)
		snprintf(err, sizeof(err), "out of memory");
	if (rc && (j->cancel || rc == -ECANCELED)) {
		/* A cancel the build did not see (a step that had just ended) ends as a failure. */
		snprintf(msg, sizeof(msg), "kernel build of %s cancelled (%s)", j->what, err);
		rc = -ECANCELED;
	} else if (rc) {
		snprintf(msg, sizeof(msg), "%s", err);
	} else if (ent->build.built) {
		snprintf(msg, sizeof(msg), "built %s (%s from %s, %dm%02ds, -j%d; log: %s)", ent->key,
			 ent->version, j->what, ent->build.secs / 60, ent->build.secs % 60, ent->build.jobs,
			 ent->build.log[0] ? ent->build.log : "none");
	} else {
		snprintf(msg, sizeof(msg), "built %s (%s from %s)", ent->key, ent->version, j->what);
	}
	pthread_mutex_lock(&kb_mu);
	push(j, rc, msg, rc ? NULL : ent->key, false, 0, 0);
	if (j->e)
		j->e->kb = NULL;
	pthread_cond_broadcast(&kb_cv);
	pthread_mutex_unlock(&kb_mu);
	free(ent);
	free(j);
	return NULL;
}

static int copy(char *dst, size_t len, const char *src, const char *what, char *err,
		size_t errlen)
{
	if (!src)
		return 0;
	if ((size_t)snprintf(dst, len, "%s", src) < len)
		return 0;
	snprintf(err, errlen, "%s is too long (%zu characters at most)", what, len - 1);
	return -ENAMETOOLONG;
}

int engine_kernel_build_async(struct engine *e, const struct kbuild_opts *o, char *err,
			      size_t errlen)
{
	struct kb_job *j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = engine_cache_root(j->root, sizeof(j->root), err, errlen);
	if (!rc)
		rc = copy(j->source, sizeof(j->source), o->source_dir, "the source directory", err, errlen);
	if (!rc)
		rc = copy(j->version, sizeof(j->version), o->version, "the version", err, errlen);
	if (!rc)
		rc = copy(j->git_url, sizeof(j->git_url), o->git_url, "the git URL", err, errlen);
	if (!rc)
		rc = copy(j->git_ref, sizeof(j->git_ref), o->git_ref, "the git ref", err, errlen);
	if (!rc)
		rc = copy(j->extra, sizeof(j->extra), o->extra_kconfig, "the extra kconfig path", err, errlen);
	if (rc) {
		free(j);
		return rc;
	}
	j->o = (struct kbuild_opts){
		.source_dir = o->source_dir ? j->source : NULL,
		.version = o->version ? j->version : NULL,
		.git_url = o->git_url ? j->git_url : NULL,
		.git_ref = o->git_ref ? j->git_ref : NULL,
		.extra_kconfig = o->extra_kconfig ? j->extra : NULL,
		.force = o->force,
		.jobs = o->jobs,
		.progress_fd = -1,
		.progress_cb = on_progress,
		.status_cb = on_status,
		.cb_ctx = j,
		.cancel = &j->cancel,
	};
	if (o->version)
		snprintf(j->what, sizeof(j->what), "%s from kernel.org", j->version);
	else if (o->git_url)
		snprintf(j->what, sizeof(j->what), "%s at %s", j->git_url, j->git_ref);
	else
		snprintf(j->what, sizeof(j->what), "source %s", j->source);

	pthread_mutex_lock(&kb_mu);
	if (e->kb) {
		snprintf(err, errlen, "a kernel build is already running (%s); wait for it or cancel it",
			 e->kb->what);
		rc = -EBUSY;
	} else {
		pthread_t t;
		pthread_attr_t at;
		j->e = e;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, kb_thread, j)) {
			snprintf(err, errlen, "cannot start a thread for the kernel build");
			rc = -EAGAIN;
		} else {
			e->kb = j;  /* the thread touches e->kb only under kb_mu */
		}
		pthread_attr_destroy(&at);
	}
	pthread_mutex_unlock(&kb_mu);
	if (rc)
		free(j);
	return rc;
}

bool engine_kernel_build_cancel(struct engine *e)
{
	pthread_mutex_lock(&kb_mu);
	bool on = e->kb != NULL;
	if (on)
		e->kb->cancel = 1;
	pthread_mutex_unlock(&kb_mu);
	return on;
}

void engine_kbuild_stop(struct engine *e)
{
	pthread_mutex_lock(&kb_mu);
	if (e->kb) {
		e->kb->cancel = 1;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += STOP_WAIT_MS / 1000;
		while (e->kb && pthread_cond_timedwait(&kb_cv, &kb_mu, &until) != ETIMEDOUT)
			;
		if (e->kb) {  /* still in a step that does not look at the flag: abandon it */
			e->kb->e = NULL;
			e->kb = NULL;
		}
	}
	pthread_mutex_unlock(&kb_mu);
}
