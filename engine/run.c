/* The run model's life (new/get/put, lock) and run_ingest: every guest/proto.h message
 * applied to the model. Guest lines are untrusted: lengths, counts, ids and types are
 * checked; anything off counts as a malformed line and changes nothing. */
#include "engine/monitor/ingest.h"
#include "engine/run.h"
#include "engine/worker_figs.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/proto.h"
#include "guest/probe_wire.h"

#define RUN_CONSOLE_BYTES (4u << 20)
#define RUN_LOG_BYTES (16u << 20)
#define RUN_SCHEDLOG_BYTES (128u << 20)

const char *run_state_name(enum run_state s)
{
	static const char *const n[] = { "pending", "booting", "running", "finishing", "done" };
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

const char *run_result_name(enum run_result r)
{
	static const char *const n[] = { "none", "pass", "fail", "error", "skip" };
	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : "?";
}

struct run *run_new(const struct scenario *scn)
{
	struct run *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (pthread_mutex_init(&r->lock, NULL)) {
		free(r);
		return NULL;
	}
	r->refs = 1;
	if (scn) {
		if (scn_copy(&r->scn, scn))
			goto fail;
	} else {
		scn_init_default(&r->scn);
	}
	snprintf(r->sched_label, sizeof(r->sched_label), "%s",
		 r->scn.sched.kind == SCHED_EEVDF ? "eevdf" : r->scn.sched.spec);
	if (r->scn.sched.kind == SCHED_PATH) {
		const char *b = strrchr(r->scn.sched.spec, '/');
		snprintf(r->sched_label, sizeof(r->sched_label), "%s", b && b[1] ? b + 1 : r->scn.sched.spec);
	}
	r->state = RUN_PENDING;
	r->sys_rdy_ms = -1;
	r->kernel_boot_ms = -1;
	r->restore_ms = -1;
	r->snapshot_save_ms = -1;
	r->last_guest_line_ms = -1;
	r->workload_start_ms = -1;
	r->vm_exit_code = -1;
	r->guest_elapsed_ms = -1;
	r->workload_start_ns = -1;
	r->exec_status = -1;
	r->gap_threshold_ms = -1;
	r->spread_threshold_pct = -1;
	r->console = ring_new(RUN_CONSOLE_LINES, RUN_CONSOLE_BYTES);
	r->schedlog = ring_new(RUN_SCHEDLOG_LINES, RUN_SCHEDLOG_BYTES);
	r->verifier = ring_new(RUN_LOG_LINES, RUN_LOG_BYTES);
	r->dump = ring_new(RUN_LOG_LINES, RUN_LOG_BYTES);
	r->guestlog = ring_new(RUN_LOG_LINES, RUN_LOG_BYTES);
	r->probe = ring_new(RUN_LOG_LINES, RUN_LOG_BYTES);
	/* Large, zeroed and touched lazily: calloc maps these without committing memory. */
	r->workers = calloc(SCN_MAX_WORKERS, sizeof(*r->workers));
	r->slices = calloc(RUN_TL_SLICES, sizeof(*r->slices));
	r->samples = calloc(RUN_SAMPLES, sizeof(*r->samples));
	if (!r->console || !r->schedlog || !r->verifier || !r->dump || !r->guestlog || !r->probe || !r->workers ||
	    !r->slices || !r->samples)
		goto fail;
	return r;
fail:
	r->refs = 1;
	run_put(r);
	return NULL;
}

struct run *run_get(struct run *r)
{
	if (r)
		__atomic_add_fetch(&r->refs, 1, __ATOMIC_ACQ_REL);
	return r;
}

void run_put(struct run *r)
{
	if (!r || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	ring_free(r->console);
	ring_free(r->schedlog);
	ring_free(r->verifier);
	ring_free(r->dump);
	ring_free(r->guestlog);
	ring_free(r->probe);
	free(r->workers);
	free(r->slices);
	free(r->samples);
	mon_series_free(r->mon);
	repro_free(r->repro);
	scn_free(&r->scn);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

void run_lock(struct run *r)
{
	pthread_mutex_lock(&r->lock);
}

void run_unlock(struct run *r)
{
	pthread_mutex_unlock(&r->lock);
}

void run_add_check(struct run *r, const char *name, bool ok, const char *fmt, ...)
{
	if (r->nchecks >= RUN_MAX_CHECKS)
		return;
	struct run_check *c = &r->checks[r->nchecks++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->ok = ok;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
}

void run_drop_checks(struct run *r, const char *name)
{
	int o = 0;
	for (int i = 0; i < r->nchecks; i++)
		if (strcmp(r->checks[i].name, name))
			r->checks[o++] = r->checks[i];
	r->nchecks = o;
}

struct run_worker *run_worker_by_tid(struct run *r, int tid)
{
	for (int i = 0; i < r->nworkers; i++)
		if (r->workers[i].tid == tid)
			return &r->workers[i];
	if (r->nworkers >= SCN_MAX_WORKERS)
		return NULL;
	struct run_worker *w = &r->workers[r->nworkers++];
	memset(w, 0, sizeof(*w));
	w->tid = tid;
	w->cpu = -1;
	w->max_gap_cpu = -1;
	w->figure = -1;
	w->run_delay_ns = w->run_count = -1;
	return w;
}

void run_add_slice(struct run *r, const struct run_slice *s)
{
	if (r->nslices < RUN_TL_SLICES) {
		r->slices[(r->slice_head + r->nslices) % RUN_TL_SLICES] = *s;
		r->nslices++;
	} else {
		r->slices[r->slice_head] = *s;
		r->slice_head = (r->slice_head + 1) % RUN_TL_SLICES;
	}
}

const struct run_slice *run_slice_at(const struct run *r, size_t i)
{
	if (i >= r->nslices)
		return NULL;
	return &r->slices[(r->slice_head + i) % RUN_TL_SLICES];
}

/* ---- ingest ----------------------------------------------------------------------- */

/* Field readers: false when present with the wrong type or out of range (malformed). */
static bool get_i64(json_t *o, const char *k, bool required, int64_t lo, int64_t hi, int64_t *out)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return !required;
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x < lo || x > hi)
			return false;
		*out = x;
		return true;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (!(d >= (double)lo && d <= (double)hi))
			return false;
		*out = (int64_t)d;
		return true;
	}
	return false;
}

static bool get_dbl(json_t *o, const char *k, bool required, double *out)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return !required;
	if (!json_is_number(v))
		return false;
	double d = json_number_value(v);
	if (!(d >= 0 && d < 1e12))
		return false;
	*out = d;
	return true;
}

