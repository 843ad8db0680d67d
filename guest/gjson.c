/* The guest's JSON line writer (see gjson.h): bounded, escaping, never invalid output.
 * Pure code, no side effects, so host unit tests link it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "guest/gjson.h"

#define GJSON_CAP (KTSTR_LINE_MAX - 1) /* the '\n' takes the last byte */

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F; /* no UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < need + 1)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need + 1;
}

size_t gjson_escape(char *out, size_t cap, const char *s, size_t n, size_t *consumed)
{
	size_t o = 0, i = 0;
	if (!cap) {
		if (consumed)
			*consumed = 0;
		return 0;
	}
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char tmp[8];
		size_t tl, adv = 1;
		const char *src = tmp;
		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			tl = 2;
		} else if (c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f') {
			tmp[0] = '\\';
			tmp[1] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : c == '\b' ? 'b' : 'f';
			tl = 2;
		} else if (c == 0) {
			tmp[0] = '?'; /* jansson refuses \u0000 by default */
			tl = 1;
		} else if (c < 0x20) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			tl = 6;
		} else if (c < 0x80) {
			tmp[0] = (char)c;
			tl = 1;
		} else {
			size_t ul = utf8_len((const unsigned char *)s + i, n - i);
			if (ul) {
				src = s + i;
				tl = adv = ul;
			} else {
				tmp[0] = '?';
				tl = 1;
			}
		}
		if (o + tl + 1 > cap)
			break;
		memcpy(out + o, src, tl);
		o += tl;
		i += adv;
	}
	out[o] = 0;
	if (consumed)
		*consumed = i;
	return o;
}

static void put(struct gjson *j, const char *s, size_t n)
{
	if (j->overflow || j->len + n > GJSON_CAP) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = 0;
}

static void puts_(struct gjson *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Keys are ours (literals), but escape them anyway: the writer never emits bad JSON. */
static void key(struct gjson *j, const char *k)
{
	if (!j->first)
		put(j, ",", 1);
	j->first = false;
	if (!k)
		return;
	char tmp[256];
	gjson_escape(tmp, sizeof(tmp), k, strlen(k), NULL);
	put(j, "\"", 1);
	puts_(j, tmp);
	put(j, "\":", 2);
}

void gjson_begin(struct gjson *j, const char *type, int64_t ts_ns)
{
	j->len = 0;
	j->buf[0] = 0;
	j->overflow = false;
	put(j, "{", 1);
	j->first = true;
	gjson_str(j, KTSTR_MSG_KEY_TYPE, type);
	gjson_int(j, KTSTR_MSG_KEY_TS, ts_ns);
}

size_t gjson_room(const struct gjson *j)
{
	size_t used = j->len + GJSON_RESERVE;
	return j->overflow || used >= GJSON_CAP ? 0 : GJSON_CAP - used;
}

void gjson_strn(struct gjson *j, const char *k, const char *s, size_t n)
{
	key(j, k);
	put(j, "\"", 1);
	if (!j->overflow) {
		/* Whole if it fits (short values may use the reserve); else truncate long text
		 * rather than lose the line, keeping GJSON_RESERVE for the members that follow. */
		size_t used, len = s ? n : 0;
		size_t room = j->len + 16 < GJSON_CAP ? GJSON_CAP - 16 - j->len : 0;
		size_t w = room > 1 ? gjson_escape(j->buf + j->len, room, s ? s : "", len, &used) : 0;
		if (room <= 1 || used < len) {
			room = j->len + GJSON_RESERVE < GJSON_CAP ? GJSON_CAP - GJSON_RESERVE - j->len : 0;
			w = room > 1 ? gjson_escape(j->buf + j->len, room, s ? s : "", len, NULL) : 0;
		}
		j->len += w;
		j->buf[j->len] = 0;
	}
	put(j, "\"", 1);
}

void gjson_str(struct gjson *j, const char *k, const char *s)
{
	gjson_strn(j, k, s ? s : "", s ? strlen(s) : 0);
}

void gjson_int(struct gjson *j, const char *k, int64_t v)
{
	char tmp[32];
	key(j, k);
	snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	puts_(j, tmp);
}

void gjson_uint(struct gjson *j, const char *k, uint64_t v)
{
	char tmp[32];
	key(j, k);
	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	puts_(j, tmp);
}

void gjson_dbl(struct gjson *j, const char *k, double v)
{
	char tmp[64];
	key(j, k);
	if (!isfinite(v))
		v = 0;
	snprintf(tmp, sizeof(tmp), "%.3f", v);
	puts_(j, tmp);
}

void gjson_bool(struct gjson *j, const char *k, bool v)
{
	key(j, k);
	puts_(j, v ? "true" : "false");
}

void gjson_null(struct gjson *j, const char *k)
{
	key(j, k);
	puts_(j, "null");
}

void gjson_arr_open(struct gjson *j, const char *k)
{
	key(j, k);
	put(j, "[", 1);
	j->first = true;
}

void gjson_arr_close(struct gjson *j)
{
	put(j, "]", 1);
	j->first = false;
}

void gjson_obj_open(struct gjson *j, const char *k)
{
	key(j, k);
	put(j, "{", 1);
	j->first = true;
}

void gjson_obj_close(struct gjson *j)
{
	put(j, "}", 1);
	j->first = false;
}

int gjson_end(struct gjson *j)
{
	put(j, "}", 1);
	if (j->overflow)
		return -E2BIG;
	/* GJSON_CAP left one byte for the newline. */
	j->buf[j->len++] = '\n';
	j->buf[j->len] = 0;
	return 0;
}
