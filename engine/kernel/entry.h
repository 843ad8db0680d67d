/* One kernel cache entry as the cache lists it: its own header, so callers above the engine
 * (the CLI, the TUI's kernels pane) get the type through engine/kernels.h without the
 * cache's functions. */
#ifndef KTSTR_KERNEL_ENTRY_H
#define KTSTR_KERNEL_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

struct kernel_entry {
	char key[128];              /* directory name */
	char dir[4096];
	char version[128];          /* "7.2.13+deb14-cloud-amd64" */
	char source[64];            /* "import:bzimage" | "import:deb" | "debian:sid" */
	char image[4096];           /* full path of the bootable image (bzImage) */
	char vmlinux[4096];         /* full path of the extracted vmlinux, "" if none */
	char config[4096];          /* full path of the config, "" if none */
	int64_t created_unix;
	uint64_t size_bytes;        /* whole entry (its snapshots included) */
	int snapshots;              /* saved machines beside it (engine/kernel/snapshot.h) */
	uint64_t snapshot_bytes;    /* their size on disk */
	bool has_sched_ext;         /* CONFIG_SCHED_CLASS_EXT=y in the config; without a config,
				     * struct sched_ext_ops in the BTF */
	bool corrupt;
	bool stale_kconfig;         /* checked against a different required-kconfig list */
	char error_kind[32];        /* corrupt only: "missing" | "malformed" | "schema_drift" | "image_missing" */
	char error[256];            /* corrupt only: "metadata.json malformed: <detail>" */
	char created_iso[32];       /* "2026-11-28T10:40:00Z" */
	char config_hash[24];       /* FNV-1a 64 of the config file, hex; "" without config */
	/* How a built entry (source "build:source" | "build:tarball" | "build:git") was made. */
	struct kernel_build_info {
		bool built;
		char src[1024];             /* source dir, kernel.org version, or git URL */
		char ref[128];              /* git ref */
		char commit[48];            /* git commit */
		char fingerprint[24];       /* source tree: files and newest mtime, hashed */
		char kconfig_hash[24];      /* ktstr.kconfig it was built with */
		char extra_kconfig[1024];   /* --extra-kconfig path, "" without */
		char extra_kconfig_hash[24];
		char pahole[16];            /* "1.32" */
		int secs;                   /* wall time of the build */
		int jobs;
		char log[4096];             /* full path of build.log in the entry */
	} build;
};

#endif
