/* The qemu-system-x86_64 command line for one VM: topology -> -smp/-numa/-cpu, the kernel
 * command line, channels, accelerator; and the boot budget. Pure: no I/O here, so the
 * unit tests can assert exact strings. docs/vmm.md says why each option is there. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guestmem.h"
#include "vmm/vm_priv.h"

#define KERNEL_HZ 250 /* Debian's kernels; lpj is only a calibration shortcut */

int vm_boot_budget_ms(int vcpus, bool tcg)
{
	if (vcpus < 1)
		vcpus = 1;
	long ms = 10000L + 150L * vcpus;
	if (ms > 90000)
		ms = 90000;
	return (int)(ms * (tcg ? VM_TCG_FACTOR : 1));
}

int vm_hugepages_needed(int memory_mb)
{
	if (memory_mb <= 0)
		memory_mb = VM_DEFAULT_MEMORY_MB;
	return memory_mb / 2;
}

bool vm_hugepage_plan(int memory_mb, long free_pages, char *warn, size_t warnlen)
{
	int need = vm_hugepages_needed(memory_mb);
	if (warnlen)
		warn[0] = '\0';
	if (free_pages >= need && need > 0)
		return true;
	if (free_pages <= 0)
		snprintf(warn, warnlen,
			 "performance_mode: WARNING: no 2MB hugepages available, guest memory will use regular pages");
	else
		snprintf(warn, warnlen, "performance_mode: WARNING: need %d 2MB hugepages, only %ld "
			 "free — falling back to regular pages", need, free_pages);
	return false;
}

int vm_topo_vcpus(const struct vm_topology *t, char *err, size_t errlen)
{
	const struct { const char *name; int v; } dims[] = {
		{ "numa nodes", t->numa }, { "LLCs per node", t->llcs },
		{ "cores per LLC", t->cores }, { "threads per core", t->threads },
	};
	for (size_t i = 0; i < sizeof(dims) / sizeof(dims[0]); i++) {
		/* A node is a memfd of its own (vmm/guestmem.h), hence the lower bound on nodes. */
		int max = i == 0 ? GUESTMEM_MAX_NODES : VM_MAX_VCPUS;
		if (dims[i].v < 1 || dims[i].v > max) {
			snprintf(err, errlen,
				 "topology %dn%dl%dc%dt: %s must be between 1 and %d, got %d",
				 t->numa, t->llcs, t->cores, t->threads, dims[i].name, max, dims[i].v);
			return -EINVAL;
		}
	}
	long n = (long)t->numa * t->llcs * t->cores * t->threads;
	if (n > VM_MAX_VCPUS) {
		snprintf(err, errlen,
			 "topology %dn%dl%dc%dt has %ld vCPUs; at most %d are supported "
			 "(QEMU's -M pc limit), use fewer nodes, LLCs, cores or threads",
			 t->numa, t->llcs, t->cores, t->threads, n, VM_MAX_VCPUS);
		return -EINVAL;
	}
	return (int)n;
}

static int bits_for(int count)
{
	int b = 0;
	while ((1L << b) < count)
		b++;
	return b;
}

long vm_topo_max_apic_id(const struct vm_topology *t)
{
	/* QEMU packs an APIC ID as socket|die|core|thread, each field as wide as its count
	 * rounded up to a power of two; -smp maps node -> socket, LLC -> die. */
	int tb = bits_for(t->threads), cb = bits_for(t->cores), db = bits_for(t->llcs);
	return ((long)(t->numa - 1) << (tb + cb + db)) | ((long)(t->llcs - 1) << (tb + cb)) |
	       ((long)(t->cores - 1) << tb) | (t->threads - 1);
}

/* argv under construction; every string is heap-owned. */
struct argb { struct vm_args *a; int cap; bool oom; };

static void add(struct argb *b, const char *s)
{
	if (b->oom)
		return;
	if (b->a->argc + 2 > b->cap) {
		int ncap = b->cap ? b->cap * 2 : 64;
		char **n = realloc(b->a->argv, (size_t)ncap * sizeof(*n));
		if (!n) {
			b->oom = true;
			return;
		}
		b->a->argv = n;
		b->cap = ncap;
	}
	char *d = strdup(s);
	if (!d) {
		b->oom = true;
		return;
	}
	b->a->argv[b->a->argc++] = d;
	b->a->argv[b->a->argc] = NULL;
}

__attribute__((format(printf, 2, 3)))
static void addf(struct argb *b, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		b->oom = true;
		return;
	}
	add(b, s);
	free(s);
}

/* QEMU's option parser splits on ',' ("a,,b" escapes it); a path with a comma would be
 * misread, so refuse it rather than guess. */
