/* `ktstr kernel build` (build.h): source, key, cache hit, kbuild (kmake.c), store. A source
 * tree keeps its build directory under <root>/builds for incremental rebuilds; tarball and
 * git builds remove theirs once the entry is stored. */
#include "engine/kernel/build.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/download.h"
#include "engine/kernel/kconfig.h"
#include "engine/kernel/kmake.h"
#include "engine/kernel/lock.h"
#include "engine/kernel/pahole.h"
#include "engine/kernel/proc.h"
#include "engine/kernel/releases.h"
#include "engine/kernel/srctree.h"

struct job {
	const struct kbuild_opts *o;
	char root[PATH_MAX];
	char kind[16];              /* source | tarball | git */
	char src[PATH_MAX];         /* the tree make -C runs in */
	char version[64];
	char commit[48];
	char fingerprint[24];
	char key[128];
	char bdir[PATH_MAX];
	char dl[PATH_MAX];          /* downloaded or cloned tree, removed at the end */
	struct pahole ph;
	char *extra;
	uint64_t extra_hash;
};

void kbuild_say(const struct kbuild_opts *o, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (o->status_cb)
		o->status_cb(o->cb_ctx, line);
	else if (o->progress_fd >= 0)
		dprintf(o->progress_fd, "ktstr: %s\n", line);
}

static void age(time_t then, char *buf, size_t len)
{
	long d = (long)(time(NULL) - then);
	if (d < 120)
		snprintf(buf, len, "%lds", d < 0 ? 0 : d);
	else if (d < 7200)
		snprintf(buf, len, "%ldm", d / 60);
	else if (d < 172800)
		snprintf(buf, len, "%ldh", d / 3600);
	else
		snprintf(buf, len, "%ldd", d / 86400);
}

static void make_key(struct job *j, const char *id)
{
	char xk[16] = "";
	if (j->extra)
		snprintf(xk, sizeof(xk), "-xk%08llx", (unsigned long long)(j->extra_hash & 0xffffffffULL));
	snprintf(j->key, sizeof(j->key), "%.60s-%s%s%s-kc%08llx%s", j->version, j->kind,
		 id ? "-" : "", id ? id : "",
		 (unsigned long long)(kconfig_fragment_hash() & 0xffffffffULL), xk);
	for (char *c = j->key; *c; c++)
		if (*c == '/' || *c == ' ')
			*c = '_';
}

/* The cached entry for this job, if it can be used as is. */
static bool cache_hit(struct job *j, struct kernel_entry *out)
{
	char err[512], a[32];
	struct kernel_entry e;
	if (j->o->force || cache_lookup(j->root, j->key, &e, err, sizeof(err)) || e.corrupt)
		return false;
	if (j->fingerprint[0] && strcmp(e.build.fingerprint, j->fingerprint))
		return false; /* the tree changed since: rebuild (incrementally) */
	age(e.created_unix, a, sizeof(a));
	kbuild_say(j->o, "cache hit for %s (%s, built %s ago)",
			j->o->source_dir ? j->src : j->o->git_url ? j->o->git_url : j->version,
			j->key, a);
	*out = e;
	return true;
}

static int prepare_source(struct job *j, char *err, size_t errlen)
{
	char real[PATH_MAX];
	uint64_t fp;
	int rc;
	if (!realpath(j->o->source_dir, real)) {
		rc = -errno;
		snprintf(err, errlen, "--source %s: %s", j->o->source_dir, strerror(errno));
		return rc;
	}
	snprintf(j->src, sizeof(j->src), "%s", real);
	snprintf(j->kind, sizeof(j->kind), "source");
	if ((rc = srctree_version(j->src, j->version, sizeof(j->version), err, errlen)) ||
	    (rc = srctree_check_clean(j->src, err, errlen)) ||
	    (rc = srctree_fingerprint(j->src, &fp, err, errlen)))
		return rc;
	snprintf(j->fingerprint, sizeof(j->fingerprint), "%016llx", (unsigned long long)fp);
	char id[16];
	snprintf(id, sizeof(id), "%08llx", (unsigned long long)(fs_fnv1a(FS_FNV_INIT, real,
		 strlen(real)) & 0xffffffffULL));
	make_key(j, id);
	return 0;
}

