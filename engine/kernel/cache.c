/* The kernel cache: root resolution, entry metadata (read/validate/write), listing with
 * corruption marks, lookup, removal and the resolution chain a run uses to pick a kernel.
 * Import and fetch live in kernel_import.c and kernel_fetch.c. */
#include "engine/kernel/cache.h"
#include "engine/kernel/image.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include "engine/kernel/kconfig.h"
#include "engine/kernel/lock.h"
#include "engine/kernel/snapshot.h"

const char *const cache_ktstr_kconfig[] = {
	"CONFIG_SCHED_CLASS_EXT=y", "CONFIG_BPF_SYSCALL=y", "CONFIG_DEBUG_INFO_BTF=y",
	"CONFIG_BLK_DEV_INITRD=y", "CONFIG_VIRTIO_PCI=y", "CONFIG_VIRTIO_CONSOLE=y",
	"CONFIG_SERIAL_8250_CONSOLE=y", "CONFIG_CGROUPS=y", "CONFIG_CPUSETS=y", NULL,
};

uint64_t cache_ktstr_kconfig_hash(void)
{
	uint64_t h = FS_FNV_INIT;
	for (int i = 0; cache_ktstr_kconfig[i]; i++)
		h = fs_fnv1a(h, cache_ktstr_kconfig[i], strlen(cache_ktstr_kconfig[i]) + 1);
	return h;
}

int cache_root(char *buf, size_t len, char *err, size_t errlen)
{
	const char *d = getenv("KTSTR_CACHE_DIR");
	int n;
	if (d && *d) {
		n = snprintf(buf, len, "%s", d);
	} else if ((d = getenv("XDG_CACHE_HOME")) && *d) {
		n = snprintf(buf, len, "%s/ktstr", d);
	} else {
		const char *home = getenv("HOME");
		if (!home) {
			snprintf(err, errlen, "HOME is unset; cannot resolve cache directory. The "
				 "container init or login shell did not assign HOME — set it to an "
				 "absolute path, or set KTSTR_CACHE_DIR to an absolute path (e.g. "
				 "/tmp/ktstr-cache) or XDG_CACHE_HOME to specify a cache location "
				 "explicitly.");
			return -ENOENT;
		}
		if (!*home) {
			snprintf(err, errlen, "HOME is set to the empty string; cannot resolve cache "
				 "directory. An empty HOME usually means a Dockerfile or shell rc has "
				 "`export HOME=` or `ENV HOME=` with no value. Either set HOME to a real "
				 "absolute path, or set KTSTR_CACHE_DIR to an absolute path (e.g. "
				 "/tmp/ktstr-cache) or XDG_CACHE_HOME to specify a cache location "
				 "explicitly.");
			return -ENOENT;
		}
		n = snprintf(buf, len, "%s/.cache/ktstr", home);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "cache directory path is too long; set KTSTR_CACHE_DIR to a "
			 "shorter absolute path");
		return -ENAMETOOLONG;
	}
	return 0;
}

int cache_kernels_dir(const char *root, char *buf, size_t len, char *err, size_t errlen)
{
	if ((size_t)snprintf(buf, len, "%s/kernels", root) >= len) {
		snprintf(err, errlen, "cache directory path is too long: %s", root);
		return -ENAMETOOLONG;
	}
	int rc = fs_mkdir_p(buf, 0755);
	if (!rc && access(buf, W_OK | X_OK))
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "kernel cache directory %s is not usable: %s. Make it "
			 "writable, or set KTSTR_CACHE_DIR to a writable absolute path (e.g. "
			 "/tmp/ktstr-cache)", buf, strerror(-rc));
		return rc;
	}
	return 0;
}