static int check_path(const char *what, const char *p, char *err, size_t errlen)
{
	if (!p || !*p) {
		snprintf(err, errlen, "VM %s path is empty", what);
		return -EINVAL;
	}
	if (strchr(p, ',')) {
		snprintf(err, errlen,
			 "VM %s path '%s' contains a comma, which QEMU's option syntax cannot "
			 "take; use a path without commas", what, p);
		return -EINVAL;
	}
	return 0;
}

void vm_args_free(struct vm_args *a)
{
	if (!a)
		return;
	for (int i = 0; a->argv && i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	a->argv = NULL;
	a->argc = 0;
}

int vm_node_mb(const struct vm_config *cfg, int *node_mb)
{
	const struct vm_topology *t = &cfg->topo;
	int mem = cfg->memory_mb ? cfg->memory_mb : VM_DEFAULT_MEMORY_MB;
	/* Hugepage backing splits RAM in whole 2 MB pages (an odd MB is dropped), so every
	 * node's memfd is a multiple of the page size and -m equals their sum. */
	int unit = cfg->hugepages ? 2 : 1, units = mem / unit;
	for (int i = 0; i < t->numa && i < GUESTMEM_MAX_NODES; i++)
		node_mb[i] = (units / t->numa + (i < units % t->numa ? 1 : 0)) * unit;
	return units * unit;
}

int vm_build_args(const struct vm_config *cfg, enum vm_accel accel, const char *ctl_sock,
		  const char *shell_sock, const char *qmp_sock, struct vm_args *out,
		  char *err, size_t errlen)
{
	const struct vm_topology *t = &cfg->topo;
	memset(out, 0, sizeof(*out));
	int n = vm_topo_vcpus(t, err, errlen);
	if (n < 0)
		return n;
	if (accel != VM_ACCEL_KVM && accel != VM_ACCEL_TCG) {
		snprintf(err, errlen, "vm_build_args: accelerator must be resolved (kvm or tcg)");
		return -EINVAL;
	}
	long apic = vm_topo_max_apic_id(t);
	if (accel == VM_ACCEL_TCG && apic > VM_TCG_MAX_APIC_ID) {
		snprintf(err, errlen,
			 "topology %dn%dl%dc%dt: QEMU numbers its %d vCPUs with APIC IDs up to %ld "
			 "(threads, cores and LLCs per node each round up to a power of two), and "
			 "under TCG -M pc takes APIC IDs up to %d only; use KVM, or a shape with "
			 "power-of-two counts (e.g. near-max-llc, 240 vCPUs)",
			 t->numa, t->llcs, t->cores, t->threads, n, apic, VM_TCG_MAX_APIC_ID);
		return -EINVAL;
	}
	int mem = cfg->memory_mb ? cfg->memory_mb : VM_DEFAULT_MEMORY_MB;
	if (mem < 0 || mem / t->numa < VM_MIN_NODE_MB || mem > (1 << 20)) {
		snprintf(err, errlen,
			 "VM memory %d MB is not usable for %d NUMA node(s): each node needs at "
			 "least %d MB (and the total at most 1 TiB)", mem, t->numa,
			 VM_MIN_NODE_MB);
		return -EINVAL;
	}
	int r;
	if ((r = check_path("kernel", cfg->kernel, err, errlen)) ||
	    (r = check_path("initrd", cfg->initrd, err, errlen)) ||
	    (r = check_path("control socket", ctl_sock, err, errlen)) ||
	    (r = check_path("QMP socket", qmp_sock, err, errlen)))
		return r;
	if (cfg->shell_port && (r = check_path("shell socket", shell_sock, err, errlen)))
		return r;
	if (cfg->disk && (r = check_path("disk image", cfg->disk, err, errlen)))
		return r;

	struct argb b = { .a = out };
	add(&b, VM_QEMU_BIN);
	/* -M pc everywhere: microvm lacks ACPI (no NUMA) and its virtio-mmio transport is a
	 * module in Debian's kernel, so the control port would not exist. */
	add(&b, "-M");
	add(&b, "pc");
	add(&b, "-accel");
	/* Multi-threaded TCG oopses this kernel intermittently (DESIGN.md): single only. */
	add(&b, accel == VM_ACCEL_TCG ? "tcg,thread=single" : "kvm");
	/* An Intel vendor makes QEMU report the L3 per die, which is how LLCs are modelled. */
	add(&b, "-cpu");
	add(&b, accel == VM_ACCEL_TCG ? "max,vendor=GenuineIntel,l3-cache=on"
				      : "host,l3-cache=on");
	add(&b, "-smp");
	addf(&b, "%d,sockets=%d,dies=%d,cores=%d,threads=%d", n, t->numa, t->llcs, t->cores,
	     t->threads);
	int node_mb[GUESTMEM_MAX_NODES];
	add(&b, "-m");
	addf(&b, "%d", vm_node_mb(cfg, node_mb));
	int per_node = n / t->numa;
	for (int i = 0; i < t->numa; i++) {
		add(&b, "-object");
		/* RAM is the memfd vm_start created and passed as fd GUESTMEM_FD_BASE + i, shared
		 * so the host monitor reads what the guest writes (vmm/guestmem.h). prealloc with
		 * hugepages faults every page in at start, so a shortage fails QEMU at once
		 * instead of SIGBUS mid-run. */
		addf(&b, "memory-backend-file,id=mem%d,mem-path=/proc/self/fd/%d,size=%dM,"
		     "share=on%s", i, GUESTMEM_FD_BASE + i, node_mb[i],
		     cfg->hugepages ? ",prealloc=on" : "");
		add(&b, "-numa");
		if (per_node == 1)
			addf(&b, "node,nodeid=%d,cpus=%d,memdev=mem%d", i, i, i);
		else
			addf(&b, "node,nodeid=%d,cpus=%d-%d,memdev=mem%d", i, i * per_node,
			     (i + 1) * per_node - 1, i);
	}
	/* Performance mode starts the guest paused: vm_start pins the vCPU threads, then
	 * sends QMP cont, so no guest instruction runs unpinned. */
	if (cfg->perf_mode)
		add(&b, "-S");
	add(&b, "-nodefaults");
	add(&b, "-no-user-config");
	add(&b, "-display");
	add(&b, "none");
	add(&b, "-no-reboot");
	/* ttyS0 is the kernel console; QEMU's stdout is a pipe vm_start reads. */
	add(&b, "-chardev");
	add(&b, "stdio,id=con,signal=off");
	add(&b, "-serial");
	add(&b, "chardev:con");
	add(&b, "-qmp");
	addf(&b, "unix:%s,server=on,wait=off", qmp_sock);
	add(&b, "-device");
	add(&b, "virtio-serial-pci,id=vser");
	add(&b, "-chardev");
	addf(&b, "socket,id=ctl,path=%s,server=on,wait=off", ctl_sock);
	add(&b, "-device");
	add(&b, "virtserialport,bus=vser.0,chardev=ctl,name=org.ktstr.ctl");
	if (cfg->shell_port) {
		add(&b, "-chardev");
		addf(&b, "socket,id=shell,path=%s,server=on,wait=off", shell_sock);
		add(&b, "-device");
		add(&b, "virtserialport,bus=vser.0,chardev=shell,name=org.ktstr.shell");
	}
	if (cfg->disk) {
		/* The I/O work types' disk: raw, on virtio-blk-pci (the PCI transport is built
		 * into Debian's kernel, the driver is virtio_blk.ko). Writeback cache: guest
		 * flushes become fdatasync of the image, as on a real disk with a cache. */
		add(&b, "-drive");
		addf(&b, "file=%s,format=raw,if=none,id=disk0,cache=writeback,discard=ignore",
		     cfg->disk);
		add(&b, "-device");
		add(&b, "virtio-blk-pci,drive=disk0,serial=ktstr-disk0");
	}
	add(&b, "-kernel");
	add(&b, cfg->kernel);
	add(&b, "-initrd");
	add(&b, cfg->initrd);

	char cmd[2048]; /* x86 COMMAND_LINE_SIZE */
	int len = snprintf(cmd, sizeof(cmd),
			   "console=ttyS0 rdinit=/init panic=-1 loglevel=5 no_timer_check "
			   "i8042.noaux random.trust_cpu=on mitigations=off nokaslr");
	if (cfg->tsc_khz)
		len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " lpj=%llu",
				(unsigned long long)cfg->tsc_khz * 1000ull / KERNEL_HZ);
	if (cfg->cmdline_extra && *cfg->cmdline_extra)
		len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " %s",
				cfg->cmdline_extra);
	if (len >= (int)sizeof(cmd)) {
		vm_args_free(out);
		snprintf(err, errlen,
			 "kernel command line too long (%d bytes, max %zu); shorten the extra "
			 "kernel arguments", len, sizeof(cmd) - 1);
		return -E2BIG;
	}
	add(&b, "-append");
	add(&b, cmd);
	if (cfg->incoming) {
		add(&b, "-incoming");
		add(&b, cfg->incoming);
	}
	if (b.oom) {
		vm_args_free(out);
		snprintf(err, errlen, "out of memory building the QEMU command line");
		return -ENOMEM;
	}
	return 0;
}
