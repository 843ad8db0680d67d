/* kernel.org downloads: releases.json into memory, a source tarball streamed to a temp
 * file beside its destination (retried on network errors and 5xx), then unpacked by
 * libarchive into a temp directory with the top directory stripped, renamed into place. */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/download.h"
#include "engine/kernel/progress.h"

#define RELEASES_MAX (8u << 20)   /* releases.json is ~10 KB; anything this big is wrong */
#define ATTEMPTS 3

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* $env without its trailing slashes, or def when unset or empty. */
static void base_url(const char *env, const char *def, char *out, size_t len)
{
	const char *v = getenv(env);
	snprintf(out, len, "%s", v && *v ? v : def);
	for (size_t n = strlen(out); n > 0 && out[n - 1] == '/'; n--)
		out[n - 1] = '\0';
}

/* One transfer's sink (memory or a file) and what it saw. */
struct xfer {
	CURL *c;
	int fd;                      /* file sink, or -1 for memory */
	char *buf;
	size_t n, max;
	bool check_html, ct_checked, html, sniffed, too_big;
	int werrno;
	char sniff[9];
	int sniff_n;
	struct progress *prog;
	const volatile int *cancel;  /* non-zero aborts the transfer */
};

static bool html_prefix(const char *s, int n)
{
	return (n >= 9 && !strncasecmp(s, "<!doctype", 9)) || (n >= 5 && !strncasecmp(s, "<html", 5));
}

/* Looks at the body's first non-blank bytes (chunks may split them). */
static void sniff(struct xfer *x, const char *d, size_t n)
{
	for (size_t i = 0; i < n && !x->sniffed; i++) {
		if (!x->sniff_n && isspace((unsigned char)d[i]))
			continue;
		x->sniff[x->sniff_n++] = d[i];
		if (x->sniff_n == (int)sizeof(x->sniff)) {
			x->sniffed = true;
			x->html |= html_prefix(x->sniff, x->sniff_n);
		}
	}
}

static size_t on_data(char *d, size_t size, size_t nmemb, void *u)
{
	struct xfer *x = u;
	size_t n = size * nmemb;
	if (x->check_html) {
		if (!x->ct_checked) {
			char *ct = NULL;
			x->ct_checked = true;
			if (!curl_easy_getinfo(x->c, CURLINFO_CONTENT_TYPE, &ct) && ct && strcasestr(ct, "text/html"))
				x->html = true;
		}
		sniff(x, d, n);
		if (x->html)
			return 0;   /* abort: an error page, not a tarball */
	}
	if (x->fd >= 0) {
		for (size_t off = 0; off < n;) {
			ssize_t w = write(x->fd, d + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				x->werrno = w < 0 ? errno : EIO;
				return 0;
			}
			off += (size_t)w;
		}
		return n;
	}
	if (x->n + n > x->max) {
		x->too_big = true;
		return 0;
	}
	char *nb = realloc(x->buf, x->n + n + 1);
	if (!nb) {
		x->werrno = ENOMEM;
		return 0;
	}
	x->buf = nb;
	memcpy(x->buf + x->n, d, n);
	x->n += n;
	x->buf[x->n] = '\0';
	return n;
}

static int on_xfer(void *u, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)ultotal;
	(void)ulnow;
	struct xfer *x = u;
	progress_update(x->prog, dlnow > 0 ? (uint64_t)dlnow : 0, dltotal > 0 ? (uint64_t)dltotal : 0);
	return x->cancel && *x->cancel; /* non-zero: CURLE_ABORTED_BY_CALLBACK */
}

enum get_result { GET_OK, GET_HTTP, GET_NET, GET_HTML, GET_WRITE, GET_TOO_BIG, GET_CANCEL };

/* GETs url into x, up to ATTEMPTS times (1 s, 2 s apart) for network errors and 5xx.
 * Returns what ended it; *status is the last HTTP status, cerr libcurl's message. */
