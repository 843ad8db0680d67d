/* Advisory flock(2) locks for the kernel cache and run directories: acquisition with a
 * polled timeout that names the holders (from /proc/locks), refusal of filesystems where
 * flock is unreliable, and the scan/format behind `ktstr locks`. */
#include "engine/kernel/lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"

static long env_positive(const char *name)
{
	const char *v = getenv(name);
	if (v && *v) {
		char *end;
		long x = strtol(v, &end, 10);
		if (!*end && x > 0 && x <= INT_MAX)
			return x;
	}
	return 0;
}

int lock_timeout_ms(void)
{
	long ms = env_positive("KTSTR_LOCK_TIMEOUT_MS"), s = env_positive("KTSTR_LOCK_TIMEOUT_SECS");
	if (ms)
		return (int)ms;
	if (s)
		return s > INT_MAX / 1000 ? INT_MAX : (int)(s * 1000);
	return LOCK_DEFAULT_TIMEOUT_MS;
}

/* ---- filesystem refusal ---------------------------------------------------------- */

static const struct {
	unsigned long magic;
	const char *name;
	const char *reason;
} bad_fs[] = {
	{ 0x6969UL, "NFS", "NFSv3 is advisory-only without an NLM peer; NFSv4 byte-range locking "
	  "does not cover flock(2)" },
	{ 0xFF534D42UL, "CIFS", "the client emulates flock(2) with mandatory SMB byte-range locks "
	  "that other clients and the server do not treat as flock" },
	{ 0x517BUL, "CIFS", "the client emulates flock(2) with mandatory SMB byte-range locks "
	  "that other clients and the server do not treat as flock" },
	{ 0xFE534D42UL, "SMB2", "the client emulates flock(2) with mandatory SMB byte-range locks "
	  "that other clients and the server do not treat as flock" },
	{ 0x00C36400UL, "CephFS", "flock(2) is arbitrated by the MDS and dropped when the client "
	  "session is evicted" },
	{ 0x5346414FUL, "AFS", "AFS locks are whole-file locks at the fileserver and lapse when "
	  "the client's callback expires" },
	{ 0x6B414653UL, "AFS", "AFS locks are whole-file locks at the fileserver and lapse when "
	  "the client's callback expires" },
	{ 0x65735546UL, "FUSE", "flock(2) is handed to the userspace daemon, which may ignore it "
	  "or keep it local to one mount" },
};

const char *lock_fs_unsupported(unsigned long f_type, const char **reason)
{
	/* statfs' f_type is a signed word; the CIFS/SMB2 magics have bit 31 set. */
	unsigned long t = f_type & 0xffffffffUL;
	for (size_t i = 0; i < sizeof(bad_fs) / sizeof(bad_fs[0]); i++)
		if (bad_fs[i].magic == t) {
			if (reason)
				*reason = bad_fs[i].reason;
			return bad_fs[i].name;
		}
	return NULL;
}

int lock_fs_check(const char *path, unsigned long f_type, char *buf, size_t len)
{
	const char *reason = NULL, *name = lock_fs_unsupported(f_type, &reason);
	if (!name)
		return 0;
	snprintf(buf, len, "%s: filesystem %s is not supported for ktstr lockfiles (%s). Move the "
		 "lockfile path to a local filesystem (tmpfs, ext4, xfs, btrfs, f2fs, bcachefs).",
		 path, name, reason);
	return -EOPNOTSUPP;
}

/* ---- holders from /proc/locks ------------------------------------------------------ */

static void read_cmdline(int pid, char *out, size_t len)
{
	char p[64];
	snprintf(out, len, "?");
	snprintf(p, sizeof(p), "/proc/%d/cmdline", pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(out, len, "?");
		return;
	}
	out[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (out[i] == '\0' || out[i] == '\n' || out[i] == '\t')
			out[i] = ' ';
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
	if (!n)
		snprintf(out, len, "?");
}

/* btrfs reports a per-subvolume st_dev while /proc/locks prints the superblock's: an
 * inode-only match is confirmed by finding the file among the pid's open fds. */
static bool pid_has_file(int pid, dev_t dev, ino_t ino)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/fd", pid);
	DIR *d = opendir(p);
	if (!d)
		return false;
	bool hit = false;
	struct dirent *de;
	while (!hit && (de = readdir(d))) {
		char f[128];
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", p, de->d_name);
		hit = !stat(f, &st) && st.st_dev == dev && st.st_ino == ino;
	}
	closedir(d);
	return hit;
}

