/* Accelerator choice (KVM or TCG) and the host TSC frequency used for lpj=.
 * KTSTR_ACCEL=kvm|tcg overrides AUTO; AUTO picks KVM only when /dev/kvm opens read-write
 * and the CPU advertises vmx/svm (a PVM-style /dev/kvm without them cannot boot a kernel). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __x86_64__
#include <x86intrin.h>
#endif

#include "vmm/vm_priv.h"

const char *vm_accel_name(enum vm_accel a)
{
	switch (a) {
	case VM_ACCEL_KVM: return "kvm";
	case VM_ACCEL_TCG: return "tcg";
	default: return "auto";
	}
}

/* The seed's texts (troubleshooting: "/dev/kvm not accessible"), word for word. */
static const char KVM_NOT_FOUND[] =
	"/dev/kvm not found. KVM requires:\n"
	"  - Linux kernel with KVM support (CONFIG_KVM)\n"
	"  - Access to /dev/kvm (check permissions or add user to 'kvm' group)\n"
	"  - Hardware virtualization enabled in BIOS (VT-x/AMD-V)";
static const char KVM_DENIED[] =
	"/dev/kvm: permission denied. Add your user to the 'kvm' group:\n"
	"  sudo usermod -aG kvm $USER\n"
	"  then log out and back in.";

/* True when a "flags" line of cpuinfo lists vmx or svm as a whole word. */
static bool cpuinfo_has_virt(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char line[8192];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		char *save = NULL;
		for (char *w = strtok_r(colon + 1, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(w, "vmx") || !strcmp(w, "svm")) {
				found = true;
				break;
			}
	}
	fclose(f);
	return found;
}

/* 0 when the device opens read-write, else -errno. */
static int kvm_open_rw(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int vm_choose_accel_at(enum vm_accel want, const char *env_accel, const char *kvm_path,
		       const char *cpuinfo_path, char *err, size_t errlen)
{
	if (want == VM_ACCEL_AUTO && env_accel && *env_accel) {
		if (!strcmp(env_accel, "kvm"))
			want = VM_ACCEL_KVM;
		else if (!strcmp(env_accel, "tcg"))
			want = VM_ACCEL_TCG;
		else {
			snprintf(err, errlen,
				 "KTSTR_ACCEL='%s' is not valid; use KTSTR_ACCEL=kvm or "
				 "KTSTR_ACCEL=tcg, or unset it to choose automatically", env_accel);
			return -1;
		}
	}
	if (want == VM_ACCEL_TCG)
		return VM_ACCEL_TCG;
	int r = kvm_open_rw(kvm_path);
	if (want == VM_ACCEL_KVM) {
		/* Asked for explicitly: honour it even without vmx/svm, but say why it
		 * cannot open. */
		if (r == 0)
			return VM_ACCEL_KVM;
		if (r == -ENOENT || r == -ENODEV || r == -ENXIO || r == -ENOTDIR)
			snprintf(err, errlen, "%s", KVM_NOT_FOUND);
		else if (r == -EACCES || r == -EPERM)
			snprintf(err, errlen, "%s", KVM_DENIED);
		else
			snprintf(err, errlen, "%s: cannot open read-write: %s; use KTSTR_ACCEL=tcg "
				 "to run without KVM", kvm_path, strerror(-r));
		return -1;
	}
	if (r == 0 && cpuinfo_has_virt(cpuinfo_path))
		return VM_ACCEL_KVM;
	return VM_ACCEL_TCG;
}

int vm_choose_accel(enum vm_accel want, char *err, size_t errlen)
{
	return vm_choose_accel_at(want, getenv("KTSTR_ACCEL"), "/dev/kvm", "/proc/cpuinfo",
				  err, errlen);
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

unsigned vm_host_tsc_khz(void)
{
#ifdef __x86_64__
	static unsigned cached;
	if (cached)
		return cached;
	/* Only a constant, non-stop TSC ticks at one rate; otherwise lpj would lie. */
	FILE *f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return 0;
	char line[8192];
	bool constant = false, nonstop = false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		constant = strstr(line, " constant_tsc") != NULL;
		nonstop = strstr(line, " nonstop_tsc") != NULL;
		break;
	}
	fclose(f);
	if (!constant || !nonstop)
		return 0;
	/* 20 ms against CLOCK_MONOTONIC_RAW: within 0.1%, plenty for a delay-loop hint. */
	int64_t t0 = mono_ns();
	uint64_t c0 = __rdtsc();
	struct timespec d = { 0, 20 * 1000 * 1000 };
	while (nanosleep(&d, &d) < 0 && errno == EINTR)
		;
	int64_t t1 = mono_ns();
	uint64_t c1 = __rdtsc();
	if (t1 <= t0 || c1 <= c0)
		return 0;
	double khz = (double)(c1 - c0) * 1e6 / (double)(t1 - t0);
	if (khz < 1e5 || khz > 1e7) /* 100 MHz .. 10 GHz, else nonsense */
		return 0;
	cached = (unsigned)(khz + 0.5);
	return cached;
#else
	return 0;
#endif
}
