/* What ktstr is and what it runs with: its version, the git commit it was built from, the
 * libbpf it (and its schedulers) were built against, and the QEMU it would start.
 * `ktstr version` prints it; every result.json records it ("ktstr", docs/json.md). */
#ifndef KTSTR_VERSION_H
#define KTSTR_VERSION_H

struct version_info {
	char version[32];     /* the Makefile's VERSION, "0.1.0" */
	char commit[64];      /* `git describe --always --dirty` at build time, or "unknown" */
	char libbpf[64];      /* "1.1.2"; "1.1 (built with 1.0.0)" when the loaded library differs */
	char qemu[128];       /* "7.2.22 (Debian ...)", "unknown", or "" when there is no QEMU */
	char qemu_path[4096]; /* the binary vm_start would run, or "" */
};

/* Fills v; runs `QEMU --version` once (vmm/qemu_version.c). Never fails. */
void version_collect(struct version_info *v);

#endif
