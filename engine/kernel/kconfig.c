/* Kconfig fragments (kconfig.h). The fragment is embedded with .incbin so the binary never
 * reads it from the source tree at run time. */
#include "engine/kernel/kconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsutil.h"
#include "engine/kernel/proc.h"

__asm__(".section .rodata\n"
	".global ktstr_kconfig_text\n"
	"ktstr_kconfig_text:\n"
	".incbin \"engine/kernel/ktstr.kconfig\"\n"
	".byte 0\n"
	".previous\n");

/* Without these a ktstr guest does not boot, attach or report (a lost one stops the build). */
static const char *const required[] = {
	"CONFIG_SCHED_CLASS_EXT", "CONFIG_BPF_SYSCALL", "CONFIG_DEBUG_INFO_BTF", "CONFIG_PVH",
	"CONFIG_BLK_DEV_INITRD", "CONFIG_VIRTIO_PCI", "CONFIG_VIRTIO_CONSOLE",
	"CONFIG_SERIAL_8250_CONSOLE", "CONFIG_CGROUPS", "CONFIG_CPUSETS", "CONFIG_KALLSYMS_ALL",
	"CONFIG_FTRACE", "CONFIG_KPROBE_EVENTS", "CONFIG_BPF_EVENTS", NULL,
};

uint64_t kconfig_fragment_hash(void)
{
	return fs_fnv1a(FS_FNV_INIT, ktstr_kconfig_text, strlen(ktstr_kconfig_text));
}

/* One option line: name into name, value into val ("n" for "is not set"). */
static bool parse_opt(const char *l, char *name, size_t nlen, char *val, size_t vlen)
{
	while (*l == ' ' || *l == '\t')
		l++;
	const char *eq;
	if (!strncmp(l, "# CONFIG_", 9)) {
		const char *e = strstr(l, " is not set");
		if (!e || (size_t)(e - l - 2) >= nlen)
			return false;
		snprintf(name, nlen, "%.*s", (int)(e - l - 2), l + 2);
		snprintf(val, vlen, "n");
		return true;
	}
	if (strncmp(l, "CONFIG_", 7) || !(eq = strchr(l, '=')) || (size_t)(eq - l) >= nlen)
		return false;
	for (const char *p = l; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	snprintf(name, nlen, "%.*s", (int)(eq - l), l);
	size_t vl = strcspn(eq + 1, "\r\n");
	snprintf(val, vlen, "%.*s", (int)vl, eq + 1);
	return true;
}

int kconfig_read_fragment(const char *path, char **text, uint64_t *hash, char *err, size_t errlen)
{
	size_t len;
	int rc = fs_read_file(path, 1 << 20, text, &len);
	if (rc) {
		snprintf(err, errlen, "cannot read kconfig fragment %s: %s", path, strerror(-rc));
		return rc;
	}
	*hash = fs_fnv1a(FS_FNV_INIT, *text, len);
	int lineno = 0;
	for (const char *l = *text; *l; ) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		char line[512], name[128], val[256];
		lineno++;
		snprintf(line, sizeof(line), "%.*s", (int)(ll < sizeof(line) ? ll : sizeof(line) - 1), l);
		const char *p = line + strspn(line, " \t\r");
		if (*p && *p != '#' && !parse_opt(p, name, sizeof(name), val, sizeof(val))) {
			snprintf(err, errlen, "%s:%d: '%s' is not a kconfig line; use CONFIG_NAME=value "
				 "or '# CONFIG_NAME is not set'", path, lineno, line);
			free(*text);
			*text = NULL;
			return -EINVAL;
		}
		l += ll + (nl ? 1 : 0);
	}
	return 0;
}

struct optv {
	char name[128];
	char val[256];
};

static int collect(const char *text, struct optv **out, int *n)
{
	int cap = 0;
	*out = NULL;
	*n = 0;
	for (const char *l = text; *l; ) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		char line[512];
		struct optv o;
		snprintf(line, sizeof(line), "%.*s", (int)(ll < sizeof(line) ? ll : sizeof(line) - 1), l);
		if (parse_opt(line, o.name, sizeof(o.name), o.val, sizeof(o.val))) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				struct optv *nv = realloc(*out, (size_t)cap * sizeof(**out));
				if (!nv)
					return -ENOMEM;
				*out = nv;
			}
			(*out)[(*n)++] = o;
		}
		l += ll + (nl ? 1 : 0);
	}
	return 0;
}