int lock_holders(dev_t dev, ino_t ino, struct lock_holder *out, int max)
{
	FILE *f = fopen("/proc/locks", "re");
	if (!f)
		return -errno;
	char line[512];
	int n = 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *save, *tok[8];
		int nt = 0;
		for (char *t = strtok_r(line, " \t\n", &save); t && nt < 8; t = strtok_r(NULL, " \t\n", &save))
			tok[nt++] = t;
		/* "N: FLOCK ADVISORY WRITE pid maj:min:ino start end"; "N: -> ..." is a waiter. */
		if (nt < 6 || !strcmp(tok[1], "->") || strcmp(tok[1], "FLOCK"))
			continue;
		unsigned maj, min;
		unsigned long long lino;
		int pid = atoi(tok[4]);
		if (sscanf(tok[5], "%x:%x:%llu", &maj, &min, &lino) != 3 || lino != (unsigned long long)ino ||
		    pid <= 0)
			continue;
		if ((maj != major(dev) || min != minor(dev)) && !pid_has_file(pid, dev, ino))
			continue;
		bool dup = false;
		for (int i = 0; i < n; i++)
			dup |= out[i].pid == pid;
		if (dup)
			continue;
		out[n].pid = pid;
		out[n].exclusive = !strcmp(tok[3], "WRITE");
		read_cmdline(pid, out[n].cmd, sizeof(out[n].cmd));
		n++;
	}
	fclose(f);
	return n;
}

/* ---- messages ---------------------------------------------------------------------- */

/* Like Rust's Duration Debug, which the seed's messages show: "30s", "250ms", "1.5s". */
static void fmt_duration(int ms, char *buf, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%ds", ms / 1000);
	else if (ms < 1000)
		snprintf(buf, len, "%dms", ms);
	else {
		char frac[8];
		snprintf(frac, sizeof(frac), "%03d", ms % 1000);
		for (int i = 2; i > 0 && frac[i] == '0'; i--)
			frac[i] = '\0';
		snprintf(buf, len, "%d.%ss", ms / 1000, frac);
	}
}

static const char *generic_tail = "A peer ktstr process is using it; wait for it to finish or "
				  "kill it, then retry (`ktstr locks` lists every holder).";

void lock_format_timeout(char *buf, size_t len, int mode, const char *purpose, int timeout_ms,
			 const char *lockfile, const struct lock_holder *h, int n, const char *tail)
{
	char d[32];
	fmt_duration(timeout_ms, d, sizeof(d));
	int o = snprintf(buf, len, "flock %s on %s timed out after %s (lockfile %s, holders:",
			 mode == LOCK_SH ? "LOCK_SH" : "LOCK_EX", purpose, d, lockfile);
	for (int i = 0; i < n && o >= 0 && (size_t)o < len; i++)
		o += snprintf(buf + o, len - (size_t)o, "\n  pid=%d cmd=%s", h[i].pid, h[i].cmd);
	if (!n && o >= 0 && (size_t)o < len)
		o += snprintf(buf + o, len - (size_t)o, " <none recorded>");
	if (o >= 0 && (size_t)o < len)
		snprintf(buf + o, len - (size_t)o, "). %s", tail ? tail : generic_tail);
}

/* ---- acquire / release ------------------------------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* For humans reading the lockfile; /proc/locks stays the truth. Not atomic (a rename
 * would swap the inode others lock), so readers may see it mid-write. */
static void write_owner(int fd)
{
	char cmd[256], text[320];
	read_cmdline((int)getpid(), cmd, sizeof(cmd));
	int n = snprintf(text, sizeof(text), "pid=%d cmd=%s\n", (int)getpid(), cmd);
	if (ftruncate(fd, 0) == 0 && n > 0)
		(void)!pwrite(fd, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1, 0);
}

