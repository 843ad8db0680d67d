/* `kernel check` on a bzImage and the sched_ext label of a bare bzImage import: the
 * provisioned kernel's bzImage gives the same verdict as its vmlinux and leaves nothing in
 * TMPDIR; tiny bzImage fixtures (gzip'd ELF with a synthetic .BTF, built here) show the
 * label comes from struct sched_ext_ops in the BTF, and that errors leave nothing either. */
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "engine/kernel/btf.h"
#include "engine/kernel/cache.h"
#include "engine/kernel/image.h"
#include "engine/fsutil.h"
#include "tests/unit/tenv.h"

static char dir[512], tmpd[600];

/* dir: this test's files; dir/tmp becomes TMPDIR (each Criterion test is its own process). */
static void setup(void)
{
	tenv_mkdtemp(dir, sizeof(dir), "ktstr-test-kcheck");
	snprintf(tmpd, sizeof(tmpd), "%s/tmp", dir);
	cr_assert_eq(mkdir(tmpd, 0700), 0);
	setenv("TMPDIR", tmpd, 1);
}

static void teardown(void)
{
	if (dir[0])
		fs_rm_rf(dir);
}

static int entries(const char *d)
{
	DIR *dh = opendir(d);
	cr_assert_not_null(dh, "%s", d);
	int n = 0;
	for (struct dirent *de; (de = readdir(dh));)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(dh);
	return n;
}

enum fx { FX_OPS_IMPL_ONLY, FX_NO_OPS, FX_NOT_ELF, FX_CORRUPT, FX_CUT };

/* Raw BTF; with ops, struct sched_ext_ops and only scx_bpf_create_dsq_impl (the broken
 * build the old kfunc-based label called "no sched_ext"); without, an unrelated struct. */
static void *fixture_btf(bool ops, __u32 *sz)
{
	struct btf *b = btf__new_empty();
	cr_assert_not_null(b);
	int s32 = btf__add_int(b, "s32", 4, BTF_INT_SIGNED);
	btf__add_struct(b, ops ? "sched_ext_ops" : "task_struct", 4);
	btf__add_field(b, "flags", s32, 0, 0);
	if (ops) {
		int p = btf__add_func_proto(b, s32);
		btf__add_func_param(b, "node", s32);
		btf__add_func_param(b, "aux", btf__add_ptr(b, 0));
		btf__add_func(b, "scx_bpf_create_dsq_impl", BTF_FUNC_GLOBAL, p);
	}
	const void *raw = btf__raw_data(b, sz);
	void *copy = malloc(*sz);
	memcpy(copy, raw, *sz);
	btf__free(b);
	return copy;
}

/* An x86-64 ELF with one .BTF section (none when btf is NULL), written with libelf; pad
 * bytes of incompressible filler go first, so a cut stream has streamed data out. */
static void write_elf(const char *path, void *btf, size_t len, size_t pad)
{
	static char strs[] = "\0.BTF\0.shstrtab\0.pad";
	unsigned char *fill = malloc(pad + 1);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < pad; i++) /* xorshift32 */
		x ^= x << 13, x ^= x >> 17, x ^= x << 5, fill[i] = (unsigned char)x;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	cr_assert_not_null(e);
	Elf64_Ehdr *eh = elf64_newehdr(e);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	if (pad) {
		Elf_Scn *s = elf_newscn(e);
		Elf_Data *d = elf_newdata(s);
		d->d_buf = fill, d->d_size = pad, d->d_type = ELF_T_BYTE, d->d_align = 1;
		Elf64_Shdr *sh = elf64_getshdr(s);
		sh->sh_name = 16, sh->sh_type = SHT_PROGBITS;
	}
	if (btf) {
		Elf_Scn *s = elf_newscn(e);
		Elf_Data *d = elf_newdata(s);
		d->d_buf = btf, d->d_size = len, d->d_type = ELF_T_BYTE, d->d_align = 4;
		Elf64_Shdr *sh = elf64_getshdr(s);
		sh->sh_name = 1, sh->sh_type = SHT_PROGBITS;
	}
	Elf_Scn *s = elf_newscn(e);
	Elf_Data *d = elf_newdata(s);
	d->d_buf = strs, d->d_size = sizeof(strs), d->d_type = ELF_T_BYTE, d->d_align = 1;
	Elf64_Shdr *sh = elf64_getshdr(s);
	sh->sh_name = 6, sh->sh_type = SHT_STRTAB;
	eh->e_shstrndx = elf_ndxscn(s);
	cr_assert_geq(elf_update(e, ELF_C_WRITE), 0, "%s", elf_errmsg(-1));
	elf_end(e);
	close(fd);
	free(fill);
}

