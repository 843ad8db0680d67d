/* Auto-repro stitching (see stitch.h). */
#include "engine/repro/stitch.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/repro/backtrace.h"
#include "engine/repro/decode.h"
#include "guest/probe_wire.h"

#define MAX_RAW 20000 /* probe events considered (the guest sends at most KPROBE_MAX_SENT) */

/* jansson refuses integers past INT64_MAX (dsq ids, addresses): quote every integer token
 * of 19+ digits so it parses as a string and is read back with strtoull. */
static char *quote_big_ints(const char *line)
{
	size_t n = strlen(line);
	char *out = malloc(n * 2 + 1), *o = out;
	if (!out)
		return NULL;
	bool in_str = false;
	for (const char *p = line; *p;) {
		if (in_str) {
			if (*p == '\\' && p[1]) {
				*o++ = *p++;
			} else if (*p == '"') {
				in_str = false;
			}
			*o++ = *p++;
			continue;
		}
		if (*p == '"') {
			in_str = true;
			*o++ = *p++;
			continue;
		}
		if (isdigit((unsigned char)*p) && (p == line || !isalnum((unsigned char)p[-1]))) {
			size_t d = strspn(p, "0123456789");
			bool big = d >= 19 && p[d] != '.' && p[d] != 'e' && p[d] != 'E';
			if (big)
				*o++ = '"';
			memcpy(o, p, d);
			o += d;
			if (big)
				*o++ = '"';
			p += d;
			continue;
		}
		*o++ = *p++;
	}
	*o = 0;
	return out;
}

