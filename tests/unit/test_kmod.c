/* The run's disk on the host: virtio_blk.ko found in a Debian package, decompressed into the
 * cache entry (and an entry without it replaced by a re-import that has it), the refusal of
 * a run on a kernel that needs the module and lacks it, and the sparse disk image. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_disk.h"
#include "engine/fsutil.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/kmod.h"
#include "tests/unit/tenv.h"

static char root[256];

static void setup(void)
{
	tenv_mkdtemp(root, sizeof(root), "ktstr-test-kmod");
	setenv("KTSTR_CACHE_DIR", root, 1);
}

static void teardown(void)
{
	fs_rm_rf(root);
}

/* A fake module: an ELF magic and some text. */
static const char plain[] = "\177ELF fake virtio_blk module body, repeated repeated repeated";

/* plain, xz-compressed with libarchive's raw writer, into buf; its length. */
static size_t xz_of_plain(char *buf, size_t cap)
{
	struct archive *a = archive_write_new();
	size_t used = 0;
	archive_write_add_filter_xz(a);
	archive_write_set_format_raw(a);
	cr_assert_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK, "%s",
		     archive_error_string(a));
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "virtio_blk.ko");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, sizeof(plain));
	cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
	cr_assert_eq(archive_write_data(a, plain, sizeof(plain)), (la_ssize_t)sizeof(plain));
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	cr_assert_gt(used, 6);
	cr_assert_eq(memcmp(buf, "\3757zXZ", 6), 0, "not xz");
	return used;
}

static void expect_plain(const char *path)
{
	char *d;
	size_t n;
	cr_assert_eq(fs_read_file(path, 1 << 20, &d, &n), 0, "%s", path);
	cr_expect(n == sizeof(plain) && !memcmp(d, plain, n), "%s is not the plain module", path);
	free(d);
}

Test(kmod, virtio_blk_path_in_debian_packages)
{
	cr_expect(kmod_is_virtio_blk_path("./usr/lib/modules/7.2.13+deb14-cloud-amd64/kernel/drivers/block/virtio_blk.ko.xz"));
	cr_expect(kmod_is_virtio_blk_path("usr/lib/modules/6.1.0/kernel/drivers/block/virtio_blk.ko"));
	cr_expect(kmod_is_virtio_blk_path("usr/lib/modules/6.1.0/kernel/drivers/block/virtio_blk.ko.zst"));
	cr_expect_not(kmod_is_virtio_blk_path("usr/lib/modules/6.1.0/kernel/drivers/block/virtio_blk.ko.bak"));
	cr_expect_not(kmod_is_virtio_blk_path("usr/lib/modules/6.1.0/kernel/drivers/scsi/virtio_scsi.ko.xz"));
	cr_expect_not(kmod_is_virtio_blk_path("usr/lib/modules//kernel/drivers/block/virtio_blk.ko"));
	cr_expect_not(kmod_is_virtio_blk_path("usr/share/virtio_blk.ko"));
}

Test(kmod, write_plain_decompresses_xz_and_keeps_plain_elf, .init = setup, .fini = teardown)
{
	char xz[4096], dst[512], err[512] = "";
	size_t n = xz_of_plain(xz, sizeof(xz));
	snprintf(dst, sizeof(dst), "%s/a.ko", root);
	cr_assert_eq(kmod_write_plain(xz, n, dst, err, sizeof(err)), 0, "%s", err);
	expect_plain(dst);
	snprintf(dst, sizeof(dst), "%s/b.ko", root);
	cr_assert_eq(kmod_write_plain(plain, sizeof(plain), dst, err, sizeof(err)), 0, "%s", err);
	expect_plain(dst);
	snprintf(dst, sizeof(dst), "%s/c.ko", root);
	cr_expect_neq(kmod_write_plain("garbage!", 8, dst, err, sizeof(err)), 0);
	cr_expect_not_null(strstr(err, "virtio_blk.ko"), "%s", err);
	cr_expect_neq(access(dst, F_OK), 0, "nothing written for garbage");
}

/* An entry directory <root>/<key> with a config saying line (NULL: no config). */
static struct kernel_entry fake_entry(const char *key, const char *source, const char *line)
{
	struct kernel_entry e = { 0 };
	snprintf(e.key, sizeof(e.key), "%s", key);
	snprintf(e.source, sizeof(e.source), "%s", source);
	snprintf(e.dir, sizeof(e.dir), "%s/%s", root, key);
	cr_assert_eq(fs_mkdir_p(e.dir, 0755), 0);
	if (line) {
		char text[256];
		snprintf(e.config, sizeof(e.config), "%s/config", e.dir);
		int n = snprintf(text, sizeof(text), "CONFIG_VIRTIO=y\n%s\nCONFIG_EXT4_FS=y\n", line);
		cr_assert_eq(fs_write_atomic(e.config, text, (size_t)n, 0644), 0);
	}
	return e;
}