/* A bzImage as far as ktstr reads one: "HdrS" at 0x202, one setup sector, the version
 * string at 0x300, and a gzip payload at the protected-mode start (1024). */
static void write_bzimage(const char *path, enum fx kind)
{
	char elf[700], gz[700];
	snprintf(elf, sizeof(elf), "%s/fixture.elf", dir);
	snprintf(gz, sizeof(gz), "%s/fixture.gz", dir);
	if (kind == FX_NOT_ELF) {
		cr_assert_eq(fs_write_atomic(elf, "not an ELF at all\n", 18, 0644), 0);
	} else {
		__u32 sz;
		void *b = fixture_btf(kind != FX_NO_OPS, &sz);
		write_elf(elf, b, sz, kind == FX_CUT ? 512 << 10 : 0);
		free(b);
	}
	char *body, *z;
	size_t blen, zlen;
	cr_assert_eq(fs_read_file(elf, 2 << 20, &body, &blen), 0);
	gzFile g = gzopen(gz, "wb9");
	cr_assert_not_null(g);
	cr_assert_eq(gzwrite(g, body, (unsigned)blen), (int)blen);
	gzclose(g);
	free(body);
	cr_assert_eq(fs_read_file(gz, 2 << 20, &z, &zlen), 0);
	if (kind == FX_CORRUPT) /* the first deflate block gets the reserved type 3 */
		memset(z + 10, 0xff, 4);
	if (kind == FX_CUT) /* the stream ends early: a vmlinux without its section headers */
		zlen = zlen * 2 / 3;
	unsigned char *img = calloc(1, 1024 + zlen);
	img[0x1f1] = 1;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = 0x00, img[0x20f] = 0x01;
	strcpy((char *)img + 0x300, "0.0.1-ktstr-fixture (test@fixture) #1");
	for (int i = 0; i < 4; i++)
		img[0x24c + i] = (unsigned char)(zlen >> (8 * i));
	memcpy(img + 1024, z, zlen);
	cr_assert_eq(fs_write_atomic(path, img, 1024 + zlen, 0644), 0);
	free(img);
	free(z);
	unlink(elf);
	unlink(gz);
}

