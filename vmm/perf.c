/* Performance mode's host side: the free 2 MB hugepage count, pinning each vCPU thread
 * to its own host CPU and SCHED_FIFO for them when the process may use RT priorities.
 * Everything it cannot do becomes one "performance_mode: WARNING: ..." line. Outside
 * performance mode, vm_pin_vcpus keeps the vCPU threads on the run's reserved CPUs. */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "vmm/vm_priv.h"

long vm_free_hugepages(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	long n = 0;
	if (fscanf(f, "%ld", &n) != 1 || n < 0)
		n = 0;
	fclose(f);
	return n;
}

__attribute__((format(printf, 3, 4)))
void vm_note(char *notes, size_t len, const char *fmt, ...)
{
	size_t used = strlen(notes);
	if (used + 2 >= len)
		return;
	if (used)
		notes[used++] = '\n';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(notes + used, len - used, fmt, ap);
	va_end(ap);
}

/* CAP_SYS_NICE in the effective set, or an RLIMIT_RTPRIO that allows priority 1. */
static bool may_use_rt(void)
{
	struct rlimit rl;
	if (!getrlimit(RLIMIT_RTPRIO, &rl) && rl.rlim_cur >= 1)
		return true;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	char line[256];
	unsigned long long eff = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> 23) & 1; /* CAP_SYS_NICE = 23 */
}

/* The distinct vCPU thread ids (TCG thread=single runs every vCPU on one thread: it
 * appears once); count or -errno. */
static int vcpu_threads(struct vm_qmp *q, int *uniq, int *nvcpu)
{
	int tids[VM_MAX_VCPUS], nu = 0;
	char err[256], *resp = NULL;
	int r = vm_qmp_cmd(q, "{\"execute\":\"query-cpus-fast\"}", 5000, &resp, err, sizeof(err));
	int n = r < 0 ? r : vm_qmp_parse_cpus(resp, tids, VM_MAX_VCPUS);
	free(resp);
	if (n <= 0)
		return n < 0 ? n : -ENOENT;
	for (int i = 0; i < n; i++) {
		bool seen = false;
		for (int j = 0; j < nu && !seen; j++)
			seen = uniq[j] == tids[i];
		if (!seen && tids[i] > 0)
			uniq[nu++] = tids[i];
	}
	*nvcpu = n;
	return nu;
}

int vm_pin_vcpus(struct vm_qmp *q, const cpu_set_t *cpus, char *notes, size_t len)
{
	int uniq[VM_MAX_VCPUS], nv = 0, nu = vcpu_threads(q, uniq, &nv);
	if (nu <= 0) {
		vm_note(notes, len, "ktstr: WARNING: cannot read the vCPU thread ids from QEMU "
			"(query-cpus-fast: %s); vCPU threads are not pinned to the reserved host CPUs",
			strerror(-nu));
		return nu;
	}
	int host[CPU_SETSIZE], nh = 0;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, cpus))
			host[nh++] = c;
	for (int i = 0; i < nu; i++) {
		/* 1:1 from the highest CPU when there are enough, else the whole set. */
		cpu_set_t one;
		CPU_ZERO(&one);
		if (nu <= nh)
			CPU_SET(host[nh - nu + i], &one);
		else
			one = *cpus;
		if (sched_setaffinity(uniq[i], sizeof(one), &one)) {
			vm_note(notes, len, "ktstr: WARNING: cannot pin vCPU thread %d to its reserved "
				"host CPUs: %s", uniq[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

int vm_perf_pin(struct vm_qmp *q, enum vm_accel accel, const cpu_set_t *cpus, char *notes,
		size_t len)
{
	int uniq[VM_MAX_VCPUS], n = 0, nu = vcpu_threads(q, uniq, &n);
	if (nu <= 0) {
		vm_note(notes, len, "performance_mode: WARNING: cannot read the vCPU thread ids "
			"from QEMU (query-cpus-fast: %s); vCPU threads are not pinned",
			strerror(-nu));
		return nu;
	}
	/* The reserved CPUs (engine/hostcpus.h), else whatever this process may use. */
	cpu_set_t allowed;
	int host[CPU_SETSIZE], nh = 0;
	if (cpus)
		allowed = *cpus;
	if (cpus || sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &allowed))
				host[nh++] = c;
	if (nu > nh) {
		vm_note(notes, len, "performance_mode: WARNING: %d vCPU threads but only %d %shost "
			"CPUs; vCPU threads are not pinned (use a smaller topology or --no-perf-mode)",
			nu, nh, cpus ? "reserved " : "");
	} else {
		/* The highest CPUs of the set: the lowest keeps QEMU's main loop (and, without a
		 * reservation, CPU 0 the host's housekeeping). */
		char list[256] = "";
		int pinned = 0;
		for (int i = 0; i < nu; i++) {
			int cpu = host[nh - nu + i];
			cpu_set_t one;
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			if (sched_setaffinity(uniq[i], sizeof(one), &one)) {
				vm_note(notes, len, "performance_mode: WARNING: cannot pin vCPU thread "
					"%d to host CPU %d: %s", uniq[i], cpu, strerror(errno));
				continue;
			}
			pinned++;
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s%d", l ? "," : "", cpu);
		}
		if (pinned)
			vm_note(notes, len, "performance_mode: pinned %d vCPU thread%s to host CPU%s %s%s",
				pinned, pinned == 1 ? "" : "s", pinned == 1 ? "" : "s", list,
				accel == VM_ACCEL_TCG && n > 1 ? " (TCG runs all vCPUs on one thread)" : "");
	}
	if (!may_use_rt()) {
		vm_note(notes, len, "performance_mode: WARNING: no CAP_SYS_NICE or rtprio limit, vCPU "
			"threads stay SCHED_OTHER; pass --no-perf-mode (or KTSTR_NO_PERF_MODE=1) to "
			"run without performance mode");
		return 0;
	}
	struct sched_param sp = { .sched_priority = 1 };
	for (int i = 0; i < nu; i++)
		if (sched_setscheduler(uniq[i], SCHED_FIFO, &sp)) {
			vm_note(notes, len, "performance_mode: WARNING: SCHED_FIFO for vCPU thread %d "
				"failed: %s; it stays SCHED_OTHER (pass --no-perf-mode to skip RT)",
				uniq[i], strerror(errno));
			break;
		}
	return 0;
}
