/* The unit tests' outside world: test kernel, programs, temp root (see tenv.h). The kernel
 * path is read once at start-up, before any test's setup changes the environment. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/engine.h"
#include "tests/unit/tenv.h"

static char kernel[4096];
static bool kernel_set;
/* This test's temp dirs: a skipped test's .fini does not run, so tenv_missing removes them. */
static char made[8][512];
static int nmade;

__attribute__((constructor)) static void snapshot(void)
{
	const char *k = getenv("KTSTR_TEST_KERNEL");
	kernel_set = k && *k;
	snprintf(kernel, sizeof(kernel), "%s", kernel_set ? k : "");
}

static bool env_on(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") && strcmp(v, "false");
}

bool tenv_strict(void)
{
	return env_on("KTSTR_TEST_STRICT") || env_on("CI");
}

void tenv_missing(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tenv_strict())
		cr_assert_fail("missing: %s (a skip is a failure under make test / CI)", msg);
	while (nmade > 0)
		fs_rm_rf(made[--nmade]);
	cr_skip_test("missing: %s", msg);
}

void tenv_mkdtemp(char *buf, size_t len, const char *name)
{
	const char *t = getenv("TMPDIR");
	cr_assert_lt((size_t)snprintf(buf, len, "%s/%s-XXXXXX", t && *t ? t : P_tmpdir, name), len);
	cr_assert_not_null(mkdtemp(buf), "mkdtemp %s: %s", buf, strerror(errno));
	if (nmade < 8)
		snprintf(made[nmade++], sizeof(made[0]), "%s", buf);
}

void tenv_which(const char *prog, const char *deb, char *out, size_t len)
{
	if (fs_which(prog, NULL, out, len))
		tenv_missing("%s not found in PATH; install it: sudo apt install %s (or run: make deps)",
			     prog, deb);
}

const char *tenv_kernel(void)
{
	if (!kernel_set)
		tenv_missing("the test kernel: KTSTR_TEST_KERNEL is unset; run `make kernel`, then "
			     "`make check` sets it from `ktstr kernel path`");
	if (access(kernel, R_OK))
		tenv_missing("the test kernel: KTSTR_TEST_KERNEL=%s: %s; run `make kernel` or point "
			     "KTSTR_TEST_KERNEL at a readable bzImage", kernel, strerror(errno));
	return kernel;
}

void tenv_kernel_config(char *out, size_t len)
{
	const char *k = tenv_kernel(), *slash = strrchr(k, '/');
	snprintf(out, len, "%.*sconfig", slash ? (int)(slash - k + 1) : 0, k);
	if (access(out, R_OK))
		tenv_missing("the test kernel's config %s: %s (`make kernel` caches it next to the "
			     "bzImage)", out, strerror(errno));
}

void tenv_kernel_vmlinux(char *out, size_t len)
{
	const char *k = tenv_kernel(), *slash = strrchr(k, '/');
	snprintf(out, len, "%.*svmlinux", slash ? (int)(slash - k + 1) : 0, k);
	if (access(out, R_OK))
		tenv_missing("the test kernel's vmlinux %s: %s (the cache extracts it next to the "
			     "bzImage: run `make kernel`)", out, strerror(errno));
}

/* Read here rather than with cache.c's reader, so tests of that reader have an oracle:
 * boot protocol, the u16 at 0x20e is the offset - 0x200 of "release (builder) #n ...". */
void tenv_kernel_release(char *out, size_t len)
{
	const char *k = tenv_kernel();
	unsigned char h[2];
	char s[256] = "";
	int fd = open(k, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", k, strerror(errno));
	cr_assert_eq(pread(fd, h, 2, 0x20e), 2, "%s: short boot header", k);
	cr_assert_gt(pread(fd, s, sizeof(s) - 1, (off_t)(h[0] | h[1] << 8) + 0x200), 0);
	close(fd);
	char rel[128];
	cr_assert_eq(sscanf(s, "%127s", rel), 1, "%s: no kernel release in its boot header", k);
	snprintf(out, len, "%s", rel);
}

/* One package: <dir>/<name>_1_amd64.deb holding usr/lib/modules/<rel>/<file> (= src);
 * file may have directories of its own. */
static void build_deb(const char *dir, const char *name, const char *rel, const char *file,
		      const char *src, char *deb, size_t len)
{
	char tree[4096], p[4096], dpkg[4096];
	tenv_which("dpkg-deb", "dpkg", dpkg, sizeof(dpkg));
	snprintf(tree, sizeof(tree), "%s/%s.tree", dir, name);
	snprintf(p, sizeof(p), "%s/usr/lib/modules/%s/%s", tree, rel, file);
	*strrchr(p, '/') = '\0';
	cr_assert_eq(fs_mkdir_p(p, 0755), 0, "%s", p);
	snprintf(p, sizeof(p), "%s/usr/lib/modules/%s/%s", tree, rel, file);
	cr_assert_eq(fs_copy_file(src, p, 0644), 0, "copy %s", src);
	snprintf(p, sizeof(p), "%s/DEBIAN", tree);
	cr_assert_eq(fs_mkdir_p(p, 0755), 0);
	char ctl[1024];
	int n = snprintf(ctl, sizeof(ctl), "Package: %s\nVersion: 1\nArchitecture: amd64\n"
			 "Maintainer: ktstr tests <ktstr@localhost>\nDescription: test fixture\n", name);
	snprintf(p, sizeof(p), "%s/DEBIAN/control", tree);
	cr_assert_eq(fs_write_atomic(p, ctl, (size_t)n, 0644), 0);
	snprintf(deb, len, "%s/%s_1_amd64.deb", dir, name);
	/* xz like Debian's own kernel packages; level 0 because the image is compressed already. */
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execl(dpkg, "dpkg-deb", "--root-owner-group", "-Zxz", "-z0", "--build", tree, deb,
		      (char *)NULL);
		_exit(127);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "dpkg-deb --build %s failed (%#x)", tree, st);
	fs_rm_rf(tree);
}

void tenv_kernel_debs(const char *dir, char *bin, char *base, size_t len)
{
	char rel[128], cfg[4096], name[256];
	tenv_kernel_release(rel, sizeof(rel));
	tenv_kernel_config(cfg, sizeof(cfg));
	snprintf(name, sizeof(name), "linux-binary-%s", rel);
	build_deb(dir, name, rel, "vmlinuz", tenv_kernel(), bin, len);
	snprintf(name, sizeof(name), "linux-base-%s", rel);
	build_deb(dir, name, rel, "config", cfg, base, len);
}

void tenv_kernel_modules_deb(const char *dir, const char *ko_xz, char *deb, size_t len)
{
	char rel[128], name[256];
	tenv_kernel_release(rel, sizeof(rel));
	snprintf(name, sizeof(name), "linux-modules-%s", rel);
	build_deb(dir, name, rel, "kernel/drivers/block/virtio_blk.ko.xz", ko_xz, deb, len);
}

long long tenv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool tenv_next_event(struct engine *e, int type, struct engine_event *ev, int ms)
{
	long long end = tenv_now_ms() + ms;
	for (;;) {
		while (engine_next_event(e, ev)) {
			if (type < 0 || (int)ev->type == type)
				return true;
			engine_event_done(ev);
		}
		long long left = end - tenv_now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = engine_event_fd(e), .events = POLLIN };
		poll(&p, 1, (int)left);
	}
}