static int resolve_version(struct job *j, char *err, size_t errlen)
{
	struct kver v;
	snprintf(j->kind, sizeof(j->kind), "tarball");
	if (kver_parse(j->o->version, &v)) {
		snprintf(err, errlen, "'%s' is not a kernel version; give X.Y.Z (6.14.2), a series "
			 "X.Y for its newest release (6.14) or X.Y-rcN", j->o->version);
		return -EINVAL;
	}
	if (v.rc > 0 || v.patch >= 0) {
		snprintf(j->version, sizeof(j->version), "%s", j->o->version);
	} else {
		struct releases r;
		int rc = kernel_org_releases(&r, err, errlen);
		if (rc)
			return rc;
		rc = releases_resolve(&r, j->o->version, j->version, sizeof(j->version), err, errlen);
		releases_free(&r);
		if (rc)
			return rc;
	}
	make_key(j, NULL);
	return 0;
}

static int git_head(struct job *j, char *err, size_t errlen)
{
	char out[4096];
	const char *argv[] = { "git", "ls-remote", "--", j->o->git_url, j->o->git_ref, NULL };
	int st = kproc_capture(argv, NULL, out, sizeof(out));
	if (st || strlen(out) < 40) {
		snprintf(err, errlen, "git ls-remote %s %s %s%s\nFix: check the URL and that %s is a "
			 "branch or tag of it", j->o->git_url, j->o->git_ref,
			 st ? "failed: " : "found no such ref", st ? out : "", j->o->git_ref);
		return st == 127 ? -ENOENT : -EINVAL;
	}
	snprintf(j->commit, sizeof(j->commit), "%.40s", out);
	return 0;
}

