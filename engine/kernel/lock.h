/* Cross-process advisory locks (flock(2)) on lockfiles under <root>/.locks/, so concurrent
 * ktstr processes (a TUI and a CLI run, two CI jobs) cannot tear each other's kernel cache
 * entries or run directories. /proc/locks is the truth about who holds what. */
#ifndef KTSTR_LOCK_H
#define KTSTR_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/file.h>   /* LOCK_EX, LOCK_SH */
#include <sys/types.h>

#define LOCK_DEFAULT_TIMEOUT_MS 30000
#define LOCK_MAX_HOLDERS 16

/* Zero-initialised is "not held"; lock_release on it is a no-op. */
struct ktstr_lock {
	bool held;
	int fd;
	int mode;               /* LOCK_EX | LOCK_SH */
	char path[4096];
};

struct lock_holder {
	int pid;
	bool exclusive;         /* WRITE in /proc/locks */
	char cmd[256];          /* /proc/<pid>/cmdline, NULs as spaces; "?" if unreadable */
};

/* KTSTR_LOCK_TIMEOUT_MS, else KTSTR_LOCK_TIMEOUT_SECS (positive integers), else
 * LOCK_DEFAULT_TIMEOUT_MS. */
int lock_timeout_ms(void);

/* Takes flock(mode) on path, creating the lockfile and its directory. Polls LOCK_NB until
 * timeout_ms (< 0: lock_timeout_ms(); 0: one try). purpose names what is locked, e.g.
 * "run-dir /x/runs/<id>"; tail is the advice after the holder list (NULL: a generic one).
 * -ETIMEDOUT with the seed's "flock LOCK_EX on ... timed out" message, -EOPNOTSUPP on a
 * network/FUSE filesystem, other -errno when the lockfile cannot be made. */
int lock_acquire_ex(const char *path, int mode, int timeout_ms, const char *purpose,
		    const char *tail, struct ktstr_lock *lk, char *err, size_t errlen);
int lock_acquire(const char *path, int mode, int timeout_ms, const char *purpose,
		 struct ktstr_lock *lk, char *err, size_t errlen);
void lock_release(struct ktstr_lock *lk);
/* For an exclusive holder only: removes the lockfile, then releases. Safe against peers
 * that opened the old file, because acquiring re-checks that the path still names the
 * locked inode. A shared holder just releases. */
void lock_release_unlink(struct ktstr_lock *lk);

/* <root>/.locks/<name>.lock; -ENAMETOOLONG if it does not fit. */
int lock_path(const char *root, const char *name, char *buf, size_t len);

/* The kernel cache entry <key>: SH while a run uses it, EX while it is published or
 * removed. Lockfile <cache root>/.locks/kernels-<key>.lock. */
int lock_kernel_entry(const char *cache_root, const char *key, int mode, struct ktstr_lock *lk,
		      char *err, size_t errlen);
/* The run directory <runs_root>/<id>, EX for the run's lifetime. Lockfile
 * <runs_root>/.locks/runs-<id>.lock. */
int lock_run_dir(const char *runs_root, const char *id, struct ktstr_lock *lk, char *err,
		 size_t errlen);

/* The filesystem name if f_type is one ktstr refuses for lockfiles (NFS, CIFS, SMB2, CephFS,
 * AFS, FUSE), else NULL; *reason gets why. */
const char *lock_fs_unsupported(unsigned long f_type, const char **reason);
/* Fills the seed's "<path>: filesystem NFS is not supported ..." message; returns
 * -EOPNOTSUPP for a refused f_type (buf filled), 0 otherwise (buf untouched). */
int lock_fs_check(const char *path, unsigned long f_type, char *buf, size_t len);

/* Holders of the lock on the file (dev, ino) from /proc/locks, at most max; returns the
 * count or -errno. */
int lock_holders(dev_t dev, ino_t ino, struct lock_holder *out, int max);
/* The seed's timeout message. */
void lock_format_timeout(char *buf, size_t len, int mode, const char *purpose, int timeout_ms,
			 const char *lockfile, const struct lock_holder *h, int n, const char *tail);

/* `ktstr locks`: one row per held lockfile found under the scanned .locks directories. */
struct lock_row {
	char lockfile[4096];
	char kind[16];          /* "kernel" | "run" | "other"; "llc" | "cpu" (engine/hostcpus.h) */
	char key[256];          /* the name between the kind prefix and ".lock" */
	int node;               /* "llc" rows: the LLC's NUMA node (-1 unknown) */
	int nholders;
	struct lock_holder holders[LOCK_MAX_HOLDERS];
};
/* Scans every "<dir>/NAME.lock" for each dir (missing dirs are skipped), keeping held ones (all with
 * include_idle). Caller frees *out. */
int lock_scan(const char *const *dirs, int ndirs, bool include_idle, struct lock_row **out,
	      int *n, char *err, size_t errlen);
/* The human listing, grouped "LLC locks:", "CPU locks:", "Kernel cache locks:",
 * "Run-dir locks:", "Other locks:";
 * "no ktstr locks held" when n == 0. Returns the length it wanted (snprintf-like). */
size_t lock_format_rows(const struct lock_row *rows, int n, char *buf, size_t len);

#endif
