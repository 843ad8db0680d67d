/* kbuild runs (kmake.h). Every make gets PAHOLE= so the configuration sees the pahole that
 * will generate the BTF (CONFIG_PAHOLE_VERSION gates DEBUG_INFO_BTF features). */
#include "engine/kernel/kmake.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/kconfig.h"
#include "engine/kernel/proc.h"
#include "engine/kernel/progress.h"

/* Steps (kbuild's "  CC  file" lines) of a tinyconfig + ktstr.kconfig build of 7.2 (2030
 * measured), for the first build's bar; later builds of a directory use its last count. */
#define KMAKE_DEFAULT_STEPS 2050

struct sink {
	FILE *log;
	struct progress *p;
	uint64_t steps, total;
	const struct kbuild_opts *o;
	bool quiet_phases;      /* a bar shows them */
	const char *phase;
};

static bool is_step(const char *l)
{
	if (l[0] != ' ' || l[1] != ' ' || !isupper((unsigned char)l[2]))
		return false;
	const char *p = l + 2;
	while (isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '-')
		p++;
	return *p == ' ';
}

/* Phases a user without a terminal sees as one line each. */
static const char *phase_of(const char *l)
{
	if (strstr(l, " vmlinux.o"))
		return "link vmlinux";
	if (strstr(l, "BTF ") || strstr(l, "BTFIDS"))
		return "generate BTF (pahole)";
	if (strstr(l, "arch/x86/boot/bzImage"))
		return "bzImage";
	return NULL;
}

static int on_line(void *ctx, const char *l)
{
	struct sink *s = ctx;
	if (s->o && s->o->cancel && *s->o->cancel)
		return 1;
	if (!l) /* a quiet tick: only the cancel question */
		return 0;
	if (s->log)
		fprintf(s->log, "%s\n", l);
	if (!is_step(l))
		return 0;
	s->steps++;
	const char *ph = phase_of(l);
	if (ph && s->o && !s->quiet_phases && (!s->phase || strcmp(ph, s->phase)))
		kbuild_say(s->o, "build: %s", ph);
	if (ph)
		s->phase = ph;
	if (s->p) /* the estimate can be short: hold the bar below 100% until make ends */
		progress_update(s->p, s->steps < s->total ? s->steps : s->total - 1, 0);
	return 0;
}

static int run_make(const struct kmake *m, const char *const *targets, struct sink *s)
{
	char odir[PATH_MAX + 2], jobs[32], pahole[PATH_MAX + 8];
	snprintf(odir, sizeof(odir), "O=%s", m->bdir);
	snprintf(jobs, sizeof(jobs), "-j%d", m->jobs > 0 ? m->jobs : 1);
	snprintf(pahole, sizeof(pahole), "PAHOLE=%s", m->pahole);
	const char *argv[16] = { "make", "-C", m->src, odir, jobs, pahole, "KCFLAGS=-Wno-error" };
	int n = 7;
	for (int i = 0; targets[i] && n < 15; i++)
		argv[n++] = targets[i];
	argv[n] = NULL;
	if (s->log) {
		fputs("$", s->log);
		for (int i = 0; argv[i]; i++)
			fprintf(s->log, " %s", argv[i]);
		fputc('\n', s->log);
		fflush(s->log);
	}
	int st = kproc_lines(argv, NULL, on_line, s);
	if (s->log)
		fflush(s->log);
	return st;
}

static int make_failed(const struct kmake *m, const char *what, int st, char *err, size_t errlen)
{
	char tail[2048];
	fs_tail(m->log, 15, tail, sizeof(tail)); /* make's errors are at its end */
	snprintf(err, errlen, "%s failed (%s %d); full log: %s\n--- last lines ---\n%s", what,
		 st < 0 ? "error" : "exit status", st < 0 ? -st : st, m->log, tail);
	return -EIO;
}

static int cancelled(const struct kmake *m, char *err, size_t errlen)
{
	snprintf(err, errlen, "kernel build cancelled; log: %s", m->log);
	return -ECANCELED;
}

