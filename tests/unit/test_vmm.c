/* vmm/ without a VM: QEMU command lines per topology, boot budget, accelerator choice, line
 * splitting, console.log, QMP helpers, performance mode's arithmetic. Real boots are in
 * test_vmm_real.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "tests/unit/tenv.h"
#include "vmm/vm.h"
#include "vmm/vm_priv.h"

/* ---------- helpers ---------- */

static struct vm_config base_cfg(int n, int l, int c, int t)
{
	return (struct vm_config){ .topo = { n, l, c, t }, .memory_mb = 1024,
				   .kernel = "/k/vmlinux", .initrd = "/k/initrd.cpio",
				   .run_dir = "/k/run", .tsc_khz = 2299998 };
}

/* The value after the nth occurrence of flag, or NULL. */
static const char *argval(const struct vm_args *a, const char *flag, int nth)
{
	for (int i = 0; i + 1 < a->argc; i++)
		if (!strcmp(a->argv[i], flag) && nth-- == 0)
			return a->argv[i + 1];
	return NULL;
}

static bool hasarg(const struct vm_args *a, const char *s)
{
	for (int i = 0; i < a->argc; i++)
		if (!strcmp(a->argv[i], s))
			return true;
	return false;
}

static void build_ok(const struct vm_config *cfg, enum vm_accel acc, struct vm_args *a)
{
	char err[512] = "";
	int r = vm_build_args(cfg, acc, "/r/ctl.sock", cfg->shell_port ? "/r/shell.sock" : NULL,
			      "/r/qmp.sock", a, err, sizeof(err));
	cr_assert_eq(r, 0, "vm_build_args failed: %s", err);
	cr_assert_null(a->argv[a->argc], "argv must be NULL-terminated");
}

struct shape { int n, l, c, t; const char *smp; const char *numa[2]; const char *mem[2]; };

static void check_shape(const struct shape *s)
{
	struct vm_config cfg = base_cfg(s->n, s->l, s->c, s->t);
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(argval(&a, "-smp", 0), s->smp, "%dn%dl%dc%dt -smp", s->n, s->l, s->c, s->t);
	for (int i = 0; i < 2; i++) {
		const char *got = argval(&a, "-numa", i);
		const char *mem = argval(&a, "-object", i);
		if (!s->numa[i]) {
			cr_expect_null(got, "unexpected -numa %s", got);
			continue;
		}
		cr_expect(got && !strcmp(got, s->numa[i]), "-numa #%d: got '%s' want '%s'", i,
			  got ? got : "(none)", s->numa[i]);
		cr_expect(mem && !strcmp(mem, s->mem[i]), "-object #%d: got '%s' want '%s'", i,
			  mem ? mem : "(none)", s->mem[i]);
	}
	vm_args_free(&a);
}

/* ---------- topology -> argv ---------- */

Test(vmm_args, single_llc_two_cores_is_one_socket_one_die)
{
	struct shape s = { 1, 1, 2, 1, "2,sockets=1,dies=1,cores=2,threads=1",
			   { "node,nodeid=0,cpus=0-1,memdev=mem0" },
			   { "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=1024M,share=on" } };
	check_shape(&s);
}

Test(vmm_args, two_llcs_become_two_dies)
{
	struct shape s = { 1, 2, 1, 1, "2,sockets=1,dies=2,cores=1,threads=1",
			   { "node,nodeid=0,cpus=0-1,memdev=mem0" },
			   { "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=1024M,share=on" } };
	check_shape(&s);
}

Test(vmm_args, two_nodes_become_two_sockets_with_split_memory)
{
	struct shape s = { 2, 2, 1, 1, "4,sockets=2,dies=2,cores=1,threads=1",
			   { "node,nodeid=0,cpus=0-1,memdev=mem0",
			     "node,nodeid=1,cpus=2-3,memdev=mem1" },
			   { "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=512M,share=on",
			     "memory-backend-file,id=mem1,mem-path=/proc/self/fd/4,size=512M,share=on" } };
	check_shape(&s);
}

