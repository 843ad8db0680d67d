/* Pane 8: the kernel cache (cache_list): key, version, source, date, size and tags.
 * c checks the scx kfunc prototypes in its BTF, Enter picks it for the next run, d
 * deletes it after a y/n question. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "btf.h"
#include "cache.h"
#include "views/view.h"

struct kpriv {
	struct listpos pos;
	struct kernel_entry *e;
	int n;
	bool loaded;
	char root[4096];
	char err[512];
	char verdict[512];         /* last `c` result */
	int verdict_ok;            /* 1 ok, 0 not ok, -1 error */
	int confirm;               /* index awaiting y/n for delete, -1 none */
};

static void load(struct kpriv *p)
{
	free(p->e);
	p->e = NULL;
	p->n = 0;
	p->err[0] = 0;
	p->loaded = true;
	if (cache_root(p->root, sizeof(p->root), p->err, sizeof(p->err)))
		return;
	cache_list(p->root, &p->e, &p->n, p->err, sizeof(p->err));
}

static void init(struct view *v)
{
	struct kpriv *p = calloc(1, sizeof(*p));
	if (p)
		p->confirm = -1;
	v->priv = p;
}

static void done(struct view *v)
{
	struct kpriv *p = v->priv;
	if (p)
		free(p->e);
	free(p);
	v->priv = NULL;
}

static void draw(struct view *v, struct dwin *w, struct run *r)
{
	struct kpriv *p = v->priv;
	(void)r;
	if (!p)
		return;
	if (!p->loaded)
		load(p);
	int x = dw_text(w, 0, 0, DC_HEAD, "Kernels", 0);
	x = dw_printf(w, 0, x + 2, DC_DIM, "%s/kernels", p->root);
	if (v->ctx && v->ctx->kernel_pick[0])
		dw_printf(w, 0, x + 2, DC_OK, "next run: %s", v->ctx->kernel_pick);
	dw_printf(w, 1, 0, DC_HEAD, "  %-28s %-26s %-14s %-10s %6s  %s", "KEY", "VERSION", "SOURCE", "DATE",
		  "SIZE", "TAGS");
	int foot = 2;
	p->pos.height = dw_rows(w) - 2 - foot;
	listpos_clamp(&p->pos, p->n);
	if (!p->n)
		dw_printf(w, 3, 2, DC_DIM, "%s", p->err[0] ? p->err : "No kernels cached. Fetch one: ktstr kernel fetch --debian");
	for (int y = 0; y < p->pos.height; y++) {
		long i = p->pos.top + y;
		if (i >= p->n)
			break;
		const struct kernel_entry *e = &p->e[i];
		bool sel = i == p->pos.cur;
		if (sel)
			dw_row(w, 2 + y, DC_SEL);
		char size[16], date[16], tags[96] = "";
		fs_human_size(e->size_bytes, size, sizeof(size));
		snprintf(date, sizeof(date), "%.10s", e->created_iso);
		if (e->corrupt)
			snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags), "corrupt(%s) ", e->error_kind);
		else if (!e->has_sched_ext)
			snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags), "no-sched_ext ");
		if (e->stale_kconfig)
			snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags), "stale-kconfig ");
		bool picked = v->ctx && !strcmp(v->ctx->kernel_pick, e->key);
		dw_text(w, 2 + y, 0, sel ? DC_SEL : DC_OK, picked ? dw_glyph(G_MARK) : " ", 0);
		int cx = dw_printf(w, 2 + y, 2, sel ? DC_SEL : DC_NORMAL, "%-28.28s %-26.26s %-14.14s %-10s %6s  ", e->key,
				   e->version, e->source, date, size);
		dw_text(w, 2 + y, cx, sel ? DC_SEL : e->corrupt || !e->has_sched_ext ? DC_FAIL : DC_OK,
			tags[0] ? tags : "ok", 0);
	}
	int fy = dw_rows(w) - 2;
	if (p->confirm >= 0 && p->confirm < p->n)
		dw_printf(w, fy, 0, DC_WARN, "Delete kernel %s (%s)? y/n", p->e[p->confirm].key, p->e[p->confirm].dir);
	else if (p->verdict[0])
		dw_text(w, fy, 0, p->verdict_ok > 0 ? DC_OK : DC_FAIL, p->verdict, 0);
	dw_text(w, fy + 1, 0, DC_DIM, "Enter pick for next run   c check kfuncs (BTF)   d delete   R reload", 0);
}