static enum get_result http_get(const char *url, struct xfer *x, long timeout_s, long *status,
				char *cerr, size_t cerrlen)
{
	char ebuf[CURL_ERROR_SIZE];
	enum get_result res = GET_NET;
	*status = 0;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc) {
		snprintf(cerr, cerrlen, "curl_global_init: %s", curl_easy_strerror(curl_init_rc));
		return GET_NET;
	}
	for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
		if (attempt)
			sleep((unsigned)attempt);   /* 1 s, then 2 s */
		CURL *c = curl_easy_init();
		if (!c) {
			snprintf(cerr, cerrlen, "curl_easy_init failed");
			return GET_NET;
		}
		x->c = c;
		x->n = 0;
		x->ct_checked = x->html = x->sniffed = x->too_big = false;
		x->sniff_n = 0;
		x->werrno = 0;
		if (x->fd >= 0 && (ftruncate(x->fd, 0) || lseek(x->fd, 0, SEEK_SET) < 0)) {
			x->werrno = errno;
			curl_easy_cleanup(c);
			return GET_WRITE;
		}
		ebuf[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
		curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);   /* < 1 KB/s ... */
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);      /* ... for 30 s: stalled */
		if (timeout_s)
			curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "ktstr");
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
		if (x->prog || x->cancel) {
			curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
			curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
			curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		}
		CURLcode cc = curl_easy_perform(c);
		long oserr = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
		if (cc == CURLE_OK && x->check_html && !x->sniffed)
			x->html |= html_prefix(x->sniff, x->sniff_n);   /* a body shorter than the sniff */
		curl_easy_cleanup(c);
		x->c = NULL;
		snprintf(cerr, cerrlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
		/* curl says "Couldn't connect to server"; the system's word is "Connection refused". */
		if (cc != CURLE_OK && oserr > 0 && !strcasestr(cerr, strerror((int)oserr)))
			snprintf(cerr + strlen(cerr), cerrlen - strlen(cerr), " (%s)", strerror((int)oserr));
		bool retry = false;
		if (cc == CURLE_ABORTED_BY_CALLBACK)
			return GET_CANCEL;
		if (x->html)
			return GET_HTML;
		if (x->too_big)
			return GET_TOO_BIG;
		if (x->werrno)
			return GET_WRITE;
		if (cc == CURLE_OK)
			return GET_OK;
		if (cc == CURLE_HTTP_RETURNED_ERROR) {
			res = GET_HTTP;
			retry = *status >= 500;
		} else {
			res = GET_NET;
			retry = cc != CURLE_URL_MALFORMAT && cc != CURLE_UNSUPPORTED_PROTOCOL &&
				cc != CURLE_OUT_OF_MEMORY && cc != CURLE_TOO_MANY_REDIRECTS;
		}
		if (!retry)
			break;
	}
	return res;
}

int kernel_org_releases(struct releases *out, char *err, size_t errlen)
{
	char base[1024], url[1100], cerr[CURL_ERROR_SIZE + 64];
	long status;
	out->v = NULL;
	out->n = 0;
	base_url("KTSTR_KERNEL_ORG_URL", "https://www.kernel.org", base, sizeof(base));
	snprintf(url, sizeof(url), "%s/releases.json", base);
	struct xfer x = { .fd = -1, .max = RELEASES_MAX };
	enum get_result r = http_get(url, &x, 60, &status, cerr, sizeof(cerr));
	int rc = 0;
	switch (r) {
	case GET_OK:
		rc = releases_parse(x.buf ? x.buf : "", x.n, out, err, errlen);
		break;
	case GET_HTTP:
		snprintf(err, errlen, "fetch %s: HTTP %ld", url, status);
		rc = -EIO;
		break;
	case GET_TOO_BIG:
		snprintf(err, errlen, "fetch %s: larger than %u MB; not kernel.org's releases.json", url, RELEASES_MAX >> 20);
		rc = -EFBIG;
		break;
	case GET_WRITE:
		snprintf(err, errlen, "fetch %s: %s", url, strerror(x.werrno));
		rc = -x.werrno;
		break;
	default:
		snprintf(err, errlen, "fetch %s: %s", url, cerr);
		rc = -EIO;
	}
	free(x.buf);
	return rc;
}

int kernel_org_latest_stable(char *ver, size_t len, char *err, size_t errlen)
{
	struct releases r;
	int rc = kernel_org_releases(&r, err, errlen);
	if (!rc)
		rc = releases_latest_stable(&r, ver, len, err, errlen);
	releases_free(&r);
	return rc;
}