static bool get_str(json_t *o, const char *k, bool required, const char **out)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return !required;
	if (!json_is_string(v))
		return false;
	*out = json_string_value(v);
	return true;
}

static bool get_bool(json_t *o, const char *k, bool required, bool *out)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return !required;
	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

/* [cpu, ...] -> m; false when not an array of CPU ids below RUN_MAX_CPUS. */
static bool cpu_array(json_t *v, struct cpumask *m)
{
	size_t i;
	json_t *c;
	if (!json_is_array(v) || json_array_size(v) > RUN_MAX_CPUS)
		return false;
	*m = (struct cpumask){ { 0 } };
	json_array_foreach(v, i, c) {
		if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) >= RUN_MAX_CPUS)
			return false;
		cpumask_set(m, (int)json_integer_value(c));
	}
	return true;
}

/* [[cpu..]..] -> masks (RUN_MAX_CPUS of them); at most RUN_MAX_CPUS groups. */
static bool get_groups(json_t *o, const char *k, struct cpumask *masks, int *n)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		return true;
	if (!json_is_array(v) || json_array_size(v) > RUN_MAX_CPUS)
		return false;
	struct cpumask tmp[RUN_MAX_CPUS] = { { { 0 } } };
	size_t i;
	json_t *g;
	json_array_foreach(v, i, g)
		if (!cpu_array(g, &tmp[i]))
			return false;
	memcpy(masks, tmp, sizeof(tmp));
	*n = (int)json_array_size(v);
	return true;
}

static bool get_cpus(json_t *o, const char *k, struct cpumask *mask)
{
	json_t *v = json_object_get(o, k);
	return !v || cpu_array(v, mask);
}

#define I32 INT32_MIN, INT32_MAX
#define U32 0, INT32_MAX
#define U64 0, INT64_MAX