Test(vmm_args, smt_threads_map_to_threads)
{
	struct shape s = { 1, 1, 1, 2, "2,sockets=1,dies=1,cores=1,threads=2",
			   { "node,nodeid=0,cpus=0-1,memdev=mem0" },
			   { "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=1024M,share=on" } };
	check_shape(&s);
}

Test(vmm_args, one_cpu_per_node_uses_single_cpu_ranges)
{
	struct shape s = { 2, 1, 1, 1, "2,sockets=2,dies=1,cores=1,threads=1",
			   { "node,nodeid=0,cpus=0,memdev=mem0", "node,nodeid=1,cpus=1,memdev=mem1" },
			   { "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=512M,share=on",
			     "memory-backend-file,id=mem1,mem-path=/proc/self/fd/4,size=512M,share=on" } };
	check_shape(&s);
}

Test(vmm_args, sixty_four_vcpus_is_the_largest_accepted_shape)
{
	struct shape s = { 2, 4, 4, 2, "64,sockets=2,dies=4,cores=4,threads=2",
			   { "node,nodeid=0,cpus=0-31,memdev=mem0",
			     "node,nodeid=1,cpus=32-63,memdev=mem1" },
			   { "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=512M,share=on",
			     "memory-backend-file,id=mem1,mem-path=/proc/self/fd/4,size=512M,share=on" } };
	check_shape(&s);
}

Test(vmm_args, odd_memory_is_split_so_nodes_sum_to_total)
{
	struct vm_config cfg = base_cfg(2, 1, 1, 1);
	cfg.memory_mb = 1025;
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(argval(&a, "-m", 0), "1025");
	cr_expect_str_eq(argval(&a, "-object", 0), "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=513M,share=on");
	cr_expect_str_eq(argval(&a, "-object", 1), "memory-backend-file,id=mem1,mem-path=/proc/self/fd/4,size=512M,share=on");
	vm_args_free(&a);
}

Test(vmm_args, tcg_is_single_threaded_with_intel_l3_per_die)
{
	struct vm_config cfg = base_cfg(1, 1, 2, 1);
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(a.argv[0], "qemu-system-x86_64");
	cr_expect_str_eq(argval(&a, "-accel", 0), "tcg,thread=single");
	cr_expect_str_eq(argval(&a, "-cpu", 0), "max,vendor=GenuineIntel,l3-cache=on");
	cr_expect_str_eq(argval(&a, "-M", 0), "pc");
	cr_expect_str_eq(argval(&a, "-display", 0), "none");
	cr_expect(hasarg(&a, "-nodefaults") && hasarg(&a, "-no-user-config") &&
		  hasarg(&a, "-no-reboot"), "missing -nodefaults/-no-user-config/-no-reboot");
	cr_expect_str_eq(argval(&a, "-kernel", 0), "/k/vmlinux");
	cr_expect_str_eq(argval(&a, "-initrd", 0), "/k/initrd.cpio");
	cr_expect_str_eq(argval(&a, "-qmp", 0), "unix:/r/qmp.sock,server=on,wait=off");
	vm_args_free(&a);
}

Test(vmm_args, kvm_uses_kvm_accel_and_host_cpu)
{
	struct vm_config cfg = base_cfg(1, 1, 2, 1);
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_KVM, &a);
	cr_expect_str_eq(argval(&a, "-accel", 0), "kvm");
	cr_expect_str_eq(argval(&a, "-cpu", 0), "host,l3-cache=on");
	vm_args_free(&a);
}

Test(vmm_args, kernel_cmdline_has_console_init_panic_lpj_then_extra)
{
	struct vm_config cfg = base_cfg(1, 1, 1, 1);
	cfg.cmdline_extra = "sched_ext.foo=1 loglevel=7";
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	const char *ap = argval(&a, "-append", 0);
	cr_assert_not_null(ap);
	cr_expect(strstr(ap, "console=ttyS0 ") == ap, "append: %s", ap);
	cr_expect(strstr(ap, " rdinit=/init "), "append: %s", ap);
	cr_expect(strstr(ap, " panic=-1 "), "append: %s", ap);
	cr_expect(strstr(ap, " loglevel=5 "), "append: %s", ap);
	cr_expect(strstr(ap, " lpj=9199992 "), "2299998 kHz * 1000 / 250 = 9199992: %s", ap);
	const char *tail = " sched_ext.foo=1 loglevel=7";
	cr_expect_str_eq(ap + strlen(ap) - strlen(tail), tail, "extra must come last: %s", ap);
	vm_args_free(&a);
}

