/* Shared-library closure of an ELF binary, resolved like ld.so: DT_NEEDED recursively plus
 * PT_INTERP; search order DT_RPATH (only without DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH,
 * /etc/ld.so.cache (glibc-ld.so.cache1.1), default dirs; $ORIGIN expanded. A candidate
 * must be an ELF of the binary's class and machine, as ld.so skips incompatible ones. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsutil.h"
#include <stdbool.h>

#include "engine/initramfs/elfdeps.h"

#define DEPS_MAX 512

static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib",
	"/usr/lib", NULL,
};

struct elfinfo {
	int cls, machine;
	char interp[PATH_MAX];
	char *needed[128];
	int nneeded;
	char rpath[2048], runpath[2048];
	bool has_rpath, has_runpath;
};

static void elfinfo_free(struct elfinfo *e)
{
	for (int i = 0; i < e->nneeded; i++)
		free(e->needed[i]);
	e->nneeded = 0;
}

static int elf_read(const char *path, struct elfinfo *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	int rc = -EINVAL;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		snprintf(err, errlen, "%s is not an ELF binary", path);
		goto out;
	}
	out->cls = gelf_getclass(elf);
	out->machine = eh.e_machine;
	size_t nph = 0;
	elf_getphdrnum(elf, &nph);
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		size_t fsz = 0;
		char *raw = elf_rawfile(elf, &fsz);
		if (raw && ph.p_offset < fsz && ph.p_filesz > 1 && ph.p_filesz < sizeof(out->interp) &&
		    ph.p_offset + ph.p_filesz <= fsz)
			snprintf(out->interp, sizeof(out->interp), "%.*s", (int)ph.p_filesz, raw + ph.p_offset);
	}
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !sh.sh_entsize)
			continue;
		size_t n = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; i < n; i++) {
			GElf_Dyn dyn;
			if (!gelf_getdyn(d, (int)i, &dyn))
				break;
			const char *s = NULL;
			if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RPATH || dyn.d_tag == DT_RUNPATH)
				s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				continue;
			if (dyn.d_tag == DT_NEEDED && out->nneeded < 128) {
				if (!(out->needed[out->nneeded] = strdup(s))) {
					rc = -ENOMEM;
					goto out;
				}
				out->nneeded++;
			} else if (dyn.d_tag == DT_RPATH) {
				snprintf(out->rpath, sizeof(out->rpath), "%s", s);
				out->has_rpath = true;
			} else if (dyn.d_tag == DT_RUNPATH) {
				snprintf(out->runpath, sizeof(out->runpath), "%s", s);
				out->has_runpath = true;
			}
		}
	}
	rc = 0;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

/* True if path is an ELF shared object of the given class and machine. */
static bool compatible(const char *path, int cls, int machine)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	bool ok = read(fd, h, sizeof(h)) == (ssize_t)sizeof(h) && !memcmp(h, "\177ELF", 4) &&
		  h[4] == cls && h[5] == ELFDATA2LSB && (h[18] | h[19] << 8) == machine;
	close(fd);
	return ok;
}

/* Searches a colon-separated list with $ORIGIN expanded. */
static bool search_list(const char *list, const char *origin, const char *name, int cls,
			int machine, char *out, size_t len)
{
	char buf[2048];
	snprintf(buf, sizeof(buf), "%s", list);
	char *save = NULL;
	for (char *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char dir[PATH_MAX];
		const char *o = strstr(d, "$ORIGIN");
		const char *ob = strstr(d, "${ORIGIN}");
		if (o)
			snprintf(dir, sizeof(dir), "%.*s%s%s", (int)(o - d), d, origin, o + 7);
		else if (ob)
			snprintf(dir, sizeof(dir), "%.*s%s%s", (int)(ob - d), d, origin, ob + 9);
		else
			snprintf(dir, sizeof(dir), "%s", d[0] ? d : ".");
		if (snprintf(out, len, "%s/%s", dir, name) < (int)len && compatible(out, cls, machine))
			return true;
	}
	return false;
}

/* /etc/ld.so.cache, new format ("glibc-ld.so.cache1.1"): 48-byte header, 24-byte entries,
 * string offsets relative to that header. */
struct ldcache {
	char *buf;
	size_t len;
	const char *hdr;
	uint32_t nlibs;
};

static void ldcache_load(struct ldcache *lc)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	memset(lc, 0, sizeof(*lc));
	if (fs_read_file("/etc/ld.so.cache", 64 << 20, &lc->buf, &lc->len))
		return;
	const char *h = memmem(lc->buf, lc->len, magic, sizeof(magic) - 1);
	if (!h || (size_t)(h - lc->buf) + 48 > lc->len)
		return;
	uint32_t n;
	memcpy(&n, h + 20, 4);
	if ((size_t)(h - lc->buf) + 48 + (uint64_t)n * 24 > lc->len)
		return;
	lc->hdr = h;
	lc->nlibs = n;
}

static bool ldcache_find(const struct ldcache *lc, const char *name, int cls, int machine,
			 char *out, size_t len)
{
	if (!lc->hdr)
		return false;
	size_t base = (size_t)(lc->hdr - lc->buf), avail = lc->len - base;
	for (uint32_t i = 0; i < lc->nlibs; i++) {
		const char *ent = lc->hdr + 48 + (size_t)i * 24;
		uint32_t k, v;
		memcpy(&k, ent + 4, 4);
		memcpy(&v, ent + 8, 4);
		if (k >= avail || v >= avail)
			continue;
		const char *key = lc->hdr + k, *val = lc->hdr + v;
		if (!memchr(key, 0, avail - k) || !memchr(val, 0, avail - v) || strcmp(key, name))
			continue;
		if (compatible(val, cls, machine) && snprintf(out, len, "%s", val) < (int)len)
			return true;
	}
	return false;
}

