/* Drawing API for views (on stdscr): clipped text with UTF-8 width handling and an ASCII fallback,
 * colour roles mapped to pairs (or plain attributes under NO_COLOR / no colours). */
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <curses.h>

#include "tui/draw.h"

static bool utf8;
static attr_t attrs[DC__COUNT];

bool dw_utf8(void)
{
	return utf8;
}

void dw_setup(void)
{
	const char *cs = nl_langinfo(CODESET);
	const char *force = getenv("KTSTR_ASCII");
	utf8 = cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8")) && !(force && *force == '1');
	const char *nc = getenv("NO_COLOR");
	bool colour = has_colors() && !(nc && *nc);
	for (int i = 0; i < DC__COUNT; i++)
		attrs[i] = A_NORMAL;
	attrs[DC_TITLE] = A_BOLD | A_REVERSE;
	attrs[DC_TAB] = A_REVERSE;
	attrs[DC_TAB_ON] = A_BOLD;
	attrs[DC_SEL] = A_REVERSE;
	attrs[DC_FAIL] = A_BOLD;
	attrs[DC_WARN] = A_BOLD;
	attrs[DC_DIM] = A_DIM;
	attrs[DC_MATCH] = A_BOLD | A_UNDERLINE;
	attrs[DC_HEAD] = A_BOLD;
	attrs[DC_GAP] = A_BOLD;
	if (!colour)
		return;
	start_color();
	use_default_colors();
	static const struct { int role; short fg, bg; } pairs[] = {
		{ DC_TITLE, COLOR_WHITE, COLOR_BLUE }, { DC_TAB, COLOR_BLACK, COLOR_CYAN },
		{ DC_TAB_ON, COLOR_WHITE, COLOR_BLUE }, { DC_SEL, COLOR_BLACK, COLOR_CYAN },
		{ DC_OK, COLOR_GREEN, -1 }, { DC_FAIL, COLOR_RED, -1 }, { DC_WARN, COLOR_YELLOW, -1 },
		{ DC_MATCH, COLOR_BLACK, COLOR_YELLOW }, { DC_HEAD, COLOR_CYAN, -1 },
		{ DC_GAP, COLOR_WHITE, COLOR_RED }, { DC_WAIT, COLOR_BLUE, -1 }, { DC_BAR, COLOR_GREEN, -1 },
		{ DC_CPU0 + 0, COLOR_GREEN, -1 }, { DC_CPU0 + 1, COLOR_CYAN, -1 },
		{ DC_CPU0 + 2, COLOR_MAGENTA, -1 }, { DC_CPU0 + 3, COLOR_YELLOW, -1 },
		{ DC_CPU0 + 4, COLOR_BLUE, -1 }, { DC_CPU0 + 5, COLOR_WHITE, -1 },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		short n = (short)(i + 1);
		init_pair(n, pairs[i].fg, pairs[i].bg);
		attr_t keep = attrs[pairs[i].role] & (A_BOLD | A_UNDERLINE);
		attrs[pairs[i].role] = COLOR_PAIR(n) | keep;
	}
	attrs[DC_DIM] = A_DIM;
}

const char *dw_glyph(enum dglyph g)
{
	static const char *u[] = { "\u2588", "\u2592", "\u2591", "\u2502", "\u2500", "\u25b8", "\u25be", "\u25cf", "\u00b7" };
	static const char *a[] = { "#", "=", ".", "|", "-", "+", "-", "*", "." };
	return utf8 ? u[g] : a[g];
}

struct dwin dw_area(int y, int x, int h, int w)
{
	return (struct dwin){ y, x, h < 0 ? 0 : h, w < 0 ? 0 : w };
}

int dw_rows(const struct dwin *w)
{
	return w->h;
}

int dw_cols(const struct dwin *w)
{
	return w->w;
}

static attr_t attr_of(int col)
{
	return col >= 0 && col < DC__COUNT ? attrs[col] : A_NORMAL;
}

/* Walks s one displayed character at a time; put == false only measures. Returns the
 * column after the last character drawn. Matches (byte ranges) are drawn in DC_MATCH. */
static int put_text(struct dwin *w, int y, int x, int col, const char *s, int skip, const char *pat)
{
	if (!s || y < 0 || y >= w->h || x >= w->w)
		return x;
	size_t plen = pat ? strlen(pat) : 0;
	const char *hl_end = NULL;
	int cx = -skip;           /* column relative to x, before clipping */
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	const char *p = s;
	while (*p && x + cx < w->w) {
		if (plen && p >= hl_end && !strncasecmp(p, pat, plen))
			hl_end = p + plen;
		attr_t a = attr_of(p < hl_end ? DC_MATCH : col);
		char out[8];
		size_t blen = 1, olen = 1;
		int cw = 1;
		unsigned char c = (unsigned char)*p;
		if (c == '\t') {
			int to = ((cx + skip) / 8 + 1) * 8 - skip;
			while (cx < to && x + cx < w->w) {
				if (x + cx >= 0 && cx >= 0)
					mvaddch(w->y + y, w->x + x + cx, ' ' | a);
				cx++;
			}
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			out[0] = '?';
		} else if (c < 0x80) {
			out[0] = (char)c;
		} else if (!utf8) {
			out[0] = '?';
		} else {
			wchar_t wc;
			size_t n = mbrtowc(&wc, p, MB_CUR_MAX, &st);
			if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
				memset(&st, 0, sizeof(st));
				out[0] = '?';
			} else {
				int ww = wcwidth(wc);
				if (ww < 0) {
					out[0] = '?';
				} else {
					memcpy(out, p, n);
					olen = n;
					cw = ww;
				}
				blen = n;
			}
		}
		if (cx >= 0 && x + cx + cw <= w->w && cw > 0) {
			attrset(a);
			mvaddnstr(w->y + y, w->x + x + cx, out, (int)olen);
		}
		cx += cw;
		p += blen;
	}
	attrset(A_NORMAL);
	return x + (cx > 0 ? cx : 0);
}

int dw_text(struct dwin *w, int y, int x, int col, const char *s, int skip)
{
	return put_text(w, y, x, col, s, skip, NULL);
}

int dw_text_hl(struct dwin *w, int y, int x, int col, const char *s, int skip, const char *pat)
{
	return put_text(w, y, x, col, s, skip, pat && *pat ? pat : NULL);
}

int dw_printf(struct dwin *w, int y, int x, int col, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return put_text(w, y, x, col, buf, 0, NULL);
}

void dw_fill(struct dwin *w, int y, int x, int n, int col, const char *glyph)
{
	if (y < 0 || y >= w->h)
		return;
	attrset(attr_of(col));
	for (int i = 0; i < n && x + i < w->w; i++)
		if (x + i >= 0)
			mvaddstr(w->y + y, w->x + x + i, glyph);
	attrset(A_NORMAL);
}

void dw_row(struct dwin *w, int y, int col)
{
	dw_fill(w, y, 0, w->w, col, " ");
}

void dw_bar(struct dwin *w, int y, int x, int width, double frac, int col)
{
	static const char *eighths[] = { "", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589" };
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	int units = (int)(frac * width * 8 + 0.5);
	int full = units / 8, part = units % 8;
	dw_fill(w, y, x, full, col, dw_glyph(G_BLOCK));
	if (full < width) {
		if (utf8 && part)
			dw_fill(w, y, x + full, 1, col, eighths[part]);
		dw_fill(w, y, x + full + (utf8 && part), width - full - (utf8 && part), DC_DIM, dw_glyph(G_LIGHT));
	}
}