Test(vmm_args, no_lpj_when_tsc_unknown)
{
	struct vm_config cfg = base_cfg(1, 1, 1, 1);
	cfg.tsc_khz = 0;
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_null(strstr(argval(&a, "-append", 0), "lpj="));
	vm_args_free(&a);
}

Test(vmm_args, control_port_always_shell_port_only_when_asked)
{
	struct vm_config cfg = base_cfg(1, 1, 1, 1);
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(argval(&a, "-chardev", 1), "socket,id=ctl,path=/r/ctl.sock,server=on,wait=off");
	cr_expect(hasarg(&a, "virtserialport,bus=vser.0,chardev=ctl,name=org.ktstr.ctl"));
	cr_expect(!hasarg(&a, "virtserialport,bus=vser.0,chardev=shell,name=org.ktstr.shell"));
	vm_args_free(&a);
	cfg.shell_port = true;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(argval(&a, "-chardev", 2), "socket,id=shell,path=/r/shell.sock,server=on,wait=off");
	cr_expect(hasarg(&a, "virtserialport,bus=vser.0,chardev=shell,name=org.ktstr.shell"));
	vm_args_free(&a);
}

static void expect_reject(struct vm_config cfg, const char *needle)
{
	struct vm_args a;
	char err[512] = "";
	int r = vm_build_args(&cfg, VM_ACCEL_TCG, "/r/c", NULL, "/r/q", &a, err, sizeof(err));
	cr_expect_eq(r, -EINVAL, "%dn%dl%dc%dt should be rejected, got %d", cfg.topo.numa,
		     cfg.topo.llcs, cfg.topo.cores, cfg.topo.threads, r);
	cr_expect(strstr(err, needle), "error '%s' should mention '%s'", err, needle);
	cr_expect_null(a.argv, "no argv on failure");
}

Test(vmm_args, zero_or_negative_dimensions_are_rejected)
{
	expect_reject(base_cfg(0, 1, 1, 1), "numa nodes must be between 1 and 64, got 0");
	expect_reject(base_cfg(1, 0, 1, 1), "LLCs per node must be between 1 and 255, got 0");
	expect_reject(base_cfg(1, 1, 0, 1), "cores per LLC must be between 1 and 255, got 0");
	expect_reject(base_cfg(1, 1, 1, 0), "threads per core must be between 1 and 255, got 0");
	expect_reject(base_cfg(1, 1, -3, 1), "got -3");
}

Test(vmm_args, more_than_255_vcpus_is_rejected)
{
	expect_reject(base_cfg(1, 1, 256, 1), "cores per LLC must be between 1 and 255, got 256");
	expect_reject(base_cfg(65, 1, 1, 1), "numa nodes must be between 1 and 64, got 65");
	expect_reject(base_cfg(2, 4, 16, 2),
		      "has 256 vCPUs; at most 255 are supported (QEMU's -M pc limit)");
	expect_reject(base_cfg(64, 64, 64, 64), "at most 255");
}

Test(vmm_args, up_to_255_vcpus_build_when_the_apic_ids_fit)
{
	struct vm_args a;
	char err[512] = "";
	/* near-max-llc: 240 vCPUs, APIC IDs up to 239 (the real QEMU 7.2 starts it under TCG). */
	struct vm_config cfg = base_cfg(1, 15, 8, 2);
	cfg.memory_mb = 4096;
	cr_assert_eq(vm_build_args(&cfg, VM_ACCEL_TCG, "/r/c", NULL, "/r/q", &a, err, sizeof(err)), 0,
		     "%s", err);
	cr_expect_str_eq(argval(&a, "-smp", 0), "240,sockets=1,dies=15,cores=8,threads=2");
	vm_args_free(&a);
	cfg = base_cfg(1, 1, 255, 1); /* 255 vCPUs, IDs 0..254 */
	cr_assert_eq(vm_build_args(&cfg, VM_ACCEL_TCG, "/r/c", NULL, "/r/q", &a, err, sizeof(err)), 0,
		     "%s", err);
	vm_args_free(&a);
}