int lock_acquire_ex(const char *path, int mode, int timeout_ms, const char *purpose,
		    const char *tail, struct ktstr_lock *lk, char *err, size_t errlen)
{
	memset(lk, 0, sizeof(*lk));
	lk->fd = -1;
	if ((mode != LOCK_EX && mode != LOCK_SH) || !path || !*path) {
		snprintf(err, errlen, "internal error: bad lock request for %s", path ? path : "(null)");
		return -EINVAL;
	}
	if (timeout_ms < 0)
		timeout_ms = lock_timeout_ms();
	if ((size_t)snprintf(lk->path, sizeof(lk->path), "%s", path) >= sizeof(lk->path)) {
		snprintf(err, errlen, "lockfile path too long: %.200s...", path);
		return -ENAMETOOLONG;
	}
	char dir[sizeof(lk->path)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		int rc = fs_mkdir_p(dir, 0755);
		if (rc) {
			snprintf(err, errlen, "cannot create lock directory %s: %s (make it writable, or set "
				 "KTSTR_CACHE_DIR / KTSTR_RUNS_DIR to a writable local directory)", dir,
				 strerror(-rc));
			return rc;
		}
	} else {
		snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
	}
	struct statfs sf;
	if (!statfs(dir, &sf) && lock_fs_check(path, (unsigned long)sf.f_type, err, errlen))
		return -EOPNOTSUPP;

	long long deadline = now_ms() + timeout_ms, nap = 5;
	int fd = -1;
	bool rw = true;
	for (;;) {
		if (fd < 0) {
			rw = true;
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
			if (fd < 0 && errno == EACCES) {
				rw = false; /* another user's lockfile: flock works on a read-only fd */
				fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			}
			if (fd < 0) {
				int e = errno;
				snprintf(err, errlen, "cannot open lockfile %s: %s (make %s writable)", path,
					 strerror(e), dir);
				return -e;
			}
		}
		int got = flock(fd, mode | LOCK_NB), e = errno;
		/* A releaser may have unlinked (or replaced) the file we opened while we waited:
		 * only the inode the path names now counts. */
		struct stat a, b;
		bool same = !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
		if (!got && same) {
			if (mode == LOCK_EX && rw)
				write_owner(fd);
			lk->fd = fd;
			lk->mode = mode;
			lk->held = true;
			return 0;
		}
		if (got && e != EWOULDBLOCK && e != EINTR) {
			close(fd);
			snprintf(err, errlen, "flock %s on %s: %s", mode == LOCK_SH ? "LOCK_SH" : "LOCK_EX",
				 path, strerror(e));
			return -e;
		}
		if (!same) { /* stale inode (locked or not): reopen the path */
			close(fd);
			fd = -1;
			if (!got)
				continue;
		}
		long long left = deadline - now_ms();
		if (left <= 0) {
			struct lock_holder h[LOCK_MAX_HOLDERS];
			struct stat st;
			int n = stat(path, &st) ? 0 : lock_holders(st.st_dev, st.st_ino, h, LOCK_MAX_HOLDERS);
			if (fd >= 0)
				close(fd);
			lock_format_timeout(err, errlen, mode, purpose ? purpose : path, timeout_ms, path,
					    h, n > 0 ? n : 0, tail);
			return -ETIMEDOUT;
		}
		sleep_ms(nap < left ? nap : left);
		nap = nap * 2 > 100 ? 100 : nap * 2;
	}
}

int lock_acquire(const char *path, int mode, int timeout_ms, const char *purpose,
		 struct ktstr_lock *lk, char *err, size_t errlen)
{
	return lock_acquire_ex(path, mode, timeout_ms, purpose, NULL, lk, err, errlen);
}

void lock_release(struct ktstr_lock *lk)
{
	if (!lk || !lk->held)
		return;
	close(lk->fd); /* drops the flock: this fd is its only owner (O_CLOEXEC, never dup'd) */
	lk->held = false;
	lk->fd = -1;
}

