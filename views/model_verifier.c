/* Verifier view model: the summary (verifier_parse), the collapsed and raw line lists,
 * stepping instruction by instruction and finding the rejected instruction. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/verifier.h"
#include "views/model.h"

void verm_init(struct verm *v)
{
	memset(v, 0, sizeof(*v));
}

static void drop_lines(struct verm *v)
{
	for (size_t i = 0; i < v->nraw; i++)
		free(v->raw[i]);
	free(v->raw);
	if (v->col)
		verifier_lines_free(v->col, v->ncol);
	v->raw = v->col = NULL;
	v->nraw = v->ncol = 0;
}

void verm_done(struct verm *v)
{
	drop_lines(v);
	memset(v, 0, sizeof(*v));
}

void verm_sync(struct verm *v, const struct ring *r)
{
	uint64_t total = r ? ring_total(r) : 0;
	size_t count = r ? ring_count(r) : 0;
	if (total == v->seen_total && count == v->seen_count)
		return;
	drop_lines(v);
	memset(&v->sum, 0, sizeof(v->sum));
	v->seen_total = total;
	v->seen_count = count;
	if (!count)
		return;
	v->raw = calloc(count, sizeof(*v->raw));
	if (!v->raw)
		return;
	for (size_t i = 0; i < count; i++) {
		const char *s = ring_get(r, i);
		v->raw[i] = strdup(s ? s : "");
		if (!v->raw[i]) {
			v->nraw = i;
			return;
		}
	}
	v->nraw = count;
	verifier_parse((const char *const *)v->raw, v->nraw, &v->sum);
	if (verifier_collapse((const char *const *)v->raw, v->nraw, &v->col, &v->ncol)) {
		v->col = NULL;
		v->ncol = 0;
	}
}

static bool use_raw(const struct verm *v)
{
	return v->expanded || !v->col;
}

size_t verm_count(const struct verm *v)
{
	return use_raw(v) ? v->nraw : v->ncol;
}

const char *verm_line(const struct verm *v, size_t i)
{
	if (i >= verm_count(v))
		return NULL;
	return use_raw(v) ? v->raw[i] : v->col[i];
}


bool verm_is_omitted(const char *s)
{
	return s && !strncmp(s, "---", 3) && strstr(s, "omitted");
}

long verm_step(const struct verm *v, long from, int dir)
{
	long n = (long)verm_count(v);
	for (long i = from + (dir < 0 ? -1 : 1); i >= 0 && i < n; i += dir < 0 ? -1 : 1)
		if (verifier_is_insn(verm_line(v, (size_t)i)))
			return i;
	return -1;
}

long verm_rejected(const struct verm *v)
{
	long n = (long)verm_count(v);
	if (!n)
		return -1;
	/* The error line is the summary's "rejected"; the instruction is the last one
	 * before it. Without a parsed error, the last instruction of the log. */
	long err = -1;
	if (v->sum.rejected[0])
		for (long i = n - 1; i >= 0 && err < 0; i--)
			if (strstr(verm_line(v, (size_t)i), v->sum.rejected))
				err = i;
	long at = verm_step(v, err >= 0 ? err : n, -1);
	return at;
}

/* The instruction number of line i ("192: (63) ..." -> 192), -1 when not an insn. */
static long insn_no(const char *s)
{
	return verifier_is_insn(s) ? strtol(s, NULL, 10) : -1;
}

long verm_toggle(struct verm *v, long at)
{
	const char *cur = at >= 0 ? verm_line(v, (size_t)at) : NULL;
	long no = cur ? insn_no(cur) : -1;
	/* Which occurrence of that instruction we are on, counted from the end: the
	 * rejection is at the end in both lists, so stepping near it stays put. */
	long occ = 0;
	for (long i = at + 1; no >= 0 && i < (long)verm_count(v); i++)
		occ += insn_no(verm_line(v, (size_t)i)) == no;
	v->expanded = !v->expanded;
	if (no < 0)
		return at < (long)verm_count(v) ? at : (long)verm_count(v) - 1;
	for (long i = (long)verm_count(v) - 1; i >= 0; i--)
		if (insn_no(verm_line(v, (size_t)i)) == no && occ-- == 0)
			return i;
	return 0;
}
