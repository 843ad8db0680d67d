/* Host CPU reservation: before its QEMU starts, a run takes flock(2) locks on the host CPUs
 * it will run on, so concurrent runs (two ktstr processes, a gauntlet's -j N) never share
 * a CPU. Lockfiles <lock dir>/ktstr-llc-{N}.lock and ktstr-cpu-{C}.lock (docs/locks.md). */
#ifndef KTSTR_HOSTCPUS_H
#define KTSTR_HOSTCPUS_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/kernel/lock.h"

#define HOSTCPUS_MAX CPU_SETSIZE
#define HOSTCPUS_DEFAULT_LOCK_DIR "/tmp"

/* The CPUs this process may run on, grouped by last-level cache. cpu[] is ordered by LLC,
 * then CPU id; LLC ordinals number the host's LLCs by their first CPU (the N of
 * ktstr-llc-N.lock), counting the ones with no allowed CPU too. */
struct hostcpus_layout {
	int n;                       /* allowed CPUs */
	int cpu[HOSTCPUS_MAX];
	int llc[HOSTCPUS_MAX];       /* LLC ordinal of cpu[i] */
	int nllc;                    /* host LLCs */
	int llc_node[HOSTCPUS_MAX];  /* NUMA node of each LLC ordinal (0 when unknown) */
};

/* Reads the layout from a sysfs cpu directory (NULL: /sys/devices/system/cpu): each
 * cpuN/cache/index*'s highest level is the LLC (no cache info: the CPU's node, so a VM
 * without cache topology still gets per-node LLCs), cpuN/nodeM its node. allowed NULL:
 * sched_getaffinity. -errno with a message. */
int hostcpus_layout_read(const char *sysfs_cpu, const cpu_set_t *allowed,
			 struct hostcpus_layout *l, char *err, size_t errlen);

/* What a VM asks for. threads: the host threads it runs on (KVM: its vCPUs; single-
 * threaded TCG: 1); capped to the allowed CPUs. perf: performance mode, whole LLCs held
 * LOCK_EX, at least min(virt_llcs, host LLCs) of them. */
struct hostcpus_req {
	int threads;
	bool perf;
	int virt_llcs;
	int timeout_ms;              /* < 0: lock_timeout_ms() */
	const char *who;             /* "run <id>", for the timeout message */
	volatile int *cancel;        /* nonzero stops the wait (-ECANCELED); may be NULL */
};

/* One way to satisfy a request: a contiguous window of layout indexes [first, first+n)
 * and the LLC ordinals [llc_first, llc_first+nllc) covering it. */
struct hostcpus_plan { int first, n, llc_first, nllc; };

/* The candidate plans in the order they are tried (fewest LLCs spanned first, then the
 * highest CPUs first: CPU 0 keeps the host's housekeeping); returns how many (<= max). */
int hostcpus_plans(const struct hostcpus_layout *l, const struct hostcpus_req *req,
		   struct hostcpus_plan *out, int max);

struct hostcpus_resv;

/* $KTSTR_LOCK_DIR, else HOSTCPUS_DEFAULT_LOCK_DIR. */
const char *hostcpus_lock_dir(void);
/* KTSTR_BYPASS_LLC_LOCKS set to anything but "" or "0". */
bool hostcpus_bypassed(void);

/* Takes the first free plan, polling every 100 ms until the timeout. 0 with *out set;
 * -ETIMEDOUT with the seed's "flock LOCK_EX on host CPUs ... timed out" message naming a
 * busy lockfile and every holder; -ECANCELED; -EOPNOTSUPP (NFS ...) or other -errno. */
int hostcpus_reserve(const struct hostcpus_layout *l, const char *lock_dir,
		     const struct hostcpus_req *req, struct hostcpus_resv **out, char *err,
		     size_t errlen);
/* The CPUs reserved (perf: every allowed CPU of the LLCs held). */
const cpu_set_t *hostcpus_set(const struct hostcpus_resv *r);
/* "host CPU 1 (LLC 0 shared)", "host CPUs 0-3 (LLC 0 exclusive)". */
void hostcpus_describe(const struct hostcpus_resv *r, char *buf, size_t len);
/* The engine's call before a VM starts: threads = vcpus under KVM, 1 under single-threaded
 * TCG (vmm/args.c: thread=single); the layout from sysfs; the lock dir from the
 * environment. KTSTR_BYPASS_LLC_LOCKS: 0 with *out NULL and a warning line in note. */
int hostcpus_reserve_vm(int vcpus, bool tcg, bool perf, int virt_llcs, const char *who,
			volatile int *cancel, struct hostcpus_resv **out, char *note, size_t notelen,
			char *err, size_t errlen);
/* Releases every lock (closing the fds) and frees; NULL-safe, clears *r. */
void hostcpus_release(struct hostcpus_resv **r);

/* `ktstr locks`: rows of kind "llc" (key N, node set) and "cpu" (key C) for every held (or,
 * with include_idle, existing) ktstr-llc-N / ktstr-cpu-C lockfile in lock_dir, by number.
 * Appends to *rows and *n (realloc'd). */
int hostcpus_scan(const char *lock_dir, bool include_idle, struct lock_row **rows, int *n,
		  char *err, size_t errlen);

#endif
