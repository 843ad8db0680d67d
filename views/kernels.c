/* Pane 8: the kernel cache (engine_kernel_list): key, version, source, date, size and tags.
 * c checks the scx kfunc prototypes in its BTF, Enter picks it for the next run, d
 * deletes it after a y/n question, b and F build one (a source tree, a kernel.org
 * version), L shows an entry's build log. Deletions and builds take long, so the pane asks
 * the app for them (VIEW_REMOVE_KERNEL, VIEW_BUILD_KERNEL, VIEW_FETCH_KERNEL; the engine
 * works on a thread) and only shows how they go. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/fsutil.h"
#include "engine/kernels.h"
#include "views/logpane.h"
#include "views/model.h"
#include "views/view.h"

#define LOG_LINES 50000        /* a build log's newest lines kept (the errors are last) */
#define LOG_BYTES (16u << 20)

struct kpriv {
	struct listpos pos;
	struct kernel_entry *e;
	int n;
	bool loaded;
	char root[4096];
	char err[512];
	char verdict[2048];        /* last `c` or removal outcome (a lock timeout names paths) */
	int verdict_ok;            /* 1 ok, 0 not ok, -1 error */
	char confirm[128];         /* key awaiting y/n for delete, "" none (the list may reload) */
	char confirm_dir[4096];
	char removing[128];        /* key the engine is removing, "" none */
	struct kbm build;          /* the kernel build going on */
	bool build_confirm;        /* "cancel the build? y/n" is open */
	char select[128];          /* key the cursor goes to when the list reloads */
	/* An entry's build log, read into a ring and shown with the log panes' body. */
	bool log_open;
	struct ring *log;
	struct logpane lp;
	char log_key[128], log_path[4096], log_title[4300];
};

static void load(struct kpriv *p)
{
	free(p->e);
	p->e = NULL;
	p->n = 0;
	p->err[0] = 0;
	p->loaded = true;
	if (engine_cache_root(p->root, sizeof(p->root), p->err, sizeof(p->err)))
		return;
	engine_kernel_list(p->root, &p->e, &p->n, p->err, sizeof(p->err));
	for (int i = 0; p->select[0] && i < p->n; i++)
		if (!strcmp(p->e[i].key, p->select))
			p->pos.cur = i;
	p->select[0] = 0;
}

static void init(struct view *v)
{
	v->priv = calloc(1, sizeof(struct kpriv));
}

static void log_close(struct kpriv *p)
{
	if (!p->log)
		return;
	logpane_done(&p->lp);
	ring_free(p->log);
	p->log = NULL;
	p->log_open = false;
}

static void done(struct view *v)
{
	struct kpriv *p = v->priv;
	if (p) {
		log_close(p);
		free(p->e);
	}
	free(p);
	v->priv = NULL;
}

/* One paragraph: a newline and the indent after it become one space (a lock timeout lists
 * its holders on indented lines, for a terminal; a pane row has room for more). */
static void flow(char *s)
{
	char *o = s;
	for (const char *i = s; *i; i++) {
		if (*i != '\n') {
			*o++ = *i;
			continue;
		}
		while (i[1] == ' ')
			i++;
		*o++ = ' ';
	}
	*o = 0;
}

/* Draws s from row y on (w NULL: only counts), broken at spaces into cols columns, in at
 * most max rows; returns the rows it takes. A lock timeout takes 5 at 100 columns, 9 at 80. */
static int wrapped(struct dwin *w, int y, int cols, int col, const char *s, int max)
{
	int rows = 0;
	char line[512];
	if (cols > (int)sizeof(line) - 1)
		cols = (int)sizeof(line) - 1;
	while (cols > 0 && *s && rows < max) {
		size_t len = strlen(s);
		if (len > (size_t)cols) {
			size_t cut = (size_t)cols;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			len = cut ? cut : (size_t)cols;
		}
		if (w) {
			snprintf(line, sizeof(line), "%.*s", (int)len, s);
			dw_text(w, y + rows, 0, col, line, 0);
		}
		rows++;
		s += len;
		while (*s == ' ')
			s++;
	}
	return rows;
}