Test(vmm_args, apic_ids_past_254_are_refused_under_tcg_only)
{
	struct vm_topology t = { 1, 14, 9, 2 }; /* max-cpu: 1 thread bit, 4 core bits, 4 die bits */
	cr_expect_eq(vm_topo_max_apic_id(&t), (13L << 5) | (8 << 1) | 1);
	t = (struct vm_topology){ 4, 3, 8, 2 }; /* numa4-12llc */
	cr_expect_eq(vm_topo_max_apic_id(&t), (3L << 6) | (2 << 4) | (7 << 1) | 1);
	t = (struct vm_topology){ 1, 1, 1, 1 };
	cr_expect_eq(vm_topo_max_apic_id(&t), 0);
	struct vm_config cfg = base_cfg(1, 14, 9, 2);
	cfg.memory_mb = 4096;
	expect_reject(cfg, "topology 1n14l9c2t: QEMU numbers its 252 vCPUs with APIC IDs up to 433");
	expect_reject(cfg, "under TCG -M pc takes APIC IDs up to 254 only");
	struct vm_args a;
	char err[512] = "";
	cr_expect_eq(vm_build_args(&cfg, VM_ACCEL_KVM, "/r/c", NULL, "/r/q", &a, err, sizeof(err)), 0,
		     "KVM leaves wide APIC IDs to QEMU's x2APIC support: %s", err);
	vm_args_free(&a);
}

Test(vmm_args, too_little_memory_per_node_is_rejected)
{
	struct vm_config cfg = base_cfg(4, 1, 1, 1);
	cfg.memory_mb = 200;
	expect_reject(cfg, "each node needs at least 64 MB");
}

Test(vmm_args, comma_in_path_is_rejected_not_misparsed)
{
	struct vm_config cfg = base_cfg(1, 1, 1, 1);
	cfg.kernel = "/k/a,b";
	expect_reject(cfg, "contains a comma");
}

Test(vmm_args, disk_only_when_given_as_raw_virtio_blk_pci)
{
	struct vm_config cfg = base_cfg(1, 1, 2, 1);
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_null(argval(&a, "-drive", 0), "no disk without cfg.disk");
	for (int i = 0; i < a.argc; i++)
		cr_expect_null(strstr(a.argv[i], "virtio-blk"), "argv[%d] '%s'", i, a.argv[i]);
	vm_args_free(&a);
	cfg.disk = "/k/run/disk.img";
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(argval(&a, "-drive", 0), "file=/k/run/disk.img,format=raw,if=none,id=disk0,"
			 "cache=writeback,discard=ignore");
	cr_expect(hasarg(&a, "virtio-blk-pci,drive=disk0,serial=ktstr-disk0"));
	cr_expect_null(argval(&a, "-drive", 1), "one disk");
	vm_args_free(&a);
	cfg.disk = "/k/a,b/disk.img";
	expect_reject(cfg, "VM disk image path '/k/a,b/disk.img' contains a comma");
}

/* ---------- boot budget ---------- */

Test(vmm_budget, ten_seconds_plus_150ms_per_vcpu)
{
	cr_expect_eq(vm_boot_budget_ms(1, false), 10150);
	cr_expect_eq(vm_boot_budget_ms(4, false), 10600);
	cr_expect_eq(vm_boot_budget_ms(64, false), 19600);
}

Test(vmm_budget, capped_at_90_seconds)
{
	cr_expect_eq(vm_boot_budget_ms(533, false), 89950);
	cr_expect_eq(vm_boot_budget_ms(534, false), 90000);
	cr_expect_eq(vm_boot_budget_ms(10000, false), 90000);
}