int kmake_configure(const struct kmake *m, const char *extra, char *warn, size_t wlen, char *err,
		    size_t errlen)
{
	struct sink s = { .o = m->o, .quiet_phases = true };
	char cfg[PATH_MAX];
	int st, rc;
	warn[0] = '\0';
	if ((rc = fs_mkdir_p(m->bdir, 0755))) {
		snprintf(err, errlen, "cannot create the build directory %s: %s", m->bdir, strerror(-rc));
		return rc;
	}
	if (!(s.log = fopen(m->log, "a"))) {
		rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", m->log, strerror(errno));
		return rc;
	}
	kbuild_say(m->o, "build: configure (tinyconfig + ktstr.kconfig%s)",
		   extra ? " + extra kconfig" : "");
	const char *tiny[] = { "tinyconfig", NULL }, *old[] = { "olddefconfig", NULL };
	if ((st = run_make(m, tiny, &s))) {
		fclose(s.log);
		return st == -ECANCELED ? cancelled(m, err, errlen)
					: make_failed(m, "make tinyconfig", st, err, errlen);
	}
	snprintf(cfg, sizeof(cfg), "%s/.config", m->bdir);
	const char *frags[2] = { ktstr_kconfig_text, extra };
	if ((rc = kconfig_merge(cfg, frags, extra ? 2 : 1, err, errlen))) {
		fclose(s.log);
		return rc;
	}
	if ((st = run_make(m, old, &s))) {
		fclose(s.log);
		return st == -ECANCELED ? cancelled(m, err, errlen)
					: make_failed(m, "make olddefconfig", st, err, errlen);
	}
	fclose(s.log);
	char lost[8192];
	int req, n = kconfig_lost(cfg, ktstr_kconfig_text, m->src, lost, sizeof(lost), &req);
	if (req) {
		snprintf(err, errlen, "this tree cannot give a ktstr kernel: options ktstr.kconfig "
			 "needs did not survive olddefconfig:\n%sFix: a tree with sched_ext (6.12 or "
			 "newer), or an --extra-kconfig that enables what they depend on", lost);
		return -EINVAL;
	}
	size_t o = (size_t)(n ? snprintf(warn, wlen, "%s", lost) : 0);
	if (extra && o < wlen) {
		int xreq;
		if (kconfig_lost(cfg, extra, m->src, lost, sizeof(lost), &xreq))
			snprintf(warn + o, wlen - o, "%s", lost);
	}
	return 0;
}

int kmake_build(const struct kmake *m, char *err, size_t errlen)
{
	struct sink s = { .o = m->o, .total = KMAKE_DEFAULT_STEPS };
	char stepf[PATH_MAX], *t = NULL;
	snprintf(stepf, sizeof(stepf), "%s/.ktstr-steps", m->bdir);
	if (!fs_read_file(stepf, 64, &t, NULL)) {
		unsigned long long v = strtoull(t, NULL, 10);
		if (v > 100)
			s.total = v;
		free(t);
	}
	if (!(s.log = fopen(m->log, "a"))) {
		int rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", m->log, strerror(errno));
		return rc;
	}
	if (m->o->progress_fd >= 0 || m->o->progress_cb) {
		s.p = progress_begin(m->o->progress_fd, "build: compile", s.total, "steps");
		progress_set_cb(s.p, m->o->progress_cb, m->o->cb_ctx);
		s.quiet_phases = m->o->progress_fd >= 0 && isatty(m->o->progress_fd);
	}
	const char *tg[] = { "bzImage", NULL };
	int st = run_make(m, tg, &s);
	fclose(s.log);
	if (s.p)
		progress_end(s.p, st == 0);
	if (st == -ECANCELED)
		return cancelled(m, err, errlen);
	if (st)
		return make_failed(m, "make bzImage", st, err, errlen);
	/* Only a full build's count is a good estimate for the next one. */
	if (s.steps > s.total / 2) {
		char v[32];
		int l = snprintf(v, sizeof(v), "%llu\n", (unsigned long long)s.steps);
		fs_write_atomic(stepf, v, (size_t)l, 0644);
	}
	return 0;
}
