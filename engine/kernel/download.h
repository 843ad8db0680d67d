/* Kernel sources from kernel.org: releases.json, stable tarballs (cdn.kernel.org) and RC
 * tarballs (git.kernel.org), downloaded with retries and unpacked safely into a directory.
 *
 * Base URLs: KTSTR_KERNEL_ORG_URL (default https://www.kernel.org) serves /releases.json;
 * tarballs come from $KTSTR_KERNEL_ORG_URL/pub/linux/kernel/vN.x/linux-X.Y.Z.tar.xz when that
 * variable is set, else from https://cdn.kernel.org/pub/linux/kernel/vN.x/...; RC tarballs
 * from $KTSTR_KERNEL_GIT_URL (default https://git.kernel.org)/torvalds/t/linux-X.Y-rcN.tar.gz.
 * Proxies: libcurl's usual HTTP_PROXY / HTTPS_PROXY / NO_PROXY. */
#ifndef KTSTR_KERNEL_DOWNLOAD_H
#define KTSTR_KERNEL_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "engine/kernel/releases.h"

/* Fetches and parses releases.json. Errors: "fetch <URL>: <libcurl error>",
 * "fetch <URL>: HTTP <status>", or releases_parse's. 0 or negative errno. */
int kernel_org_releases(struct releases *out, char *err, size_t errlen);
/* kernel_org_releases + releases_latest_stable. */
int kernel_org_latest_stable(char *ver, size_t len, char *err, size_t errlen);

/* The tarball URL for an exact version (X.Y.Z, X.Y or X.Y-rcN): 0 or -EINVAL. */
int kernel_tarball_url(const char *version, char *url, size_t len, char *err, size_t errlen);

struct kernel_dl_opts {
	int progress_fd;   /* where progress_begin draws (usually 2); -1 for none */
	void (*cb)(void *ctx, const char *label, uint64_t done, uint64_t total);   /* may be NULL */
	void *ctx;
	const volatile int *cancel;   /* non-zero stops the download (-ECANCELED); may be NULL */
};

/* Downloads `version` (exact X.Y.Z; X.Y = the X.Y.0 tarball linux-X.Y.tar.xz; or X.Y-rcN)
 * and unpacks it into dest_dir, which must not exist: it is created with the archive's
 * single top directory stripped (so dest_dir/Makefile exists). The tarball streams to
 * <dest_dir>.part-<pid> and unpacks into <dest_dir>.tmp-<pid>, both beside dest_dir; a
 * failure leaves none of the three. rels may be NULL: it is then fetched only for the
 * "latest X.Y.x" hint of a 404. progress_fd: progress display (progress.h) on that fd,
 * -1 for none. Network errors and 5xx are retried twice (after 1 s, 2 s); 404 and HTML never.
 * Errors (err, exact words):
 *   "version 6.14.22 not found. latest 6.14.x: 6.14.10" (or without the hint)  -ENOENT
 *   "RC tarball not found: <URL>" + two lines of explanation and fix            -ENOENT
 *   "download <URL>: server returned HTML instead of tarball (URL may be invalid)"  -EPROTO
 *   "download <URL>: <libcurl error>" / "download <URL>: HTTP <status>"          -EIO
 *   "extract tarball: <libarchive error or strerror>"                           -EIO/-errno
 *   "<dest_dir> already exists" -EEXIST; "invalid kernel version ..."  -EINVAL */
int kernel_download_source(const char *version, const struct releases *rels, const char *dest_dir,
			   int progress_fd, char *err, size_t errlen);
/* The same with a progress callback (the TUI); opts may be NULL (no progress). */
int kernel_download_source_opts(const char *version, const struct releases *rels, const char *dest_dir,
				const struct kernel_dl_opts *opts, char *err, size_t errlen);

#endif
