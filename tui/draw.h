/* The drawing API views use: a clipped rectangle, colour roles (none under NO_COLOR),
 * and glyphs with an ASCII fallback when the locale is not UTF-8. Views never call
 * curses directly, and this is the only tui/ header they see. */
#ifndef KTSTR_TUI_DRAW_H
#define KTSTR_TUI_DRAW_H

#include <stdbool.h>

/* A rectangle of the screen (stdscr); every dw_* call is clipped to it. */
struct dwin { int y, x, h, w; };

enum dcol {
	DC_NORMAL, DC_TITLE, DC_TAB, DC_TAB_ON, DC_SEL, DC_OK, DC_FAIL, DC_WARN, DC_DIM,
	DC_MATCH, DC_HEAD, DC_GAP, DC_WAIT, DC_BAR, DC_CPU0, /* DC_CPU0 + 0..5: CPU colours */
	DC__COUNT = DC_CPU0 + 6
};
enum dglyph { G_BLOCK, G_SHADE, G_LIGHT, G_VLINE, G_HLINE, G_CLOSED, G_OPEN, G_MARK, G_DOT };

int dw_rows(const struct dwin *w);
int dw_cols(const struct dwin *w);
bool dw_utf8(void);
const char *dw_glyph(enum dglyph g);
/* Text at (y, x), clipped to the rectangle; control bytes shown as '?', invalid UTF-8 as
 * '?', wide characters measured. skip: display columns of s to skip (horizontal scroll).
 * Returns the column after the text. */
int dw_text(struct dwin *w, int y, int x, int col, const char *s, int skip);
int dw_printf(struct dwin *w, int y, int x, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Like dw_text, with every case-insensitive occurrence of pat drawn in DC_MATCH. */
int dw_text_hl(struct dwin *w, int y, int x, int col, const char *s, int skip, const char *pat);
/* n copies of a glyph (or a one-column string). */
void dw_fill(struct dwin *w, int y, int x, int n, int col, const char *glyph);
/* Paints the whole row y in col (selection bars, headers). */
void dw_row(struct dwin *w, int y, int col);
/* A horizontal bar of width cells filled to frac (0..1), eighths in UTF-8. */
void dw_bar(struct dwin *w, int y, int x, int width, double frac, int col);

/* The app's half (tui/ only): set up once curses is on, and cut the screen into panes. */
void dw_setup(void);                       /* colours (NO_COLOR aware) and glyph set */
struct dwin dw_area(int y, int x, int h, int w);   /* negative sizes become 0 */

#endif