/* An exact version: X.Y.Z, X.Y or X.Y-rcN (a bare major is a prefix, resolved first). */
static int exact_version(const char *version, struct kver *k, char *err, size_t errlen)
{
	if (kver_parse(version, k) || k->minor < 0) {
		snprintf(err, errlen, "invalid kernel version '%s': expected X.Y.Z, X.Y or X.Y-rcN (e.g. 6.14.2, 6.15-rc3)",
			 version ? version : "");
		return -EINVAL;
	}
	return 0;
}

/* The file name, rebuilt from the parsed numbers so nothing else reaches the URL or disk. */
static void tarball_name(const struct kver *k, char *name, size_t len)
{
	if (k->rc)
		snprintf(name, len, "linux-%d.%d-rc%d.tar.gz", k->major, k->minor, k->rc);
	else if (k->patch > 0)
		snprintf(name, len, "linux-%d.%d.%d.tar.xz", k->major, k->minor, k->patch);
	else
		snprintf(name, len, "linux-%d.%d.tar.xz", k->major, k->minor);
}

int kernel_tarball_url(const char *version, char *url, size_t len, char *err, size_t errlen)
{
	struct kver k;
	char base[1024], name[64];
	int rc = exact_version(version, &k, err, errlen);
	if (rc)
		return rc;
	tarball_name(&k, name, sizeof(name));
	if (k.rc) {
		base_url("KTSTR_KERNEL_GIT_URL", "https://git.kernel.org", base, sizeof(base));
		snprintf(url, len, "%s/torvalds/t/%s", base, name);
	} else {
		base_url("KTSTR_KERNEL_ORG_URL", "https://cdn.kernel.org", base, sizeof(base));
		snprintf(url, len, "%s/pub/linux/kernel/v%d.x/%s", base, k.major, name);
	}
	return 0;
}

/* The path below the archive's single top directory, or NULL for that directory itself.
 * top holds the first entry's top directory; -EINVAL for an entry outside it or unsafe. */
static int strip_top(const char *path, char *top, size_t toplen, const char **rel, char *err, size_t errlen)
{
	while (!strncmp(path, "./", 2))
		path += 2;
	if (path[0] == '/') {
		snprintf(err, errlen, "extract tarball: absolute path in archive: %s", path);
		return -EINVAL;
	}
	size_t n = strcspn(path, "/");
	if (!top[0]) {
		if (!n || n >= toplen || (n == 2 && !strncmp(path, "..", 2))) {
			snprintf(err, errlen, "extract tarball: unexpected top-level entry '%s'", path);
			return -EINVAL;
		}
		memcpy(top, path, n);
		top[n] = '\0';
	}
	if (n != strlen(top) || strncmp(path, top, n)) {
		snprintf(err, errlen, "extract tarball: archive has more than one top-level entry (%s, %.*s); expected one source directory",
			 top, (int)n, path);
		return -EINVAL;
	}
	path += n;
	while (*path == '/')
		path++;
	*rel = *path ? path : NULL;
	return 0;
}

static const char *aerr(struct archive *a)
{
	const char *s = archive_error_string(a);
	if (s)
		return s;
	return archive_errno(a) ? strerror(archive_errno(a)) : "unknown error";
}

static int copy_data(struct archive *a, struct archive *w, char *err, size_t errlen)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	for (;;) {
		int r = archive_read_data_block(a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN) {
			snprintf(err, errlen, "extract tarball: %s", aerr(a));
			return -EIO;
		}
		if (archive_write_data_block(w, buf, size, off) < ARCHIVE_WARN) {
			snprintf(err, errlen, "extract tarball: %s", aerr(w));
			return -EIO;
		}
	}
}

/* Unpacks file into dir (which exists), stripping the single top directory. The archive's
 * names are checked here (no absolute paths, one top); libarchive refuses ".." and writing
 * through symlinks. SECURE_NOABSOLUTEPATHS cannot be used: the names we hand it are dir's
 * absolute path plus the archive's, which is also why dir must contain no symlink. */