static void mark_corrupt(struct kernel_entry *e, const char *kind, const char *fmt, const char *detail)
{
	e->corrupt = true;
	snprintf(e->error_kind, sizeof(e->error_kind), "%s", kind);
	snprintf(e->error, sizeof(e->error), fmt, detail);
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A file name inside the entry: "", "." and ".." would name the entry dir or its parent. */
static bool plain_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static void read_build_info(json_t *b, const char *dir, struct kernel_build_info *bi)
{
	const char *s;
	bi->built = true;
#define BSTR(field, name) if ((s = jstr(b, name))) snprintf(bi->field, sizeof(bi->field), "%s", s)
	BSTR(src, "src");
	BSTR(ref, "ref");
	BSTR(commit, "commit");
	BSTR(fingerprint, "fingerprint");
	BSTR(kconfig_hash, "kconfig_hash");
	BSTR(extra_kconfig, "extra_kconfig");
	BSTR(extra_kconfig_hash, "extra_kconfig_hash");
	BSTR(pahole, "pahole");
#undef BSTR
	json_t *n = json_object_get(b, "secs");
	bi->secs = json_is_integer(n) ? (int)json_integer_value(n) : 0;
	n = json_object_get(b, "jobs");
	bi->jobs = json_is_integer(n) ? (int)json_integer_value(n) : 0;
	if (plain_name(s = jstr(b, "log")))
		snprintf(bi->log, sizeof(bi->log), "%s/%s", dir, s);
}


int cache_read_entry(const char *dir, const char *key, struct kernel_entry *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	snprintf(e->dir, sizeof(e->dir), "%s", dir);
	e->size_bytes = fs_du(dir);
	uint64_t apparent;
	snap_stats(dir, &e->snapshots, &e->snapshot_bytes, &apparent);
	/* Snapshots count by their blocks, not their sparse memory files' length. */
	if (e->size_bytes >= apparent)
		e->size_bytes = e->size_bytes - apparent + e->snapshot_bytes;
	struct stat st;
	if (!stat(dir, &st))
		e->created_unix = st.st_mtime;

	char mp[PATH_MAX];
	snprintf(mp, sizeof(mp), "%s/metadata.json", dir);
	char *text = NULL;
	int rc = fs_read_file(mp, 1 << 20, &text, NULL);
	if (rc) {
		mark_corrupt(e, "missing", "metadata.json missing: %s", strerror(-rc));
		return 0;
	}
	json_error_t je;
	json_t *m = json_loads(text, 0, &je);
	free(text);
	if (!m || !json_is_object(m)) {
		mark_corrupt(e, "malformed", "metadata.json malformed: %s",
			     m ? "top level is not an object" : je.text);
		json_decref(m);
		return 0;
	}
	json_t *schema = json_object_get(m, "schema");
	const char *version = jstr(m, "version"), *source = jstr(m, "source");
	const char *image = jstr(m, "image");
	json_t *created = json_object_get(m, "created_unix");
	char detail[128];
	if (!json_is_integer(schema) || json_integer_value(schema) != CACHE_SCHEMA_VERSION) {
		snprintf(detail, sizeof(detail), "schema %lld, this ktstr reads %d",
			 json_is_integer(schema) ? (long long)json_integer_value(schema) : -1LL,
			 CACHE_SCHEMA_VERSION);
		mark_corrupt(e, "schema_drift", "metadata.json schema drift: %s", detail);
		goto out;
	}
	if (!version || !source || !plain_name(image) || !json_is_integer(created)) {
		mark_corrupt(e, "schema_drift", "metadata.json schema drift: %s",
			     "required key version/source/image/created_unix missing or mistyped");
		goto out;
	}
	snprintf(e->version, sizeof(e->version), "%s", version);
	snprintf(e->source, sizeof(e->source), "%s", source);
	snprintf(e->image, sizeof(e->image), "%s/%s", dir, image);
	e->created_unix = (int64_t)json_integer_value(created);
	const char *s;
	if (plain_name(s = jstr(m, "vmlinux")))
		snprintf(e->vmlinux, sizeof(e->vmlinux), "%s/%s", dir, s);
	if (plain_name(s = jstr(m, "config")))
		snprintf(e->config, sizeof(e->config), "%s/%s", dir, s);
	if ((s = jstr(m, "created")))
		snprintf(e->created_iso, sizeof(e->created_iso), "%s", s);
	if ((s = jstr(m, "config_hash")))
		snprintf(e->config_hash, sizeof(e->config_hash), "%s", s);
	e->has_sched_ext = json_is_true(json_object_get(m, "has_sched_ext"));
	json_t *b = json_object_get(m, "build");
	if (json_is_object(b))
		read_build_info(b, dir, &e->build);
	if ((s = jstr(m, "ktstr_kconfig_hash"))) {
		/* Built entries answer to the fragment they were built with, imports to the list
		 * of options they were checked against. */
		char want[24];
		snprintf(want, sizeof(want), "%016llx", (unsigned long long)(e->build.built ?
			 kconfig_fragment_hash() : cache_ktstr_kconfig_hash()));
		e->stale_kconfig = strcmp(s, want) != 0;
	}
	if (access(e->image, R_OK))
		mark_corrupt(e, "image_missing", "image missing: %s", image);
	else if (e->vmlinux[0] && access(e->vmlinux, R_OK))
		e->vmlinux[0] = '\0'; /* optional: boot the bzImage instead */
out:
	json_decref(m);
	return 0;
}

json_t *cache_build_json(const struct kernel_build_info *bi, bool full_log_path)
{
	json_t *o = json_object();
	const char *log = full_log_path || !strrchr(bi->log, '/') ? bi->log : strrchr(bi->log, '/') + 1;
#define BSET(name, v) json_object_set_new(o, name, (v)[0] ? json_string(v) : json_null())
	BSET("src", bi->src);
	BSET("ref", bi->ref);
	BSET("commit", bi->commit);
	BSET("fingerprint", bi->fingerprint);
	BSET("kconfig_hash", bi->kconfig_hash);
	BSET("extra_kconfig", bi->extra_kconfig);
	BSET("extra_kconfig_hash", bi->extra_kconfig_hash);
	BSET("pahole", bi->pahole);
	BSET("log", log);
#undef BSET
	json_object_set_new(o, "secs", json_integer(bi->secs));
	json_object_set_new(o, "jobs", json_integer(bi->jobs));
	return o;
}

int cache_write_metadata(const char *dir, const struct kernel_entry *e, char *err, size_t errlen)
{
	char kh[24], mp[PATH_MAX];
	snprintf(kh, sizeof(kh), "%016llx", (unsigned long long)(e->build.built ?
		 kconfig_fragment_hash() : cache_ktstr_kconfig_hash()));
	const char *img = strrchr(e->image, '/') ? strrchr(e->image, '/') + 1 : e->image;
	const char *vml = strrchr(e->vmlinux, '/') ? strrchr(e->vmlinux, '/') + 1 : e->vmlinux;
	const char *cfg = strrchr(e->config, '/') ? strrchr(e->config, '/') + 1 : e->config;
	json_t *m = json_pack("{s:i, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:I, s:I, s:b, s:o, s:s}",
			      "schema", CACHE_SCHEMA_VERSION, "key", e->key, "version", e->version,
			      "source", e->source, "image", img,
			      "vmlinux", *vml ? json_string(vml) : json_null(),
			      "config", *cfg ? json_string(cfg) : json_null(),
			      "created", e->created_iso, "created_unix", (json_int_t)e->created_unix,
			      "size", (json_int_t)e->size_bytes, "has_sched_ext", e->has_sched_ext,
			      "config_hash", e->config_hash[0] ? json_string(e->config_hash) : json_null(),
			      "ktstr_kconfig_hash", kh);
	if (m && e->build.built)
		json_object_set_new(m, "build", cache_build_json(&e->build, false));
	char *text = m ? json_dumps(m, JSON_INDENT(2)) : NULL;
	json_decref(m);
	if (!text) {
		snprintf(err, errlen, "cannot encode metadata.json for %s", e->key);
		return -ENOMEM;
	}
	int rc = -ENAMETOOLONG;
	if (snprintf(mp, sizeof(mp), "%s/metadata.json", dir) < (int)sizeof(mp))
		rc = fs_write_atomic(mp, text, strlen(text), 0644);
	free(text);
	if (rc)
		snprintf(err, errlen, "cannot write %s: %s", mp, strerror(-rc));
	return rc;
}

int cache_finish_entry(const char *tmp, struct kernel_entry *e, char *err, size_t errlen)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(e->created_iso, sizeof(e->created_iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	e->created_unix = now;
	e->size_bytes = fs_du(tmp);
	int rc = cache_write_metadata(tmp, e, err, errlen);
	if (!rc)
		fs_fsync_dir(tmp);
	return rc;
}

static int cmp_newest(const void *a, const void *b)
{
	const struct kernel_entry *x = a, *y = b;
	if (x->created_unix != y->created_unix)
		return x->created_unix < y->created_unix ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Leftovers of imports whose process died: .tmp-<pid>-XXXXXX with <pid> gone. */
static void sweep_tmp(const char *kdir)
{
	DIR *d = opendir(kdir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		int pid;
		if (strncmp(de->d_name, ".tmp-", 5) || sscanf(de->d_name + 5, "%d-", &pid) != 1)
			continue;
		if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM))
			continue;
		char p[PATH_MAX];
		if (snprintf(p, sizeof(p), "%s/%s", kdir, de->d_name) < (int)sizeof(p))
			fs_rm_rf(p);
	}
	closedir(d);
}

int cache_list(const char *root, struct kernel_entry **out, int *n, char *err, size_t errlen)
{
	char kdir[PATH_MAX];
	*out = NULL;
	*n = 0;
	int rc = cache_kernels_dir(root, kdir, sizeof(kdir), err, errlen);
	if (rc)
		return rc;
	sweep_tmp(kdir);
	DIR *d = opendir(kdir);
	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", kdir, strerror(errno));
		return rc;
	}
	int cap = 0;
	struct kernel_entry *v = NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[PATH_MAX];
		struct stat st;
		if (snprintf(p, sizeof(p), "%s/%s", kdir, de->d_name) >= (int)sizeof(p) ||
		    stat(p, &st) || !S_ISDIR(st.st_mode) || strlen(de->d_name) >= sizeof(v->key))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			struct kernel_entry *nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				snprintf(err, errlen, "out of memory listing %s", kdir);
				return -ENOMEM;
			}
			v = nv;
		}
		cache_read_entry(p, de->d_name, &v[(*n)++]);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, (size_t)*n, sizeof(*v), cmp_newest);
	*out = v;
	return 0;
}

