/* ktstr_probe.c: auto-repro's probe loader in the repro VM (static, /ktstr/probe/bin).
 * Reads the host's spec (guest/probe_wire.h) and writes "probe" protocol lines on stdout,
 * which the guest init forwards as they are. Phase one, before the scheduler starts: the
 * trigger and the spec's kernel functions, then "armed". Phase two, on a "go" line on stdin
 * (the scheduler is attached): its struct_ops programs and the callers of the members they
 * implement, then "ready". Once the trigger fired: the trigger and the events of the tasks
 * it concerns. stdin EOF: done, exit 0.
 * Diagnostics go to stderr; exit 1 when nothing could be loaded. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "guest/gjson.h"
#include "ktstr_probe.h"
#include "ktstr_probe.skel.h"

#define TAG "ktstr_probe"
#define POLL_MS 50
#define MAX_CALLERS 64
#define MAX_PIDS 8

struct kp { /* a kernel function probe (kprobe or caller) */
	char func[128], why[32];
	int nargs;
	char argname[KPROBE_MAX_ARGS][32];
	unsigned int kind[KPROBE_MAX_ARGS];
};

static struct kp kps[KPROBE_CB_BASE], callers[MAX_CALLERS];
static char caller_member[MAX_CALLERS][64];
static int nkp, ncallers;
static struct ops_prog ops[KPROBE_MAX_CB];
static int nops;
static bool want_callbacks;
static char fentry_names[16][128];
static int nfentry;
static char trig_how[16], trig_func[128], backstop_func[128];
static int nattached;
static struct store *store;
static struct kprobe_trig trig;
static bool trig_seen, trig_sent;
static unsigned long long nsent;
static pthread_t sym_th;
static bool sym_th_on, syms_ok; /* syms_ok: the index is there (set after the join) */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void out(struct gjson *j)
{
	if (gjson_end(j)) {
		fprintf(stderr, TAG ": a probe message did not fit in a line and was dropped\n");
		return;
	}
	fwrite(j->buf, 1, j->len, stdout);
	fflush(stdout);
}

static void begin(struct gjson *j, const char *ev, int64_t ts)
{
	gjson_begin(j, KTSTR_MSG_PROBE, ts);
	gjson_str(j, "ev", ev);
}

static void say_attached(const char *func, const char *kind, const char *why)
{
	struct gjson j;
	begin(&j, "attached", now_ns());
	gjson_str(&j, "func", func);
	gjson_str(&j, "kind", kind);
	gjson_str(&j, "why", why);
	out(&j);
	nattached++;
}