static bool ingest_hello(struct run *r, json_t *o)
{
	int64_t proto = 0, kb = -1;
	const char *kernel = NULL;
	if (!get_i64(o, "proto", false, U32, &proto) || !get_str(o, "kernel", false, &kernel) ||
	    !get_i64(o, "kernel_boot_ms", false, -1, INT32_MAX, &kb))
		return false;
	r->guest_hello = true;
	r->guest_proto = (int)proto;
	r->kernel_boot_ms = kb;
	if (kernel)
		snprintf(r->guest_kernel, sizeof(r->guest_kernel), "%s", kernel);
	if (proto != KTSTR_PROTO_VERSION) {
		char l[128];
		snprintf(l, sizeof(l), "ktstr: guest speaks protocol %lld, host %d: rebuild ktstr-init",
			 (long long)proto, KTSTR_PROTO_VERSION);
		ring_push(r->guestlog, l);
	}
	if (r->state < RUN_BOOTING)
		r->state = RUN_BOOTING;
	return true;
}

static bool ingest_stage(struct run *r, json_t *o, int64_t ts)
{
	const char *st;
	if (!get_str(o, "stage", true, &st) || !*st || strlen(st) >= sizeof(r->stage))
		return false;
	snprintf(r->stage, sizeof(r->stage), "%s", st);
	if (!strcmp(st, "running")) {
		if (r->workload_start_ns < 0) {
			r->workload_start_ns = ts;
			r->workload_start_ms = r->elapsed_ms;
		}
		if (r->state < RUN_RUNNING)
			r->state = RUN_RUNNING;
	} else if (!strcmp(st, "report") && r->state < RUN_FINISHING) {
		r->state = RUN_FINISHING;
	} else if (r->state < RUN_BOOTING) {
		r->state = RUN_BOOTING;
	}
	return true;
}

static bool ingest_topo(struct run *r, json_t *o)
{
	int64_t cpus = 0;
	struct cpumask llcs[RUN_MAX_CPUS], nodes[RUN_MAX_CPUS];
	int nl = r->nllcs, nn = r->nnodes;
	memcpy(llcs, r->llcs, sizeof(llcs));
	memcpy(nodes, r->nodes, sizeof(nodes));
	if (!get_i64(o, "cpus", true, 0, 4096, &cpus) || !get_groups(o, "llcs", llcs, &nl) ||
	    !get_groups(o, "nodes", nodes, &nn))
		return false;
	r->guest_cpus = (int)cpus;
	memcpy(r->llcs, llcs, sizeof(llcs));
	memcpy(r->nodes, nodes, sizeof(nodes));
	r->nllcs = nl;
	r->nnodes = nn;
	return true;
}

static bool ingest_log(struct run *r, json_t *o)
{
	const char *src = NULL, *line;
	if (!get_str(o, "src", false, &src) || !get_str(o, "line", true, &line))
		return false;
	ring_push(src && !strcmp(src, "sched") ? r->schedlog : r->guestlog, line);
	return true;
}

static bool ingest_sched(struct run *r, json_t *o, int64_t ts)
{
	const char *ev, *ops = NULL, *reason = NULL;
	int64_t code = 0, pid = 0;
	if (!get_str(o, "event", true, &ev) || !get_str(o, "ops", false, &ops) ||
	    !get_str(o, "reason", false, &reason) || !get_i64(o, "code", false, I32, &code) ||
	    !get_i64(o, "pid", false, I32, &pid))
		return false;
	if (ops && *ops)
		snprintf(r->sched_ops, sizeof(r->sched_ops), "%s", ops);
	if (reason && *reason)
		snprintf(r->sched_exit_reason, sizeof(r->sched_exit_reason), "%s", reason);
	if (!strcmp(ev, "started")) {
		r->sched_started = true;
	} else if (!strcmp(ev, "attached")) {
		r->sched_started = true;
		r->sched_attached = true;
	} else if (!strcmp(ev, "exited") || !strcmp(ev, "disabled") || !strcmp(ev, "not_attached")) {
		if (json_object_get(o, "code"))
			r->sched_exit_code = (int)code;
		if (r->sched_attached && strcmp(ev, "not_attached")) {
			/* Only the first death counts: "disabled" and "exited" both follow a crash. */
			if (!r->sched_died) {
				r->sched_died = true;
				r->sched_died_ms = r->workload_start_ns >= 0 && ts >= r->workload_start_ns
					? (ts - r->workload_start_ns) / 1000000 : 0;
			}
		} else {
			r->sched_load_failed = true;
		}
	} else {
		return true; /* an event this host does not know: ignored, like unknown types */
	}
	return true;
}

