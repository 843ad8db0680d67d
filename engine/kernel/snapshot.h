/* Snapshots beside their kernel cache entry (docs/snapshot.md): <entry>/snapshots/<key>/
 * holds "state" (QEMU's device state), "ram<N>" (guest memory per NUMA node, sparse) and
 * "meta.json". The key hashes everything that
 * shapes the saved machine, so a changed kernel entry, topology, memory, base initramfs,
 * ktstr build or QEMU never finds an old one. A writer holds <key>.lock (flock EX, never
 * waited for: a second writer just does not save), writes <key>.tmp.<pid>/ and publishes
 * it by renaming the directory, so a reader sees a whole snapshot or none. Removal of the entry (kernel rm/clean) takes the
 * entry's EX lock, which every run holds SH. */
#ifndef KTSTR_KERNEL_SNAPSHOT_H
#define KTSTR_KERNEL_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/kernel/entry.h"

#define SNAP_DIR "snapshots"
/* A kernel given by path has no entry (its "dir" is the user's file or tree, never written):
 * its snapshots share <cache>/path-kernels/snapshots/, pruned to the newest SNAP_PATH_KEEP,
 * since every rebuild of the user's kernel is a new machine. */
#define SNAP_PATH_HOME "path-kernels"
#define SNAP_PATH_KEEP 4
/* A cache entry keeps its 16 most recently used machines: a ktstr rebuild or a sweep over
 * many topologies would otherwise pile up ~80-180 MB per machine. */
#define SNAP_ENTRY_KEEP 16
#define SNAP_FORMAT 1   /* bumped when the guest's wait point or the wire changes meaning */

struct snap_slot {
	char key[40];        /* 32 hex digits */
	char home[4096];     /* <entry>, or <cache>/path-kernels for a kernel given by path */
	char dir[4096];      /* <home>/snapshots/<key> */
	char state[4096];    /* dir/state */
	char tmp[4096];      /* <dir>.tmp.<pid>/, the directory being written */
	int lock_fd;         /* writer's lock, -1 none */
};

/* The key of machine_text (vm_snapshot_machine_text) for entry e, this ktstr binary and
 * the QEMU version string; fills slot's paths. 0 or -errno with err. */
int snap_locate(const struct kernel_entry *e, const char *machine_text, const char *qemu_version,
		struct snap_slot *slot, char *err, size_t errlen);
bool snap_exists(const struct snap_slot *slot);
/* Takes the writer lock without waiting (-EBUSY when another run is writing it) and makes
 * the directory; the caller writes slot->tmp, then snap_commit or snap_abort. */
int snap_begin_write(struct snap_slot *slot);
int snap_commit(struct snap_slot *slot, const char *meta_json);
void snap_abort(struct snap_slot *slot);
/* Marks a snapshot used now (snap_prune keeps the recently used ones). */
void snap_touch(const struct snap_slot *slot);
/* Removes one snapshot (a state that failed to restore). */
void snap_remove(const struct snap_slot *slot);
/* Count, bytes on disk and apparent bytes (the memory files are sparse) of the snapshots
 * in an entry directory; removal of all of them. */
void snap_stats(const char *entry_dir, int *count, uint64_t *bytes, uint64_t *apparent);
int snap_remove_all(const char *entry_dir);
/* <root>/path-kernels, the home of the snapshots of kernels given by path. */
int snap_path_home(const char *root, char *buf, size_t len);
/* Keeps the `keep` newest snapshots under home (by their state's time), removes the rest;
 * returns how many went. */
int snap_prune(const char *home, int keep);

#endif