/* An entry's build log over the whole pane, with the log panes' scrolling and search. */
static void draw_log(struct kpriv *p, struct view *v, struct dwin *w)
{
	struct dwin body = dw_area(w->y, w->x, dw_rows(w) - 1, dw_cols(w));
	logpane_draw(&p->lp, v, &body, p->log);
	dw_text(w, dw_rows(w) - 1, 0, DC_DIM, "L closes the log   / search   arrows PgUp/PgDn g/G scroll   "
		"R rereads", 0);
}

/* The build going on: what, its phase with a bar, its last status line. Returns the rows. */
static int draw_build(struct kpriv *p, struct dwin *w, int y)
{
	const struct kbm *b = &p->build;
	int x = dw_text(w, y, 0, DC_WARN, b->what, 0);
	dw_text(w, y, x + 2, DC_DIM, "(x cancels)", 0);
	int rows = 1;
	if (b->label[0]) {
		char num[64];
		kbm_progress_text(b, num, sizeof(num));
		x = dw_printf(w, y + rows, 2, DC_NORMAL, "%.60s ", b->label);
		double f = kbm_frac(b);
		int bw = dw_cols(w) - x - (int)strlen(num) - 4;
		if (f >= 0 && bw > 30)
			bw = 30;
		if (f >= 0 && bw >= 5) {
			dw_bar(w, y + rows, x, bw, f, DC_OK);
			x += bw;
		}
		dw_text(w, y + rows, x + 1, DC_NORMAL, num, 0);
		rows++;
	}
	if (b->status[0])
		dw_text(w, y + rows++, 2, DC_DIM, b->status, 0);
	return rows;
}

static void draw(struct view *v, struct dwin *w, struct run *r)
{
	struct kpriv *p = v->priv;
	(void)r;
	if (!p)
		return;
	if (p->log_open && p->log) {
		draw_log(p, v, w);
		return;
	}
	if (!p->loaded)
		load(p);
	/* The footer: a y/n question, the removal going on, or the last outcome. */
	char msg[2300] = "";
	int mcol = DC_WARN;
	if (p->build_confirm)
		snprintf(msg, sizeof(msg), "Cancel the kernel build (%s)? y/n", p->build.what);
	else if (p->confirm[0])
		snprintf(msg, sizeof(msg), "Delete kernel %s (%s)? y/n", p->confirm, p->confirm_dir);
	else if (p->removing[0])
		snprintf(msg, sizeof(msg), "removing %s%s (a run using it makes this wait, up to %gs)",
			 p->removing, dw_utf8() ? "\u2026" : "...", engine_kernel_lock_wait_ms() / 1000.0);
	else if (p->verdict[0]) {
		snprintf(msg, sizeof(msg), "%s", p->verdict);
		mcol = p->verdict_ok > 0 ? DC_OK : DC_FAIL;
	}
	flow(msg);
	int mmax = dw_rows(w) / 2;  /* the list keeps the other half */
	int mrows = wrapped(NULL, 0, dw_cols(w), mcol, msg, mmax);
	int brows = p->build.running ? 1 + !!p->build.label[0] + !!p->build.status[0] : 0;
	int foot = (mrows > 1 ? mrows : 1) + 1 + brows;
	int x = dw_text(w, 0, 0, DC_HEAD, "Kernels", 0);
	x = dw_printf(w, 0, x + 2, DC_DIM, "%s/kernels", p->root);
	if (v->ctx && v->ctx->kernel_pick[0])
		dw_printf(w, 0, x + 2, DC_OK, "next run: %s", v->ctx->kernel_pick);
	dw_printf(w, 1, 0, DC_HEAD, "  %-28s %-26s %-14s %-10s %6s  %s", "KEY", "VERSION", "SOURCE", "DATE",
		  "SIZE", "TAGS");
	p->pos.height = dw_rows(w) - 2 - foot;
	listpos_clamp(&p->pos, p->n);
	if (!p->n)
		dw_printf(w, 3, 2, DC_DIM, "%s", p->err[0] ? p->err : "No kernels cached. F fetches and builds "
			  "one from kernel.org, b builds a source tree (or: ktstr kernel fetch --debian)");
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
		if (!strcmp(e->key, p->removing))
			snprintf(tags, sizeof(tags), "removing ");
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
	int fy = dw_rows(w) - foot;
	if (brows)
		fy += draw_build(p, w, fy);
	wrapped(w, fy, dw_cols(w), mcol, msg, mmax);
	dw_text(w, dw_rows(w) - 1, 0, DC_DIM, p->build.running ?
		"Enter pick  c kfuncs  d delete  L build log  x cancel the build  R reload" :
		"Enter pick  c kfuncs  d delete  b build DIR  F fetch VERSION  L build log  R reload", 0);
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
	if (engine_kernel_check_entry(e, ck, err, sizeof(err))) {
		snprintf(p->verdict, sizeof(p->verdict), "%s: %s", e->key, err);
		p->verdict_ok = -1;
	} else {
		snprintf(p->verdict, sizeof(p->verdict), "%s: %s", e->key, ck->summary);
		p->verdict_ok = ck->ok;
	}
	free(ck);
}

