/* Small filesystem helpers shared by the cache, the initramfs builder and run records:
 * atomic writes (temp + fsync + rename), mkdir -p, rm -rf, file copy, a local FNV-1a 64
 * content hash (no libcrypto), bounded whole-file reads. All return 0 or -errno. */
#ifndef KTSTR_FSUTIL_H
#define KTSTR_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int fs_mkdir_p(const char *path, mode_t mode);
/* Removes path and everything below it; a missing path is not an error. Never follows
 * symlinks out of the tree. */
int fs_rm_rf(const char *path);
/* Writes data to path.tmp.<pid>, fsyncs, renames over path, fsyncs the directory. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Finishes a temp file written through fd: fsync, close, rename onto path; on any failure
 * (rc already negative included) the temp file is unlinked. err (may be NULL) names the
 * step that failed; it is left alone when rc came in negative. Returns rc or -errno. */
int fs_commit_tmp(int fd, const char *tmp, const char *path, int rc, char *err, size_t errlen);
/* Copies src to dst (plain write + fsync; callers rename for atomicity). */
int fs_copy_file(const char *src, const char *dst, mode_t mode);
int fs_fsync_dir(const char *dir);
/* Reads a whole file, NUL-terminated, refusing files larger than max. Caller frees. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len);
/* The last `lines` lines of a log file into buf (its end, if they do not fit); "" if
 * unreadable. For error messages that quote a build or apt log. */
void fs_tail(const char *path, int lines, char *buf, size_t len);
/* Finds an executable regular file NAME in $PATH (empty entries skipped), then in the
 * colon-separated extra dirs (may be NULL). 0 with the full path in out, or -ENOENT. */
int fs_which(const char *name, const char *extra, char *out, size_t len);
/* "1.5G", "72.6M", "512K": sizes for listings. */
void fs_human_size(uint64_t bytes, char *buf, size_t len);
/* Total size of regular files under path (or of path itself). */
uint64_t fs_du(const char *path);

/* FNV-1a 64: fast, stable across builds, good enough to key caches (not a security hash). */
#define FS_FNV_INIT 0xcbf29ce484222325ULL
uint64_t fs_fnv1a(uint64_t h, const void *data, size_t len);
int fs_hash_file(const char *path, uint64_t *h);   /* folds the file into *h */

#endif