void lock_release_unlink(struct ktstr_lock *lk)
{
	if (!lk || !lk->held)
		return;
	if (lk->mode == LOCK_EX)
		unlink(lk->path);
	lock_release(lk);
}

/* ---- the cache's and runs' lockfiles ----------------------------------------------- */

int lock_path(const char *root, const char *name, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/.locks/%s.lock", root, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static bool name_ok(const char *s)
{
	return s && *s && s[0] != '.' && !strchr(s, '/') && strlen(s) < 200;
}

int lock_kernel_entry(const char *cache_root, const char *key, int mode, struct ktstr_lock *lk,
		      char *err, size_t errlen)
{
	char name[256], path[4096], purpose[4400], tail[600];
	memset(lk, 0, sizeof(*lk));
	if (!name_ok(key)) {
		snprintf(err, errlen, "'%s' is not a cache key; list keys with `ktstr kernel list`",
			 key ? key : "");
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "kernels-%s", key);
	if (lock_path(cache_root, name, path, sizeof(path))) {
		snprintf(err, errlen, "cache directory path is too long; set KTSTR_CACHE_DIR to a "
			 "shorter absolute path");
		return -ENAMETOOLONG;
	}
	snprintf(purpose, sizeof(purpose), "kernel-entry %s/kernels/%s", cache_root, key);
	if (mode == LOCK_EX)
		snprintf(tail, sizeof(tail), "A peer ktstr process is running on kernel %s or changing "
			 "it; wait for it to finish or kill it, then retry.", key);
	else
		snprintf(tail, sizeof(tail), "A peer ktstr process is importing or removing kernel %s; "
			 "wait for it to finish or kill it, then retry.", key);
	return lock_acquire_ex(path, mode, -1, purpose, tail, lk, err, errlen);
}

int lock_run_dir(const char *runs_root, const char *id, struct ktstr_lock *lk, char *err,
		 size_t errlen)
{
	char name[256], path[4096], purpose[4400];
	memset(lk, 0, sizeof(*lk));
	if (!name_ok(id)) {
		snprintf(err, errlen, "internal error: bad run id '%s'", id ? id : "");
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "runs-%s", id);
	if (lock_path(runs_root, name, path, sizeof(path))) {
		snprintf(err, errlen, "runs directory path is too long; set KTSTR_RUNS_DIR to a "
			 "shorter absolute path");
		return -ENAMETOOLONG;
	}
	snprintf(purpose, sizeof(purpose), "run-dir %s/%s", runs_root, id);
	return lock_acquire_ex(path, LOCK_EX, -1, purpose,
			       "A peer ktstr process is writing the same run directory; wait for it "
			       "to finish or kill it, then retry.", lk, err, errlen);
}

/* ---- `ktstr locks` ----------------------------------------------------------------- */

static int cmp_rows(const void *a, const void *b)
{
	const struct lock_row *x = a, *y = b;
	int k = strcmp(x->kind, y->kind);
	return k ? k : strcmp(x->lockfile, y->lockfile);
}

int lock_scan(const char *const *dirs, int ndirs, bool include_idle, struct lock_row **out,
	      int *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	int cap = 0;
	struct lock_row *v = NULL;
	for (int di = 0; di < ndirs; di++) {
		bool seen = false; /* the same directory given twice */
		for (int j = 0; j < di; j++)
			seen |= !strcmp(dirs[j], dirs[di]);
		DIR *d = seen ? NULL : opendir(dirs[di]);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l < 6 || strcmp(de->d_name + l - 5, ".lock"))
				continue;
			char p[4096];
			struct stat st;
			if ((size_t)snprintf(p, sizeof(p), "%s/%s", dirs[di], de->d_name) >= sizeof(p) ||
			    stat(p, &st) || !S_ISREG(st.st_mode))
				continue;
			struct lock_holder h[LOCK_MAX_HOLDERS];
			int nh = lock_holders(st.st_dev, st.st_ino, h, LOCK_MAX_HOLDERS);
			if (nh < 0) {
				closedir(d);
				free(v);
				snprintf(err, errlen, "cannot read /proc/locks: %s", strerror(-nh));
				return nh;
			}
			if (!nh && !include_idle)
				continue;
			if (*n == cap) {
				cap = cap ? cap * 2 : 8;
				struct lock_row *nv = realloc(v, (size_t)cap * sizeof(*v));
				if (!nv) {
					closedir(d);
					free(v);
					snprintf(err, errlen, "out of memory listing %s", dirs[di]);
					return -ENOMEM;
				}
				v = nv;
			}
			struct lock_row *r = &v[(*n)++];
			memset(r, 0, sizeof(*r));
			snprintf(r->lockfile, sizeof(r->lockfile), "%s", p);
			const char *key = de->d_name;
			if (!strncmp(key, "kernels-", 8)) {
				snprintf(r->kind, sizeof(r->kind), "kernel");
				key += 8;
			} else if (!strncmp(key, "runs-", 5)) {
				snprintf(r->kind, sizeof(r->kind), "run");
				key += 5;
			} else {
				snprintf(r->kind, sizeof(r->kind), "other");
			}
			snprintf(r->key, sizeof(r->key), "%.*s", (int)(strlen(key) - 5), key);
			r->nholders = nh;
			memcpy(r->holders, h, (size_t)nh * sizeof(h[0]));
		}
		closedir(d);
	}
	if (*n > 1)
		qsort(v, (size_t)*n, sizeof(*v), cmp_rows);
	*out = v;
	return 0;
}