Test(vmm_budget, tcg_multiplies_after_the_cap)
{
	cr_expect_eq(vm_boot_budget_ms(2, true), 10300 * VM_TCG_FACTOR);
	cr_expect_eq(vm_boot_budget_ms(10000, true), 90000 * VM_TCG_FACTOR);
}

/* ---------- accelerator choice ---------- */

static char tmpdir[256];

static void mk_tmpdir(void)
{
	tenv_mkdtemp(tmpdir, sizeof(tmpdir), "ktstr-test-vmm");
}

static void rm_tmpdir(void)
{
	fs_rm_rf(tmpdir);
}

/* A path in tmpdir that does not exist. */
static const char *missing(void)
{
	static char p[300];
	snprintf(p, sizeof(p), "%s/no/file", tmpdir);
	return p;
}

static char *tmpfile_with(const char *name, const char *content, mode_t mode)
{
	static char paths[4][256];
	static int k;
	char *p = paths[k++ % 4];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f, "create %s", p);
	fputs(content, f);
	fclose(f);
	chmod(p, mode);
	return p;
}

static const char NOT_FOUND[] =
	"/dev/kvm not found. KVM requires:\n"
	"  - Linux kernel with KVM support (CONFIG_KVM)\n"
	"  - Access to /dev/kvm (check permissions or add user to 'kvm' group)\n"
	"  - Hardware virtualization enabled in BIOS (VT-x/AMD-V)";
static const char DENIED[] =
	"/dev/kvm: permission denied. Add your user to the 'kvm' group:\n"
	"  sudo usermod -aG kvm $USER\n"
	"  then log out and back in.";

Test(vmm_accel, auto_picks_kvm_only_with_device_and_vmx_or_svm, .init = mk_tmpdir, .fini = rm_tmpdir)
{
	char err[512] = "";
	const char *dev = tmpfile_with("kvm", "", 0600);
	const char *vmx = tmpfile_with("ci1", "processor\t: 0\nflags\t\t: fpu vme vmx sse\n", 0644);
	const char *svm = tmpfile_with("ci2", "flags\t\t: fpu svm\n", 0644);
	const char *none = tmpfile_with("ci3", "flags\t\t: fpu vmxx hypervisor svm_lock\n", 0644);
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_AUTO, NULL, dev, vmx, err, sizeof(err)), VM_ACCEL_KVM);
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_AUTO, NULL, dev, svm, err, sizeof(err)), VM_ACCEL_KVM);
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_AUTO, NULL, dev, none, err, sizeof(err)), VM_ACCEL_TCG,
		     "vmxx/svm_lock are not vmx/svm");
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_AUTO, "", missing(), vmx, err, sizeof(err)),
		     VM_ACCEL_TCG, "no device -> TCG");
}

Test(vmm_accel, env_overrides_auto_but_not_an_explicit_choice, .init = mk_tmpdir, .fini = rm_tmpdir)
{
	char err[512] = "";
	const char *dev = tmpfile_with("kvm", "", 0600);
	const char *vmx = tmpfile_with("ci", "flags\t\t: vmx\n", 0644);
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_AUTO, "tcg", dev, vmx, err, sizeof(err)), VM_ACCEL_TCG);
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_AUTO, "kvm", dev, missing(), err, sizeof(err)),
		     VM_ACCEL_KVM, "explicit kvm does not need vmx in cpuinfo");
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_TCG, "kvm", dev, vmx, err, sizeof(err)), VM_ACCEL_TCG);
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_AUTO, "qemu", dev, vmx, err, sizeof(err)), -1);
	cr_expect(strstr(err, "KTSTR_ACCEL='qemu' is not valid"), "err: %s", err);
}

Test(vmm_accel, kvm_asked_without_device_gives_the_seed_not_found_text, .init = mk_tmpdir,
     .fini = rm_tmpdir)
{
	char err[512] = "";
	const char *vmx = tmpfile_with("ci", "flags\t\t: vmx\n", 0644);
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_AUTO, "kvm", missing(), vmx, err, sizeof(err)), -1);
	cr_expect_str_eq(err, NOT_FOUND);
	err[0] = '\0';
	cr_expect_eq(vm_choose_accel_at(VM_ACCEL_KVM, NULL, missing(), vmx, err, sizeof(err)), -1);
	cr_expect_str_eq(err, NOT_FOUND);
}