static void kernel_removed(struct view *v, const char *key, int rc, const char *msg)
{
	struct kpriv *p = v->priv;
	if (!p)
		return;
	if (!strcmp(p->removing, key))
		p->removing[0] = 0;
	snprintf(p->verdict, sizeof(p->verdict), "%s", msg);
	p->verdict_ok = rc ? -1 : 1;
	p->loaded = false;  /* the next draw lists the cache again */
}

static void build_event(struct view *v, const struct engine_event *ev)
{
	struct kpriv *p = v->priv;
	if (!p)
		return;
	if (ev->rc == 1) {
		if (!p->build.running) {  /* the app's "building WHAT" starts it */
			kbm_start(&p->build, ev->text);
			p->verdict[0] = 0;
		} else {
			kbm_event(&p->build, ev->progress, ev->text, ev->done, ev->total);
		}
		return;
	}
	kbm_end(&p->build);
	if (p->build_confirm) {  /* nothing left to cancel */
		p->build_confirm = false;
		v->modal = false;
	}
	snprintf(p->verdict, sizeof(p->verdict), "%s", ev->text ? ev->text : "");
	p->verdict_ok = ev->rc ? -1 : 1;
	if (!ev->rc && ev->key)
		snprintf(p->select, sizeof(p->select), "%s", ev->key);
	p->loaded = false;
}

/* Reads the entry's build log into a ring (its newest LOG_LINES lines) and shows it. */
static void log_open(struct kpriv *p, const struct kernel_entry *e)
{
	if (!e->build.log[0]) {
		snprintf(p->verdict, sizeof(p->verdict), "%s has no build log: only kernels ktstr built "
			 "have one (b or F builds one)", e->key);
		p->verdict_ok = -1;
		return;
	}
	FILE *f = fopen(e->build.log, "r");
	if (!f) {
		snprintf(p->verdict, sizeof(p->verdict), "cannot read the build log of %s: %s: %s",
			 e->key, e->build.log, strerror(errno));
		p->verdict_ok = -1;
		return;
	}
	log_close(p);
	p->log = ring_new(LOG_LINES, LOG_BYTES);
	if (!p->log) {
		fclose(f);
		return;
	}
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0)
		ring_push(p->log, line);
	free(line);
	fclose(f);
	snprintf(p->log_key, sizeof(p->log_key), "%s", e->key);
	snprintf(p->log_path, sizeof(p->log_path), "%s", e->build.log);
	snprintf(p->log_title, sizeof(p->log_title), "Build log of %s: %s", e->key, e->build.log);
	logpane_init(&p->lp, LOGM_PLAIN, p->log_title, "(the build log is empty)");
	p->lp.follow = false;
	p->lp.pos.cur = (long)ring_count(p->log) - 1;  /* the end: where a failure says why */
	p->log_open = true;
}

/* Keys while the log is open: it scrolls; L closes it; R rereads it. false: the key is
 * for the list (the log closes first). */