struct sbuf {
	char *buf;
	size_t len, want;
};

static void __attribute__((format(printf, 2, 3))) sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = s->want < s->len ? s->len - s->want : 0;
	int k = vsnprintf(room ? s->buf + s->want : NULL, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		s->want += (size_t)k;
}

size_t lock_format_rows(const struct lock_row *rows, int n, char *buf, size_t len)
{
	struct sbuf s = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	if (n <= 0) {
		sb_printf(&s, "no ktstr locks held\n");
		return s.want;
	}
	static const struct {
		const char *kind, *title, *col;
	} groups[] = {
		{ "llc", "LLC locks:", "LLC" },
		{ "cpu", "CPU locks:", "CPU" },
		{ "kernel", "Kernel cache locks:", "KEY" },
		{ "run", "Run-dir locks:", "RUN" },
		{ "other", "Other locks:", "NAME" },
	};
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		int kw = (int)strlen(groups[g].col), lw = (int)strlen("LOCKFILE"), cnt = 0;
		for (int i = 0; i < n; i++) {
			if (strcmp(rows[i].kind, groups[g].kind))
				continue;
			cnt++;
			if ((int)strlen(rows[i].key) > kw)
				kw = (int)strlen(rows[i].key);
			if ((int)strlen(rows[i].lockfile) > lw)
				lw = (int)strlen(rows[i].lockfile);
		}
		if (!cnt)
			continue;
		if (s.want)
			sb_printf(&s, "\n");
		bool llc = !strcmp(groups[g].kind, "llc"); /* LLC NODE LOCKFILE HOLDERS */
		int nw = llc ? 6 : 0;
		sb_printf(&s, "%s\n  %-*s  ", groups[g].title, kw, groups[g].col);
		if (llc)
			sb_printf(&s, "%-4s  ", "NODE");
		sb_printf(&s, "%-*s  HOLDERS\n", lw, "LOCKFILE");
		for (int i = 0; i < n; i++) {
			const struct lock_row *r = &rows[i];
			if (strcmp(r->kind, groups[g].kind))
				continue;
			sb_printf(&s, "  %-*s  ", kw, r->key);
			if (llc && r->node >= 0)
				sb_printf(&s, "%-4d  ", r->node);
			else if (llc)
				sb_printf(&s, "%-4s  ", "?");
			sb_printf(&s, "%-*s  ", lw, r->lockfile);
			if (!r->nholders)
				sb_printf(&s, "<none recorded>\n");
			for (int j = 0; j < r->nholders; j++)
				sb_printf(&s, "%*spid=%d %s cmd=%s\n", j ? kw + lw + nw + 6 : 0, "",
					  r->holders[j].pid, r->holders[j].exclusive ? "EX" : "SH",
					  r->holders[j].cmd);
		}
	}
	return s.want;
}
