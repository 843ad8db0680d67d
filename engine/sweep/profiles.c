/* Flag profiles: the power set of a scheduler's flags that respects "requires", names
 * and parsing (profiles.h). */
#include "engine/sweep/profiles.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sweep_flagset_from_sched(const struct scn_scheduler *sc, struct sweep_flagset *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->n = sc->nflags < SCN_MAX_FLAGS ? sc->nflags : SCN_MAX_FLAGS;
	for (int i = 0; i < fs->n; i++)
		fs->names[i] = sc->flags[i].name;
	for (int i = 0; i < fs->n; i++)
		for (int r = 0; r < sc->flags[i].nrequires; r++)
			for (int j = 0; j < fs->n; j++)
				if (!strcmp(sc->flags[i].requires[r], fs->names[j]))
					fs->requires[i] |= 1u << j;
}

bool sweep_profile_valid(const struct sweep_flagset *fs, uint32_t mask)
{
	if (fs->n < 32 && mask >> fs->n)
		return false;
	for (int i = 0; i < fs->n; i++)
		if ((mask >> i & 1) && (mask & fs->requires[i]) != fs->requires[i])
			return false;
	return true;
}

static int popcount_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int px = __builtin_popcount(x), py = __builtin_popcount(y);
	if (px != py)
		return px - py;
	/* Same size: the set whose lowest differing flag comes first goes first. */
	uint32_t d = x ^ y;
	return (x & d & -d) ? -1 : (y & d & -d) ? 1 : 0;
}

int sweep_profiles_all(const struct sweep_flagset *fs, uint32_t **out, int *n)
{
	uint32_t total = 1u << fs->n;
	*n = 0;
	*out = malloc(total * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (uint32_t m = 0; m < total; m++)
		if (sweep_profile_valid(fs, m))
			(*out)[(*n)++] = m;
	qsort(*out, (size_t)*n, sizeof(**out), popcount_cmp);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void sweep_profile_name(const struct sweep_flagset *fs, uint32_t mask, char *buf, size_t len)
{
	const char *v[SCN_MAX_FLAGS];
	int k = 0;
	for (int i = 0; i < fs->n; i++)
		if (mask >> i & 1)
			v[k++] = fs->names[i];
	if (!len)
		return;
	if (!k) {
		snprintf(buf, len, "default");
		return;
	}
	qsort(v, (size_t)k, sizeof(v[0]), name_cmp);
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < k && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "+" : "", v[i]);
}

void sweep_flag_names(const struct sweep_flagset *fs, char *buf, size_t len)
{
	size_t o = 0;
	if (!len)
		return;
	snprintf(buf, len, "none");
	for (int i = 0; i < fs->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", fs->names[i]);
}

int sweep_profile_parse(const struct sweep_flagset *fs, const char *text, uint32_t *mask,
			const char **unknown, char *err, size_t errlen)
{
	*mask = 0;
	if (unknown)
		*unknown = NULL;
	if (!strcmp(text, "default"))
		return 0;
	const char *p = text;
	while (*p) {
		size_t l = strcspn(p, "+");
		int found = -1;
		for (int i = 0; i < fs->n; i++)
			if (strlen(fs->names[i]) == l && !strncmp(fs->names[i], p, l))
				found = i;
		if (found < 0) {
			snprintf(err, errlen, "profile '%s': no flag '%.*s'", text, (int)l, p);
			if (unknown)
				*unknown = p;
			return -ENOENT;
		}
		if (*mask >> found & 1) {
			snprintf(err, errlen, "profile '%s': flag '%s' is named twice", text, fs->names[found]);
			return -EINVAL;
		}
		*mask |= 1u << found;
		p += l;
		if (*p == '+' && !*++p) {
			snprintf(err, errlen, "profile '%s': ends with '+'; write flags as a+b", text);
			return -EINVAL;
		}
	}
	if (!*text) {
		snprintf(err, errlen, "empty profile name; write \"default\" or flags as a+b");
		return -EINVAL;
	}
	for (int i = 0; i < fs->n; i++)
		if ((*mask >> i & 1) && (*mask & fs->requires[i]) != fs->requires[i]) {
			for (int j = 0; j < fs->n; j++)
				if ((fs->requires[i] >> j & 1) && !(*mask >> j & 1)) {
					snprintf(err, errlen, "profile '%s': flag '%s' requires '%s'; add it (%s+%s)",
						 text, fs->names[i], fs->names[j], text, fs->names[j]);
					break;
				}
			return -EINVAL;
		}
	return 0;
}
