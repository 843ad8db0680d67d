/* Snapshot boot, the engine's half (docs/snapshot.md): whether a run boots to the wait
 * point (its data then goes over the control port), whether it restores a saved machine
 * or saves one, the restore with its fallback to a cold boot, and the delivery of the
 * run's data. The store is engine/kernel/snapshot.h, the QEMU side vmm/snapshot.c. */
#ifndef KTSTR_ENGINE_SNAP_H
#define KTSTR_ENGINE_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/kernel/entry.h"
#include "engine/kernel/snapshot.h"
#include "engine/run.h"
#include "vmm/vm.h"

struct snap_plan {
	bool wait;                 /* the guest boots with ktstr.wait=1 and gets archive later */
	char archive[4096];        /* the run's cpio archive (sent after "wait") */
	struct kernel_entry *entry; /* the cached kernel entry (malloc'd), NULL: none */
	bool have_slot, restore, save, sent;
	char why_cold[160];        /* why no restore, for the guest log ("" restored) */
	struct snap_slot slot;
};

/* engine_prepare: does this run boot to the wait point? Not for shells, runs in
 * performance mode, machines over 16 vCPUs, --no-snapshot or KTSTR_NO_SNAPSHOT=1.
 * Takes ownership of entry (freed by engine_snap_cleanup). */
bool engine_snap_wanted(struct snap_plan *sp, bool no_snapshot, bool shell, bool perf_mode,
			int vcpus, struct kernel_entry *entry);

/* The run thread's start: the snapshot's key from cfg, then a restore when one exists
 * (cfg->incoming), with its data sent and the guest's hello awaited (lines go to cb, and
 * *vm_start_ms is set before any), else a cold start. A failed restore falls back to a
 * cold boot, deletes the snapshot and puts one warning into warn. */
int engine_snap_start(struct snap_plan *sp, struct run *r, struct vm_config *cfg,
		      struct vm **vm, const struct vm_callbacks *cb, int64_t *vm_start_ms,
		      char *warn, size_t warnlen, char *err, size_t errlen);

/* The guest said "wait" (a cold boot): save the machine if this run is to, then send the
 * header, take the guest's answer (lines to cb) and send the archive. note gets one line
 * for the guest log (saved, or why not; why the data could not be sent). */
int engine_snap_on_wait(struct snap_plan *sp, struct run *r, struct vm *vm,
			const struct vm_callbacks *cb, char *note, size_t notelen);

/* True when a control-port line is the guest's "wait". */
bool engine_snap_is_wait(const char *line);

void engine_snap_cleanup(struct snap_plan *sp);

#endif
