/* The guest's JSON line writer: one bounded object per line for the control port.
 * Strings are escaped (quotes, backslash, control bytes) and invalid UTF-8 bytes become
 * '?', so every line the guest sends parses on the host. No allocation. */
#ifndef KTSTR_GUEST_GJSON_H
#define KTSTR_GUEST_GJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/proto.h"

/* Room kept free for closing brackets when a string is truncated to fit. */
#define GJSON_RESERVE 160

struct gjson {
	char buf[KTSTR_LINE_MAX + 1];
	size_t len;
	bool overflow; /* something did not fit: gjson_end fails and the caller splits or drops */
	bool first;    /* no comma before the next member of the open container */
};

/* Escapes n bytes of s into out (cap bytes incl. NUL) without quotes. Never cuts an escape
 * or a UTF-8 sequence in half; *consumed says how many input bytes made it. Returns the
 * output length. */
size_t gjson_escape(char *out, size_t cap, const char *s, size_t n, size_t *consumed);

/* {"t":"<type>","ts_ns":<ts_ns>  — then members, then gjson_end. */
void gjson_begin(struct gjson *j, const char *type, int64_t ts_ns);
/* key NULL = an array element. */
void gjson_str(struct gjson *j, const char *key, const char *s);
void gjson_strn(struct gjson *j, const char *key, const char *s, size_t n);
void gjson_int(struct gjson *j, const char *key, int64_t v);
/* Above INT64_MAX too (DSQ ids, flags); the host's reader takes them as text. */
void gjson_uint(struct gjson *j, const char *key, uint64_t v);
void gjson_dbl(struct gjson *j, const char *key, double v); /* 3 decimals; non-finite -> 0 */
void gjson_bool(struct gjson *j, const char *key, bool v);
void gjson_null(struct gjson *j, const char *key);
void gjson_arr_open(struct gjson *j, const char *key);
void gjson_arr_close(struct gjson *j);
void gjson_obj_open(struct gjson *j, const char *key);
void gjson_obj_close(struct gjson *j);
/* Closes the object and appends '\n'. 0, or -E2BIG when something did not fit (the buffer
 * then holds no usable line). The whole line incl. '\n' is <= KTSTR_LINE_MAX bytes. */
int gjson_end(struct gjson *j);
/* Room left for members, minus the closing reserve. */
size_t gjson_room(const struct gjson *j);

#endif
