/* Where things are in a scenario's text: a position scanner maps every key path
 * ("cgroups[1].workers") to where its key and value start, for FILE:LINE:COL errors, and
 * the checked reads of the parser (keys, types, ranges) that fail with one. */
#include "engine/scenario_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/json_util.h"

static void loc_adv(struct scn_loc *L)
{
	if (*L->p == '\n') {
		L->line++;
		L->col = 1;
	} else if (((unsigned char)*L->p & 0xC0) != 0x80) {
		L->col++;       /* count characters, like jansson, not UTF-8 continuation bytes */
	}
	L->p++;
}

static void loc_ws(struct scn_loc *L)
{
	while (*L->p == ' ' || *L->p == '\t' || *L->p == '\n' || *L->p == '\r')
		loc_adv(L);
}

static void loc_add(struct scn_loc *L, const char *path, int kl, int kc, int vl, int vc)
{
	if (L->n == L->cap) {
		size_t nc = L->cap ? L->cap * 2 : 64;
		struct scn_pos *nv = realloc(L->v, nc * sizeof(*nv));
		if (!nv)
			return;
		L->v = nv;
		L->cap = nc;
	}
	struct scn_pos *e = &L->v[L->n++];
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->kline = kl, e->kcol = kc, e->vline = vl, e->vcol = vc;
}

/* Reads a string token; the key text (unescaped only for plain chars) goes to out. */
static void loc_string(struct scn_loc *L, char *out, size_t outlen)
{
	size_t o = 0;
	loc_adv(L); /* opening quote */
	while (*L->p && *L->p != '"') {
		if (*L->p == '\\') {
			loc_adv(L);
			if (!*L->p)
				break;
		}
		if (out && o + 1 < outlen)
			out[o++] = *L->p;
		loc_adv(L);
	}
	if (*L->p == '"')
		loc_adv(L);
	if (out)
		out[o] = 0;
}

static void loc_value(struct scn_loc *L, const char *path, int kl, int kc, int depth)
{
	loc_ws(L);
	loc_add(L, path, kl, kc, L->line, L->col);
	if (depth > 32)
		return;
	char sub[160], key[64];
	if (*L->p == '{') {
		loc_adv(L);
		for (;;) {
			loc_ws(L);
			if (*L->p != '"')
				break;
			int kline = L->line, kcol = L->col;
			loc_string(L, key, sizeof(key));
			loc_ws(L);
			if (*L->p == ':')
				loc_adv(L);
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			loc_value(L, sub, kline, kcol, depth + 1);
			loc_ws(L);
			if (*L->p == ',')
				loc_adv(L);
		}
		if (*L->p == '}')
			loc_adv(L);
	} else if (*L->p == '[') {
		loc_adv(L);
		for (int i = 0;; i++) {
			loc_ws(L);
			if (!*L->p || *L->p == ']')
				break;
			snprintf(sub, sizeof(sub), "%s[%d]", path, i);
			loc_value(L, sub, L->line, L->col, depth + 1);
			loc_ws(L);
			if (*L->p == ',')
				loc_adv(L);
			else
				break;
		}
		if (*L->p == ']')
			loc_adv(L);
	} else if (*L->p == '"') {
		loc_string(L, NULL, 0);
	} else {
		while (*L->p && !strchr(",]} \t\r\n", *L->p))
			loc_adv(L);
	}
}

void scn_loc_scan(struct scn_loc *L, const char *text)
{
	*L = (struct scn_loc){ .line = 1, .col = 1, .p = text };
	loc_value(L, "", 1, 1, 0);
}

void scn_loc_free(struct scn_loc *L)
{
	free(L->v);
	L->v = NULL;
	L->n = L->cap = 0;
}

int scn_perr(struct scn_pctx *c, const char *path, bool at_key, const char *fmt, ...)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < c->loc.n; i++) {
		if (!strcmp(c->loc.v[i].path, path)) {
			line = at_key ? c->loc.v[i].kline : c->loc.v[i].vline;
			col = at_key ? c->loc.v[i].kcol : c->loc.v[i].vcol;
			break;
		}
	}
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%d:%d: %s", c->file, line, col, msg);
	return -EINVAL;
}

int scn_check_keys(struct scn_pctx *c, json_t *obj, const char *path, const char *what,
		   const char *const *valid)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		bool ok = false;
		for (int i = 0; valid[i]; i++)
			ok |= !strcmp(valid[i], k);
		if (!ok) {
			char list[256] = "", sub[160];
			size_t o = 0;
			for (int i = 0; valid[i]; i++)
				o += snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", valid[i]);
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
			return scn_perr(c, sub, true, "unknown key '%s' in %s; valid keys: %s", k, what, list);
		}
	}
	return 0;
}

int scn_want(struct scn_pctx *c, json_t *v, const char *path, json_type t, const char *tname)
{
	if (json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v)))
		return 0;
	return scn_perr(c, path, false, "%s: expected %s, got %s", path, tname, ju_type_name(v));
}

int scn_want_object(struct scn_pctx *c, json_t *v, const char *path, const char *what,
		    const char *const *valid)
{
	if (scn_want(c, v, path, JSON_OBJECT, "object"))
		return -EINVAL;
	return scn_check_keys(c, v, path, what, valid);
}

int scn_get_int(struct scn_pctx *c, json_t *v, const char *path, long lo, long hi, long *out)
{
	int64_t x;
	int rc = ju_int(v, false, lo, hi, &x);
	if (rc == -EINVAL)
		return scn_perr(c, path, false, "%s: expected integer, got %s", path, ju_type_name(v));
	if (rc)
		return scn_perr(c, path, false, "%s: %lld is out of range; allowed %ld..%ld", path,
				(long long)json_integer_value(v), lo, hi);
	*out = (long)x;
	return 0;
}

int scn_get_num(struct scn_pctx *c, json_t *v, const char *path, double *out)
{
	if (ju_num(v, out))
		return scn_perr(c, path, false, "%s: expected number, got %s", path, ju_type_name(v));
	return 0;
}

bool scn_valid_ident(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!n || n >= max)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}
