/* Side-by-side verifier logs: reading a run directory's verifier.log and aligning two logs
 * of the same program by instruction. */
#include "engine/verifier_align.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/verifier.h"

#define LOAD_MAX_LINES 2000000
#define LOOKAHEAD 256

int verifier_load_file(const char *path, char ***lines, size_t *n, char *err, size_t errlen)
{
	*lines = NULL;
	*n = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s (a run directory keeps its verifier log in verifier.log)", path, strerror(e));
		return -e;
	}
	char **v = NULL, *line = NULL;
	size_t cap = 0, k = 0, lcap = 0;
	ssize_t len;
	int rc = 0;
	while ((len = getline(&line, &lcap, f)) >= 0 && k < LOAD_MAX_LINES) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 256;
			char **nv = realloc(v, nc * sizeof(*nv));
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		if (!(v[k] = strdup(line))) {
			rc = -ENOMEM;
			break;
		}
		k++;
	}
	free(line);
	fclose(f);
	if (rc) {
		verifier_lines_free(v, k);
		snprintf(err, errlen, "%s: out of memory reading it", path);
		return rc;
	}
	*lines = v;
	*n = k;
	return 0;
}

static bool key_eq(const char *a, const char *b)
{
	size_t la = verifier_line_key_len(a), lb = verifier_line_key_len(b);
	return la == lb && !memcmp(a, b, la);
}

static bool text_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	while (la && isspace((unsigned char)a[la - 1]))
		la--;
	while (lb && isspace((unsigned char)b[lb - 1]))
		lb--;
	return la == lb && !memcmp(a, b, la);
}

int verifier_align(const char *const *a, size_t na, const char *const *b, size_t nb, struct valign_row **rows,
		   size_t *nrows)
{
	*rows = NULL;
	*nrows = 0;
	struct valign_row *r = malloc((na + nb + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	size_t i = 0, j = 0, k = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && key_eq(a[i], b[j])) {
			r[k++] = (struct valign_row){ (long)i, (long)j, !text_eq(a[i], b[j]) };
			i++;
			j++;
			continue;
		}
		size_t db = 0, da = 0;
		for (size_t d = 1; i < na && d <= LOOKAHEAD && j + d < nb && !db; d++)
			db = key_eq(a[i], b[j + d]) ? d : 0;
		for (size_t d = 1; j < nb && d <= LOOKAHEAD && i + d < na && !da; d++)
			da = key_eq(a[i + d], b[j]) ? d : 0;
		if (db && (!da || db <= da)) {  /* lines only b has, then a[i] pairs again */
			for (; db; db--, j++)
				r[k++] = (struct valign_row){ -1, (long)j, true };
		} else if (da) {
			for (; da; da--, i++)
				r[k++] = (struct valign_row){ (long)i, -1, true };
		} else {  /* no common line near: show the two side by side, marked */
			r[k++] = (struct valign_row){ i < na ? (long)i : -1, j < nb ? (long)j : -1, true };
			i += i < na;
			j += j < nb;
		}
	}
	*rows = r;
	*nrows = k;
	return 0;
}