static int store(struct job *j, time_t t0, struct kernel_entry *out, char *err, size_t errlen)
{
	char kdir[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX], from[PATH_MAX], p[PATH_MAX];
	struct kernel_entry e;
	struct ktstr_lock lk = { 0 };
	int rc;
	memset(&e, 0, sizeof(e));
	if ((rc = cache_kernels_dir(j->root, kdir, sizeof(kdir), err, errlen)))
		return rc;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%d-XXXXXX", kdir, (int)getpid());
	if (!mkdtemp(tmp)) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a temp entry in %s: %s", kdir, strerror(errno));
		return rc;
	}
	const char *copies[][2] = { { "arch/x86/boot/bzImage", "bzImage" }, { ".config", "config" },
				    { "build.log", "build.log" } };
	for (int i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s/%s", j->bdir, copies[i][0]);
		snprintf(p, sizeof(p), "%s/%s", tmp, copies[i][1]);
		if ((rc = fs_copy_file(from, p, 0644))) {
			snprintf(err, errlen, "cannot copy %s into the cache: %s", from, strerror(-rc));
			goto fail;
		}
	}
	/* The vmlinux boots (PVH) and carries the BTF and symbols; DWARF is 90% of it. */
	char out_buf[2048];
	snprintf(from, sizeof(from), "%s/vmlinux", j->bdir);
	snprintf(p, sizeof(p), "%s/vmlinux", tmp);
	const char *strip[] = { "objcopy", "--strip-debug", from, p, NULL };
	int st = kproc_capture(strip, NULL, out_buf, sizeof(out_buf));
	if (st) {
		snprintf(err, errlen, "objcopy --strip-debug %s failed (%d): %s", from, st, out_buf);
		rc = -EIO;
		goto fail;
	}
	snprintf(e.key, sizeof(e.key), "%s", j->key);
	char *rel = NULL;
	snprintf(p, sizeof(p), "%s/include/config/kernel.release", j->bdir);
	if (!fs_read_file(p, 256, &rel, NULL))
		snprintf(e.version, sizeof(e.version), "%.*s", (int)strcspn(rel, "\n"), rel);
	else
		snprintf(e.version, sizeof(e.version), "%s", j->version);
	free(rel);
	snprintf(e.source, sizeof(e.source), "build:%s", j->kind);
	snprintf(e.image, sizeof(e.image), "%s/bzImage", tmp);
	snprintf(e.vmlinux, sizeof(e.vmlinux), "%s/vmlinux", tmp);
	snprintf(e.config, sizeof(e.config), "%s/config", tmp);
	char *cfg = NULL;
	if (!fs_read_file(e.config, 16 << 20, &cfg, NULL)) {
		e.has_sched_ext = strstr(cfg, "\nCONFIG_SCHED_CLASS_EXT=y\n") != NULL;
		snprintf(e.config_hash, sizeof(e.config_hash), "%016llx",
			 (unsigned long long)fs_fnv1a(FS_FNV_INIT, cfg, strlen(cfg)));
		free(cfg);
	}
	struct kernel_build_info *b = &e.build;
	b->built = true;
	snprintf(b->src, sizeof(b->src), "%s", j->o->source_dir ? j->src : j->o->git_url ?
		 j->o->git_url : j->version);
	snprintf(b->ref, sizeof(b->ref), "%s", j->o->git_ref ? j->o->git_ref : "");
	snprintf(b->commit, sizeof(b->commit), "%s", j->commit);
	snprintf(b->fingerprint, sizeof(b->fingerprint), "%s", j->fingerprint);
	snprintf(b->kconfig_hash, sizeof(b->kconfig_hash), "%016llx",
		 (unsigned long long)kconfig_fragment_hash());
	if (j->extra) {
		char real[PATH_MAX];
		snprintf(b->extra_kconfig, sizeof(b->extra_kconfig), "%s",
			 realpath(j->o->extra_kconfig, real) ? real : j->o->extra_kconfig);
		snprintf(b->extra_kconfig_hash, sizeof(b->extra_kconfig_hash), "%016llx",
			 (unsigned long long)j->extra_hash);
	}
	snprintf(b->pahole, sizeof(b->pahole), "%s", j->ph.vstr);
	b->secs = (int)(time(NULL) - t0);
	b->jobs = j->o->jobs;
	snprintf(b->log, sizeof(b->log), "%s/build.log", tmp);
	if ((rc = cache_finish_entry(tmp, &e, err, errlen)))
		goto fail;
	/* Publishing holds the entry's lock EX, so a run using an older build of the same key
	 * finishes first (runs hold it SH). */
	snprintf(final, sizeof(final), "%s/%s", kdir, j->key);
	if ((rc = lock_kernel_entry(j->root, j->key, LOCK_EX, &lk, err, errlen)))
		goto fail;
	if (!access(final, F_OK)) {
		char junk[PATH_MAX];
		snprintf(junk, sizeof(junk), "%s/.tmp-%d-old-XXXXXX", kdir, (int)getpid());
		if (!mkdtemp(junk) || rename(final, junk)) {
			rc = -errno;
			snprintf(err, errlen, "cannot replace %s: %s", final, strerror(errno));
			goto fail;
		}
		fs_rm_rf(junk);
	}
	if (rename(tmp, final)) {
		rc = -errno;
		snprintf(err, errlen, "cannot move the new entry into %s: %s", final, strerror(errno));
		goto fail;
	}
	fs_fsync_dir(kdir);
	lock_release(&lk);
	return cache_read_entry(final, j->key, out);
fail:
	lock_release(&lk);
	fs_rm_rf(tmp);
	return rc ? rc : -EIO;
}

static int run_build(struct job *j, struct kernel_entry *out, char *err, size_t errlen)
{
	time_t t0 = time(NULL);
	char log[PATH_MAX], warn[8192];
	int rc;
	snprintf(log, sizeof(log), "%s/build.log", j->bdir);
	unlink(log);
	struct kmake m = { .src = j->src, .bdir = j->bdir, .pahole = j->ph.cmd, .log = log,
			   .jobs = j->o->jobs, .o = j->o };
	kbuild_say(j->o, "building %s (%s) in %s with pahole %s%s, -j%d",
			j->version, j->kind, j->bdir, j->ph.vstr, j->ph.provisioned ?
			" (ktstr's copy)" : "", m.jobs);
	if ((rc = kmake_configure(&m, j->extra, warn, sizeof(warn), err, errlen)))
		return rc;
	for (char *l = strtok(warn, "\n"); l; l = strtok(NULL, "\n"))
		kbuild_say(j->o, "warning: %s", l);
	if ((rc = kmake_build(&m, err, errlen)))
		return rc;
	return store(j, t0, out, err, errlen);
}