Test(vmm_accel, kvm_asked_without_permission_gives_the_seed_denied_text, .init = mk_tmpdir, .fini = rm_tmpdir)
{
	const char *dev = tmpfile_with("kvm", "", 0600);
	chmod(tmpdir, 0755);
	/* root ignores file modes: act as nobody, keeping root as the saved uid so the
	 * .fini can still clean up */
	bool root = geteuid() == 0;
	if (root)
		cr_assert_eq(setresuid(65534, 65534, 0), 0, "setresuid: %s", strerror(errno));
	char err[512] = "";
	int kvm = vm_choose_accel_at(VM_ACCEL_KVM, NULL, dev, "/proc/cpuinfo", err, sizeof(err));
	int aut = vm_choose_accel_at(VM_ACCEL_AUTO, NULL, dev, "/proc/cpuinfo", err + 256, 256);
	if (root)
		cr_assert_eq(setresuid(0, 0, 0), 0, "restore uid: %s", strerror(errno));
	cr_expect_eq(kvm, -1);
	cr_expect_str_eq(err, DENIED);
	cr_expect_eq(aut, VM_ACCEL_TCG, "AUTO falls back to TCG silently");
}

Test(vmm_accel, names)
{
	cr_expect_str_eq(vm_accel_name(VM_ACCEL_KVM), "kvm");
	cr_expect_str_eq(vm_accel_name(VM_ACCEL_TCG), "tcg");
}

/* ---------- line splitting and the console ring ---------- */

struct lines { char l[64][2048]; int n; };
static void collect(void *ctx, const char *line)
{
	struct lines *ls = ctx;
	if (ls->n < 64)
		snprintf(ls->l[ls->n++], 2048, "%s", line);
}

Test(vmm_lines, lines_split_across_reads_and_crlf_stripped)
{
	struct vm_linebuf lb;
	struct lines ls = { .n = 0 };
	cr_assert_eq(vm_linebuf_init(&lb, 64, true), 0);
	vm_linebuf_feed(&lb, "hel", 3, collect, &ls);
	cr_expect_eq(ls.n, 0);
	vm_linebuf_feed(&lb, "lo\r\nwor", 7, collect, &ls);
	vm_linebuf_feed(&lb, "ld\n\n", 4, collect, &ls);
	vm_linebuf_feed(&lb, "partial", 7, collect, &ls);
	vm_linebuf_flush(&lb, collect, &ls);
	cr_assert_eq(ls.n, 4);
	cr_expect_str_eq(ls.l[0], "hello");
	cr_expect_str_eq(ls.l[1], "world");
	cr_expect_str_eq(ls.l[2], "");
	cr_expect_str_eq(ls.l[3], "partial");
	vm_linebuf_done(&lb);
}

Test(vmm_lines, overlong_line_is_cut_and_its_rest_dropped)
{
	struct vm_linebuf lb;
	struct lines ls = { .n = 0 };
	cr_assert_eq(vm_linebuf_init(&lb, 8, false), 0);
	char big[100];
	memset(big, 'x', sizeof(big));
	vm_linebuf_feed(&lb, big, sizeof(big), collect, &ls);
	vm_linebuf_feed(&lb, "yy\nok\n", 6, collect, &ls);
	cr_assert_eq(ls.n, 2, "got %d lines", ls.n);
	cr_expect_str_eq(ls.l[0], "xxxxxxxx");
	cr_expect_str_eq(ls.l[1], "ok");
	vm_linebuf_done(&lb);
}

Test(vmm_lines, console_control_bytes_are_replaced)
{
	struct vm_linebuf lb;
	struct lines ls = { .n = 0 };
	cr_assert_eq(vm_linebuf_init(&lb, 64, true), 0);
	vm_linebuf_feed(&lb, "a\033[0mb\0c\tz\n", 11, collect, &ls);
	cr_assert_eq(ls.n, 1);
	cr_expect_str_eq(ls.l[0], "a?[0mb?c\tz");
	vm_linebuf_done(&lb);
}

