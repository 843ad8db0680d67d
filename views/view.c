/* Cursor and scroll arithmetic shared by the panes: list position, horizontal scroll. */
#include "views/view.h"

void listpos_clamp(struct listpos *p, long n)
{
	int h = p->height > 0 ? p->height : 1;
	if (p->cur >= n)
		p->cur = n - 1;
	if (p->cur < 0)
		p->cur = 0;
	if (p->top > p->cur)
		p->top = p->cur;
	if (p->cur >= p->top + h)
		p->top = p->cur - h + 1;
	if (p->top > n - h)
		p->top = n - h;
	if (p->top < 0)
		p->top = 0;
}

bool listpos_nav(struct listpos *p, long n, enum req q)
{
	int h = p->height > 1 ? p->height : 2;
	switch (q) {
	case REQ_UP: p->cur--; break;
	case REQ_DOWN: p->cur++; break;
	case REQ_PGUP: p->cur -= h - 1; p->top -= h - 1; break;
	case REQ_PGDN: p->cur += h - 1; p->top += h - 1; break;
	case REQ_TOP: p->cur = 0; break;
	case REQ_BOTTOM: p->cur = n - 1; break;
	default: return false;
	}
	listpos_clamp(p, n);
	return true;
}

int view_key(int pane)
{
	return pane < 0 || pane >= VIEW_MAX ? 0 : pane < 9 ? '1' + pane : '0';
}

int view_of_key(int key)
{
	int i = key == '0' ? 9 : key >= '1' && key <= '9' ? key - '1' : -1;
	return i < view_count ? i : -1;
}

bool hscroll_nav(int *xoff, enum req q)
{
	if (q == REQ_LEFT)
		*xoff = *xoff >= 8 ? *xoff - 8 : 0;
	else if (q == REQ_RIGHT)
		*xoff += 8;
	else
		return false;
	return true;
}
