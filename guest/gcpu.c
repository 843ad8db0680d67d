/* CPU lists (see gcpu.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/gcpu.h"

int gcpu_parse(const char *s, uint64_t *mask)
{
	memset(mask, 0, GCPU_WORDS * sizeof(uint64_t));
	const char *p = s;
	int n = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n')
		return 0;
	for (;;) {
		char *end;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		long a = strtol(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			b = strtol(p, &end, 10);
			p = end;
		}
		if (a < 0 || b < a || b >= GCPU_MAX)
			return -EINVAL;
		for (long c = a; c <= b; c++) {
			if (!gcpu_isset(mask, (int)c))
				n++;
			gcpu_set(mask, (int)c);
		}
		if (*p == ',') {
			p++;
			continue;
		}
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		return *p ? -EINVAL : n;
	}
}

int gcpu_count(const uint64_t *mask)
{
	int n = 0;
	for (int i = 0; i < GCPU_WORDS; i++)
		n += __builtin_popcountll(mask[i]);
	return n;
}

size_t gcpu_format(const uint64_t *mask, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return 0;
	out[0] = 0;
	for (int c = 0; c < GCPU_MAX; c++) {
		if (!gcpu_isset(mask, c))
			continue;
		int e = c;
		while (e + 1 < GCPU_MAX && gcpu_isset(mask, e + 1))
			e++;
		char tmp[32];
		int l = e > c ? snprintf(tmp, sizeof(tmp), "%s%d-%d", o ? "," : "", c, e)
			      : snprintf(tmp, sizeof(tmp), "%s%d", o ? "," : "", c);
		if (o + (size_t)l + 1 > cap)
			break; /* bounded: a cut list is still a valid list */
		memcpy(out + o, tmp, (size_t)l + 1);
		o += (size_t)l;
		c = e;
	}
	return o;
}
