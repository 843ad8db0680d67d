/* Kernel addresses to "func+0xOFF" from /proc/kallsyms. The text is copied once at start
 * (a BPF program's symbol leaves the file with its scheduler) and searched only for the
 * trigger's frames: parsing all ~190k symbols costs seconds under TCG, one pass does not. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktstr_probe.h"

static char *text;
static size_t text_len;

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
	return text_len && strncmp(text, "0000000000000000", 16) ? 0 : -1;
}

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

void ksym_names(const unsigned long long *addr, int n, char (*out)[KSYM_NAME_LEN])
{
	unsigned long long best[KPROBE_STACK] = { 0 };
	const char *name[KPROBE_STACK] = { 0 };
	if (n > KPROBE_STACK)
		n = KPROBE_STACK;
	for (const char *l = text; l && *l;) {
		const char *e, *nl = strchr(l, '\n');
		unsigned long long a = hex(l, &e);
		/* "ADDR t NAME [module]": text symbols only */
		if (e[0] == ' ' && (e[1] == 't' || e[1] == 'T') && e[2] == ' ')
			for (int i = 0; i < n; i++)
				if (a <= addr[i] && a >= best[i]) {
					best[i] = a;
					name[i] = e + 3;
				}
		l = nl ? nl + 1 : NULL;
	}
	for (int i = 0; i < n; i++) {
		if (!name[i]) {
			snprintf(out[i], KSYM_NAME_LEN, "0x%llx", addr[i]);
			continue;
		}
		int len = (int)strcspn(name[i], " \t\n");
		snprintf(out[i], KSYM_NAME_LEN, "%.*s+0x%llx", len, name[i], addr[i] - best[i]);
	}
}
