/* Debian sid packages without touching the system: apt-get with a private sources list,
 * state and cache under <root>/apt. Used for the test kernel (fetch.c), the kernel source
 * and a pahole new enough to build kernels (pahole.c). */
#ifndef KTSTR_APT_H
#define KTSTR_APT_H

#include <stddef.h>

struct apt_ctx;

/* Creates <root>/apt and its sources.list (the system's Debian mirror, suite sid) and runs
 * `apt-get update` once per process. Caller frees with apt_close. */
int apt_open(const char *root, struct apt_ctx **out, char *err, size_t errlen);
void apt_close(struct apt_ctx *c);
const char *apt_dir(const struct apt_ctx *c);
const char *apt_log(const struct apt_ctx *c);
/* Runs args (apt-get or apt-cache) with the private options, in cwd (NULL: ours), stdout to
 * out_path (NULL: the log). Returns the exit status or -errno. */
int apt_run(struct apt_ctx *c, const char *const *args, const char *cwd, const char *out_path);
/* err = "<what> failed (...); full log: ... --- last lines --- ..."; returns -EIO. */
int apt_fail(struct apt_ctx *c, const char *what, int st, char *err, size_t errlen);
/* `apt-get download` of pkgs (NULL-terminated) into dir. */
int apt_download(struct apt_ctx *c, const char *const *pkgs, const char *dir, char *err, size_t errlen);
/* The first "Depends: <prefix>..." package of `apt-cache depends pkg`, e.g.
 * linux-image-cloud-amd64 -> linux-image-7.2.13+deb14-cloud-amd64. */
int apt_depends_on(struct apt_ctx *c, const char *pkg, const char *prefix, const char *suffix,
		   char *out, size_t len, char *err, size_t errlen);

#endif