static bool ingest_sample(struct run *r, json_t *o)
{
	int64_t el = 0;
	json_t *ws = json_object_get(o, "workers");
	if (!get_i64(o, "elapsed_ms", true, U64, &el) || (ws && !json_is_array(ws)) ||
	    json_array_size(ws) > SCN_MAX_WORKERS)
		return false;
	size_t i;
	json_t *w;
	/* Validate everything first: a half-applied line would be worse than none. */
	json_array_foreach(ws, i, w) {
		int64_t x;
		double d;
		if (!json_is_object(w) || !get_i64(w, "tid", true, 0, INT32_MAX, &x) ||
		    !get_i64(w, "cpu_ns", false, U64, &x) || !get_i64(w, "iters", false, U64, &x) ||
		    !get_dbl(w, "max_gap_ms", false, &d) ||
		    !get_i64(w, "cpu", false, -1, RUN_MAX_CPUS - 1, &x))
			return false;
	}
	json_array_foreach(ws, i, w) {
		int64_t tid = 0, cpu_ns = -1, iters = -1, cpu = -1;
		double gap = -1;
		get_i64(w, "tid", true, 0, INT32_MAX, &tid);
		get_i64(w, "cpu_ns", false, U64, &cpu_ns);
		get_i64(w, "iters", false, U64, &iters);
		get_dbl(w, "max_gap_ms", false, &gap);
		get_i64(w, "cpu", false, -1, RUN_MAX_CPUS - 1, &cpu);
		struct run_worker *rw = run_worker_by_tid(r, (int)tid);
		if (!rw)
			continue;
		const char *cg = NULL, *work = NULL;
		if (!rw->cgroup[0] && get_str(w, "cgroup", false, &cg) && cg)
			snprintf(rw->cgroup, sizeof(rw->cgroup), "%s", cg);
		if (!rw->work[0] && get_str(w, "work", false, &work) && work)
			snprintf(rw->work, sizeof(rw->work), "%s", work);
		if (cpu_ns >= 0)
			rw->cpu_ns = (uint64_t)cpu_ns;
		if (iters >= 0)
			rw->iters = (uint64_t)iters;
		if (gap > rw->max_gap_ms && !rw->reported)
			rw->max_gap_ms = gap;
		if (cpu >= 0) {
			if (rw->cpu >= 0 && rw->cpu != cpu && !rw->reported)
				rw->migrations++;
			rw->cpu = (int)cpu;
			cpumask_set(&rw->cpus_mask, (int)cpu);
		}
	}
	/* The guest splits one tick over several lines when many workers do not fit. */
	struct run_sample *last = r->nsamples ? &r->samples[(r->nsamples - 1) % RUN_SAMPLES] : NULL;
	if (last && last->elapsed_ms == el) {
		last->nworkers += (int)json_array_size(ws);
	} else {
		struct run_sample *s = &r->samples[r->nsamples % RUN_SAMPLES];
		s->elapsed_ms = el;
		s->nworkers = (int)json_array_size(ws);
		r->nsamples++;
	}
	return true;
}

static bool ingest_tl(struct run *r, json_t *o)
{
	int64_t tid, cpu, a, b;
	const char *st;
	if (!get_i64(o, "tid", true, 0, INT32_MAX, &tid) || !get_i64(o, "cpu", true, -1, 4095, &cpu) ||
	    !get_i64(o, "start_ns", true, U64, &a) || !get_i64(o, "end_ns", true, U64, &b) || b < a ||
	    !get_str(o, "state", true, &st) || (strcmp(st, "run") && strcmp(st, "wait")))
		return false;
	struct run_slice s = { (int)tid, (int)cpu, a, b, st[0] == 'r' ? 'r' : 'w' };
	run_add_slice(r, &s);
	return true;
}

