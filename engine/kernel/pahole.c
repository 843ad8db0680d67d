/* pahole (pahole.h): version probe, refusal, private provisioning from sid. The sid binary
 * needs sid's glibc, so the copy carries its own loader and libraries and a wrapper script
 * runs it through them; nothing is installed into the system. */
#include "engine/kernel/pahole.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/apt.h"
#include "engine/kernel/proc.h"

/* pahole and its runtime closure in sid (checked by running the result). */
static const char *const sid_pkgs[] = {
	"pahole", "libdwarves1", "libbpf1", "libelf1t64", "libdw1t64", "libc6", "libzstd1",
	"zlib1g", "liblzma5", "libbz2-1.0", NULL,
};

static const char wrapper[] =
	"#!/bin/sh\n"
	"# ktstr's private pahole (sid) with its own loader and libraries\n"
	"d=$(dirname \"$(readlink -f \"$0\")\")\n"
	"L=$d/root/usr/lib/x86_64-linux-gnu\n"
	"exec \"$L/ld-linux-x86-64.so.2\" --library-path \"$L\" \"$d/root/usr/bin/pahole\" \"$@\"\n";

int pahole_version(const char *cmd, int *ver, char *vstr, size_t len)
{
	char out[512];
	const char *argv[] = { cmd, "--version", NULL };
	int st = kproc_capture(argv, NULL, out, sizeof(out));
	int maj, min;
	if (st || sscanf(out, "v%d.%d", &maj, &min) != 2)
		return st < 0 ? st : -ENOEXEC;
	*ver = maj * 100 + min;
	snprintf(vstr, len, "%d.%d", maj, min);
	return 0;
}

static int provision(const char *root, const char *dest, char *err, size_t errlen)
{
	char tmp[PATH_MAX], dl[PATH_MAX], rootfs[PATH_MAX], p[PATH_MAX];
	struct apt_ctx *c;
	int rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", dest, (int)getpid());
	snprintf(dl, sizeof(dl), "%s/debs", tmp);
	snprintf(rootfs, sizeof(rootfs), "%s/root", tmp);
	fs_rm_rf(tmp);
	if ((rc = fs_mkdir_p(dl, 0755)) || (rc = fs_mkdir_p(rootfs, 0755))) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(-rc));
		return rc;
	}
	fprintf(stderr, "ktstr: provisioning pahole from Debian sid into %s (the system's "
		"packages are not touched)\n", dest);
	if ((rc = apt_open(root, &c, err, errlen)))
		goto fail;
	rc = apt_download(c, sid_pkgs, dl, err, errlen);
	apt_close(c);
	if (rc)
		goto fail;
	glob_t g;
	snprintf(p, sizeof(p), "%s/*.deb", dl);
	if (glob(p, 0, NULL, &g) || !g.gl_pathc) {
		snprintf(err, errlen, "apt-get download left no .deb in %s", dl);
		rc = -ENOENT;
		goto fail;
	}
	for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
		char out[1024];
		const char *argv[] = { "dpkg-deb", "-x", g.gl_pathv[i], rootfs, NULL };
		int st = kproc_capture(argv, NULL, out, sizeof(out));
		if (st) {
			snprintf(err, errlen, "dpkg-deb -x %s failed (%d): %s", g.gl_pathv[i], st, out);
			rc = -EIO;
		}
	}
	globfree(&g);
	if (rc)
		goto fail;
	fs_rm_rf(dl);
	snprintf(p, sizeof(p), "%s/pahole", tmp);
	if ((rc = fs_write_atomic(p, wrapper, sizeof(wrapper) - 1, 0755))) {
		snprintf(err, errlen, "cannot write %s: %s", p, strerror(-rc));
		goto fail;
	}
	int ver;
	char vs[16];
	if ((rc = pahole_version(p, &ver, vs, sizeof(vs))) || ver < PAHOLE_MIN) {
		snprintf(err, errlen, "the provisioned pahole (%s) does not run or is older than "
			 "1.26 (%s); remove %s and retry, or set KTSTR_PAHOLE to a pahole >= 1.26",
			 p, rc ? strerror(-rc) : vs, tmp);
		rc = rc ? rc : -ENOEXEC;
		goto fail;
	}
	fs_rm_rf(dest);
	if (rename(tmp, dest)) {
		rc = -errno;
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, dest, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	fs_rm_rf(tmp);
	return rc;
}

int pahole_resolve(const char *root, struct pahole *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	const char *env = getenv("KTSTR_PAHOLE");
	if (env && *env) {
		snprintf(out->cmd, sizeof(out->cmd), "%s", env);
		if (pahole_version(env, &out->version, out->vstr, sizeof(out->vstr))) {
			snprintf(err, errlen, "KTSTR_PAHOLE=%s does not run as pahole (`%s --version` "
				 "failed); point it at a pahole >= 1.26 or unset it to let ktstr "
				 "provision one", env, env);
			return -ENOENT;
		}
		if (out->version < PAHOLE_MIN) {
			snprintf(err, errlen, "pahole %s (KTSTR_PAHOLE=%s) is too old to build a ktstr "
				 "kernel: pahole < 1.26 keeps the implicit `aux` argument in kfunc BTF, "
				 "so released schedulers cannot load on the result. Fix: unset "
				 "KTSTR_PAHOLE and ktstr provisions pahole from Debian sid under "
				 "%s/tools/pahole, or set KTSTR_PAHOLE to a pahole >= 1.26",
				 out->vstr, env, root);
			return -EINVAL;
		}
		return 0;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/tools/pahole", root);
	snprintf(out->cmd, sizeof(out->cmd), "%s/pahole", dir);
	if (!pahole_version(out->cmd, &out->version, out->vstr, sizeof(out->vstr)) &&
	    out->version >= PAHOLE_MIN) {
		out->provisioned = true;
		return 0;
	}
	char path[PATH_MAX];
	if (!fs_which("pahole", NULL, path, sizeof(path)) &&
	    !pahole_version(path, &out->version, out->vstr, sizeof(out->vstr)) &&
	    out->version >= PAHOLE_MIN) {
		snprintf(out->cmd, sizeof(out->cmd), "%s", path);
		return 0;
	}
	char tools[PATH_MAX];
	snprintf(tools, sizeof(tools), "%s/tools", root);
	int rc = fs_mkdir_p(tools, 0755);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s (set KTSTR_CACHE_DIR to a writable "
			 "directory)", tools, strerror(-rc));
		return rc;
	}
	if ((rc = provision(root, dir, err, errlen)))
		return rc;
	snprintf(out->cmd, sizeof(out->cmd), "%s/pahole", dir);
	out->provisioned = true;
	return pahole_version(out->cmd, &out->version, out->vstr, sizeof(out->vstr));
}
