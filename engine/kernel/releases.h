/* kernel.org's releases.json, parsed: version numbers, the latest stable rule (patch >= 8),
 * prefix resolution ("6.14" -> newest 6.14.x) and ranges ("6.12..6.14"). Pure: no network
 * (download.h fetches the file). */
#ifndef KTSTR_KERNEL_RELEASES_H
#define KTSTR_KERNEL_RELEASES_H

#include <stdbool.h>
#include <stddef.h>

/* "6.14.2" -> {6,14,2,0}; "6.14" -> {6,14,-1,0}; "6.15-rc3" -> {6,15,-1,3}; "7" -> {7,-1,-1,0}.
 * rc > 0 for "-rcN"; patch -1 when absent; minor -1 when absent (a bare major). */
struct kver { int major, minor, patch, rc; };
/* 0 or -EINVAL (anything but MAJOR[.MINOR[.PATCH]] or MAJOR.MINOR-rcN, N >= 1). */
int kver_parse(const char *s, struct kver *out);
/* <0, 0, >0. An absent minor or patch counts as 0; X.Y-rcN sorts before X.Y (= X.Y.0). */
int kver_cmp(const struct kver *a, const struct kver *b);

/* One entry of releases.json's "releases" array. moniker: mainline|stable|longterm|linux-next. */
struct release { char version[32]; char moniker[16]; bool iseol; };
struct releases { struct release *v; int n; };

/* 0, or -EINVAL with err naming releases.json (malformed JSON, no "releases" array).
 * Entries without a string version or moniker are skipped. Free with releases_free. */
int releases_parse(const char *json, size_t len, struct releases *out, char *err, size_t errlen);
void releases_free(struct releases *r);

/* Newest stable or longterm release whose patch level is >= 8 (brand-new series often fail
 * to build); else -ENOENT, err = "no stable kernel with patch >= 8 found in releases.json". */
int releases_latest_stable(const struct releases *r, char *ver, size_t len, char *err, size_t errlen);

/* "6.14" -> the newest 6.14.x listed as stable/longterm (else a mainline "6.14" if listed);
 * "7" -> the newest 7.y.z; an exact "6.14.2" or "6.15-rc3" is returned as is. -ENOENT when
 * a prefix has no listed series, -EINVAL when spec is not a version. */
int releases_resolve(const struct releases *r, const char *spec, char *ver, size_t len, char *err, size_t errlen);

/* "A..B" or "A..=B", both inclusive, over stable and longterm entries (mainline and
 * linux-next dropped); endpoints need not exist. An endpoint without a patch level covers
 * its whole series ("6.12..6.14" includes every 6.14.x). *out: versions sorted ascending,
 * no duplicates; free with releases_range_free. -EINVAL for a malformed spec (or start
 * after end), -ENOENT when no listed release falls in the range. */
int releases_range(const struct releases *r, const char *spec, char ***out, int *n, char *err, size_t errlen);
void releases_range_free(char **v, int n);
/* spec contains ".." and is not a path (no '/', does not start with '.' or '~'). */
bool releases_is_range(const char *spec);

/* The newest listed stable/longterm release of ver's series that is not end-of-life
 * ("6.14.22" -> "6.14.10"): the sibling a "not found" message suggests. 0 or -ENOENT. */
int releases_sibling(const struct releases *r, const struct kver *ver, char *out, size_t len);

#endif
