/* Kernel BTF without booting: pulls the compressed vmlinux out of a bzImage (offsets from
 * the x86 setup header, decompressed by libarchive's raw reader + filters) and checks the
 * scx kfunc prototypes with libbpf (the seed's "kfunc BTF mismatch" check, natively), and
 * whether the kernel has sched_ext at all (struct sched_ext_ops). */
#include "engine/kernel/btf.h"

#include <archive.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"

#define BZ_MAX_PAYLOAD (256u << 20)

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads the compressed payload of a bzImage into a malloc'd buffer; with out NULL, only
 * checks the setup header and the payload bounds. */
static int read_payload(const char *bz, unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	unsigned char hdr[0x260];
	int fd = open(bz, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open kernel image %s: %s", bz, strerror(e));
		return -e;
	}
	ssize_t r = pread(fd, hdr, sizeof(hdr), 0);
	if (r != (ssize_t)sizeof(hdr) || memcmp(hdr + 0x202, "HdrS", 4)) {
		close(fd);
		snprintf(err, errlen, "%s is not a bzImage (no \"HdrS\" setup header at 0x202); "
			 "pass a kernel's arch/x86/boot/bzImage or a distribution vmlinuz", bz);
		return -EINVAL;
	}
	unsigned setup_sects = hdr[0x1f1] ? hdr[0x1f1] : 4;
	uint64_t pm_start = (uint64_t)(setup_sects + 1) * 512;
	uint32_t off = le32(hdr + 0x248), len = le32(hdr + 0x24c);
	struct stat st;
	if (fstat(fd, &st) || len == 0 || len > BZ_MAX_PAYLOAD ||
	    pm_start + off + len > (uint64_t)st.st_size) {
		close(fd);
		snprintf(err, errlen, "%s: bzImage payload (offset %u, length %u) lies outside the "
			 "file; the image is truncated or not a boot protocol >= 2.08 kernel", bz, off, len);
		return -EINVAL;
	}
	if (!out) {
		close(fd);
		return 0;
	}
	unsigned char *buf = malloc(len);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "out of memory reading %s", bz);
		return -ENOMEM;
	}
	size_t got = 0;
	while (got < len) {
		r = pread(fd, buf + got, len - got, (off_t)(pm_start + off + got));
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != len) {
		free(buf);
		snprintf(err, errlen, "%s: short read of the bzImage payload", bz);
		return -EIO;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Where a little-endian ELF's section header table ends (ELFCLASS32 or 64). */
static uint64_t elf_sh_end(const unsigned char *eh)
{
	bool c64 = eh[4] == 2;
	uint64_t shoff = c64 ? le(eh + 0x28, 8) : le(eh + 0x20, 4);
	uint64_t shentsize = le(eh + (c64 ? 0x3a : 0x2e), 2), shnum = le(eh + (c64 ? 0x3c : 0x30), 2);
	return shoff + shentsize * shnum;
}

/* Decompresses the bzImage payload into fd; fails unless the result is an ELF. */
static int payload_to_fd(const char *bzimage, int fd, const char *fdname, char *err, size_t errlen)
{
	unsigned char *payload = NULL;
	size_t plen = 0;
	int rc = read_payload(bzimage, &payload, &plen, err, errlen);
	if (rc)
		return rc;
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	struct archive_entry *ae;
	unsigned char eh[64] = { 0 };   /* the ELF header, enough of it for both classes */
	size_t total = 0;
	if (archive_read_open_memory(a, payload, plen) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ae) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s: cannot decompress the bzImage payload: %s", bzimage,
			 archive_error_string(a) ? archive_error_string(a) : "unknown format");
		rc = -EINVAL;
		goto out;
	}
	if (archive_filter_count(a) < 2) {
		snprintf(err, errlen, "%s: the bzImage payload is not compressed with a format "
			 "libarchive knows (gzip, xz, lzma, lz4, zstd, bzip2)", bzimage);
		rc = -EINVAL;
		goto out;
	}
	char buf[1 << 16];
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
		if (n < 0) {
			/* The kernel appends its size after the stream; trailing bytes are fine
			 * once a complete ELF came out (checked below). */
			if (total >= 4 && !memcmp(eh, "\177ELF", 4))
				break;
			snprintf(err, errlen, "%s: decompressing the payload failed: %s", bzimage,
				 archive_error_string(a));
			rc = -EIO;
			goto out;
		}
		if (n == 0)
			break;
		if (total < sizeof(eh))
			memcpy(eh + total, buf, (size_t)n < sizeof(eh) - total ? (size_t)n : sizeof(eh) - total);
		ssize_t w = write(fd, buf, (size_t)n);
		if (w != n) {
			rc = w < 0 ? -errno : -ENOSPC;
			snprintf(err, errlen, "writing %s: %s", fdname, strerror(-rc));
			goto out;
		}
		total += (size_t)n;
	}
	if (total < 4 || memcmp(eh, "\177ELF", 4)) {
		snprintf(err, errlen, "%s: the decompressed payload is not an ELF vmlinux", bzimage);
		rc = -EINVAL;
		goto out;
	}
	/* The section headers come last in a vmlinux: all of them present means the stream
	 * was not cut short by damage. */
	uint64_t end = elf_sh_end(eh);
	if (total < sizeof(eh) || total < end) {
		snprintf(err, errlen, "%s: the bzImage payload is damaged: decompression stopped "
			 "after %zu bytes of a %llu-byte vmlinux%s%s", bzimage, total,
			 (unsigned long long)end, archive_error_string(a) ? ": " : "",
			 archive_error_string(a) ? archive_error_string(a) : "");
		rc = -EIO;
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	free(payload);
	return rc;
}

