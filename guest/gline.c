/* The bounded line splitter (see gline.h). */
#include "guest/gline.h"

void gline_feed(struct gline *l, const char *data, size_t n, void (*fn)(const char *, bool, void *),
		void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		if (c == '\n') {
			if (!l->skipping) {
				if (l->len && l->buf[l->len - 1] == '\r')
					l->len--;
				l->buf[l->len] = 0;
				fn(l->buf, false, ctx);
			}
			l->len = 0;
			l->skipping = false;
			continue;
		}
		if (l->skipping)
			continue;
		if (l->len == GLINE_MAX) {
			l->buf[l->len] = 0;
			l->too_long = true;
			fn(l->buf, true, ctx);
			l->len = 0;
			l->skipping = true;
			continue;
		}
		l->buf[l->len++] = c;
	}
}

void gline_flush(struct gline *l, void (*fn)(const char *, bool, void *), void *ctx)
{
	if (l->len && !l->skipping) {
		l->buf[l->len] = 0;
		fn(l->buf, false, ctx);
	}
	l->len = 0;
	l->skipping = false;
}