static bool log_key(struct kpriv *p, enum req q)
{
	switch (q) {
	case REQ_BUILD_LOG:
		log_close(p);
		return true;
	case REQ_REFRESH: {
		static struct kernel_entry e;  /* 30 kB: not on the stack */
		snprintf(e.key, sizeof(e.key), "%s", p->log_key);
		snprintf(e.build.log, sizeof(e.build.log), "%s", p->log_path);
		log_open(p, &e);
		return true;
	}
	case REQ_UP: case REQ_DOWN: case REQ_PGUP: case REQ_PGDN: case REQ_TOP: case REQ_BOTTOM:
	case REQ_LEFT: case REQ_RIGHT:
		logpane_handle(&p->lp, p->log, q);
		return true;
	default:
		log_close(p);
		return false;
	}
}

static enum view_rc answer(struct view *v, struct kpriv *p, int key)
{
	enum view_rc rc = VIEW_HANDLED;
	bool yes = key == 'y' || key == 'Y';
	if (p->build_confirm) {
		p->build_confirm = false;
		rc = yes ? VIEW_CANCEL_BUILD : VIEW_HANDLED;
	} else if (yes) {  /* a refusal comes back through kernel_removed */
		snprintf(p->removing, sizeof(p->removing), "%s", p->confirm);
		snprintf(v->arg, sizeof(v->arg), "%s", p->confirm);
		p->verdict[0] = 0;
		rc = VIEW_REMOVE_KERNEL;
	}
	p->confirm[0] = 0;
	v->modal = false;
	return rc;
}

static enum view_rc handle(struct view *v, struct run *r, enum req q, int key)
{
	struct kpriv *p = v->priv;
	(void)r;
	if (!p)
		return VIEW_IGNORED;
	if (v->modal)
		return answer(v, p, key);
	if (p->log_open && log_key(p, q))
		return VIEW_HANDLED;
	bool have = p->pos.cur >= 0 && p->pos.cur < p->n;
	switch (q) {
	case REQ_REFRESH:
		load(p);
		return VIEW_HANDLED;
	case REQ_CHECK:
		if (have)
			check(p, &p->e[p->pos.cur]);
		return VIEW_HANDLED;
	case REQ_BUILD:
	case REQ_FETCH:
		if (p->build.running) {
			snprintf(p->verdict, sizeof(p->verdict), "a kernel build is running (%s); x cancels it",
				 p->build.what);
			p->verdict_ok = -1;
			return VIEW_HANDLED;
		}
		return q == REQ_BUILD ? VIEW_BUILD_KERNEL : VIEW_FETCH_KERNEL;
	case REQ_STOP:  /* x: the build, when one runs; else the app stops the running VM */
		if (!p->build.running)
			return VIEW_IGNORED;
		p->build_confirm = true;
		v->modal = true;
		return VIEW_HANDLED;
	case REQ_BUILD_LOG:
		if (have)
			log_open(p, &p->e[p->pos.cur]);
		return VIEW_HANDLED;
	case REQ_DELETE:
		if (!have)
			return VIEW_HANDLED;
		if (p->removing[0]) {
			snprintf(p->verdict, sizeof(p->verdict), "still removing %s; wait for it to end",
				 p->removing);
			p->verdict_ok = -1;
			return VIEW_HANDLED;
		}
		snprintf(p->confirm, sizeof(p->confirm), "%s", p->e[p->pos.cur].key);
		snprintf(p->confirm_dir, sizeof(p->confirm_dir), "%s", p->e[p->pos.cur].dir);
		v->modal = true;
		return VIEW_HANDLED;
	case REQ_ENTER:
		if (!have)
			return VIEW_IGNORED;
		snprintf(v->arg, sizeof(v->arg), "%s", p->e[p->pos.cur].key);
		return VIEW_PICK_KERNEL;
	default:
		return listpos_nav(&p->pos, p->n, q) ? VIEW_HANDLED : VIEW_IGNORED;
	}
}

static bool search(struct view *v, struct run *r, const char *pat, int dir)
{
	struct kpriv *p = v->priv;
	(void)r;
	if (p && p->log_open && p->log)
		return logpane_search(&p->lp, p->log, pat, dir);
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
	.name = "kernels", .title = "Kernels", .needs_run = false,
	.init = init, .done = done, .draw = draw, .handle = handle, .search = search,
	.kernel_removed = kernel_removed, .kernel_build = build_event,
};