int kernel_build(const char *root, const struct kbuild_opts *o, struct kernel_entry *out,
		 char *err, size_t errlen)
{
	int nsrc = !!o->source_dir + !!o->version + !!o->git_url;
	if (nsrc != 1 || !o->git_url != !o->git_ref) {
		snprintf(err, errlen, "kernel build takes exactly one source: --source DIR, VERSION, "
			 "or --git URL --ref REF");
		return -EINVAL;
	}
	struct job *j = calloc(1, sizeof(*j));
	struct kbuild_opts oo = *o;
	struct ktstr_lock lk = { 0 };
	int rc;
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (oo.jobs <= 0)
		oo.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) > 0 ? (int)sysconf(_SC_NPROCESSORS_ONLN) : 1;
	j->o = &oo;
	snprintf(j->root, sizeof(j->root), "%s", root);
	if (o->extra_kconfig &&
	    (rc = kconfig_read_fragment(o->extra_kconfig, &j->extra, &j->extra_hash, err, errlen)))
		goto out;
	if (o->source_dir)
		rc = prepare_source(j, err, errlen);
	else if (o->version)
		rc = resolve_version(j, err, errlen);
	else if (!(rc = git_head(j, err, errlen))) {
		snprintf(j->kind, sizeof(j->kind), "git");
		snprintf(j->version, sizeof(j->version), "%s", o->git_ref);
		char id[16];
		snprintf(id, sizeof(id), "%.12s", j->commit);
		make_key(j, id);
	}
	if (rc || cache_hit(j, out))
		goto out;
	/* pahole before any download: a refused pahole should cost nothing. */
	if ((rc = pahole_resolve(root, &j->ph, err, errlen)))
		goto out;
	char lp[PATH_MAX], name[160], purpose[200];
	snprintf(name, sizeof(name), "build-%s", j->key);
	snprintf(purpose, sizeof(purpose), "kernel build %s", j->key);
	if ((rc = lock_path(root, name, lp, sizeof(lp))) ||
	    (rc = lock_acquire(lp, LOCK_EX, 0, purpose, &lk, err, errlen)))
		goto out;
	snprintf(j->bdir, sizeof(j->bdir), "%s/builds/%s", root, j->key);
	if (o->version || o->git_url) {
		snprintf(j->dl, sizeof(j->dl), "%s/builds/%s.src", root, j->key);
		snprintf(j->src, sizeof(j->src), "%s", j->dl);
		fs_rm_rf(j->dl);
		fs_rm_rf(j->bdir);
		char builds[PATH_MAX];
		snprintf(builds, sizeof(builds), "%s/builds", root);
		if ((rc = fs_mkdir_p(builds, 0755))) {
			snprintf(err, errlen, "cannot create %s: %s", builds, strerror(-rc));
			goto out;
		}
		if (o->version)
			rc = kernel_download_source_opts(j->version, NULL, j->dl,
				&(struct kernel_dl_opts){ .progress_fd = o->progress_fd,
							  .cb = o->progress_cb, .ctx = o->cb_ctx,
							  .cancel = o->cancel },
				err, errlen);
		else
			rc = srctree_git_clone(o->git_url, o->git_ref, j->dl, j->commit,
					       sizeof(j->commit), err, errlen);
		if (rc || (rc = srctree_version(j->src, j->version, sizeof(j->version), err, errlen)))
			goto out;
	}
	rc = run_build(j, out, err, errlen);
	if (!rc && j->dl[0])
		fs_rm_rf(j->bdir); /* a tarball or clone is not rebuilt incrementally */
out:
	if (j->dl[0])
		fs_rm_rf(j->dl);
	lock_release_unlink(&lk);
	free(j->extra);
	free(j);
	return rc;
}