Test(vmm_console, log_keeps_every_line, .init = mk_tmpdir, .fini = rm_tmpdir)
{
	char err[256], path[300];
	struct vm_console *c = vm_console_new();
	cr_assert_not_null(c);
	snprintf(path, sizeof(path), "%s/console.log", tmpdir);
	cr_assert_eq(vm_console_open_log(c, path, err, sizeof(err)), 0, "%s", err);
	for (int i = 0; i < 30; i++) {
		char l[32];
		snprintf(l, sizeof(l), "line %d", i);
		vm_console_push(c, l);
	}
	vm_console_free(c);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	int n = 0;
	char buf[64];
	while (fgets(buf, sizeof(buf), f))
		n++;
	fclose(f);
	cr_expect_eq(n, 30, "console.log has every line, got %d", n);
}

/* ---------- QMP helpers ---------- */

Test(vmm_qmp, cpus_parse_takes_host_tid_not_props_thread_id)
{
	const char *resp = "{\"return\": [{\"thread-id\": 4242, \"props\": {\"core-id\": 0, "
			   "\"thread-id\": 1, \"socket-id\": 0}, \"qom-path\": \"/m\", "
			   "\"cpu-index\": 1, \"target\": \"x86_64\"}, {\"thread-id\": 4241, "
			   "\"props\": {\"thread-id\": 0}, \"cpu-index\": 0}]}";
	int tids[4];
	cr_assert_eq(vm_qmp_parse_cpus(resp, tids, 4), 2);
	cr_expect_eq(tids[0], 4241);
	cr_expect_eq(tids[1], 4242);
	cr_expect_eq(vm_qmp_parse_cpus("{\"error\": {}}", tids, 4), 0);
	cr_expect_eq(vm_qmp_parse_cpus("garbage", tids, 4), 0);
}

Test(vmm_qmp, sysrq_upper_case_adds_shift)
{
	char buf[512];
	cr_assert_eq(vm_qmp_sysrq_cmd('D', buf, sizeof(buf)), 0);
	cr_expect(strstr(buf, "\"shift\"},{\"type\":\"qcode\",\"data\":\"alt\"},"
			      "{\"type\":\"qcode\",\"data\":\"sysrq\"},{\"type\":\"qcode\",\"data\":\"d\"}"),
		  "%s", buf);
	cr_assert_eq(vm_qmp_sysrq_cmd('h', buf, sizeof(buf)), 0);
	cr_expect_null(strstr(buf, "shift"), "%s", buf);
	cr_expect_eq(vm_qmp_sysrq_cmd('\n', buf, sizeof(buf)), -EINVAL);
}

/* ---------- performance mode: hugepage arithmetic and memory backends ---------- */

static const char NO_HUGE[] = "performance_mode: WARNING: no 2MB hugepages available, guest "
			      "memory will use regular pages";

Test(vmm_perf, hugepages_needed_is_memory_over_two_mb)
{
	cr_expect_eq(vm_hugepages_needed(512), 256);
	cr_expect_eq(vm_hugepages_needed(1025), 512, "an odd MB does not need its own page");
	cr_expect_eq(vm_hugepages_needed(0), VM_DEFAULT_MEMORY_MB / 2, "0 means the default size");
}

Test(vmm_perf, enough_free_pages_means_hugepages_and_no_warning)
{
	char w[256] = "stale";
	cr_expect(vm_hugepage_plan(512, 256, w, sizeof(w)), "exactly enough pages");
	cr_expect_str_eq(w, "");
	cr_expect(vm_hugepage_plan(512, 2048, w, sizeof(w)));
}

Test(vmm_perf, no_free_pages_gives_the_seed_none_available_warning)
{
	char w[256];
	cr_expect_not(vm_hugepage_plan(512, 0, w, sizeof(w)));
	cr_expect_str_eq(w, NO_HUGE);
	cr_expect_not(vm_hugepage_plan(512, -1, w, sizeof(w)), "unreadable count is none");
	cr_expect_str_eq(w, NO_HUGE);
}