static int extract(const char *file, const char *dir, const char *name, const struct kernel_dl_opts *o,
		   char *err, size_t errlen)
{
	struct archive *a = archive_read_new(), *w = archive_write_disk_new();
	struct progress *p = NULL;
	struct archive_entry *e;
	char top[256] = "", full[PATH_MAX], label[96];
	int rc = 0, entries = 0;
	if (!a || !w) {
		snprintf(err, errlen, "extract tarball: %s", strerror(ENOMEM));
		rc = -ENOMEM;
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					  ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	archive_write_disk_set_standard_lookup(w);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		snprintf(err, errlen, "extract tarball: %s", aerr(a));
		rc = -EIO;
		goto out;
	}
	struct stat st;
	snprintf(label, sizeof(label), "extract %s", name);
	p = progress_begin(o ? o->progress_fd : -1, label, stat(file, &st) ? 0 : (uint64_t)st.st_size, "MB");
	if (o && o->cb)
		progress_set_cb(p, o->cb, o->ctx);
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			snprintf(err, errlen, "extract tarball: %s", aerr(a));
			rc = -EIO;
			goto out;
		}
		const char *rel, *hl = archive_entry_hardlink(e);
		if ((rc = strip_top(archive_entry_pathname(e), top, sizeof(top), &rel, err, errlen)))
			goto out;
		if (!rel) {   /* the top directory itself: dir stands in for it */
			archive_read_data_skip(a);
			continue;
		}
		snprintf(full, sizeof(full), "%s/%s", dir, rel);
		archive_entry_copy_pathname(e, full);
		if (hl) {
			if ((rc = strip_top(hl, top, sizeof(top), &rel, err, errlen)))
				goto out;
			snprintf(full, sizeof(full), "%s/%s", dir, rel ? rel : "");
			archive_entry_copy_hardlink(e, full);
		}
		if (archive_write_header(w, e) < ARCHIVE_WARN) {
			snprintf(err, errlen, "extract tarball: %s", aerr(w));
			rc = -EIO;
			goto out;
		}
		if (archive_entry_size(e) > 0 && (rc = copy_data(a, w, err, errlen)))
			goto out;
		if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
			snprintf(err, errlen, "extract tarball: %s", aerr(w));
			rc = -EIO;
			goto out;
		}
		entries++;
		progress_update(p, (uint64_t)archive_filter_bytes(a, -1), 0);
	}
	if (archive_write_close(w) < ARCHIVE_WARN) {   /* deferred directory times and modes */
		snprintf(err, errlen, "extract tarball: %s", aerr(w));
		rc = -EIO;
	} else if (!entries) {
		snprintf(err, errlen, "extract tarball: %s has no files below a top directory", name);
		rc = -EINVAL;
	}
out:
	progress_end(p, !rc);
	if (w)
		archive_write_free(w);
	if (a)
		archive_read_free(a);
	return rc;
}

/* The message for a 404/410: the series' newest release as a hint when it is listed and
 * not end-of-life; RCs get their own three lines. */
static void not_found(const char *version, const struct kver *k, const char *url,
		      const struct releases *rels, char *err, size_t errlen)
{
	if (k->rc) {
		snprintf(err, errlen, "RC tarball not found: %s\n"
			 "  RC releases are removed from git.kernel.org after the stable version ships.\n"
			 "Use ktstr kernel build --git URL --ref NAME with a git.kernel.org URL to clone the tag instead (here: --ref v%d.%d-rc%d).",
			 url, k->major, k->minor, k->rc);
		return;
	}
	struct releases own = { 0 };
	char sib[32], e2[256];
	if (!rels && !kernel_org_releases(&own, e2, sizeof(e2)))
		rels = &own;
	if (rels && !releases_sibling(rels, k, sib, sizeof(sib)) && strcmp(sib, version))
		snprintf(err, errlen, "version %s not found. latest %d.%d.x: %s", version, k->major, k->minor, sib);
	else
		snprintf(err, errlen, "version %s not found", version);
	releases_free(&own);
}