void cache_list_warnings(const char *root, const struct kernel_entry *v, int n, char *buf, size_t len)
{
	bool corrupt = false, stale_built = false, stale_import = false;
	for (int i = 0; i < n; i++) {
		corrupt |= v[i].corrupt;
		stale_built |= !v[i].corrupt && v[i].stale_kconfig && v[i].build.built;
		stale_import |= !v[i].corrupt && v[i].stale_kconfig && !v[i].build.built;
	}
	size_t o = 0;
	buf[0] = '\0';
	if (corrupt && o < len)
		o += (size_t)snprintf(buf + o, len - o,
				      "warning: entries marked (corrupt) cannot be used — cached "
				      "metadata is missing, malformed, or references a missing image. Inspect the entry directory under %s/kernels to "
				      "remove it manually, or run `ktstr kernel clean --corrupt-only "
				      "--force` which removes ONLY corrupt entries and leaves valid ones "
				      "intact.\n", root);
	/* The seed's words; `ktstr kernel build` takes --kernel <version> for them. */
	if (stale_built && o < len)
		o += (size_t)snprintf(buf + o, len - o, "warning: entries marked (stale kconfig) were "
				      "built against a different ktstr.kconfig. Rebuild with: kernel "
				      "build --force --kernel <entry version> (add --extra-kconfig PATH if "
				      "the entry also carries the (extra kconfig) tag).\n");
	if (stale_import && o < len)
		snprintf(buf + o, len - o, "warning: imported entries marked (stale kconfig) were "
			 "checked against a different list of required options. Re-check them with: "
			 "`ktstr kernel rm <key>` then `ktstr kernel import PATH` (or `ktstr kernel "
			 "fetch --debian`).\n");
}