int btf_extract_vmlinux(const char *bzimage, const char *out_path, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out_path, (int)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "path too long: %s", out_path);
		return -ENAMETOOLONG;
	}
	/* Refuse a non-bzImage before creating anything. */
	int rc = read_payload(bzimage, NULL, NULL, err, errlen);
	if (rc)
		return rc;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return rc;
	}
	rc = payload_to_fd(bzimage, fd, tmp, err, errlen);
	return fs_commit_tmp(fd, tmp, out_path, rc, err, errlen);
}

/* A file in $TMPDIR (or /tmp) that has no name, so nothing is left behind however the
 * process ends: O_TMPFILE, or on filesystems without it a mkstemp name unlinked at once. */
static int unnamed_temp(char *err, size_t errlen)
{
	const char *d = getenv("TMPDIR");
	if (!d || !*d)
		d = "/tmp";
	int fd = open(d, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s/ktstr-vmlinux-XXXXXX", d) >= (int)sizeof(p)) {
		snprintf(err, errlen, "TMPDIR %s: path too long", d);
		return -ENAMETOOLONG;
	}
	fd = mkostemp(p, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create a temporary file in %s: %s (set TMPDIR to a "
			 "writable directory)", d, strerror(e));
		return -e;
	}
	unlink(p);
	return fd;
}

/* The kfuncs a released-style scheduler links against; always reported, found or not. */
static const char *const core_kfuncs[] = {
	"scx_bpf_create_dsq", "scx_bpf_error_bstr", "scx_bpf_dsq_insert",
	"scx_bpf_dsq_move_to_local", "scx_bpf_kick_cpu",
};

static int silent_print(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
}

static bool file_is_elf(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	bool ok = read(fd, m, 4) == 4 && !memcmp(m, "\177ELF", 4);
	close(fd);
	return ok;
}