static json_t *parse(const char *line)
{
	char *q = quote_big_ints(line);
	if (!q)
		return NULL;
	json_t *o = json_loads(q, 0, NULL);
	free(q);
	if (o && (!json_is_object(o) || strcmp(json_string_value(json_object_get(o, "t")) ?: "",
						KTSTR_MSG_PROBE))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *sget(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int64_t iget(json_t *o, const char *k, int64_t def)
{
	json_t *v = json_object_get(o, k);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return (int64_t)strtoull(json_string_value(v), NULL, 10);
	return def;
}

bool repro_progress(struct repro_result *r, const char *line)
{
	json_t *o = parse(line);
	if (!o)
		return false;
	const char *ev = sget(o, "ev");
	enum repro_state before = r->state;
	int attached = r->probes_attached;
	if (!strcmp(ev, "attached")) {
		r->probes_attached++;
		if (r->state < REPRO_ATTACHED)
			r->state = REPRO_ATTACHED;
	} else if (!strcmp(ev, "ready")) {
		r->probes_attached = (int)iget(o, "n", r->probes_attached);
		if (r->state < REPRO_WAITING)
			r->state = REPRO_WAITING;
	} else if (!strcmp(ev, "trigger")) {
		r->fired = true;
		if (r->state < REPRO_FIRED)
			r->state = REPRO_FIRED;
	}
	json_decref(o);
	return r->state != before || r->probes_attached != attached;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

void repro_decode_field(const char *name, const char *raw, char *buf, size_t len)
{
	char *end = NULL;
	errno = 0;
	bool neg = raw[0] == '-';
	uint64_t v = neg ? (uint64_t)strtoll(raw, &end, 0) : strtoull(raw, &end, 0);
	bool num = *raw && end && !*end && !errno;
	if (ends_with(name, ".cpus") && num) {
		dec_cpumask(&v, 1, buf, len);
	} else if (!num) {
		snprintf(buf, len, "%s", raw);
	} else if (ends_with(name, "dsq_id") || ends_with(name, ".id")) {
		dec_dsq_id(v, buf, len);
	} else if (ends_with(name, "enq_flags")) {
		dec_enq_flags(v, buf, len);
	} else if (ends_with(name, "scx_flags")) {
		dec_task_flags((uint32_t)v, buf, len);
	} else if (!strcmp(name, "kind") || ends_with(name, ".kind") || !strcmp(name, "exit_kind")) {
		dec_exit_kind((int64_t)v, buf, len);
	} else if (ends_with(name, "cpu") && (v == 0xffffffffu || v == UINT64_MAX)) {
		dec_cpu(0xffffffffu, buf, len);
	} else if (v >= 0xffff000000000000ull && !neg) {
		snprintf(buf, len, "0x%" PRIx64, v); /* a kernel pointer */
	} else {
		snprintf(buf, len, "%s%" PRIu64, neg ? "-" : "", neg ? (uint64_t)-(int64_t)v : v);
	}
}

/* A probe event or the trigger, before filtering. */
struct raw {
	struct repro_event ev;
	int64_t abs_ns;
	bool exit, used;
	int task_pids[4]; /* the pids of its task arguments */
	int ntask;
};

static void raw_value(json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else
		snprintf(buf, len, "?");
}

static void add_field(struct repro_event *e, const char *name, const char *raw)
{
	if (e->nfields >= REPRO_MAX_FIELDS)
		return;
	struct repro_field *f = &e->f[e->nfields++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	repro_decode_field(name, raw, f->value, sizeof(f->value));
	f->exit[0] = 0;
}

static void take_event(json_t *o, struct raw *x)
{
	memset(x, 0, sizeof(*x));
	struct repro_event *e = &x->ev;
	snprintf(e->func, sizeof(e->func), "%s", sget(o, "func"));
	snprintf(e->loc, sizeof(e->loc), "%s", sget(o, "loc"));
	snprintf(e->comm, sizeof(e->comm), "%s", sget(o, "comm"));
	e->cpu = (int)iget(o, "cpu", -1);
	e->pid = (int)iget(o, "pid", -1);
	x->abs_ns = iget(o, "ts_ns", 0);
	const char *phase = sget(o, "phase");
	x->exit = !strcmp(phase, "exit");
	snprintf(e->kind, sizeof(e->kind), "%s", *phase ? "fentry" : "kprobe");
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(o, "fields"), k, v) {
		char raw[128];
		raw_value(v, raw, sizeof(raw));
		add_field(e, k, raw);
		if (ends_with(k, ".pid") && x->ntask < 4)
			x->task_pids[x->ntask++] = atoi(raw);
	}
}

/* The exit's fields that differ from the entry's become entry -> exit. */
static void pair(struct raw *raws, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct raw *x = &raws[i];
		if (!x->exit)
			continue;
		x->used = true; /* an exit is shown only merged into its entry */
		for (size_t j = i; j-- > 0;) {
			struct raw *en = &raws[j];
			if (en->exit || en->used || en->ev.cpu != x->ev.cpu || strcmp(en->ev.func, x->ev.func))
				continue;
			for (int a = 0; a < x->ev.nfields; a++)
				for (int b = 0; b < en->ev.nfields; b++)
					if (!strcmp(x->ev.f[a].name, en->ev.f[b].name) &&
					    strcmp(x->ev.f[a].value, en->ev.f[b].value))
						snprintf(en->ev.f[b].exit, sizeof(en->ev.f[b].exit), "%s",
							 x->ev.f[a].value);
			en->used = true; /* paired: not paired again */
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!raws[i].exit)
			raws[i].used = false;
}

static int by_time(const void *a, const void *b)
{
	const struct raw *x = a, *y = b;
	return x->abs_ns < y->abs_ns ? -1 : x->abs_ns > y->abs_ns;
}

static bool about(const struct raw *x, int pid)
{
	if (x->ev.pid == pid)
		return true;
	for (int i = 0; i < x->ntask; i++)
		if (x->task_pids[i] == pid)
			return true;
	return false;
}

#define FRAME_LEN 96 /* a field's value */

/* The kernel's own printout of the exit's backtrace in the console: the first run of
 * lines that hold only "name+0xOFF/0xLEN" (after a "[ time]" prefix), as "name+0xOFF".
 * Returns how many (<= max). */
static int console_frames(const char *console, char (*out)[FRAME_LEN], int max)
{
	int n = 0;
	for (const char *l = console; l && *l && n < max;) {
		const char *nl = strchr(l, '\n'), *end = nl ? nl : l + strlen(l), *p = l;
		if (*p == '[') {
			const char *rb = memchr(p, ']', (size_t)(end - p));
			p = rb ? rb + 1 : p;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\r'))
			end--;
		/* one token, "name+0xOFF/0xLEN" */
		const char *plus = memchr(p, '+', (size_t)(end - p));
		const char *slash = plus ? memchr(plus, '/', (size_t)(end - plus)) : NULL;
		bool frame = plus && plus > p && slash && !strncmp(plus, "+0x", 3) &&
			     !memchr(p, ' ', (size_t)(end - p)) && !memchr(p, '\t', (size_t)(end - p));
		if (frame)
			snprintf(out[n++], FRAME_LEN, "%.*s", (int)(slash - p), p);
		else if (n)
			break; /* the block ended */
		l = nl ? nl + 1 : NULL;
	}
	return n;
}

/* Our stack names a frame in a BPF struct_ops trampoline after the program below it (the
 * trampolines are not in /proc/kallsyms); the console's copy of the same backtrace has the
 * kernel's names. Taken only when both agree on every frame outside BPF. */
static bool console_agrees(char (*ours)[FRAME_LEN], char (*con)[FRAME_LEN], int n)
{
	for (int i = 0; i < n; i++)
		if (strncmp(ours[i], "bpf_", 4) && strncmp(con[i], "bpf_", 4) && strcmp(ours[i], con[i]))
			return false;
	return n > 0;
}

static void take_trigger(json_t *o, struct repro_result *r, struct raw *t, const char *console)
{
	take_event(o, t);
	struct repro_event *e = &t->ev;
	snprintf(e->kind, sizeof(e->kind), "trigger");
	const char *by = sget(o, "func"); /* what fired: the trigger, or the backstop */
	snprintf(e->func, sizeof(e->func), "%s", *by ? by : r->trigger[0] ? r->trigger : "scx_exit");
	int64_t kind = iget(o, "kind", -1);
	char raw[32];
	snprintf(raw, sizeof(raw), "%" PRId64, kind);
	if (kind >= 0) {
		add_field(e, "exit_kind", raw);
		dec_exit_kind(kind, r->exit_kind, sizeof(r->exit_kind));
	}
	const char *msg = sget(o, "msg");
	if (*msg) {
		snprintf(r->exit_msg, sizeof(r->exit_msg), "%s", msg);
		add_field(e, "exit_msg", msg);
	}
	char ours[REPRO_MAX_FIELDS][FRAME_LEN], con[REPRO_MAX_FIELDS][FRAME_LEN];
	int n = 0;
	size_t i;
	json_t *fr;
	json_array_foreach(json_object_get(o, "stack"), i, fr)
		if (json_is_string(fr) && n < REPRO_MAX_FIELDS)
			snprintf(ours[n++], FRAME_LEN, "%s", json_string_value(fr));
	/* Aligned at the bottom: the console may list the trigger's own trampoline on top,
	 * which the guest dropped. */
	int ncon = console_frames(console, con, REPRO_MAX_FIELDS), off = ncon - n;
	bool use_con = off >= 0 && console_agrees(ours, con + off, n);
	for (int k = 0; k < n; k++) {
		char name[16];
		snprintf(name, sizeof(name), "stack#%d", k);
		add_field(e, name, use_con ? con[off + k] : ours[k]);
	}
}

int repro_stitch(const char *const *lines, size_t n, const char *console, const char *dump,
		 struct repro_result *r)
{
	struct raw *raws = calloc(MAX_RAW + 1, sizeof(*raws));
	if (!raws)
		return -ENOMEM;
	size_t nraw = 0;
	struct raw trig;
	bool have_trig = false;
	r->probes_attached = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *o = parse(lines[i]);
		if (!o)
			continue;
		const char *ev = sget(o, "ev");
		if (!strcmp(ev, "attached")) {
			r->probes_attached++;
		} else if (!strcmp(ev, "event") && nraw < MAX_RAW) {
			take_event(o, &raws[nraw++]);
		} else if (!strcmp(ev, "trigger") && !have_trig) {
			take_trigger(o, r, &trig, console);
			have_trig = true;
		} else if (!strcmp(ev, "done")) {
			r->events_seen = (uint64_t)iget(o, "events", 0);
			r->events_dropped = (uint64_t)iget(o, "dropped", 0);
			r->events_sent = (uint64_t)iget(o, "sent", 0);
			if (json_is_true(json_object_get(o, "fired")))
				r->fired = true;
		} else if (!strcmp(ev, "drop")) {
			size_t at = strlen(r->pipeline);
			snprintf(r->pipeline + at, sizeof(r->pipeline) - at, "not attached: %s (%s)\n",
				 sget(o, "func"), sget(o, "reason"));
		}
		json_decref(o);
	}
	r->fired = r->fired || have_trig;

	/* Whom the chain follows: a stall's stalled task (from the exit message, else the
	 * console or dump), else the task that was current when the exit fired. */
	struct bt_exit ex;
	bt_exit_info(r->exit_msg, &ex);
	if (ex.stalled_pid < 0)
		bt_exit_info(console, &ex);
	if (ex.stalled_pid < 0)
		bt_exit_info(dump, &ex);
	if (!r->exit_msg[0]) {
		struct bt_exit c;
		bt_exit_info(console, &c);
		if (c.stalled_pid >= 0)
			snprintf(r->exit_msg, sizeof(r->exit_msg), "%s[%d] failed to run", c.stalled_comm,
				 c.stalled_pid);
	}
	if (ex.stalled_pid >= 0) {
		r->task_pid = ex.stalled_pid;
		snprintf(r->task_comm, sizeof(r->task_comm), "%s", ex.stalled_comm);
	} else if (have_trig) {
		r->task_pid = trig.ev.pid;
		snprintf(r->task_comm, sizeof(r->task_comm), "%s", trig.ev.comm);
	}

	pair(raws, nraw);
	if (have_trig)
		raws[nraw++] = trig;
	qsort(raws, nraw, sizeof(*raws), by_time);
	int64_t t0 = have_trig ? trig.abs_ns : nraw ? raws[nraw - 1].abs_ns : 0;
	size_t keep = 0;
	for (size_t i = 0; i < nraw; i++)
		if (!raws[i].used && (r->task_pid < 0 || !strcmp(raws[i].ev.kind, "trigger") ||
				      about(&raws[i], r->task_pid)))
			keep++;
	free(r->ev);
	r->ev = NULL;
	r->nevents = 0;
	if (keep > REPRO_MAX_EVENTS)
		keep = REPRO_MAX_EVENTS;
	if (keep && !(r->ev = calloc(keep, sizeof(*r->ev)))) {
		free(raws);
		return -ENOMEM;
	}
	/* The newest events when there are too many: those nearest the exit matter. */
	for (size_t i = nraw; i-- > 0 && (size_t)r->nevents < keep;) {
		struct raw *x = &raws[i];
		if (x->used || (r->task_pid >= 0 && strcmp(x->ev.kind, "trigger") && !about(x, r->task_pid)))
			continue;
		x->ev.ts_ns = x->abs_ns - t0;
		r->ev[keep - 1 - (size_t)r->nevents++] = x->ev;
	}
	free(raws);
	return 0;
}