static bool key_is_safe(const char *key)
{
	return key && *key && key[0] != '.' && !strchr(key, '/') && strlen(key) < 128;
}

int cache_lookup(const char *root, const char *key, struct kernel_entry *out, char *err, size_t errlen)
{
	char kdir[PATH_MAX], p[PATH_MAX];
	struct stat st;
	if (!key_is_safe(key)) {
		snprintf(err, errlen, "'%s' is not a cache key; list keys with `ktstr kernel list`",
			 key ? key : "");
		return -EINVAL;
	}
	int rc = cache_kernels_dir(root, kdir, sizeof(kdir), err, errlen);
	if (rc)
		return rc;
	if (snprintf(p, sizeof(p), "%s/%s", kdir, key) >= (int)sizeof(p) || stat(p, &st) ||
	    !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "no cached kernel with key '%s' in %s; list keys with "
			 "`ktstr kernel list`", key, kdir);
		return -ENOENT;
	}
	cache_read_entry(p, key, out);
	return 0;
}

static int remove_entry(const char *root, const char *key, char *err, size_t errlen)
{
	struct kernel_entry e;
	int rc = cache_lookup(root, key, &e, err, errlen);
	if (rc)
		return rc;
	/* Rename first so a concurrent reader never sees a half-removed entry. */
	char tmp[PATH_MAX], kdir[PATH_MAX - 256];
	if ((rc = cache_kernels_dir(root, kdir, sizeof(kdir), err, errlen)))
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s/.tmp-%d-rm-%s", kdir, (int)getpid(), key) >=
	    (int)sizeof(tmp) || rename(e.dir, tmp)) {
		rc = -errno;
		snprintf(err, errlen, "cannot remove %s: %s", e.dir, strerror(errno));
		return rc;
	}
	rc = fs_rm_rf(tmp);
	if (rc)
		snprintf(err, errlen, "removing %s: %s", tmp, strerror(-rc));
	/* A source build's incremental build directory goes with its entry. */
	char bdir[PATH_MAX];
	if (snprintf(bdir, sizeof(bdir), "%s/builds/%s", root, key) < (int)sizeof(bdir))
		fs_rm_rf(bdir);
	return rc;
}