static struct kfunc_verdict *verdict_for(struct btf_check *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->k[i].name, name))
			return &c->k[i];
	if (c->n >= BTF_KFUNCS_MAX)
		return NULL;
	struct kfunc_verdict *v = &c->k[c->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

/* Parses the BTF of a vmlinux ELF or raw BTF file; messages name it as shown. */
static int parse_btf(const char *path, const char *shown, struct btf **out, char *err, size_t errlen)
{
	if (access(path, R_OK)) {
		int e = errno;
		snprintf(err, errlen, "cannot read %s: %s", shown, strerror(e));
		return -e;
	}
	libbpf_print_fn_t old = libbpf_set_print(silent_print);
	struct btf *btf = btf__parse(path, NULL);
	int perr = libbpf_get_error(btf);
	libbpf_set_print(old);
	if (perr) {
		if (file_is_elf(path) || perr == -ENOENT || perr == -ENODATA)
			snprintf(err, errlen, "no BTF source found. Set KTSTR_KERNEL to a kernel build "
				 "directory,\nor ensure /sys/kernel/btf/vmlinux exists.\n"
				 "(%s has no readable .BTF section)", shown);
		else
			snprintf(err, errlen, "%s is neither an ELF vmlinux nor a raw BTF file (%s)",
				 shown, strerror(-perr));
		return -ENOENT;
	}
	*out = btf;
	return 0;
}

struct btf *btf_open_kernel(const char *vmlinux, const char *image, char *err, size_t errlen)
{
	struct btf *btf = NULL;
	if (vmlinux && vmlinux[0] && !access(vmlinux, R_OK))
		return parse_btf(vmlinux, vmlinux, &btf, err, errlen) ? NULL : btf;
	int fd = unnamed_temp(err, errlen);
	if (fd < 0)
		return NULL;
	char path[64], shown[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(shown, sizeof(shown), "the vmlinux inside %s", image);
	if (!payload_to_fd(image, fd, "a temporary file", err, errlen))
		parse_btf(path, shown, &btf, err, errlen);
	close(fd);
	return btf;
}

int btf_has_sched_ext(const char *vmlinux)
{
	char err[512];
	struct btf *btf;
	int rc = parse_btf(vmlinux, vmlinux, &btf, err, sizeof(err));
	if (rc)
		return rc;
	rc = btf__find_by_name_kind(btf, "sched_ext_ops", BTF_KIND_STRUCT) > 0;
	btf__free(btf);
	return rc;
}

static int check_kfuncs(const char *vmlinux, const char *shown, struct btf_check *out, char *err,
			size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct btf *btf;
	int rc = parse_btf(vmlinux, shown, &btf, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(core_kfuncs) / sizeof(core_kfuncs[0]); i++)
		verdict_for(out, core_kfuncs[i]);

	int total = 0, broken = 0;
	bool impl_only[BTF_KFUNCS_MAX] = { false };
	__u32 n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_func(t))
			continue;
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (!name || strncmp(name, "scx_bpf_", 8))
			continue;
		/* X_impl is the kernel-side twin that carries the implicit aux argument by
		 * design; what a scheduler links against is the plain name X. */
		char base[64];
		size_t nl = strlen(name);
		bool impl = nl > 5 && !strcmp(name + nl - 5, "_impl");
		snprintf(base, sizeof(base), "%.*s", (int)(impl ? nl - 5 : nl), name);
		struct kfunc_verdict *v = verdict_for(out, base);
		if (!v)
			continue;
		if (impl) {
			if (!v->found)
				impl_only[v - out->k] = true;
			continue;
		}
		impl_only[v - out->k] = false;
		const struct btf_type *p = btf__type_by_id(btf, t->type);
		if (!p || !btf_is_func_proto(p))
			continue;
		int vlen = btf_vlen(p);
		const struct btf_param *pa = btf_params(p);
		const char *last = vlen ? btf__name_by_offset(btf, pa[vlen - 1].name_off) : NULL;
		bool aux = last && !strcmp(last, "aux");
		/* Several FUNCs may share the plain name (the twin); one trimmed prototype
		 * is enough for libbpf to match. */
		if (!v->found || (!aux && !v->loadable)) {
			v->loadable = !aux;
			v->nparams = vlen;
		}
		v->found = true;
	}
	for (int i = 0; i < out->n; i++) {
		struct kfunc_verdict *v = &out->k[i];
		if (!v->found && impl_only[i]) {
			snprintf(v->detail, sizeof(v->detail), "broken (only %s_impl with the "
				 "trailing 'aux' exists; no plain-name prototype)", v->name);
			broken++;
			total++;
			continue;
		}
		if (!v->found)
			snprintf(v->detail, sizeof(v->detail), "not found");
		else if (v->loadable)
			snprintf(v->detail, sizeof(v->detail), "loadable (%d params)", v->nparams);
		else {
			snprintf(v->detail, sizeof(v->detail),
				 "broken (only a %d-param prototype with a trailing 'aux')", v->nparams);
			broken++;
		}
		if (v->found)
			total++;
	}
	btf__free(btf);
	if (total == 0) {
		out->ok = false;
		snprintf(out->summary, sizeof(out->summary), "no scx_bpf_* kfuncs in the BTF: this "
			 "kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT=y is needed)");
	} else if (broken) {
		out->ok = false;
		snprintf(out->summary, sizeof(out->summary), "BROKEN: %d of %d scx kfuncs keep the "
			 "implicit 'aux' argument; released schedulers cannot load on this kernel",
			 broken, total);
	} else {
		out->ok = true;
		snprintf(out->summary, sizeof(out->summary), "OK: all %d scx kfuncs have the "
			 "trimmed prototype; released-style schedulers can load", total);
	}
	return 0;
}

int btf_check_kfuncs(const char *vmlinux, struct btf_check *out, char *err, size_t errlen)
{
	return check_kfuncs(vmlinux, vmlinux, out, err, errlen);
}

int btf_check_image(const char *bzimage, struct btf_check *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int rc = read_payload(bzimage, NULL, NULL, err, errlen);
	if (rc)
		return rc;
	int fd = unnamed_temp(err, errlen);
	if (fd < 0)
		return fd;
	/* libbpf parses by path; the unnamed file is reachable through /proc. */
	char path[64], shown[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(shown, sizeof(shown), "the vmlinux inside %s", bzimage);
	rc = payload_to_fd(bzimage, fd, "a temporary file", err, errlen);
	if (!rc)
		rc = check_kfuncs(path, shown, out, err, errlen);
	close(fd);
	return rc;
}

bool btf_kfunc_warning(const char *vmlinux, const char *version, const char *key,
		       char *buf, size_t len)
{
	char err[512], broken[256] = "";
	buf[0] = 0;
	struct btf_check *bc = calloc(1, sizeof(*bc));
	if (!bc || btf_check_kfuncs(vmlinux, bc, err, sizeof(err)) || bc->ok) {
		free(bc);
		return false;
	}
	for (int i = 0; i < bc->n; i++) {
		const struct kfunc_verdict *k = &bc->k[i];
		if (k->found && !k->loadable && strlen(broken) + strlen(k->name) + 3 < sizeof(broken))
			snprintf(broken + strlen(broken), sizeof(broken) - strlen(broken), "%s%s",
				 broken[0] ? ", " : "", k->name);
	}
	free(bc);
	snprintf(buf, len,
		 "kernel %s: scx kfunc BTF mismatch (%s keep the trailing 'aux' argument); released-style "
		 "schedulers cannot load on it, expect \"scheduler did not turn on\". Check with "
		 "`ktstr kernel check %s`; see docs/troubleshooting.md#kfunc-btf-mismatch",
		 version, broken, key);
	return true;
}