static void check(struct kpriv *p, const struct kernel_entry *e)
{
	if (!e->vmlinux[0]) {
		snprintf(p->verdict, sizeof(p->verdict), "%s: no extracted vmlinux, so no BTF to check "
			 "(re-import it: ktstr kernel import)", e->key);
		p->verdict_ok = -1;
		return;
	}
	struct btf_check *ck = calloc(1, sizeof(*ck));
	char err[512];
	if (!ck)
		return;
	if (btf_check_kfuncs(e->vmlinux, ck, err, sizeof(err))) {
		snprintf(p->verdict, sizeof(p->verdict), "%s: %s", e->key, err);
		p->verdict_ok = -1;
	} else {
		snprintf(p->verdict, sizeof(p->verdict), "%s: %s", e->key, ck->summary);
		p->verdict_ok = ck->ok;
	}
	free(ck);
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	struct kpriv *p = v->priv;
	(void)r;
	if (!p)
		return VIEW_IGNORED;
	if (v->modal) {
		if (key == 'y' || key == 'Y') {
			char err[512] = "";
			const struct kernel_entry *e = &p->e[p->confirm];
			if (cache_remove(p->root, e->key, err, sizeof(err))) {
				snprintf(p->verdict, sizeof(p->verdict), "%s", err);
				p->verdict_ok = -1;
			} else {
				snprintf(p->verdict, sizeof(p->verdict), "deleted %s", e->key);
				p->verdict_ok = 1;
				if (v->ctx && !strcmp(v->ctx->kernel_pick, e->key))
					v->ctx->kernel_pick[0] = 0;
			}
			load(p);
		}
		p->confirm = -1;
		v->modal = false;
		return VIEW_REDRAW;
	}
	bool have = p->pos.cur >= 0 && p->pos.cur < p->n;
	switch (q) {
	case REQ_REFRESH:
		load(p);
		return VIEW_REDRAW;
	case REQ_CHECK:
		if (have)
			check(p, &p->e[p->pos.cur]);
		return VIEW_REDRAW;
	case REQ_DELETE:
		if (have) {
			p->confirm = (int)p->pos.cur;
			v->modal = true;
		}
		return VIEW_REDRAW;
	case REQ_ENTER:
		if (!have || !v->ctx)
			return VIEW_IGNORED;
		snprintf(v->ctx->kernel_pick, sizeof(v->ctx->kernel_pick), "%s", p->e[p->pos.cur].key);
		if (v->ctx->status)
			v->ctx->status(v->ctx, "kernel for the next run: %s", p->e[p->pos.cur].key);
		return VIEW_REDRAW;
	default:
		return listpos_nav(&p->pos, p->n, q) ? VIEW_REDRAW : VIEW_IGNORED;
	}
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	struct kpriv *p = v->priv;
	(void)r;
	if (!p || !p->n)
		return false;
	for (int k = 1; k <= p->n; k++) {
		int i = (int)(((p->pos.cur + (dir < 0 ? -k : k)) % p->n + p->n) % p->n);
		if (strcasestr(p->e[i].key, pat) || strcasestr(p->e[i].version, pat) || strcasestr(p->e[i].source, pat)) {
			p->pos.cur = i;
			listpos_clamp(&p->pos, p->n);
			return true;
		}
	}
	return false;
}

const struct view_ops view_kernels = {
	.name = "kernels", .title = "Kernels", .key = '8', .needs_run = false,
	.init = init, .done = done, .draw = draw, .handle = handle, .search = search,
};
