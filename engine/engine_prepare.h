/* Everything a run needs before its VM starts: kernel and scheduler resolved, run
 * directory made, initramfs built (cached base + per-run archive), timings chosen. */
#ifndef KTSTR_ENGINE_PREPARE_H
#define KTSTR_ENGINE_PREPARE_H

#include <stdbool.h>
#include "engine/engine.h"
#include "engine/hostcpus.h"
#include "engine/kernel/lock.h"
#include "engine/engine_snap.h"

struct run_plan {
	char boot_image[4096];   /* what QEMU's -kernel gets */
	char vmlinux[4096];      /* the entry's vmlinux (BTF for the monitor), "" none */
	char initrd[4096];       /* base + per-run archive, concatenated, in the run dir */
	char cmdline_extra[2048];
	char disk[4096];         /* the raw image attached as /dev/vda, "" none (engine_disk.h) */
	char disk_module[4096];  /* virtio_blk.ko for the initramfs, "" when built in */
	int accel;               /* enum vm_accel */
	int watchdog_ms;
	bool shell_port;
	bool boot_budget_override; /* KTSTR_BOOT_BUDGET_MS set: keep r->boot_budget_ms */
	bool base_was_cached;
	bool perf_mode;          /* the VM runs in performance mode */
	bool skip;               /* performance_mode scenario under --no-perf-mode: no VM */
	/* Held from prepare until engine_prepare_cleanup: the kernel entry SH (so `kernel rm`
	 * waits), the run directory EX (none under KTSTR_SIDECAR_DIR). */
	struct ktstr_lock kernel_lock;
	struct ktstr_lock run_lock;
	/* The host CPUs the VM runs on (engine/hostcpus.h), taken by the run thread before
	 * QEMU starts and released once it is gone; NULL before, after, or when bypassed. */
	struct hostcpus_resv *cpus;
	struct snap_plan snap;   /* snapshot boot (engine/engine_snap.h); initrd is then the base */
};

/* Fills plan and the run's identity fields (dir, kernel, scheduler label). -EINVAL for the
 * user's mistakes (no kernel, scheduler not found), other -errno for infrastructure. */
int engine_prepare(const struct run_request *req, struct run *r, struct run_plan *plan,
		   char *err, size_t errlen);
/* Removes what only the VM needed (the concatenated initrd) and releases the locks (the
 * host CPUs too, if still held). */
void engine_prepare_cleanup(struct run_plan *plan);

#endif