Test(kmod, run_needs_the_module_only_when_the_kernel_builds_it_as_one, .init = setup, .fini = teardown)
{
	char path[4096], err[1024];
	struct kernel_entry y = fake_entry("y", "build:source", "CONFIG_VIRTIO_BLK=y");
	cr_expect_eq(kmod_virtio_blk_config(&y), 'y');
	cr_expect_eq(kmod_virtio_blk_for_run(&y, path, sizeof(path), err, sizeof(err)), 0);
	cr_expect_str_eq(path, "", "built in: nothing to load");
	cr_expect_not(kmod_virtio_blk_missing(&y));

	struct kernel_entry none = fake_entry("none", "import:bzimage", NULL);
	cr_expect_eq(kmod_virtio_blk_config(&none), '?');
	cr_expect_eq(kmod_virtio_blk_for_run(&none, path, sizeof(path), err, sizeof(err)), 0);
	cr_expect_str_eq(path, "");

	struct kernel_entry n = fake_entry("n", "build:source", "# CONFIG_VIRTIO_BLK is not set");
	cr_expect_eq(kmod_virtio_blk_for_run(&n, path, sizeof(path), err, sizeof(err)), -EINVAL);
	cr_expect_not_null(strstr(err, "has no virtio-blk driver (CONFIG_VIRTIO_BLK is not set)"), "%s", err);

	struct kernel_entry m = fake_entry("m", "debian:sid", "CONFIG_VIRTIO_BLK=m");
	cr_expect(kmod_virtio_blk_missing(&m));
	cr_expect_eq(kmod_virtio_blk_for_run(&m, path, sizeof(path), err, sizeof(err)), -ENOENT);
	cr_expect_not_null(strstr(err, "kernel 'm' builds virtio-blk as a module (CONFIG_VIRTIO_BLK=m) "
				  "that its cache entry does not hold"), "%s", err);
	cr_expect_not_null(strstr(err, "refresh the entry: ktstr kernel fetch --debian"), "%s", err);
	char ko[4200];
	snprintf(ko, sizeof(ko), "%s/%s", m.dir, KMOD_VIRTIO_BLK);
	cr_assert_eq(fs_write_atomic(ko, plain, sizeof(plain), 0644), 0);
	cr_expect_not(kmod_virtio_blk_missing(&m));
	cr_expect_eq(kmod_virtio_blk_for_run(&m, path, sizeof(path), err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(path, ko);

	struct kernel_entry imp = fake_entry("imp", "import:bzimage", "CONFIG_VIRTIO_BLK=m");
	cr_expect_eq(kmod_virtio_blk_for_run(&imp, path, sizeof(path), err, sizeof(err)), -ENOENT);
	cr_expect_not_null(strstr(err, "use a kernel with CONFIG_VIRTIO_BLK=y"), "%s", err);
}

/* The Debian import keeps the module, and a re-import with it upgrades an entry without. */
Test(kmod, deb_import_keeps_virtio_blk_and_upgrades_an_entry_without, .init = setup, .fini = teardown)
{
	char d[512], bin[512], base[512], mods[512], xzp[600], xz[4096], err[2048];
	snprintf(d, sizeof(d), "%s/debs", root);
	cr_assert_eq(fs_mkdir_p(d, 0755), 0);
	tenv_kernel_debs(d, bin, base, sizeof(bin));
	size_t n = xz_of_plain(xz, sizeof(xz));
	snprintf(xzp, sizeof(xzp), "%s/virtio_blk.ko.xz", d);
	cr_assert_eq(fs_write_atomic(xzp, xz, n, 0644), 0);
	tenv_kernel_modules_deb(d, xzp, mods, sizeof(mods));

	const char *two[] = { bin, base }, *three[] = { bin, base, mods };
	struct kernel_entry old, e;
	cr_assert_eq(cache_import(root, two, 2, NULL, &old, err, sizeof(err)), 0, "%s", err);
	char ko[4200];
	snprintf(ko, sizeof(ko), "%s/%s", old.dir, KMOD_VIRTIO_BLK);
	cr_expect_neq(access(ko, F_OK), 0, "no modules package, no module");
	cr_assert_eq(cache_import(root, three, 3, NULL, &e, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(e.key, old.key, "same image and config: the same entry");
	expect_plain(ko);
	cr_expect_not(e.corrupt, "%s", e.error);
	/* And once it has it, a re-import without the modules package keeps it. */
	cr_assert_eq(cache_import(root, two, 2, NULL, &e, err, sizeof(err)), 0, "%s", err);
	expect_plain(ko);
}

Test(engine_disk, only_io_types_with_workers_need_a_disk)
{
	static struct scenario s;
	memset(&s, 0, sizeof(s));
	s.ncgroups = 2;
	s.cgroups[0] = (struct scn_cgroup){ .workers = 2, .work = WORK_SPIN_WAIT };
	s.cgroups[1] = (struct scn_cgroup){ .workers = 0, .work = WORK_IO_CONVOY };
	cr_expect_not(engine_disk_needed(&s), "a cgroup of 0 I/O workers does no I/O");
	s.cgroups[1].workers = 1;
	cr_expect(engine_disk_needed(&s));
	s.cgroups[1].work = WORK_FORK_EXIT;
	cr_expect_not(engine_disk_needed(&s));
	s.cgroups[1].work = WORK_IO_RAND_READ;
	cr_expect(engine_disk_needed(&s));
	s.cgroups[1].work = WORK_IO_SYNC_WRITE;
	cr_expect(engine_disk_needed(&s));
}

Test(engine_disk, image_is_sparse_256_mib_in_the_run_dir_and_never_reused, .init = setup,
     .fini = teardown)
{
	char p[512], err[512];
	cr_assert_eq(engine_disk_create(root, p, sizeof(p), err, sizeof(err)), 0, "%s", err);
	char want[512];
	snprintf(want, sizeof(want), "%s/disk.img", root);
	cr_expect_str_eq(p, want);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_expect_eq(st.st_size, (off_t)ENGINE_DISK_MB << 20);
	cr_expect_eq(st.st_blocks, 0, "sparse: nothing allocated before the guest writes");
	cr_expect_eq(engine_disk_create(root, p, sizeof(p), err, sizeof(err)), -EEXIST);
	cr_expect_not_null(strstr(err, "cannot create the 256 MiB disk image"), "%s", err);
	cr_expect_eq(access(want, F_OK), 0, "the existing image is left alone");
}
