/* vmm/ against a real QEMU (a tiny busybox initramfs built here): the control port both
 * ways, SysRq, vCPU tids, the watchdog, kill-all, start errors. */
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
/* A small file under tmpdir (the name is kept in one of 4 rotating buffers). */
static const char *file_with(const char *name, const char *content)
{
	static char paths[4][256];
	static int k;
	char *p = paths[k++ % 4];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	cr_assert_eq(fs_write_atomic(p, content, strlen(content), 0644), 0, "create %s", p);
	return p;
}

static struct vm_config small_cfg(void)
{
	return (struct vm_config){ .topo = { 1, 1, 1, 1 }, .memory_mb = 1024, .run_dir = tmpdir,
				   .accel = VM_ACCEL_TCG, .tsc_khz = 2299998 };
}

/* ---------- real QEMU ---------- */

/* Minimal newc cpio writer: enough for a busybox initramfs. */
static void cpio_entry(FILE *f, const char *name, unsigned mode, const void *data, size_t len,
		       unsigned rmaj, unsigned rmin)
{
	static unsigned ino = 1;
	size_t nl = strlen(name) + 1;
	fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino++, mode,
		0u, 0u, 1u, 0u, len, 0u, 0u, rmaj, rmin, nl, 0u);
	fwrite(name, 1, nl, f);
	for (size_t p = (110 + nl) % 4; p && p < 4; p++)
		fputc(0, f);
	if (len)
		fwrite(data, 1, len, f);
	for (size_t p = len % 4; p && p < 4; p++)
		fputc(0, f);
}

static void build_initramfs(const char *path, const char *init)
{
	char bbpath[4096];
	tenv_which("busybox", "busybox-static", bbpath, sizeof(bbpath));
	FILE *bb = fopen(bbpath, "rb");
	cr_assert_not_null(bb, "%s: %s", bbpath, strerror(errno));
	fseek(bb, 0, SEEK_END);
	long n = ftell(bb);
	fseek(bb, 0, SEEK_SET);
	char *data = malloc((size_t)n);
	cr_assert_eq(fread(data, 1, (size_t)n, bb), (size_t)n);
	fclose(bb);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	const char *dirs[] = { "bin", "dev", "sys", "proc" };
	for (int i = 0; i < 4; i++)
		cpio_entry(f, dirs[i], 040755, NULL, 0, 0, 0);
	cpio_entry(f, "dev/console", 020600, NULL, 0, 5, 1);
	cpio_entry(f, "bin/busybox", 0100755, data, (size_t)n, 0, 0);
	cpio_entry(f, "init", 0100755, init, strlen(init), 0, 0);
	cpio_entry(f, "TRAILER!!!", 0, NULL, 0, 0, 0);
	fclose(f);
	free(data);
}

static const char HELLO_INIT[] =
	"#!/bin/busybox sh\n"
	"/bin/busybox mount -t sysfs sys /sys\n"
	"/bin/busybox mount -t devtmpfs dev /dev\n"
	"for p in /sys/class/virtio-ports/*; do\n"
	"  [ \"$(/bin/busybox cat $p/name)\" = org.ktstr.ctl ] && port=/dev/${p##*/}\n"
	"done\n"
	"exec 3<>$port\n"
	"echo hello >&3\n"
	"read line <&3\n"
	"echo \"got $line\" >&3\n"
	"/bin/busybox sleep 1\n"
	"/bin/busybox poweroff -f\n";

struct seen { bool hello, got_ping, sysrq; int ctl_lines; struct vm *vm; int sent; };

static void seen_ctl(void *ctx, const char *line)
{
	struct seen *s = ctx;
	s->ctl_lines++;
	if (!strcmp(line, "hello")) {
		s->hello = true;
		s->sent = vm_sysrq(s->vm, 'h') ?: vm_ctl_send(s->vm, "ping");
	}
	if (!strcmp(line, "got ping"))
		s->got_ping = true;
}

static void seen_console(void *ctx, const char *line)
{
	struct seen *s = ctx;
	if (strstr(line, "sysrq: HELP"))
		s->sysrq = true;
}