/* Exclusive on the entry's lock: waits for runs using it (they hold it shared). */
int cache_remove(const char *root, const char *key, char *err, size_t errlen)
{
	struct kernel_entry e;
	struct ktstr_lock lk;
	int rc = cache_lookup(root, key, &e, err, errlen);
	if (rc || (rc = lock_kernel_entry(root, key, LOCK_EX, &lk, err, errlen)))
		return rc;
	rc = remove_entry(root, key, err, errlen);
	lock_release_unlink(&lk);
	return rc;
}

int cache_clean_corrupt(const char *root, int *removed, char *err, size_t errlen)
{
	struct kernel_entry *v;
	int n, rc = cache_list(root, &v, &n, err, errlen);
	*removed = 0;
	if (rc)
		return rc;
	for (int i = 0; i < n && !rc; i++) {
		if (!v[i].corrupt)
			continue;
		if (!(rc = cache_remove(root, v[i].key, err, errlen)))
			(*removed)++;
	}
	free(v);
	return rc;
}

int cache_clean(const char *root, int keep, int *removed, char *err, size_t errlen)
{
	struct kernel_entry *v;
	int n, rc = cache_list(root, &v, &n, err, errlen), kept = 0;
	*removed = 0;
	if (rc)
		return rc;
	/* Newest first: the first `keep` valid entries stay (without their snapshots, which
	 * are removed under the entry's EX lock: no run is using them); corrupt ones never
	 * hold a slot. */
	for (int i = 0; i < n && !rc; i++) {
		if (!v[i].corrupt && kept < keep) {
			kept++;
			struct ktstr_lock lk;
			if (v[i].snapshots &&
			    !(rc = lock_kernel_entry(root, v[i].key, LOCK_EX, &lk, err, errlen))) {
				snap_remove_all(v[i].dir);
				lock_release(&lk);
			}
			continue;
		}
		if (!(rc = cache_remove(root, v[i].key, err, errlen)))
			(*removed)++;
	}
	free(v);
	/* Kernels given by path: their snapshots are remade by the next run of each. */
	char home[PATH_MAX];
	if (!rc && !snap_path_home(root, home, sizeof(home)))
		snap_remove_all(home);
	return rc;
}

