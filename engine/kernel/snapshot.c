/* The snapshot store beside a kernel entry (engine/kernel/snapshot.h). */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/snapshot.h"

/* FNV-1a 64 twice with different bases: 128 bits, so two machines never share a key. */
static void fold(uint64_t h[2], const void *p, size_t n)
{
	h[0] = fs_fnv1a(h[0], p, n);
	h[1] = fs_fnv1a(h[1], p, n);
}

static void fold_str(uint64_t h[2], const char *s)
{
	fold(h, s, strlen(s) + 1);
}

int snap_locate(const struct kernel_entry *e, const char *machine_text, const char *qemu_version,
		struct snap_slot *slot, char *err, size_t errlen)
{
	memset(slot, 0, sizeof(*slot));
	slot->lock_fd = -1;
	bool by_path = !strcmp(e->source, "path");
	if (by_path) {
		char root[PATH_MAX];
		int rc = cache_root(root, sizeof(root), err, errlen);
		if (rc)
			return rc;
		if (snap_path_home(root, slot->home, sizeof(slot->home))) {
			snprintf(err, errlen, "cache path %s is too long for snapshots", root);
			return -ENAMETOOLONG;
		}
	} else if (!e->dir[0]) {
		snprintf(err, errlen, "kernel '%s' is not a cache entry", e->key);
		return -ENOENT;
	} else {
		snprintf(slot->home, sizeof(slot->home), "%s", e->dir);
	}
	uint64_t h[2] = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };
	char fmt[32];
	snprintf(fmt, sizeof(fmt), "ktstr-snapshot-%d", SNAP_FORMAT);
	fold_str(h, fmt);
	/* The entry: its key, and what a re-import or re-fetch under the same key changes. */
	fold_str(h, e->key);
	fold_str(h, e->created_iso);
	struct stat st;
	if (stat(e->image, &st)) {
		int er = errno;
		snprintf(err, errlen, "kernel image %s: %s", e->image, strerror(er));
		return -er;
	}
	int64_t id[4] = { (int64_t)st.st_ino, (int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec,
			  (int64_t)st.st_mtim.tv_nsec };
	fold(h, id, sizeof(id));
	/* By path: which file, and the vmlinux of a build tree (booted instead when there). */
	if (by_path) {
		fold_str(h, e->image);
		if (e->vmlinux[0] && strcmp(e->vmlinux, e->image) && !stat(e->vmlinux, &st)) {
			int64_t vid[4] = { (int64_t)st.st_ino, (int64_t)st.st_size,
					   (int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec };
			fold(h, vid, sizeof(vid));
		}
	}
	fold_str(h, machine_text);
	fold_str(h, qemu_version ? qemu_version : "");
	/* This very ktstr build: its binary's bytes (a rebuild that changes anything). */
	uint64_t exe = 0xcbf29ce484222325ull;
	int rc = fs_hash_file("/proc/self/exe", &exe);
	if (rc) {
		snprintf(err, errlen, "cannot read /proc/self/exe: %s", strerror(-rc));
		return rc;
	}
	fold(h, &exe, sizeof(exe));
	snprintf(slot->key, sizeof(slot->key), "%016llx%016llx", (unsigned long long)h[0],
		 (unsigned long long)h[1]);
	if (snprintf(slot->dir, sizeof(slot->dir), "%s/" SNAP_DIR "/%s", slot->home, slot->key) >=
		    (int)sizeof(slot->dir) - 32) {
		snprintf(err, errlen, "kernel entry path %s is too long for snapshots", slot->home);
		return -ENAMETOOLONG;
	}
	snprintf(slot->state, sizeof(slot->state), "%s/state", slot->dir);
	snprintf(slot->tmp, sizeof(slot->tmp), "%s.tmp.%d", slot->dir, (int)getpid());
	return 0;
}

bool snap_exists(const struct snap_slot *slot)
{
	struct stat st;
	return slot->state[0] && !stat(slot->state, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void unlock(struct snap_slot *slot)
{
	if (slot->lock_fd >= 0)
		close(slot->lock_fd);
	slot->lock_fd = -1;
}

int snap_begin_write(struct snap_slot *slot)
{
	char parent[4096];
	snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(slot->dir, '/') - slot->dir), slot->dir);
	int rc = fs_mkdir_p(parent, 0755);
	if (rc)
		return rc;
	char lp[4200];
	snprintf(lp, sizeof(lp), "%s.lock", slot->dir);
	int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return e;
	}
	slot->lock_fd = fd;
	/* Another writer published while this run booted: nothing to do. */
	if (snap_exists(slot)) {
		snap_abort(slot);
		return -EEXIST;
	}
	/* Under the lock: what is left is a dead writer's or a failed restore's. */
	fs_rm_rf(slot->tmp);
	fs_rm_rf(slot->dir);
	if ((rc = fs_mkdir_p(slot->tmp, 0755))) {
		unlock(slot);
		return rc;
	}
	return 0;
}

