/* Kernel addresses to "func+0xOFF" from /proc/kallsyms, copied once at start (a BPF
 * program's symbol leaves the file with its scheduler) and indexed by hand: sscanf and a
 * strdup per line took seconds under TCG. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktstr_probe.h"

static char *text;
static size_t text_len;

static unsigned long long hex(const char *s, const char **end)
{
	unsigned long long v = 0;
	for (;; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
		if (d < 0)
			break;
		v = v << 4 | (unsigned long long)d;
	}
	*end = s;
	return v;
}

struct ksym {
	unsigned long long addr;
	const char *name; /* into text, up to a blank */
};

static struct ksym *idx;
static size_t nidx;

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Text symbols ("ADDR t NAME [module]") sorted by address; called once, after the copy. */
static void build_index(void)
{
	size_t cap = 0;
	for (const char *l = text; l && *l;) {
		const char *e, *nl = strchr(l, '\n');
		unsigned long long a = hex(l, &e);
		if (e[0] == ' ' && (e[1] == 't' || e[1] == 'T') && e[2] == ' ' && a) {
			if (nidx == cap) {
				struct ksym *n = realloc(idx, (cap = cap ? cap * 2 : 131072) * sizeof(*n));
				if (!n)
					return;
				idx = n;
			}
			idx[nidx++] = (struct ksym){ a, e + 3 };
		}
		l = nl ? nl + 1 : NULL;
	}
	qsort(idx, nidx, sizeof(*idx), by_addr);
}

int ksym_load(void)
{
	if (text)
		return 0;
	int fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 16 << 20;
	text = malloc(cap);
	ssize_t n;
	while (text && (n = read(fd, text + text_len, cap - text_len - 1)) > 0) {
		text_len += (size_t)n;
		if (cap - text_len < 65536) {
			char *t = realloc(text, cap * 2);
			if (!t) {
				free(text);
				text = NULL;
				break;
			}
			text = t;
			cap *= 2;
		}
	}
	close(fd);
	if (!text)
		return -1;
	text[text_len] = 0;
	/* all addresses 0: kptr_restrict hides them */
	if (!text_len || !strncmp(text, "0000000000000000", 16))
		return -1;
	build_index();
	return nidx ? 0 : -1;
}

void ksym_name(unsigned long long addr, char *buf, size_t len)
{
	size_t lo = 0, hi = nidx;
	while (lo < hi) { /* the last symbol at or below addr */
		size_t mid = (lo + hi) / 2;
		if (idx[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - idx[lo - 1].addr > (1u << 20)) {
		snprintf(buf, len, "0x%llx", addr);
		return;
	}
	const char *n = idx[lo - 1].name;
	snprintf(buf, len, "%.*s+0x%llx", (int)strcspn(n, " \t\n"), n, addr - idx[lo - 1].addr);
}