static struct vm_config real_cfg(const char *initrd)
{
	char qemu[4096];
	tenv_which("qemu-system-x86_64", "qemu-system-x86", qemu, sizeof(qemu));
	return (struct vm_config){ .topo = { 1, 1, 2, 1 }, .memory_mb = 256,
				   .kernel = tenv_kernel(), .initrd = initrd,
				   .accel = VM_ACCEL_TCG, .run_dir = tmpdir, .watchdog_ms = 60000 };
}

Test(vmm_real, control_port_both_ways_sysrq_tids_and_no_qemu_left, .init = mk_tmpdir, .fini = rm_tmpdir,
     .timeout = 90)
{
	char initrd[300], err[1024] = "";
	snprintf(initrd, sizeof(initrd), "%s/hello.cpio", tmpdir);
	build_initramfs(initrd, HELLO_INIT);
	struct vm_config cfg = real_cfg(initrd);
	struct vm *vm = NULL;
	int r = vm_start(&cfg, &vm, err, sizeof(err));
	cr_assert_eq(r, 0, "vm_start: %s", err);
	pid_t pid = vm_pid(vm);
	cr_expect_gt(pid, 0);
	cr_expect_eq(vm_accel(vm), VM_ACCEL_TCG);
	cr_expect_null(vm_shell_sock(vm));
	int tids[8];
	cr_expect_eq(vm_vcpu_tids(vm, tids, 8), 2, "two vCPUs in query-cpus-fast");
	cr_expect_gt(tids[0], 0);
	struct seen s = { .vm = vm };
	struct vm_callbacks cb = { .ctx = &s, .console_line = seen_console, .ctl_line = seen_ctl };
	enum vm_status st;
	while ((st = vm_poll(vm, 500, &cb)) == VM_RUNNING)
		;
	cr_expect_eq(st, VM_EXITED);
	cr_expect(s.hello, "guest's hello arrived on the control port (%d lines)", s.ctl_lines);
	cr_expect_eq(s.sent, 0, "sysrq + ctl send succeeded");
	cr_expect(s.got_ping, "guest echoed our ping back");
	cr_expect(s.sysrq, "SysRq-h help appeared on the console (see %s/console.log)", tmpdir);
	int ws = vm_stop(vm, 1000);
	cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "QEMU exit status %#x", ws);
	char path[400];
	snprintf(path, sizeof(path), "%s/console.log", tmpdir);
	struct stat sb;
	cr_expect(stat(path, &sb) == 0 && sb.st_size > 0, "console.log written");
	vm_free(vm);
	cr_expect(kill(pid, 0) < 0 && errno == ESRCH, "QEMU pid %d must be gone after vm_free", pid);
	snprintf(path, sizeof(path), "%s/ctl.sock", tmpdir);
	cr_expect(access(path, F_OK) < 0, "ctl.sock removed by vm_free");
}

static const char SLEEP_INIT[] = "#!/bin/busybox sh\n/bin/busybox sleep 1000\n";

Test(vmm_real, watchdog_kills_qemu_at_its_deadline, .init = mk_tmpdir, .fini = rm_tmpdir, .timeout = 30)
{
	char initrd[300], err[1024] = "";
	snprintf(initrd, sizeof(initrd), "%s/sleep.cpio", tmpdir);
	build_initramfs(initrd, SLEEP_INIT);
	struct vm_config cfg = real_cfg(initrd);
	cfg.watchdog_ms = 700;
	cfg.shell_port = true;
	struct vm *vm = NULL;
	cr_assert_eq(vm_start(&cfg, &vm, err, sizeof(err)), 0, "vm_start: %s", err);
	cr_expect_not_null(vm_shell_sock(vm));
	cr_expect(access(vm_shell_sock(vm), F_OK) == 0, "shell socket exists while running");
	pid_t pid = vm_pid(vm);
	enum vm_status st;
	while ((st = vm_poll(vm, 200, NULL)) == VM_RUNNING)
		;
	cr_expect_eq(st, VM_WATCHDOG);
	cr_expect_eq(vm_poll(vm, 0, NULL), VM_WATCHDOG, "status is sticky");
	int ws = vm_stop(vm, 100);
	cr_expect(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL, "killed by SIGKILL, status %#x", ws);
	vm_free(vm);
	cr_expect(kill(pid, 0) < 0 && errno == ESRCH, "QEMU pid %d gone", pid);
}

