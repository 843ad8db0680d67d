/* One VM's life: QEMU command line from a topology, accelerator choice, the control and
 * shell ports, console capture, QMP, boot budget and whole-run watchdog.
 * Knows nothing of scenarios or curses; the engine drives it with vm_poll(). */
#ifndef KTSTR_VM_H
#define KTSTR_VM_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vm_topology { int numa, llcs, cores, threads; }; /* llcs per node, cores per llc */

enum vm_accel { VM_ACCEL_AUTO, VM_ACCEL_KVM, VM_ACCEL_TCG };

struct vm_config {
	struct vm_topology topo;
	int memory_mb;
	const char *kernel;        /* bzImage, or an uncompressed vmlinux (PVH entry) */
	const char *initrd;        /* may be a concatenation of cpio archives */
	const char *cmdline_extra; /* appended to the built-in kernel command line; may be NULL */
	enum vm_accel accel;       /* AUTO: KTSTR_ACCEL, else KVM when usable, else TCG */
	const char *run_dir;       /* sockets, console.log, qemu.log go here */
	int watchdog_ms;           /* whole-run deadline from QEMU start; 0 = none */
	bool shell_port;           /* add the KTSTR_PORT_SHELL port */
	const char *disk;          /* raw image attached as virtio-blk (/dev/vda), NULL none */
	unsigned tsc_khz;          /* host TSC kHz for lpj=; 0: vm_start measures it */
	/* Performance mode (docs/vmm.md): vm_start backs guest RAM with 2 MB hugepages when
	 * enough are free, pins vCPU threads to host CPUs and tries SCHED_FIFO for them;
	 * what it could not do is reported as one warning line each (vm_perf_notes). */
	bool perf_mode;
	/* Back every NUMA node's RAM with a 2 MB hugetlb memfd (prealloc'd). vm_start sets it
	 * from perf_mode and the free hugepage count; vm_build_args only obeys it. */
	bool hugepages;
	/* The host CPUs reserved for this VM (engine/hostcpus.h), NULL for none: vm_start pins
	 * the vCPU threads onto them (1:1 in performance mode) once QMP answers. Read by
	 * vm_start only. */
	const cpu_set_t *host_cpus;
	/* Snapshot boot (vmm/snapshot.c): QEMU's -incoming ("defer": the machine waits for
	 * vm_snapshot_resume), and the snapshot directory whose ram<N> files fill the guest
	 * memfds before QEMU starts. NULL: a cold boot. */
	const char *incoming;
	const char *ram_dir;
};

/* QEMU's -M pc (i440fx) takes at most 255 vCPUs (q35 would take 288, more with an IOMMU
 * and x2APIC; ktstr boots -M pc, docs/vmm.md). */
#define VM_MAX_VCPUS 255
#define VM_DEFAULT_MEMORY_MB 1024  /* when memory_mb is 0 */
#define VM_MIN_NODE_MB 64          /* smallest memory per NUMA node */

/* Derived timing, in ms. The boot budget is 10 s + 150 ms per vCPU capped at 90 s, times
 * VM_TCG_FACTOR under TCG (docs/vmm.md says why). */
#define VM_TCG_FACTOR 4
int vm_boot_budget_ms(int vcpus, bool tcg);

/* 2 MB hugepages for guest RAM. needed = memory_mb / 2 (memory_mb 0: the default size);
 * vm_hugepage_plan says whether free_pages covers it, else writes the seed's warning
 * (without newline) into warn and returns false. vm_free_hugepages reads a free_hugepages
 * file (VM_HUGEPAGES_FREE_PATH); a missing or unreadable file counts as 0. */
#define VM_HUGEPAGES_FREE_PATH "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
int vm_hugepages_needed(int memory_mb);
bool vm_hugepage_plan(int memory_mb, long free_pages, char *warn, size_t warnlen);
long vm_free_hugepages(const char *path);

/* Fills argv (NULL-terminated, strings owned by *store, free with vm_args_free) for
 * qemu-system-x86_64. Pure: no I/O, for unit tests. ctl_sock/shell_sock/qmp_sock are
 * unix socket paths QEMU listens on. */
struct vm_args { char **argv; int argc; };
int vm_build_args(const struct vm_config *cfg, enum vm_accel accel, const char *ctl_sock,
		  const char *shell_sock, const char *qmp_sock, struct vm_args *out,
		  char *err, size_t errlen);
void vm_args_free(struct vm_args *a);

/* Resolves AUTO. Returns the accel to use, or -1 with the seed's /dev/kvm message in err
 * when KVM was asked for (KTSTR_ACCEL=kvm or cfg) and is not usable. */
