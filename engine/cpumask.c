/* CPU lists to and from struct cpumask (engine/cpumask.h). */
#include "engine/cpumask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cpumask_parse(const char *s, struct cpumask *m)
{
	struct cpumask t = { { 0 } };
	const char *p = s;
	while (*p && strcmp(p, "\n")) {
		char *e;
		if (*p < '0' || *p > '9')
			return -1;
		long a = strtol(p, &e, 10), b = a;
		if (*e == '-') {
			if (e[1] < '0' || e[1] > '9')
				return -1;
			b = strtol(e + 1, &e, 10);
		}
		if (b < a || b >= CPUMASK_BITS)
			return -1;
		cpumask_set_range(&t, (int)a, (int)b + 1);
		if (*e == ',' && e[1] && e[1] != '\n')
			e++;
		else if (*e && strcmp(e, "\n"))
			return -1;
		p = e;
	}
	*m = t;
	return 0;
}

size_t cpumask_format(const struct cpumask *m, char *buf, size_t len)
{
	size_t o = 0;
	if (!len)
		return 0;
	buf[0] = 0;
	for (int i = cpumask_next(m, 0); i < CPUMASK_BITS; i = cpumask_next(m, i + 1)) {
		int j = i;
		while (cpumask_test(m, j + 1))
			j++;
		char item[16];
		int n = j > i ? snprintf(item, sizeof(item), "%s%d-%d", o ? "," : "", i, j)
			      : snprintf(item, sizeof(item), "%s%d", o ? "," : "", i);
		if (o + (size_t)n + 4 >= len) { /* room for ",..." and the NUL */
			o += (size_t)snprintf(buf + o, len - o, "%s", o ? ",..." : "...");
			break;
		}
		memcpy(buf + o, item, (size_t)n + 1);
		o += (size_t)n;
		i = j;
	}
	return o < len ? o : len - 1;
}