Test(vmm_real, kill_all_kills_live_qemu, .init = mk_tmpdir, .fini = rm_tmpdir, .timeout = 30)
{
	char initrd[300], err[1024] = "";
	snprintf(initrd, sizeof(initrd), "%s/sleep.cpio", tmpdir);
	build_initramfs(initrd, SLEEP_INIT);
	struct vm_config cfg = real_cfg(initrd);
	struct vm *vm = NULL;
	cr_assert_eq(vm_start(&cfg, &vm, err, sizeof(err)), 0, "vm_start: %s", err);
	vm_kill_all();
	enum vm_status st;
	while ((st = vm_poll(vm, 200, NULL)) == VM_RUNNING)
		;
	cr_expect_eq(st, VM_EXITED);
	int ws = vm_stop(vm, 100);
	cr_expect(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL, "status %#x", ws);
	vm_free(vm);
}

Test(vmm_real, qemu_missing_from_path_names_it_and_the_package, .init = mk_tmpdir, .fini = rm_tmpdir)
{
	char err[1024] = "";
	/* Checked before QEMU is looked for: readable files are enough, no kernel or QEMU. */
	struct vm_config cfg = small_cfg();
	cfg.kernel = file_with("bzImage", "k\n");
	cfg.initrd = file_with("x.cpio", "i\n");
	setenv("PATH", tmpdir, 1);
	unsetenv("KTSTR_QEMU");
	struct vm *vm = NULL;
	cr_expect_eq(vm_start(&cfg, &vm, err, sizeof(err)), -ENOENT);
	cr_expect_null(vm);
	cr_expect_str_eq(err, "qemu-system-x86_64 not found in PATH; install QEMU: sudo apt "
			      "install qemu-system-x86");
}

Test(vmm_real, qemu_dying_at_start_reports_its_log_tail, .init = mk_tmpdir, .fini = rm_tmpdir, .timeout = 30)
{
	char initrd[300], err[1024] = "";
	snprintf(initrd, sizeof(initrd), "%s/x.cpio", tmpdir);
	build_initramfs(initrd, SLEEP_INIT);
	struct vm_config cfg = real_cfg(initrd);
	cfg.kernel = file_with("notakernel", "this is not a kernel\n");
	struct vm *vm = NULL;
	int r = vm_start(&cfg, &vm, err, sizeof(err));
	cr_expect_eq(r, -ECHILD, "r=%d err=%s", r, err);
	cr_expect_null(vm);
	cr_expect(strstr(err, "qemu-system-x86_64 exited at start (status 1): "), "err: %s", err);
	cr_expect(strstr(err, "qemu.log"), "err names the log: %s", err);
	/* QEMU's own last words (from qemu.log) are in the message */
	char path[400], last[512] = "";
	snprintf(path, sizeof(path), "%s/qemu.log", tmpdir);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "qemu.log exists");
	while (fgets(last, sizeof(last), f))
		;
	fclose(f);
	last[strcspn(last, "\n")] = '\0';
	cr_expect(last[0] && strstr(err, last), "err '%s' should carry qemu.log's '%s'", err, last);
}

Test(vmm_real, missing_kernel_is_named, .init = mk_tmpdir, .fini = rm_tmpdir)
{
	char err[512] = "", initrd[300], kernel[300], want[400];
	snprintf(initrd, sizeof(initrd), "%s/no/initrd", tmpdir);
	snprintf(kernel, sizeof(kernel), "%s/no/bzImage", tmpdir);
	struct vm_config cfg = small_cfg();
	cfg.initrd = initrd;
	cfg.kernel = kernel;
	struct vm *vm = NULL;
	cr_expect_eq(vm_start(&cfg, &vm, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "VM kernel '%s' is not a readable file", kernel);
	cr_expect(strstr(err, want), "%s", err);
}