static void say_drop(const char *func, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_drop(const char *func, const char *fmt, ...)
{
	char reason[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	struct gjson j;
	begin(&j, "drop", now_ns());
	gjson_str(&j, "func", func);
	gjson_str(&j, "reason", reason);
	out(&j);
}

/* ---- the spec ---- */

static const char *const kind_names[] = { [KPROBE_ARG_VAL] = "val", [KPROBE_ARG_PTR] = "ptr",
					  [KPROBE_ARG_TASK] = "task", [KPROBE_ARG_RQ] = "rq",
					  [KPROBE_ARG_DSQ] = "dsq", [KPROBE_ARG_KIND] = "kind" };

/* "NAME:KIND" tokens into k; a bad one is an error naming it. */
static int parse_args(char *save, struct kp *k, int lineno)
{
	char *a;
	while ((a = strtok_r(NULL, " \t\r\n", &save)) && k->nargs < KPROBE_MAX_ARGS) {
		char *colon = strrchr(a, ':');
		unsigned int kind = 99;
		for (unsigned int i = 0; colon && i < sizeof(kind_names) / sizeof(*kind_names); i++)
			if (!strcmp(colon + 1, kind_names[i]))
				kind = i;
		if (!colon || colon == a || kind == 99) {
			fprintf(stderr, TAG ": spec line %d: argument '%s' is not NAME:KIND (KIND: task, "
				"rq, dsq, kind, ptr or val)\n", lineno, a);
			return -1;
		}
		*colon = 0;
		snprintf(k->argname[k->nargs], sizeof(k->argname[0]), "%s", a);
		k->kind[k->nargs++] = kind;
	}
	return 0;
}

static int parse_spec(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, TAG ": cannot read the probe spec %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int lineno = 0, rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		lineno++;
		char *save, *w = strtok_r(line, " \t\r\n", &save);
		if (!w || *w == '#')
			continue;
		char *a1 = strtok_r(NULL, " \t\r\n", &save);
		if (!strcmp(w, "callbacks")) {
			want_callbacks = true;
		} else if (!strcmp(w, "trigger") && a1) {
			char *fn = strtok_r(NULL, " \t\r\n", &save);
			snprintf(trig_how, sizeof(trig_how), "%s", a1);
			snprintf(trig_func, sizeof(trig_func), "%s", fn ? fn : "");
			if (!fn || (strcmp(a1, "tp_btf") && strcmp(a1, "fexit") && strcmp(a1, "kprobe"))) {
				fprintf(stderr, TAG ": spec line %d: trigger needs tp_btf|fexit|kprobe and a "
					"name\n", lineno);
				rc = -1;
			}
		} else if (!strcmp(w, "backstop") && a1) {
			snprintf(backstop_func, sizeof(backstop_func), "%s", a1);
		} else if (!strcmp(w, "kprobe") && a1) {
			char *why = strtok_r(NULL, " \t\r\n", &save);
			if (nkp >= KPROBE_CB_BASE) {
				say_drop(a1, "more than %d kernel functions in the spec", KPROBE_CB_BASE);
				continue;
			}
			struct kp *k = &kps[nkp];
			memset(k, 0, sizeof(*k));
			snprintf(k->func, sizeof(k->func), "%s", a1);
			snprintf(k->why, sizeof(k->why), "%s", why ? why : "spec");
			rc = parse_args(save, k, lineno);
			nkp += !rc;
		} else if (!strcmp(w, "caller") && a1) {
			char *fn = strtok_r(NULL, " \t\r\n", &save);
			if (!fn || ncallers >= MAX_CALLERS)
				continue;
			struct kp *k = &callers[ncallers];
			memset(k, 0, sizeof(*k));
			snprintf(caller_member[ncallers], sizeof(caller_member[0]), "%s", a1);
			snprintf(k->func, sizeof(k->func), "%s", fn);
			snprintf(k->why, sizeof(k->why), "caller");
			rc = parse_args(save, k, lineno);
			ncallers += !rc;
		} else if (!strcmp(w, "fentry") && a1) {
			if (nfentry < 16)
				snprintf(fentry_names[nfentry++], sizeof(fentry_names[0]), "%s", a1);
		} else {
			fprintf(stderr, TAG ": spec line %d: unknown directive '%s'\n", lineno, w);
			rc = -1;
		}
	}
	fclose(f);
	if (!rc && !trig_how[0]) {
		fprintf(stderr, TAG ": the spec %s names no trigger\n", path);
		rc = -1;
	}
	return rc;
}

/* A caller becomes a kprobe when a loaded program implements its member. */
static void resolve_callers(void)
{
	for (int c = 0; c < ncallers; c++) {
		bool impl = false, dup = false;
		for (int i = 0; i < nops; i++)
			impl = impl || !strcmp(ops[i].member, caller_member[c]);
		for (int i = 0; i < nkp; i++)
			dup = dup || !strcmp(kps[i].func, callers[c].func);
		if (impl && !dup && nkp < KPROBE_CB_BASE)
			kps[nkp++] = callers[c];
	}
	for (int f = 0; f < nfentry; f++) {
		bool cb = false;
		for (int i = 0; i < nops; i++)
			cb = cb || !strcmp(ops[i].name, fentry_names[f]);
		if (!cb || !want_callbacks)
			say_drop(fentry_names[f], cb ? "only attached with the callbacks" :
				 "not a struct_ops program of the attached scheduler");
	}
}

/* ---- load and attach ---- */

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

static struct bpf_program *cb_prog(struct ktstr_probe *skel, int copy, bool exit)
{
	char name[32];
	snprintf(name, sizeof(name), "%s_%d", exit ? "cb_out" : "cb_in", copy / 8 * 10 + copy % 8);
	return bpf_object__find_program_by_name(skel->obj, name);
}

static struct bpf_program *trig_prog(struct ktstr_probe *skel)
{
	return !strcmp(trig_how, "fexit") ? skel->progs.trig_fexit :
	       !strcmp(trig_how, "kprobe") ? skel->progs.trig_kprobe : skel->progs.trig_tp;
}

/* Phase one (share NULL): the trigger and the kprobe program. Phase two: the first ncb
 * callback copies, sharing phase one's maps (cfg, ring buffer, counters), so one reader
 * sees everything and the trigger stops both. NULL (errno) when the load fails. */
static struct ktstr_probe *open_load(int ncb, struct ktstr_probe *share)
{
	struct ktstr_probe *skel = ktstr_probe__open();
	if (!skel)
		return NULL;
	struct bpf_program *p;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	if (!share) {
		bpf_program__set_autoload(skel->progs.ktstr_kprobe, nkp + ncallers > 0);
		struct bpf_program *t = trig_prog(skel);
		bpf_program__set_autoload(t, true);
		bpf_program__set_autoload(skel->progs.trig_backstop, backstop_func[0] != 0);
		if (t != skel->progs.trig_kprobe && bpf_program__set_attach_target(t, 0, trig_func))
			bpf_program__set_autoload(t, false);
	} else if (bpf_map__reuse_fd(skel->maps.cfg, bpf_map__fd(share->maps.cfg)) ||
		   bpf_map__reuse_fd(skel->maps.events, bpf_map__fd(share->maps.events)) ||
		   bpf_map__reuse_fd(skel->maps.bss, bpf_map__fd(share->maps.bss))) {
		ktstr_probe__destroy(skel);
		return NULL;
	}
	for (int k = 0; k < ncb; k++)
		for (int x = 0; x < 2; x++) {
			struct bpf_program *cp = cb_prog(skel, k, x);
			bpf_program__set_autoload(cp, true);
			if (bpf_program__set_attach_target(cp, ops[k].fd, ops[k].name))
				bpf_program__set_autoload(cp, false);
		}
	int err = ktstr_probe__load(skel);
	if (err) {
		ktstr_probe__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

static void set_cfg(struct ktstr_probe *skel, unsigned int idx, int nargs, const unsigned int *kind,
		    bool indirect)
{
	struct kprobe_cfg c = { .nargs = (unsigned int)nargs, .indirect = indirect };
	memcpy(c.kind, kind, sizeof(c.kind));
	bpf_map_update_elem(bpf_map__fd(skel->maps.cfg), &idx, &c, BPF_ANY);
}

static bool attach_trigger(struct ktstr_probe *skel)
{
	struct bpf_program *t = trig_prog(skel);
	struct bpf_link *l = !bpf_program__autoload(t) ? NULL :
			     t == skel->progs.trig_kprobe ? bpf_program__attach_kprobe(t, false, trig_func) :
			     bpf_program__attach(t);
	if (l)
		say_attached(trig_func, "trigger", "trigger");
	else
		say_drop(trig_func, "%s trigger: %s", trig_how,
			 bpf_program__autoload(t) ? strerror(errno) : "not in this kernel's BTF");
	if (backstop_func[0]) {
		struct bpf_link *b = bpf_program__attach_kprobe(skel->progs.trig_backstop, false, backstop_func);
		if (b)
			say_attached(backstop_func, "trigger", "backstop");
		else
			say_drop(backstop_func, "backstop kprobe: %s", strerror(errno));
	}
	return l != NULL;
}

static void attach_kprobes(struct ktstr_probe *skel, int from)
{
	for (int i = from; i < nkp; i++) {
		set_cfg(skel, (unsigned int)i, kps[i].nargs, kps[i].kind, false);
		LIBBPF_OPTS(bpf_kprobe_opts, o, .bpf_cookie = (unsigned long long)i);
		struct bpf_link *l = bpf_program__attach_kprobe_opts(skel->progs.ktstr_kprobe, kps[i].func, &o);
		if (l)
			say_attached(kps[i].func, "kprobe", kps[i].why);
		else
			say_drop(kps[i].func, "kprobe: %s", strerror(errno));
	}
}

static void attach_callbacks(struct ktstr_probe *skel, int ncb)
{
	for (int k = 0; k < ncb; k++) {
		set_cfg(skel, KPROBE_CB_BASE + (unsigned int)k, ops[k].nargs, ops[k].kind, ops[k].indirect);
		struct bpf_program *in = cb_prog(skel, k, false), *ex = cb_prog(skel, k, true);
		if (!bpf_program__autoload(in)) {
			say_drop(ops[k].name, "no BTF to attach fentry to (build the scheduler with -g)");
			continue;
		}
		struct bpf_link *a = bpf_program__attach(in), *b = a ? bpf_program__attach(ex) : NULL;
		if (b)
			say_attached(ops[k].name, "fentry", "callback");
		else
			say_drop(ops[k].name, "fentry/fexit: %s", strerror(errno));
	}
}

static void *copy_syms(void *arg)
{
	(void)arg;
	int64_t t0 = now_ns();
	if (ksym_load())
		fprintf(stderr, TAG ": /proc/kallsyms gave no addresses; the stack stays in hex\n");
	else
		fprintf(stderr, TAG ": /proc/kallsyms copied in %lld ms\n", (long long)((now_ns() - t0) / 1000000));
	return NULL;
}

/* Phase two, once the scheduler is attached: its callbacks and the callers of the members
 * it implements. Returns the callbacks' object (NULL when there is none). */
static struct ktstr_probe *phase_two(struct ktstr_probe *skel)
{
	struct btf *vml = btf__load_vmlinux_btf();
	char why[160];
	if (!vml)
		fprintf(stderr, TAG ": cannot read the kernel's BTF (%s); no callbacks\n", strerror(errno));
	nops = vml ? ops_find(vml, ops, KPROBE_MAX_CB, why, sizeof(why)) : 0;
	if (want_callbacks && nops <= 0)
		say_drop("callbacks", "%s", vml ? why : "no kernel BTF");
	btf__free(vml);
	int from = nkp;
	resolve_callers();
	if (bpf_program__autoload(skel->progs.ktstr_kprobe))
		attach_kprobes(skel, from);
	int ncb = want_callbacks && nops > 0 ? nops : 0;
	struct ktstr_probe *cb = ncb ? open_load(ncb, skel) : NULL;
	if (ncb && !cb)
		for (int k = 0, e = errno; k < ncb; k++)
			say_drop(ops[k].name, "fentry/fexit on the scheduler's programs did not load: %s",
				 strerror(e));
	if (cb)
		attach_callbacks(cb, ncb);
	struct gjson j;
	begin(&j, "ready", now_ns());
	gjson_int(&j, "n", nattached);
	gjson_str(&j, "trigger", trig_func);
	out(&j);
	/* Symbols on a thread now that the scheduler's programs are in (the copy takes seconds
	 * in a busy TCG guest and the ring buffer must keep draining): by the time the trigger
	 * fires the scheduler is on its way out, and its programs leave /proc/kallsyms. A
	 * trigger before this copies them itself. */
	sym_th_on = !pthread_create(&sym_th, NULL, copy_syms, NULL);
	return cb;
}

/* ---- events ---- */

static void put_fields(struct gjson *j, const struct kprobe_ev *e, int nargs,
		       char (*names)[32], const unsigned int *kinds)
{
	gjson_obj_open(j, "fields");
	for (int i = 0; i < nargs && i < (int)e->nargs; i++) {
		const struct kprobe_arg *a = &e->a[i];
		char k[64], hex[32];
		const char *n = names[i];
		switch (kinds[i]) {
		case KPROBE_ARG_TASK:
			if (!a->v[0]) {
				gjson_int(j, n, 0);
				break;
			}
			snprintf(k, sizeof(k), "%s.pid", n), gjson_int(j, k, (int64_t)a->v[1]);
			snprintf(k, sizeof(k), "%s.comm", n), gjson_strn(j, k, a->comm, strnlen(a->comm, 16));
			snprintf(k, sizeof(k), "%s.scx_flags", n), gjson_uint(j, k, a->v[2]);
			snprintf(k, sizeof(k), "%s.dsq_id", n), gjson_uint(j, k, a->v[3]);
			snprintf(k, sizeof(k), "%s.slice", n), gjson_uint(j, k, a->v[4]);
			snprintf(k, sizeof(k), "%s.weight", n), gjson_uint(j, k, a->v[5]);
			snprintf(hex, sizeof(hex), "0x%llx", a->v[6]);
			snprintf(k, sizeof(k), "%s.cpus", n), gjson_str(j, k, hex);
			snprintf(k, sizeof(k), "%s.sticky_cpu", n), gjson_int(j, k, (int64_t)a->v[7]);
			break;
		case KPROBE_ARG_RQ:
		case KPROBE_ARG_DSQ:
			if (!a->v[0]) {
				gjson_int(j, n, 0);
				break;
			}
			snprintf(k, sizeof(k), "%s.%s", n, kinds[i] == KPROBE_ARG_RQ ? "cpu" : "id");
			gjson_uint(j, k, a->v[1]);
			snprintf(k, sizeof(k), "%s.%s", n, kinds[i] == KPROBE_ARG_RQ ? "nr_running" : "nr");
			gjson_uint(j, k, a->v[2]);
			break;
		case KPROBE_ARG_PTR:
			snprintf(hex, sizeof(hex), "0x%llx", a->v[0]);
			gjson_str(j, n, hex);
			break;
		case KPROBE_ARG_KIND:
			gjson_int(j, n, (int64_t)a->v[0]);
			break;
		default:
			gjson_uint(j, n, a->v[0]);
		}
	}
	gjson_obj_close(j);
}

static void send_event(const struct kprobe_ev *e)
{
	struct gjson j;
	begin(&j, "event", (int64_t)e->ts);
	bool cb = e->probe >= KPROBE_CB_BASE;
	const struct ops_prog *o = cb ? &ops[e->probe - KPROBE_CB_BASE] : NULL;
	struct kp *k = cb ? NULL : &kps[e->probe];
	gjson_str(&j, "func", cb ? o->name : k->func);
	gjson_str(&j, "phase", e->phase == KPROBE_PH_ENTRY ? "entry" : e->phase == KPROBE_PH_EXIT ? "exit" : "");
	gjson_int(&j, "cpu", e->cpu);
	gjson_int(&j, "pid", e->pid);
	gjson_strn(&j, "comm", e->comm, strnlen(e->comm, sizeof(e->comm)));
	char site[KSYM_NAME_LEN] = "";
	if (!cb && e->ret && syms_ok)
		ksym_name(e->ret, site, sizeof(site));
	gjson_str(&j, "loc", cb ? o->loc : site);
	if (cb)
		put_fields(&j, e, o->nargs, (char (*)[32])o->argname, o->kind);
	else
		put_fields(&j, e, k->nargs, k->argname, k->kind);
	out(&j);
	nsent++;
}


/* The trigger and the events of its tasks: its current task and every "[PID]" of its
 * message (a stall names the task that did not run). */
static void send_trigger(void)
{
	int pids[MAX_PIDS], np = 0;
	pids[np++] = trig.pid;
	for (const char *s = trig.msg; (s = strchr(s, '[')) && np < MAX_PIDS; s++) {
		char *end;
		long p = strtol(s + 1, &end, 10);
		if (end != s + 1 && *end == ']' && p > 0)
			pids[np++] = (int)p;
	}
	struct gjson j;
	begin(&j, "trigger", (int64_t)trig.ts);
	char fired_by[160];
	snprintf(fired_by, sizeof(fired_by), "%s %s", trig.backstop ? "kprobe" : trig_how,
		 trig.backstop ? backstop_func : trig_func);
	gjson_str(&j, "func", fired_by);
	gjson_int(&j, "cpu", trig.cpu);
	gjson_int(&j, "pid", trig.pid);
	gjson_strn(&j, "comm", trig.comm, strnlen(trig.comm, sizeof(trig.comm)));
	gjson_int(&j, "kind", trig.kind);
	gjson_strn(&j, "msg", trig.msg, strnlen(trig.msg, sizeof(trig.msg)));
	gjson_arr_open(&j, "stack");
	if (sym_th_on)
		pthread_join(sym_th, NULL);
	sym_th_on = false;
	bool syms = syms_ok = !ksym_load(); /* copied by copy_syms; a no-op then */
	int nst = trig.nstack < KPROBE_STACK ? (int)trig.nstack : KPROBE_STACK;
	bool lead = true;
	for (int i = 0; i < nst; i++) {
		char f[KSYM_NAME_LEN];
		if (syms)
			ksym_name(trig.stack[i], f, sizeof(f));
		else
			snprintf(f, KSYM_NAME_LEN, "0x%llx", trig.stack[i]);
		/* A stack of our own (no kernel backtrace) starts with the trigger program and
		 * its trampoline: not part of the crash path. */
		if (lead && (!strncmp(f, "bpf_trampoline_", 15) || (!strncmp(f, "bpf_prog_", 9) && strstr(f, "_trig_"))))
			continue;
		lead = false;
		gjson_str(&j, NULL, f);
	}
	gjson_arr_close(&j);
	out(&j);
	static const struct kprobe_ev *pick[KPROBE_MAX_SENT];
	size_t n = store_pick(store, pids, np, pick, KPROBE_MAX_SENT);
	for (size_t i = 0; i < n; i++)
		send_event(pick[i]);
	trig_sent = true;
}

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	unsigned int rec = size >= 4 ? *(unsigned int *)data : 0;
	if (rec == KPROBE_REC_EVENT && size == sizeof(struct kprobe_ev)) {
		store_add(store, data);
	} else if (rec == KPROBE_REC_TRIGGER && size == sizeof(struct kprobe_trig) && !trig_seen) {
		memcpy(&trig, data, sizeof(trig));
		trig_seen = true;
	}
	return 0;
}

static void send_done(struct ktstr_probe *skel)
{
	struct gjson j;
	begin(&j, "done", now_ns());
	gjson_uint(&j, "events", skel->bss->seen);
	gjson_uint(&j, "dropped", skel->bss->dropped);
	gjson_uint(&j, "sent", nsent);
	gjson_bool(&j, "fired", trig_seen);
	out(&j);
}

int main(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : KTSTR_GUEST_PROBE_SPEC;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stderr, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);
	setrlimit(RLIMIT_MEMLOCK, &rl);
	if (parse_spec(spec))
		return 1;
	store = store_new();
	struct ktstr_probe *skel = store ? open_load(0, NULL) : NULL;
	if (!skel) {
		fprintf(stderr, TAG ": cannot load the probes: %s\n", strerror(errno));
		return 1;
	}
	/* Phase one, before the scheduler starts: nothing it does can beat the trigger. */
	bool armed = attach_trigger(skel);
	attach_kprobes(skel, 0);
	struct gjson j;
	begin(&j, "armed", now_ns());
	gjson_bool(&j, "trigger", armed);
	out(&j);
	struct ktstr_probe *cb = NULL;
	bool two = false;

	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, NULL, NULL);
	if (!rb) {
		fprintf(stderr, TAG ": cannot map the ring buffer: %s\n", strerror(errno));
		return 1;
	}
	struct pollfd pf[2] = { { .fd = 0, .events = POLLIN },
				{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN } };
	for (bool eof = false; !eof;) {
		if (poll(pf, 2, POLL_MS) < 0 && errno != EINTR)
			break;
		ring_buffer__consume(rb);
		if (trig_seen && !trig_sent)
			send_trigger();
		if (pf[0].revents) {
			char buf[256];
			ssize_t n = read(0, buf, sizeof(buf));
			eof = n == 0 || (n < 0 && errno != EINTR);
			if (n > 0 && !two && memmem(buf, (size_t)n, "go\n", 3)) { /* the scheduler is in */
				two = true;
				cb = phase_two(skel);
			}
		}
	}
	ring_buffer__consume(rb);
	if (trig_seen && !trig_sent)
		send_trigger();
	send_done(skel);
	if (sym_th_on)
		pthread_join(sym_th, NULL);
	ring_buffer__free(rb);
	ktstr_probe__destroy(cb);
	ktstr_probe__destroy(skel);
	store_free(store);
	return 0;
}