int kernel_download_source_opts(const char *version, const struct releases *rels, const char *dest_dir,
				const struct kernel_dl_opts *o, char *err, size_t errlen)
{
	struct kver k;
	struct stat st;
	char url[1200], name[64], label[96], cerr[CURL_ERROR_SIZE + 64];
	char parent[PATH_MAX], rparent[PATH_MAX], dest[PATH_MAX], part[PATH_MAX], tmp[PATH_MAX];
	int rc = exact_version(version, &k, err, errlen);
	if (rc)
		return rc;
	if (!dest_dir || !*dest_dir || strlen(dest_dir) >= sizeof(parent) - 32) {
		snprintf(err, errlen, "invalid destination directory '%s'", dest_dir ? dest_dir : "");
		return -EINVAL;
	}
	if (!lstat(dest_dir, &st)) {
		snprintf(err, errlen, "%s already exists; remove it or choose another directory", dest_dir);
		return -EEXIST;
	}
	kernel_tarball_url(version, url, sizeof(url), err, errlen);
	tarball_name(&k, name, sizeof(name));

	/* dest's parent without symlinks (see extract), created if missing. */
	snprintf(parent, sizeof(parent), "%s", dest_dir);
	for (size_t n = strlen(parent); n > 1 && parent[n - 1] == '/'; n--)
		parent[n - 1] = '\0';
	char *slash = strrchr(parent, '/');
	const char *base = slash ? slash + 1 : parent;
	char leaf[NAME_MAX + 1];
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || strlen(base) > NAME_MAX) {
		snprintf(err, errlen, "invalid destination directory '%s'", dest_dir);
		return -EINVAL;
	}
	snprintf(leaf, sizeof(leaf), "%s", base);
	if (slash == parent)
		parent[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(parent, sizeof(parent), ".");
	if ((rc = fs_mkdir_p(parent, 0755)) || !realpath(parent, rparent)) {
		rc = rc ? rc : -errno;
		snprintf(err, errlen, "create %s: %s", parent, strerror(-rc));
		return rc;
	}
	const char *sep = strcmp(rparent, "/") ? "/" : "";
	snprintf(dest, sizeof(dest), "%s%s%s", rparent, sep, leaf);
	snprintf(part, sizeof(part), "%s.part-%d", dest, (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", dest, (int)getpid());

	struct xfer x = { .max = 0, .check_html = true, .cancel = o ? o->cancel : NULL };
	x.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (x.fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "download %s: create %s: %s", url, part, strerror(-rc));
		return rc;
	}
	snprintf(label, sizeof(label), "download %s", name);
	x.prog = progress_begin(o ? o->progress_fd : -1, label, 0, "MB");
	if (o && o->cb)
		progress_set_cb(x.prog, o->cb, o->ctx);
	long status;
	enum get_result r = http_get(url, &x, 0, &status, cerr, sizeof(cerr));
	if (r == GET_OK && fsync(x.fd)) {
		r = GET_WRITE;
		x.werrno = errno;
	}
	progress_end(x.prog, r == GET_OK);
	close(x.fd);
	switch (r) {
	case GET_OK:
		break;
	case GET_HTTP:
		if (status == 404 || status == 410) {
			not_found(version, &k, url, rels, err, errlen);
			rc = -ENOENT;
		} else {
			snprintf(err, errlen, "download %s: HTTP %ld", url, status);
			rc = -EIO;
		}
		goto fail;
	case GET_HTML:
		snprintf(err, errlen, "download %s: server returned HTML instead of tarball (URL may be invalid)", url);
		rc = -EPROTO;
		goto fail;
	case GET_WRITE:
		snprintf(err, errlen, "download %s: write %s: %s", url, part, strerror(x.werrno));
		rc = -x.werrno;
		goto fail;
	case GET_CANCEL:
		snprintf(err, errlen, "download %s: cancelled", url);
		rc = -ECANCELED;
		goto fail;
	default:
		snprintf(err, errlen, "download %s: %s", url, cerr);
		rc = -EIO;
		goto fail;
	}

	if (mkdir(tmp, 0755)) {
		rc = -errno;
		snprintf(err, errlen, "extract tarball: create %s: %s", tmp, strerror(-rc));
		goto fail;
	}
	if ((rc = extract(part, tmp, name, o, err, errlen)))
		goto fail;
	char mk[PATH_MAX + 16];
	snprintf(mk, sizeof(mk), "%s/Makefile", tmp);
	if (access(mk, F_OK)) {
		snprintf(err, errlen, "extract tarball: %s is not a kernel source tree (no top-level Makefile)", name);
		rc = -EINVAL;
		goto fail;
	}
	unlink(part);
	if (rename(tmp, dest)) {
		rc = -errno;
		snprintf(err, errlen, "rename %s to %s: %s", tmp, dest, strerror(-rc));
		goto fail;
	}
	fs_fsync_dir(rparent);
	return 0;
fail:
	unlink(part);
	fs_rm_rf(tmp);
	return rc;
}

int kernel_download_source(const char *version, const struct releases *rels, const char *dest_dir,
			   int progress_fd, char *err, size_t errlen)
{
	struct kernel_dl_opts o = { .progress_fd = progress_fd };
	return kernel_download_source_opts(version, rels, dest_dir, &o, err, errlen);
}