int kconfig_merge(const char *dotconfig, const char *const *frags, int nfrags, char *err,
		  size_t errlen)
{
	char *cfg = NULL;
	size_t clen;
	int rc = fs_read_file(dotconfig, 16 << 20, &cfg, &clen);
	if (rc) {
		snprintf(err, errlen, "cannot read %s: %s", dotconfig, strerror(-rc));
		return rc;
	}
	struct optv *set = NULL;
	int nset = 0;
	for (int i = 0; i < nfrags && !rc; i++) {
		struct optv *v;
		int n;
		if ((rc = collect(frags[i], &v, &n)))
			break;
		struct optv *nv = realloc(set, (size_t)(nset + n + 1) * sizeof(*set));
		if (!nv) {
			free(v);
			rc = -ENOMEM;
			break;
		}
		set = nv;
		memcpy(set + nset, v, (size_t)n * sizeof(*v));
		nset += n;
		free(v);
	}
	/* Lines of the .config whose option a fragment sets are dropped; the fragments' values
	 * are appended (olddefconfig then resolves the whole). */
	size_t cap = clen + (size_t)nset * 400 + 1, o = 0;
	char *out = rc ? NULL : malloc(cap);
	if (!out && !rc)
		rc = -ENOMEM;
	for (const char *l = cfg; !rc && *l; ) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		char line[512], name[128], val[256];
		snprintf(line, sizeof(line), "%.*s", (int)(ll < sizeof(line) ? ll : sizeof(line) - 1), l);
		bool drop = false;
		if (parse_opt(line, name, sizeof(name), val, sizeof(val)))
			for (int i = 0; i < nset && !drop; i++)
				drop = !strcmp(set[i].name, name);
		if (!drop) {
			memcpy(out + o, l, ll);
			o += ll;
			out[o++] = '\n';
		}
		l += ll + (nl ? 1 : 0);
	}
	for (int i = 0; !rc && i < nset; i++) {
		bool later = false; /* a later fragment sets it again: that one wins */
		for (int j = i + 1; j < nset && !later; j++)
			later = !strcmp(set[i].name, set[j].name);
		if (later)
			continue;
		o += (size_t)(strcmp(set[i].val, "n") ?
			snprintf(out + o, cap - o, "%s=%s\n", set[i].name, set[i].val) :
			snprintf(out + o, cap - o, "# %s is not set\n", set[i].name));
	}
	if (!rc && (rc = fs_write_atomic(dotconfig, out, o, 0644)))
		snprintf(err, errlen, "cannot write %s: %s", dotconfig, strerror(-rc));
	else if (rc)
		snprintf(err, errlen, "cannot merge the kconfig fragments: %s", strerror(-rc));
	free(out);
	free(set);
	free(cfg);
	return rc;
}

/* "depends on ..." of `config NAME` in the tree's Kconfig files; false when no Kconfig
 * file defines NAME. */
static bool kconfig_reason(const char *srcdir, const char *name, char *out, size_t len)
{
	char pat[160], buf[16384];
	out[0] = '\0';
	snprintf(pat, sizeof(pat), "^(menu)?config %s$", name + 7);
	const char *argv[] = { "grep", "-r", "-A30", "-E", "--include=Kconfig*", pat, srcdir, NULL };
	if (kproc_capture(argv, NULL, buf, sizeof(buf)) != 0)
		return false;
	size_t o = 0;
	bool first = true;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		/* grep -A prints "path-text"; the option's block ends at the next config line. */
		char *t = strstr(l, "Kconfig");
		t = t ? strpbrk(t, ":-") : NULL;
		if (!t)
			continue;
		t++;
		if (!first && (!strncmp(t, "config ", 7) || !strncmp(t, "menuconfig ", 11) ||
			       !strncmp(t, "endmenu", 7) || !strncmp(t, "menu ", 5)))
			break;
		first = false;
		t += strspn(t, " \t");
		if (strncmp(t, "depends on ", 11))
			continue;
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s", o ? " && " : "", t + 11);
		if (o >= len)
			break;
	}
	return true;
}

int kconfig_lost(const char *dotconfig, const char *frag, const char *srcdir, char *out,
		 size_t len, int *nreq)
{
	char *cfg = NULL;
	struct optv *want = NULL, *have = NULL;
	int nwant = 0, nhave = 0, lost = 0;
	size_t o = 0;
	*nreq = 0;
	out[0] = '\0';
	if (fs_read_file(dotconfig, 16 << 20, &cfg, NULL) || collect(frag, &want, &nwant) ||
	    collect(cfg, &have, &nhave)) {
		snprintf(out, len, "cannot read %s to check the kconfig fragment\n", dotconfig);
		*nreq = 1;
		lost = 1;
		goto done;
	}
	for (int i = 0; i < nwant; i++) {
		const char *now = "n";
		for (int j = 0; j < nhave; j++)
			if (!strcmp(have[j].name, want[i].name))
				now = have[j].val;
		if (!strcmp(now, want[i].val))
			continue;
		lost++;
		for (int r = 0; required[r]; r++)
			*nreq += !strcmp(required[r], want[i].name);
		char why[1024] = "";
		bool known = !srcdir || kconfig_reason(srcdir, want[i].name, why, sizeof(why));
		if (o < len)
			o += (size_t)snprintf(out + o, len - o, "%s=%s did not survive olddefconfig "
					      "(now: %s%s%s%s)\n", want[i].name, want[i].val,
					      strcmp(now, "n") ? now : "not set",
					      why[0] ? "; Kconfig: depends on " : "", why,
					      known ? "" : "; no such option in this tree");
	}
done:
	free(cfg);
	free(want);
	free(have);
	return lost;
}