static bool ingest_worker(struct run *r, json_t *o)
{
	int64_t tid, cpu_ns = 0, wall_ns = 0, iters = 0, gcpu = -1, gat = 0, mig = 0, fig = -1;
	double gap = 0;
	const char *cg = "", *work = "";
	struct cpumask mask = { { 0 } };
	bool done = true;
	if (!get_i64(o, "tid", true, 0, INT32_MAX, &tid) || !get_str(o, "cgroup", false, &cg) ||
	    !get_str(o, "work", false, &work) || !get_i64(o, "cpu_ns", false, U64, &cpu_ns) ||
	    !get_i64(o, "wall_ns", false, U64, &wall_ns) || !get_i64(o, "iters", false, U64, &iters) ||
	    !get_dbl(o, "max_gap_ms", false, &gap) || !get_i64(o, "max_gap_cpu", false, -1, 4095, &gcpu) ||
	    !get_i64(o, "max_gap_at_ms", false, I32, &gat) || !get_cpus(o, "cpus", &mask) ||
	    !get_i64(o, "migrations", false, U32, &mig) || !get_bool(o, "completed", false, &done) ||
	    !get_i64(o, "figure", false, U64, &fig))
		return false;
	struct wattr attr;
	if (!wattr_from_json(o, &attr))
		return false;
	struct run_worker *w = run_worker_by_tid(r, (int)tid);
	if (!w)
		return true; /* full: counted as data we could not keep, not as malformed */
	if (!wfigs_read(w, o))
		return false;
	snprintf(w->cgroup, sizeof(w->cgroup), "%s", cg);
	snprintf(w->work, sizeof(w->work), "%s", work);
	w->cpu_ns = (uint64_t)cpu_ns;
	w->wall_ns = (uint64_t)wall_ns;
	w->iters = (uint64_t)iters;
	w->max_gap_ms = gap;
	w->max_gap_cpu = (int)gcpu;
	w->max_gap_at_ms = gat;
	if (!cpumask_empty(&mask))
		w->cpus_mask = mask;
	w->migrations = (int)mig;
	w->figure = fig;
	w->completed = done;
	w->reported = true;
	w->attr = attr;
	return true;
}

static bool ingest_step(struct run *r, json_t *o)
{
	int64_t done, total = r->steps, el = -1;
	if (!get_i64(o, "done", true, U32, &done) || !get_i64(o, "total", false, U32, &total) ||
	    !get_i64(o, "elapsed_ms", false, -1, INT64_MAX, &el))
		return false;
	r->steps_done = (int)done;
	r->steps = (int)total;
	if (el >= 0)
		r->guest_elapsed_ms = el;
	return true;
}

static bool ingest_done(struct run *r, json_t *o)
{
	bool ok;
	int64_t sd = r->steps_done, st = r->steps, el = -1, mal = 0;
	if (!get_bool(o, "ok", true, &ok) || !get_i64(o, "steps_done", false, U32, &sd) ||
	    !get_i64(o, "steps", false, U32, &st) || !get_i64(o, "elapsed_ms", false, -1, INT64_MAX, &el) ||
	    !get_i64(o, "malformed", false, U64, &mal))
		return false;
	r->guest_done = true;
	r->guest_ok = ok;
	r->steps_done = (int)sd;
	r->steps = (int)st;
	if (el >= 0)
		r->guest_elapsed_ms = el;
	r->guest_malformed = (uint64_t)mal;
	if (r->state < RUN_FINISHING)
		r->state = RUN_FINISHING;
	return true;
}

static bool ingest_exec(struct run *r, json_t *o)
{
	int64_t st, bytes;
	if (!get_i64(o, "status", true, 0, 255, &st) || !get_i64(o, "bytes", true, U64, &bytes))
		return false;
	r->exec_status = (int)st;
	r->exec_bytes = (uint64_t)bytes;
	return true;
}

#define PROBE_PREFIX "{\"" KTSTR_MSG_KEY_TYPE "\":\"" KTSTR_MSG_PROBE "\","

/* One of the scheduler's BPF programs; a repeated id replaces its slot. */
static bool ingest_prog(struct run *r, json_t *o)
{
	int64_t id, insns;
	const char *name, *type;
	if (!get_i64(o, "id", true, 1, UINT32_MAX, &id) || !get_str(o, "name", true, &name) ||
	    !get_str(o, "type", true, &type) || !get_i64(o, "verified_insns", true, U64, &insns))
		return false;
	int i = 0;
	while (i < r->nprogs && r->progs[i].id != (uint32_t)id)
		i++;
	if (i == RUN_MAX_PROGS)
		return true; /* kept the first RUN_MAX_PROGS */
	struct run_prog *p = &r->progs[i];
	p->id = (uint32_t)id;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->type, sizeof(p->type), "%s", type);
	p->verified_insns = insns;
	if (i == r->nprogs)
		r->nprogs++;
	return true;
}