int snap_commit(struct snap_slot *slot, const char *meta_json)
{
	char meta[4200];
	snprintf(meta, sizeof(meta), "%s/meta.json", slot->tmp);
	int rc = fs_write_atomic(meta, meta_json, strlen(meta_json), 0644);
	if (!rc && rename(slot->tmp, slot->dir))
		rc = -errno;
	if (rc)
		fs_rm_rf(slot->tmp);
	unlock(slot);
	return rc;
}

void snap_abort(struct snap_slot *slot)
{
	if (slot->lock_fd >= 0)
		fs_rm_rf(slot->tmp);
	unlock(slot);
}

void snap_touch(const struct snap_slot *slot)
{
	utimensat(AT_FDCWD, slot->state, NULL, 0);
}

void snap_remove(const struct snap_slot *slot)
{
	fs_rm_rf(slot->dir);
}

void snap_stats(const char *entry_dir, int *count, uint64_t *bytes, uint64_t *apparent)
{
	char d[4200];
	*count = 0;
	*bytes = 0;
	*apparent = 0;
	snprintf(d, sizeof(d), "%s/" SNAP_DIR, entry_dir);
	DIR *dh = opendir(d);
	struct dirent *de;
	while (dh && (de = readdir(dh))) {
		char p[4600];
		struct stat st;
		if (de->d_name[0] == '.' || strchr(de->d_name, '.'))
			continue;
		snprintf(p, sizeof(p), "%s/%s/state", d, de->d_name);
		if (stat(p, &st) || !S_ISREG(st.st_mode))
			continue;
		(*count)++;
		/* On disk: the memory files are sparse. */
		snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
		DIR *sd = opendir(p);
		struct dirent *f;
		while (sd && (f = readdir(sd))) {
			char fp[4900];
			snprintf(fp, sizeof(fp), "%s/%s", p, f->d_name);
			if (f->d_name[0] != '.' && !stat(fp, &st) && S_ISREG(st.st_mode)) {
				*bytes += (uint64_t)st.st_blocks * 512;
				*apparent += (uint64_t)st.st_size;
			}
		}
		if (sd)
			closedir(sd);
	}
	if (dh)
		closedir(dh);
}

int snap_remove_all(const char *entry_dir)
{
	char d[4200];
	snprintf(d, sizeof(d), "%s/" SNAP_DIR, entry_dir);
	return access(d, F_OK) ? 0 : fs_rm_rf(d);
}

int snap_path_home(const char *root, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/" SNAP_PATH_HOME, root) >= (int)len ? -ENAMETOOLONG : 0;
}

struct snap_age {
	char name[64];
	struct timespec t;
};

static int newest_first(const void *a, const void *b)
{
	const struct timespec *x = &((const struct snap_age *)a)->t, *y = &((const struct snap_age *)b)->t;
	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? 1 : -1;
	return x->tv_nsec < y->tv_nsec ? 1 : x->tv_nsec > y->tv_nsec ? -1 : 0;
}

int snap_prune(const char *home, int keep)
{
	char d[4200];
	snprintf(d, sizeof(d), "%s/" SNAP_DIR, home);
	DIR *dh = opendir(d);
	if (!dh)
		return 0;
	struct snap_age *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dh))) {
		char p[4600];
		struct stat st;
		/* Whole snapshots only: <key>.lock and <key>.tmp.<pid> belong to writers. */
		if (de->d_name[0] == '.' || strchr(de->d_name, '.') || strlen(de->d_name) >= 64)
			continue;
		snprintf(p, sizeof(p), "%s/%s/state", d, de->d_name);
		if (stat(p, &st))
			continue;
		if (n == cap) {
			struct snap_age *nv = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n++].t = st.st_mtim;
	}
	closedir(dh);
	if (n > 1)
		qsort(v, n, sizeof(*v), newest_first);
	int removed = 0;
	for (size_t i = keep > 0 ? (size_t)keep : 0; i < n; i++) {
		char p[4600];
		snprintf(p, sizeof(p), "%s/%s", d, v[i].name);
		if (!fs_rm_rf(p))
			removed++;
		snprintf(p, sizeof(p), "%s/%s.lock", d, v[i].name);
		unlink(p);
	}
	free(v);
	return removed;
}