/* Kernel first, then setup: a skipped test does not run .fini. */
Test(kernel_check, bzimage_verdict_equals_the_vmlinux_verdict_and_leaves_no_temp, .fini = teardown)
{
	const char *image = tenv_kernel(); /* the provisioned kernel (skips or fails if missing) */
	cr_assert(image_is_bzimage(image), "KTSTR_TEST_KERNEL=%s is not a bzImage", image);
	setup();
	char vml[700], err[1024];
	snprintf(vml, sizeof(vml), "%s/vmlinux", dir);
	cr_assert_eq(btf_extract_vmlinux(image, vml, err, sizeof(err)), 0, "%s", err);
	struct btf_check *want = calloc(1, sizeof(*want)), *got = calloc(1, sizeof(*got));
	cr_assert_eq(btf_check_kfuncs(vml, want, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(btf_check_image(image, got, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(entries(tmpd), 0, "the extraction was left in TMPDIR");
	cr_expect_eq(got->ok, want->ok);
	cr_expect_str_eq(got->summary, want->summary);
	cr_assert_eq(got->n, want->n);
	cr_expect_gt(got->n, 5, "only %d kfuncs: not the provisioned sched_ext kernel?", got->n);
	for (int i = 0; i < got->n; i++) {
		cr_expect_str_eq(got->k[i].name, want->k[i].name);
		cr_expect_str_eq(got->k[i].detail, want->k[i].detail, "%s", got->k[i].name);
	}
	/* The provisioned kernel is a sched_ext kernel; its BTF says so. */
	cr_expect_eq(btf_has_sched_ext(vml), 1);
	free(want);
	free(got);
}

Test(kernel_check, bzimage_whose_btf_lacks_kfuncs_gets_the_no_sched_ext_verdict, .init = setup,
     .fini = teardown)
{
	char bz[700], err[1024];
	snprintf(bz, sizeof(bz), "%s/vmlinuz", dir);
	write_bzimage(bz, FX_NO_OPS);
	struct btf_check *c = calloc(1, sizeof(*c));
	cr_assert_eq(btf_check_image(bz, c, err, sizeof(err)), 0, "%s", err);
	cr_expect_not(c->ok);
	cr_expect_not_null(strstr(c->summary, "no scx_bpf_* kfuncs in the BTF"), "%s", c->summary);
	cr_expect_eq(entries(tmpd), 0);
	free(c);
}

Test(kernel_check, failed_extractions_leave_nothing_in_tmpdir, .init = setup, .fini = teardown)
{
	char bz[700], err[1024];
	snprintf(bz, sizeof(bz), "%s/vmlinuz", dir);
	struct btf_check *c = calloc(1, sizeof(*c));
	write_bzimage(bz, FX_NOT_ELF);
	cr_expect_eq(btf_check_image(bz, c, err, sizeof(err)), -EINVAL);
	cr_expect_not_null(strstr(err, "the decompressed payload is not an ELF vmlinux"), "%s", err);
	cr_expect_eq(entries(tmpd), 0);
	write_bzimage(bz, FX_CORRUPT);
	cr_expect_eq(btf_check_image(bz, c, err, sizeof(err)), -EINVAL, "%s", err);
	cr_expect_not_null(strstr(err, "cannot decompress the bzImage payload"), "%s", err);
	cr_expect_not_null(strstr(err, bz), "the message names the image: %s", err);
	cr_expect_eq(entries(tmpd), 0);
	write_bzimage(bz, FX_CUT);
	cr_expect_eq(btf_check_image(bz, c, err, sizeof(err)), -EIO, "%s", err);
	cr_expect_not_null(strstr(err, "the bzImage payload is damaged: decompression stopped after"),
			   "%s", err);
	cr_expect_eq(entries(tmpd), 0);
	/* An ELF vmlinux is not a bzImage: refused before anything is created. */
	snprintf(bz, sizeof(bz), "%s/plain.elf", dir);
	write_elf(bz, NULL, 0, 0);
	cr_expect_eq(btf_check_image(bz, c, err, sizeof(err)), -EINVAL);
	cr_expect_not_null(strstr(err, "is not a bzImage"), "%s", err);
	/* A TMPDIR that cannot take the file is named with the fix. */
	setenv("TMPDIR", "nonexistent-ktstr-tmpdir", 1);
	write_bzimage(bz, FX_NO_OPS);
	cr_expect_eq(btf_check_image(bz, c, err, sizeof(err)), -ENOENT);
	cr_expect_not_null(strstr(err, "cannot create a temporary file in nonexistent-ktstr-tmpdir"),
			   "%s", err);
	cr_expect_not_null(strstr(err, "set TMPDIR"), "%s", err);
	free(c);
}

Test(kernel_check, sched_ext_ops_in_the_btf_decides_has_sched_ext, .init = setup, .fini = teardown)
{
	char p[700];
	__u32 sz;
	void *b = fixture_btf(true, &sz);
	snprintf(p, sizeof(p), "%s/ops.btf", dir);
	cr_assert_eq(fs_write_atomic(p, b, sz, 0644), 0);
	free(b);
	cr_expect_eq(btf_has_sched_ext(p), 1);
	b = fixture_btf(false, &sz);
	snprintf(p, sizeof(p), "%s/noops.elf", dir);
	write_elf(p, b, sz, 0);
	free(b);
	cr_expect_eq(btf_has_sched_ext(p), 0);
	snprintf(p, sizeof(p), "%s/nobtf.elf", dir);
	write_elf(p, NULL, 0, 0);
	cr_expect_lt(btf_has_sched_ext(p), 0, "an ELF without .BTF is no answer");
}

static void import_fixture(enum fx kind, struct kernel_entry *e)
{
	char bz[700], root[700], err[2048];
	snprintf(bz, sizeof(bz), "%s/vmlinuz-%d", dir, (int)kind);
	snprintf(root, sizeof(root), "%s/cache", dir);
	write_bzimage(bz, kind);
	const char *paths[] = { bz };
	cr_assert_eq(cache_import(root, paths, 1, NULL, e, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(e->version, "0.0.1-ktstr-fixture");
	cr_expect_str_eq(e->config, "", "no config was given");
	cr_expect_neq(e->vmlinux[0], 0, "the fixture's vmlinux was not extracted");
}

Test(kernel_check, bare_bzimage_import_is_labelled_from_btf, .init = setup, .fini = teardown)
{
	struct kernel_entry e;
	/* sched_ext_ops with only *_impl kfuncs: sched_ext, though no plain kfunc exists. */
	import_fixture(FX_OPS_IMPL_ONLY, &e);
	cr_expect(e.has_sched_ext, "BTF has struct sched_ext_ops but %s is labelled no sched_ext", e.key);
	/* Read back from metadata.json, as `kernel list` does. */
	struct kernel_entry back;
	cr_assert_eq(cache_read_entry(e.dir, e.key, &back), 0);
	cr_expect(back.has_sched_ext);
	import_fixture(FX_NO_OPS, &e);
	cr_expect_not(e.has_sched_ext, "BTF lacks struct sched_ext_ops but %s is labelled sched_ext",
		      e.key);
}
