/* Kernel BTF without booting: the vmlinux inside a bzImage, its .BTF, and the scx kfunc
 * prototype check (the seed's bpftool test, done natively with libbpf). */
#ifndef KTSTR_BTF_H
#define KTSTR_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include "engine/kernel/kfunc_check.h"

/* Decompresses the bzImage payload (gzip, xz, lzma, lz4, zstd, bzip2) to an ELF vmlinux
 * at out_path (temp + rename). */
int btf_extract_vmlinux(const char *bzimage, const char *out_path, char *err, size_t errlen);

/* Reads BTF from a vmlinux ELF (or raw BTF file) and checks the scx kfuncs. */
int btf_check_kfuncs(const char *vmlinux, struct btf_check *out, char *err, size_t errlen);
/* The same check on a bzImage: its vmlinux is decompressed into an unnamed temporary file
 * in $TMPDIR (or /tmp), gone when this returns or the process dies. */
int btf_check_image(const char *bzimage, struct btf_check *out, char *err, size_t errlen);

/* The kernel's BTF for a caller that reads it (auto-repro's probe spec): from vmlinux when
 * it is readable, else from the vmlinux inside the image. NULL with err on failure; free
 * with btf__free. */
struct btf;
struct btf *btf_open_kernel(const char *vmlinux, const char *image, char *err, size_t errlen);

/* 1 when the BTF defines struct sched_ext_ops (the kernel was built with
 * CONFIG_SCHED_CLASS_EXT=y), 0 when it does not, -errno when there is no BTF to read. */
int btf_has_sched_ext(const char *vmlinux);

/* Before a scheduler run: when the kernel's plain-name scx kfuncs keep the trailing aux
 * argument, writes a one-line warning naming them and the fix into buf and returns true;
 * otherwise (loadable, or no BTF to read) leaves buf empty and returns false. */
bool btf_kfunc_warning(const char *vmlinux, const char *version, const char *key,
		       char *buf, size_t len);

#endif