struct walk {
	struct elf_deps *d;
	struct ldcache lc;
	char *sonames[DEPS_MAX];
	int nsonames;
	const char *interp_name;  /* the loaded interpreter satisfies its own soname */
	const char *exe_rpath;   /* the executable's DT_RPATH applies to every object */
	int cls, machine;
};

static int add_path(struct elf_deps *d, const char *p)
{
	for (int i = 0; i < d->n; i++)
		if (!strcmp(d->paths[i], p))
			return 0;
	if (d->n >= DEPS_MAX)
		return -E2BIG;
	char **np = realloc(d->paths, (size_t)(d->n + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	d->paths = np;
	if (!(d->paths[d->n] = strdup(p)))
		return -ENOMEM;
	d->n++;
	return 1;
}

static int walk_obj(struct walk *w, const char *path, const struct elfinfo *ei, int depth,
		    char *err, size_t errlen)
{
	char origin[PATH_MAX];
	snprintf(origin, sizeof(origin), "%s", path);
	char *sl = strrchr(origin, '/');
	if (sl)
		*sl = '\0';
	else
		snprintf(origin, sizeof(origin), ".");
	for (int i = 0; i < ei->nneeded; i++) {
		const char *name = ei->needed[i];
		bool seen = w->interp_name && !strcmp(name, w->interp_name);
		for (int j = 0; j < w->nsonames && !seen; j++)
			seen = !strcmp(w->sonames[j], name);
		if (seen)
			continue;
		if (w->nsonames >= DEPS_MAX) {
			snprintf(err, errlen, "%s: more than %d shared libraries", path, DEPS_MAX);
			return -E2BIG;
		}
		if (!(w->sonames[w->nsonames] = strdup(name)))
			return -ENOMEM;
		w->nsonames++;

		char found[PATH_MAX];
		bool ok = false;
		const char *llp = getenv("LD_LIBRARY_PATH");
		if (strchr(name, '/'))
			ok = snprintf(found, sizeof(found), "%s", name) < (int)sizeof(found) &&
			     compatible(found, w->cls, w->machine);
		if (!ok && !ei->has_runpath && ei->has_rpath)
			ok = search_list(ei->rpath, origin, name, w->cls, w->machine, found, sizeof(found));
		if (!ok && !ei->has_runpath && w->exe_rpath && *w->exe_rpath)
			ok = search_list(w->exe_rpath, origin, name, w->cls, w->machine, found, sizeof(found));
		if (!ok && llp && *llp)
			ok = search_list(llp, origin, name, w->cls, w->machine, found, sizeof(found));
		if (!ok && ei->has_runpath)
			ok = search_list(ei->runpath, origin, name, w->cls, w->machine, found, sizeof(found));
		if (!ok)
			ok = ldcache_find(&w->lc, name, w->cls, w->machine, found, sizeof(found));
		for (int k = 0; !ok && default_dirs[k]; k++)
			ok = search_list(default_dirs[k], origin, name, w->cls, w->machine, found,
					 sizeof(found));
		if (!ok) {
			snprintf(err, errlen, "%s needs shared library %s, which is not found (searched "
				 "RPATH/RUNPATH, LD_LIBRARY_PATH, /etc/ld.so.cache and the default "
				 "library directories); install it or set LD_LIBRARY_PATH", path, name);
			return -ENOENT;
		}
		int rc = add_path(w->d, found);
		if (rc < 0)
			return rc;
		if (rc == 0 || depth > 32)
			continue;
		struct elfinfo sub;
		if ((rc = elf_read(found, &sub, err, errlen)))
			return rc;
		rc = walk_obj(w, found, &sub, depth + 1, err, errlen);
		elfinfo_free(&sub);
		if (rc)
			return rc;
	}
	return 0;
}

int elf_deps_resolve(const char *binary, struct elf_deps *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct elfinfo *ei = calloc(1, sizeof(*ei));
	struct walk *w = calloc(1, sizeof(*w));
	int rc = -ENOMEM;
	if (!ei || !w) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((rc = elf_read(binary, ei, err, errlen)))
		goto out;
	w->d = out;
	w->cls = ei->cls;
	w->machine = ei->machine;
	w->exe_rpath = ei->has_rpath ? ei->rpath : NULL;
	ldcache_load(&w->lc);
	if (ei->interp[0]) {
		if (access(ei->interp, R_OK)) {
			rc = -ENOENT;
			snprintf(err, errlen, "%s: its interpreter %s is missing", binary, ei->interp);
			goto out;
		}
		if ((rc = add_path(out, ei->interp)) < 0)
			goto out;
		const char *b = strrchr(ei->interp, '/');
		w->interp_name = b ? b + 1 : ei->interp;
	}
	rc = walk_obj(w, binary, ei, 0, err, errlen);
out:
	if (w) {
		for (int i = 0; i < w->nsonames; i++)
			free(w->sonames[i]);
		free(w->lc.buf);
	}
	if (ei)
		elfinfo_free(ei);
	free(ei);
	free(w);
	if (rc)
		elf_deps_free(out);
	return rc < 0 ? rc : 0;
}

void elf_deps_free(struct elf_deps *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	d->paths = NULL;
	d->n = 0;
}