/* A path spec: a bzImage, or a build tree with arch/x86/boot/bzImage (and maybe vmlinux). */
static int entry_from_path(const char *path, struct kernel_entry *e, char *err, size_t errlen)
{
	struct stat st;
	memset(e, 0, sizeof(*e));
	if (stat(path, &st)) {
		int er = errno;
		snprintf(err, errlen, "kernel path %s: %s", path, strerror(er));
		return -er;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(e->image, sizeof(e->image), "%s/arch/x86/boot/bzImage", path);
		if (access(e->image, R_OK)) {
			snprintf(err, errlen, "%s is a directory without arch/x86/boot/bzImage; build "
				 "the kernel there (make bzImage) or pass the image path", path);
			return -ENOENT;
		}
		char v[PATH_MAX];
		snprintf(v, sizeof(v), "%s/vmlinux", path);
		if (!access(v, R_OK))
			snprintf(e->vmlinux, sizeof(e->vmlinux), "%s", v);
		snprintf(v, sizeof(v), "%s/.config", path);
		if (!access(v, R_OK))
			snprintf(e->config, sizeof(e->config), "%s", v);
	} else {
		snprintf(e->image, sizeof(e->image), "%s", path);
	}
	char magic[4] = { 0 };
	int mfd = open(e->image, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (mfd >= 0) {
		if (read(mfd, magic, 4) != 4)
			magic[0] = 0;
		close(mfd);
	}
	if (S_ISREG(st.st_mode) && !memcmp(magic, "\177ELF", 4)) {
		/* An uncompressed vmlinux: QEMU boots it through its PVH note, and it has the BTF. */
		snprintf(e->vmlinux, sizeof(e->vmlinux), "%s", path);
		snprintf(e->key, sizeof(e->key), "path:vmlinux");
		snprintf(e->source, sizeof(e->source), "path");
		snprintf(e->dir, sizeof(e->dir), "%s", path);
		e->created_unix = st.st_mtime;
		e->size_bytes = (uint64_t)st.st_size;
		return 0;
	}
	if (!image_is_bzimage(e->image)) {
		snprintf(err, errlen, "%s is neither a bzImage (no \"HdrS\" setup header at 0x202) nor "
			 "an ELF vmlinux; pass a kernel's arch/x86/boot/bzImage, a distribution "
			 "vmlinuz, a vmlinux, or a cache key",
			 e->image);
		return -EINVAL;
	}
	image_version(e->image, e->version, sizeof(e->version));
	snprintf(e->key, sizeof(e->key), "path:%.120s", e->version[0] ? e->version : "unknown");
	snprintf(e->source, sizeof(e->source), "path");
	snprintf(e->dir, sizeof(e->dir), "%s", path);
	e->created_unix = st.st_mtime;
	e->size_bytes = fs_du(e->image);
	if (e->config[0]) {
		char *t = NULL;
		if (!fs_read_file(e->config, 4 << 20, &t, NULL))
			e->has_sched_ext = strstr(t, "\nCONFIG_SCHED_CLASS_EXT=y") != NULL;
		free(t);
	}
	return 0;
}

static bool looks_like_path(const char *s)
{
	return strchr(s, '/') || s[0] == '.' || s[0] == '~';
}

static void expand_tilde(const char *s, char *buf, size_t len)
{
	const char *home = getenv("HOME");
	if (s[0] == '~' && (s[1] == '/' || !s[1]) && home && *home)
		snprintf(buf, len, "%s%s", home, s + 1);
	else
		snprintf(buf, len, "%s", s);
}

/* Path or cache key; also a version that matches a cached entry's version exactly. */
static int resolve_one(const char *spec, const char *what, struct kernel_entry *e, char *err,
		       size_t errlen)
{
	char p[PATH_MAX];
	struct stat st;
	expand_tilde(spec, p, sizeof(p));
	if (!stat(p, &st) || looks_like_path(spec))
		return entry_from_path(p, e, err, errlen);
	char root[PATH_MAX];
	int rc = cache_root(root, sizeof(root), err, errlen);
	if (rc)
		return rc;
	struct kernel_entry *v;
	int n;
	if ((rc = cache_list(root, &v, &n, err, errlen)))
		return rc;
	int hit = -1;
	for (int i = 0; i < n && hit < 0; i++)
		if (!strcmp(v[i].key, spec))
			hit = i;
	for (int i = 0; i < n && hit < 0; i++)
		if (!v[i].corrupt && !strcmp(v[i].version, spec))
			hit = i;
	if (hit < 0) {
		snprintf(err, errlen, "%s '%s' is neither an existing path nor a cache key in "
			 "%s/kernels; list keys with `ktstr kernel list`, or add the kernel with "
			 "`ktstr kernel import PATH` or `ktstr kernel fetch --debian`", what, spec, root);
		free(v);
		return -ENOENT;
	}
	*e = v[hit];
	free(v);
	if (e->corrupt) {
		snprintf(err, errlen, "cached kernel '%s' is corrupt (%s); remove it with `ktstr "
			 "kernel clean --corrupt-only --force` and import or fetch it again", e->key,
			 e->error);
		return -EINVAL;
	}
	return 0;
}

int cache_resolve(const char *spec, struct kernel_entry *out, char *err, size_t errlen)
{
	if (spec && *spec)
		return resolve_one(spec, "kernel", out, err, errlen);
	const char *tk = getenv("KTSTR_TEST_KERNEL");
	if (tk) {
		if (!*tk) {
			snprintf(err, errlen, "KTSTR_TEST_KERNEL is set to the empty string; set it to "
				 "a bzImage path or unset it");
			return -EINVAL;
		}
		char p[PATH_MAX];
		expand_tilde(tk, p, sizeof(p));
		return entry_from_path(p, out, err, errlen);
	}
	const char *kk = getenv("KTSTR_KERNEL");
	if (kk && *kk)
		return resolve_one(kk, "KTSTR_KERNEL", out, err, errlen);

	char root[PATH_MAX];
	int rc = cache_root(root, sizeof(root), err, errlen);
	if (rc)
		return rc;
	struct kernel_entry *v = NULL;
	int n = 0;
	if ((rc = cache_list(root, &v, &n, err, errlen)))
		return rc;
	int best = -1;
	/* Newest first already; prefer a sched_ext kernel, then a fresh kconfig check. */
	for (int pass = 0; pass < 3 && best < 0; pass++)
		for (int i = 0; i < n && best < 0; i++) {
			if (v[i].corrupt)
				continue;
			if (pass == 0 && (!v[i].has_sched_ext || v[i].stale_kconfig))
				continue;
			if (pass == 1 && !v[i].has_sched_ext)
				continue;
			best = i;
		}
	if (best >= 0) {
		*out = v[best];
		free(v);
		return 0;
	}
	free(v);
	snprintf(err, errlen,
		 "no kernel found — no --kernel was given, KTSTR_TEST_KERNEL and KTSTR_KERNEL are "
		 "unset, and the kernel cache (%s/kernels) holds no usable entry.\n"
		 "  hint: run `ktstr run --kernel <path-or-key>` to choose a kernel, or set "
		 "KTSTR_TEST_KERNEL=/path/to/bzImage to point at a pre-built bootable image directly.\n"
		 "  hint: set KTSTR_KERNEL to an absolute or `~`-prefixed path, or cache key. List "
		 "cached keys with `ktstr kernel list`; fetch Debian sid's sched_ext kernel with "
		 "`ktstr kernel fetch --debian` or add one with `ktstr kernel import PATH`", root);
	return -ENOENT;
}