const char *run_ingest(struct run *r, const char *line)
{
	static const char *const types[] = { KTSTR_MSG_HELLO, KTSTR_MSG_SYS_RDY, KTSTR_MSG_STAGE,
					     KTSTR_MSG_TOPO, KTSTR_MSG_LOG, KTSTR_MSG_SCHED,
					     KTSTR_MSG_VERIFIER, KTSTR_MSG_DUMP, KTSTR_MSG_SAMPLE,
					     KTSTR_MSG_TL, KTSTR_MSG_WORKER, KTSTR_MSG_STEP,
					     KTSTR_MSG_ERROR, KTSTR_MSG_DONE, KTSTR_MSG_EXEC,
					     KTSTR_MSG_KSYMS, KTSTR_MSG_MAPS, KTSTR_MSG_PROG };
	const char *t, *ret = NULL;
	json_error_t je;
	json_t *o = NULL;
	int64_t ts = 0;

	if (!line || strnlen(line, KTSTR_LINE_MAX + 1) > KTSTR_LINE_MAX)
		goto bad;
	/* Auto-repro's probe messages carry u64 values jansson cannot hold (dsq ids, kernel
	 * addresses): kept raw for engine/repro/stitch.c, which parses them its own way. The
	 * guest's writer puts "t" first (guest/gjson.h). */
	if (!strncmp(line, PROBE_PREFIX, sizeof(PROBE_PREFIX) - 1)) {
		ring_push(r->probe, line);
		return KTSTR_MSG_PROBE;
	}
	o = json_loads(line, JSON_REJECT_DUPLICATES, &je);
	if (!o || !json_is_object(o) || !get_str(o, KTSTR_MSG_KEY_TYPE, true, &t) ||
	    !get_i64(o, KTSTR_MSG_KEY_TS, false, U64, &ts))
		goto bad;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t, types[i]))
			ret = types[i];
	if (!ret) {
		json_decref(o);
		return "unknown"; /* a newer guest: ignored, not malformed */
	}
	bool ok = true;
	const char *s;
	if (ret == types[0]) {
		ok = ingest_hello(r, o);
	} else if (ret == types[1]) {
		/* The engine owns the host clock; elapsed_ms is its latest value. */
		if (r->sys_rdy_ms < 0)
			r->sys_rdy_ms = r->elapsed_ms;
	} else if (ret == types[2]) {
		ok = ingest_stage(r, o, ts);
	} else if (ret == types[3]) {
		ok = ingest_topo(r, o);
	} else if (ret == types[4]) {
		ok = ingest_log(r, o);
	} else if (ret == types[5]) {
		ok = ingest_sched(r, o, ts);
	} else if (ret == types[6] || ret == types[7]) {
		ok = get_str(o, "line", true, &s);
		if (ok)
			ring_push(ret == types[6] ? r->verifier : r->dump, s);
	} else if (ret == types[8]) {
		ok = ingest_sample(r, o);
	} else if (ret == types[9]) {
		ok = ingest_tl(r, o);
	} else if (ret == types[10]) {
		ok = ingest_worker(r, o);
	} else if (ret == types[11]) {
		ok = ingest_step(r, o);
	} else if (ret == types[12]) {
		ok = get_str(o, "msg", true, &s);
		if (ok)
			run_add_check(r, "guest", false, "%s", s);
	} else if (ret == types[13]) {
		ok = ingest_done(r, o);
	} else if (ret == types[14]) {
		ok = ingest_exec(r, o);
	} else if (ret == types[15]) {
		ok = mon_ingest_ksyms(r, o);
	} else if (ret == types[16]) {
		ok = mon_ingest_maps(r, o);
	} else {
		ok = ingest_prog(r, o);
	}
	json_decref(o);
	if (ok)
		return ret;
	o = NULL;
bad:
	json_decref(o);
	r->malformed_lines++;
	return NULL;
}