int vm_choose_accel(enum vm_accel want, char *err, size_t errlen);
const char *vm_accel_name(enum vm_accel a); /* "kvm" | "tcg" */

struct vm;

/* The QEMU binary vm_start would run: KTSTR_QEMU (must be executable), else
 * qemu-system-x86_64 on PATH. 0, or -ENOENT with the user-facing message in err. */
int vm_find_qemu(char *out, size_t len, char *err, size_t errlen);
/* Runs `QEMU --version` (5 s at most) and puts what follows "QEMU emulator version " on its
 * first line into ver ("7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)"), or "unknown" when
 * it says something else. -ENOENT (path and ver empty) when there is no QEMU to run. */
int vm_qemu_version(char *path, size_t plen, char *ver, size_t vlen);

/* Starts QEMU (it dies with us: PR_SET_PDEATHSIG plus vm_kill_all() from signal paths),
 * connects the control port and QMP. -errno with a message on failure.
 * PR_SET_PDEATHSIG fires when the calling THREAD exits: the thread that calls vm_start
 * owns the VM until vm_free (the engine thread). KTSTR_QEMU overrides the QEMU binary. */
int vm_start(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen);

struct vm_callbacks {
	void *ctx;
	void (*console_line)(void *ctx, const char *line);   /* kernel console, one line */
	void (*ctl_line)(void *ctx, const char *line);       /* control port, one line */
};

enum vm_status { VM_RUNNING, VM_EXITED, VM_WATCHDOG };
/* Waits up to timeout_ms for output, dispatches whole lines, returns the status. */
enum vm_status vm_poll(struct vm *vm, int timeout_ms, const struct vm_callbacks *cb);

int vm_ctl_send(struct vm *vm, const char *line);       /* appends '\n' */
/* QMP send-key alt+sysrq+key; an upper-case key adds shift ('D' = sched_ext dump). */
int vm_sysrq(struct vm *vm, char key);
/* QMP query-cpus-fast: host tids by vCPU index; returns the count or -errno. Under TCG
 * (thread=single) every vCPU reports the same tid. */
int vm_vcpu_tids(struct vm *vm, int *tids, int max);
const char *vm_shell_sock(const struct vm *vm);         /* NULL without shell_port */
/* What performance mode did or could not do at start: '\n'-separated lines, each one
 * "performance_mode: ..." (warnings say WARNING); outside performance mode only a
 * "ktstr: WARNING: ..." when the vCPU threads could not be pinned to host_cpus. */
const char *vm_perf_notes(const struct vm *vm);
bool vm_hugepages_used(const struct vm *vm);
/* Guest RAM, readable while QEMU runs (vmm/guestmem.h); valid until vm_free. */
struct guestmem;
struct guestmem *vm_guestmem(const struct vm *vm);
enum vm_accel vm_accel(const struct vm *vm);
pid_t vm_pid(const struct vm *vm);
int64_t vm_started_ms(const struct vm *vm);             /* CLOCK_MONOTONIC ms at QEMU start */

/* Asks QEMU to quit (QMP), kills it after a grace period; reaps it. Returns QEMU's exit
 * status as from waitpid (or -1). Safe to call twice. */
int vm_stop(struct vm *vm, int grace_ms);
void vm_free(struct vm *vm);

/* Snapshot boot (vmm/snapshot.c, docs/snapshot.md). */
/* Stops the guest, writes its device state to dir/state (QMP migrate, x-ignore-shared)
 * and its memory to dir/ram<N> (sparse), lets it go on. dir exists. */
int vm_snapshot_save(struct vm *vm, const char *dir, int timeout_ms, char *err, size_t errlen);
/* A VM started with incoming "defer" and ram_dir = dir: loads dir/state, runs it. */
int vm_snapshot_resume(struct vm *vm, const char *dir, int timeout_ms, char *err, size_t errlen);
/* Copies a saved ram<N> file into a guest memfd (its data extents only). */
int vm_snapshot_fill_ram(int mfd, const char *path, char *err, size_t errlen);
/* Raw bytes on the control port (the run archive after a "run" line). */
int vm_ctl_send_raw(struct vm *vm, const void *data, size_t n, int timeout_ms);
/* The QEMU argv that shapes the machine (socket paths and lpj= left out), one argument
 * a line, malloc'd: what a snapshot's key hashes. NULL with err set. */
char *vm_snapshot_machine_text(const struct vm_config *cfg, char *err, size_t errlen);  /* stops it first if still running, removes sockets */
void vm_kill_all(void);       /* async-signal-safe: SIGKILL every live QEMU we started */

#endif