Test(vmm_perf, too_few_free_pages_gives_need_n_only_k)
{
	char w[256];
	cr_expect_not(vm_hugepage_plan(1024, 64, w, sizeof(w)));
	cr_expect_str_eq(w, "performance_mode: WARNING: need 512 2MB hugepages, only 64 free — "
			    "falling back to regular pages");
	cr_expect_not(vm_hugepage_plan(512, 255, w, sizeof(w)), "one page short is short");
	cr_expect(strstr(w, "need 256 2MB hugepages, only 255 free"), "%s", w);
}

Test(vmm_perf, free_hugepages_file_is_read_and_missing_counts_as_zero, .init = mk_tmpdir,
     .fini = rm_tmpdir)
{
	cr_expect_eq(vm_free_hugepages(tmpfile_with("free", "300\n", 0644)), 300);
	cr_expect_eq(vm_free_hugepages(tmpfile_with("junk", "x\n", 0644)), 0);
	cr_expect_eq(vm_free_hugepages(missing()), 0);
}

/* The hugetlb memfd itself is vm_start's (guestmem_create); QEMU gets it as a file. */
Test(vmm_perf, hugepage_backend_is_a_prealloc_memfd_file_per_node)
{
	struct vm_config cfg = base_cfg(2, 1, 1, 1);
	cfg.memory_mb = 512;
	cfg.hugepages = true;
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(argval(&a, "-m", 0), "512");
	cr_expect_str_eq(argval(&a, "-object", 0), "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,"
			 "size=256M,share=on,prealloc=on");
	cr_expect_str_eq(argval(&a, "-object", 1), "memory-backend-file,id=mem1,mem-path=/proc/self/fd/4,"
			 "size=256M,share=on,prealloc=on");
	cr_expect_str_eq(argval(&a, "-numa", 1), "node,nodeid=1,cpus=1,memdev=mem1");
	vm_args_free(&a);
}

Test(vmm_perf, hugepage_nodes_are_whole_pages_and_sum_to_m)
{
	struct vm_config cfg = base_cfg(3, 1, 1, 1);
	cfg.memory_mb = 515; /* 257 pages over 3 nodes; the odd MB is dropped */
	cfg.hugepages = true;
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(argval(&a, "-m", 0), "514");
	const char *want[] = { "size=172M", "size=172M", "size=170M" };
	for (int i = 0; i < 3; i++) {
		const char *o = argval(&a, "-object", i);
		cr_expect(o && strstr(o, want[i]) && strstr(o, "prealloc=on"), "node %d: %s", i,
			  o ? o : "(none)");
	}
	vm_args_free(&a);
}

Test(vmm_perf, regular_ram_and_no_pause_without_perf_mode)
{
	struct vm_config cfg = base_cfg(1, 1, 2, 1);
	struct vm_args a;
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect_str_eq(argval(&a, "-object", 0), "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=1024M,share=on");
	cr_expect_not(hasarg(&a, "-S"), "only perf mode starts paused");
	vm_args_free(&a);
	cfg.perf_mode = true; /* perf mode without enough hugepages: paused, regular RAM */
	build_ok(&cfg, VM_ACCEL_TCG, &a);
	cr_expect(hasarg(&a, "-S"), "perf mode starts paused so vCPUs are pinned first");
	cr_expect_str_eq(argval(&a, "-object", 0), "memory-backend-file,id=mem0,mem-path=/proc/self/fd/3,size=1024M,share=on");
	vm_args_free(&a);
}

Test(vmm_perf, vm_note_joins_lines_and_never_overflows)
{
	char buf[40] = "";
	vm_note(buf, sizeof(buf), "first %d", 1);
	vm_note(buf, sizeof(buf), "second");
	cr_expect_str_eq(buf, "first 1\nsecond");
	for (int i = 0; i < 20; i++)
		vm_note(buf, sizeof(buf), "a long line that does not fit");
	cr_expect_lt(strlen(buf), sizeof(buf));
}
