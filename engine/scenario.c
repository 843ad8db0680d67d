/* Scenario files: JSON -> struct scenario with FILE:LINE:COL errors. jansson checks the
 * syntax (and duplicate keys); a small position scanner over the same text maps every key
 * path ("cgroups[1].workers") to where its key and value start, for semantic errors. */
#include "engine/scenario.h"
#include "engine/fsutil.h"
#include "engine/json_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCN_MAX_FILE (1 << 20)     /* a scenario is a few hundred bytes; 1 MiB is generous */
#define SCN_MIN_MEMORY_MB 128
#define SCN_MAX_MEMORY_MB 65536
#define SCN_DEFAULT_MEMORY_MB 512
#define SCN_DEFAULT_DURATION_MS 3000
#define SCN_MAX_DURATION_MS 600000

int scn_topo_cpus(const struct vm_topology *t)
{
	long n = (long)t->numa * t->llcs * t->cores * t->threads;
	return n > 1000000 ? 1000000 : (int)n;
}

void scn_topo_label(const struct vm_topology *t, char *buf, size_t len)
{
	snprintf(buf, len, "%dn%dl%dc%dt", t->numa, t->numa * t->llcs, t->cores, t->threads);
}

static int parse_uint(const char **p)
{
	long v = 0;
	if (!isdigit((unsigned char)**p))
		return -1;
	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		if (v > 100000)
			return -1;
		(*p)++;
	}
	return (int)v;
}

int scn_topo_parse(const char *s, struct vm_topology *t, char *err, size_t errlen)
{
	int v[4];
	const char *p = s;
	static const char label_sep[4] = { 'n', 'l', 'c', 't' };
	bool label = false;

	for (int i = 0; i < 4; i++) {
		v[i] = parse_uint(&p);
		if (v[i] < 1)
			goto bad;
		if (i == 0)
			label = *p == 'n';
		if (label) {
			if (*p != label_sep[i])
				goto bad;
			p++;
		} else if (i < 3) {
			if (*p != 'x')
				goto bad;
			p++;
		}
	}
	if (*p)
		goto bad;
	if (label) {
		/* "2n4l..." counts LLCs over the machine; the model keeps them per node. */
		if (v[1] % v[0]) {
			snprintf(err, errlen, "topology '%s': %d LLCs do not divide evenly over %d NUMA nodes; "
				 "give a multiple of %d LLCs", s, v[1], v[0], v[0]);
			return -EINVAL;
		}
		v[1] /= v[0];
	}
	*t = (struct vm_topology){ v[0], v[1], v[2], v[3] };
	return 0;
bad:
	snprintf(err, errlen, "topology '%s': expected NUMAxLLCSxCORESxTHREADS (e.g. 1x2x2x1, LLCs per node) "
		 "or a label like 1n2l2c1t (LLCs in total), every count >= 1", s ? s : "");
	return -EINVAL;
}

/* ---- position scanner ------------------------------------------------------------- */

struct pos { char path[160]; int kline, kcol, vline, vcol; };
struct locator { struct pos *v; size_t n, cap; int line, col; const char *p; };

static void loc_adv(struct locator *L)
{
	if (*L->p == '\n') {
		L->line++;
		L->col = 1;
	} else if (((unsigned char)*L->p & 0xC0) != 0x80) {
		L->col++;       /* count characters, like jansson, not UTF-8 continuation bytes */
	}
	L->p++;
}

static void loc_ws(struct locator *L)
{
	while (*L->p == ' ' || *L->p == '\t' || *L->p == '\n' || *L->p == '\r')
		loc_adv(L);
}

static void loc_add(struct locator *L, const char *path, int kl, int kc, int vl, int vc)
{
	if (L->n == L->cap) {
		size_t nc = L->cap ? L->cap * 2 : 64;
		struct pos *nv = realloc(L->v, nc * sizeof(*nv));
		if (!nv)
			return;
		L->v = nv;
		L->cap = nc;
	}
	struct pos *e = &L->v[L->n++];
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->kline = kl, e->kcol = kc, e->vline = vl, e->vcol = vc;
}

/* Reads a string token; the key text (unescaped only for plain chars) goes to out. */
static void loc_string(struct locator *L, char *out, size_t outlen)
{
	size_t o = 0;
	loc_adv(L); /* opening quote */
	while (*L->p && *L->p != '"') {
		if (*L->p == '\\') {
			loc_adv(L);
			if (!*L->p)
				break;
		}
		if (out && o + 1 < outlen)
			out[o++] = *L->p;
		loc_adv(L);
	}
	if (*L->p == '"')
		loc_adv(L);
	if (out)
		out[o] = 0;
}

static void loc_value(struct locator *L, const char *path, int kl, int kc, int depth)
{
	loc_ws(L);
	loc_add(L, path, kl, kc, L->line, L->col);
	if (depth > 32)
		return;
	char sub[160], key[64];
	if (*L->p == '{') {
		loc_adv(L);
		for (;;) {
			loc_ws(L);
			if (*L->p != '"')
				break;
			int kline = L->line, kcol = L->col;
			loc_string(L, key, sizeof(key));
			loc_ws(L);
			if (*L->p == ':')
				loc_adv(L);
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			loc_value(L, sub, kline, kcol, depth + 1);
			loc_ws(L);
			if (*L->p == ',')
				loc_adv(L);
		}
		if (*L->p == '}')
			loc_adv(L);
	} else if (*L->p == '[') {
		loc_adv(L);
		for (int i = 0;; i++) {
			loc_ws(L);
			if (!*L->p || *L->p == ']')
				break;
			snprintf(sub, sizeof(sub), "%s[%d]", path, i);
			loc_value(L, sub, L->line, L->col, depth + 1);
			loc_ws(L);
			if (*L->p == ',')
				loc_adv(L);
			else
				break;
		}
		if (*L->p == ']')
			loc_adv(L);
	} else if (*L->p == '"') {
		loc_string(L, NULL, 0);
	} else {
		while (*L->p && !strchr(",]} \t\r\n", *L->p))
			loc_adv(L);
	}
}

/* ---- parser ----------------------------------------------------------------------- */

struct pctx {
	const char *file;
	struct locator loc;
	char *err;
	size_t errlen;
};

/* Formats "FILE:LINE:COL: msg" at the value (or key, when at_key) of path. */
static int perr(struct pctx *c, const char *path, bool at_key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int perr(struct pctx *c, const char *path, bool at_key, const char *fmt, ...)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < c->loc.n; i++) {
		if (!strcmp(c->loc.v[i].path, path)) {
			line = at_key ? c->loc.v[i].kline : c->loc.v[i].vline;
			col = at_key ? c->loc.v[i].kcol : c->loc.v[i].vcol;
			break;
		}
	}
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%d:%d: %s", c->file, line, col, msg);
	return -EINVAL;
}

static int check_keys(struct pctx *c, json_t *obj, const char *path, const char *what,
		      const char *const *valid)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		bool ok = false;
		for (int i = 0; valid[i]; i++)
			ok |= !strcmp(valid[i], k);
		if (!ok) {
			char list[256] = "", sub[160];
			size_t o = 0;
			for (int i = 0; valid[i]; i++)
				o += snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", valid[i]);
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
			return perr(c, sub, true, "unknown key '%s' in %s; valid keys: %s", k, what, list);
		}
	}
	return 0;
}

static int want(struct pctx *c, json_t *v, const char *path, json_type t, const char *tname)
{
	if (json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v)))
		return 0;
	return perr(c, path, false, "%s: expected %s, got %s", path, tname, ju_type_name(v));
}

static int get_int(struct pctx *c, json_t *v, const char *path, long lo, long hi, long *out)
{
	int64_t x;
	int rc = ju_int(v, false, lo, hi, &x);
	if (rc == -EINVAL)
		return perr(c, path, false, "%s: expected integer, got %s", path, ju_type_name(v));
	if (rc)
		return perr(c, path, false, "%s: %lld is out of range; allowed %ld..%ld", path,
			    (long long)json_integer_value(v), lo, hi);
	*out = (long)x;
	return 0;
}

static int get_num(struct pctx *c, json_t *v, const char *path, double *out)
{
	if (ju_num(v, out))
		return perr(c, path, false, "%s: expected number, got %s", path, ju_type_name(v));
	return 0;
}

static bool valid_ident(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!n || n >= max)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

/* Parses a cpu list "0-3,5". Returns the highest CPU or -1 when malformed. */
static int cpulist_max(const char *s)
{
	int max = -1;
	const char *p = s;
	if (!*p)
		return -1;
	for (;;) {
		int a = parse_uint(&p), b;
		if (a < 0)
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			b = parse_uint(&p);
			if (b < a)
				return -1;
		}
		if (b > max)
			max = b;
		if (!*p)
			return max;
		if (*p != ',')
			return -1;
		p++;
	}
}

/* ---- CpusetSpec ------------------------------------------------------------------ */

void scn_fmt_f64(double v, char *buf, size_t len)
{
	char tmp[64], digits[32];
	int p, nd = 0, exp10;
	if (!len)
		return;
	if (isnan(v) || isinf(v)) {
		snprintf(buf, len, "%s", isnan(v) ? "NaN" : v < 0 ? "-inf" : "inf");
		return;
	}
	/* The fewest significant digits that read back as the same double. */
	for (p = 1; p < 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
	const char *q = tmp;
	bool neg = *q == '-';
	if (neg)
		q++;
	for (; *q && *q != 'e'; q++)
		if (isdigit((unsigned char)*q) && nd < (int)sizeof(digits) - 1)
			digits[nd++] = *q;
	exp10 = *q == 'e' ? atoi(q + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	/* Positional notation: `point` digits before the decimal point. */
	int point = exp10 + 1;
	size_t o = 0;
#define PUT(ch) do { if (o + 1 < len) buf[o++] = (ch); } while (0)
	if (neg)
		PUT('-');
	if (point <= 0) {
		PUT('0');
		PUT('.');
		for (int i = 0; i < -point; i++)
			PUT('0');
		for (int i = 0; i < nd; i++)
			PUT(digits[i]);
	} else {
		for (int i = 0; i < nd || i < point; i++) {
			if (i == point)
				PUT('.');
			PUT(i < nd ? digits[i] : '0');
		}
	}
#undef PUT
	buf[o] = 0;
}

int scn_usable_cpus(const struct vm_topology *t, int *cpus, int max)
{
	int n = scn_topo_cpus(t);
	if (n > 2)
		n--; /* the last CPU stays with the root cgroup */
	if (n > max)
		n = max;
	for (int i = 0; i < n; i++)
		cpus[i] = i; /* CPUs are numbered node, LLC, core, thread: sequential */
	return n < 0 ? 0 : n;
}

/* "0-2,5" from a membership array. */
static void cpus_to_list(const bool *set, int n, char *out, size_t len)
{
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		if (!set[i])
			continue;
		int j = i;
		while (j + 1 < n && set[j + 1])
			j++;
		if (o < len)
			o += (size_t)snprintf(out + o, len - o, j > i ? "%s%d-%d" : "%s%d", o ? "," : "", i, j);
		i = j;
	}
}

#define SPEC_FAIL(...) do { \
		int n_ = snprintf(err, errlen, "cgroup '%s': CpusetSpec validation failed: ", cg); \
		if (n_ >= 0 && (size_t)n_ < errlen) \
			snprintf(err + n_, errlen - (size_t)n_, __VA_ARGS__); \
		return -EINVAL; \
	} while (0)

/* The rules that hold on any topology; the parser checks these with file positions. */
static int spec_check_shape(const struct scn_cpuset_spec *sp, const char *cg, char *err, size_t errlen)
{
	char a[64], b[64];
	switch (sp->kind) {
	case CPUSET_DISJOINT:
	case CPUSET_OVERLAP:
		if (sp->of < 1)
			SPEC_FAIL("partition count must be at least 1, got %ld", sp->of);
		if (sp->index >= sp->of)
			SPEC_FAIL("index %ld >= partition count %ld", sp->index, sp->of);
		if (sp->kind == CPUSET_OVERLAP && !(sp->frac >= 0.0 && sp->frac <= 1.0)) {
			scn_fmt_f64(sp->frac, a, sizeof(a));
			SPEC_FAIL("overlap frac=%s must lie in [0.0, 1.0]", a);
		}
		return 0;
	case CPUSET_RANGE:
		scn_fmt_f64(sp->start_frac, a, sizeof(a));
		scn_fmt_f64(sp->end_frac, b, sizeof(b));
		if (!(sp->start_frac >= 0.0 && sp->start_frac <= 1.0 && sp->end_frac >= 0.0 &&
		      sp->end_frac <= 1.0))
			SPEC_FAIL("Range fracs must lie in [0.0, 1.0]: start_frac=%s, end_frac=%s", a, b);
		if (!(sp->start_frac < sp->end_frac))
			SPEC_FAIL("Range needs start_frac < end_frac: start_frac=%s, end_frac=%s", a, b);
		return 0;
	case CPUSET_LLC:
	case CPUSET_NUMA:
		if (sp->index < 0)
			SPEC_FAIL("%s index %ld is negative", sp->kind == CPUSET_LLC ? "llc" : "numa", sp->index);
		return 0;
	default:
		return 0;
	}
}

int scn_cpuset_resolve(const struct vm_topology *t, const struct scn_cpuset_spec *sp,
		       const char *cg, char *out, size_t outlen, char *err, size_t errlen)
{
	bool set[SCN_MAX_VCPUS] = { false };
	int usable[SCN_MAX_VCPUS];
	int total = scn_topo_cpus(t), rc;
	if (outlen)
		out[0] = 0;
	if (sp->kind == CPUSET_NONE)
		return 0;
	if (sp->kind == CPUSET_LIST)
		return 0; /* a plain list is checked by validate_core */
	if ((rc = spec_check_shape(sp, cg, err, errlen)))
		return rc;
	if (total < 1 || total > SCN_MAX_VCPUS)
		SPEC_FAIL("the topology has %d CPUs; at most %d are supported", total, SCN_MAX_VCPUS);
	int nu = scn_usable_cpus(t, usable, SCN_MAX_VCPUS);
	int per_llc = t->cores * t->threads, per_node = t->llcs * per_llc;
	switch (sp->kind) {
	case CPUSET_LLC:
		if (sp->index >= (long)t->numa * t->llcs)
			SPEC_FAIL("llc %ld is out of range: the topology has %d LLCs (0-%d)", sp->index,
				  t->numa * t->llcs, t->numa * t->llcs - 1);
		for (int i = 0; i < per_llc; i++)
			set[sp->index * per_llc + i] = true;
		break;
	case CPUSET_NUMA:
		if (sp->index >= t->numa)
			SPEC_FAIL("numa node %ld is out of range: the topology has %d NUMA node%s (0-%d)",
				  sp->index, t->numa, t->numa == 1 ? "" : "s", t->numa - 1);
		for (int i = 0; i < per_node; i++)
			set[sp->index * per_node + i] = true;
		break;
	case CPUSET_DISJOINT:
	case CPUSET_OVERLAP: {
		if (nu < sp->of)
			SPEC_FAIL("not enough usable CPUs (%d) for %ld partitions", nu, sp->of);
		/* Equal chunks; the last partition takes the remainder. Overlap widens each
		 * partition by frac of a chunk into its neighbours. */
		int chunk = nu / (int)sp->of, idx = (int)sp->index;
		int ov = sp->kind == CPUSET_OVERLAP ? (int)(chunk * sp->frac) : 0;
		int s = idx * chunk - (idx ? ov : 0);
		int e = idx == sp->of - 1 ? nu : (idx + 1) * chunk + ov;
		if (s < 0)
			s = 0;
		if (e > nu)
			e = nu;
		for (int i = s; i < e; i++)
			set[usable[i]] = true;
		break;
	}
	case CPUSET_RANGE: {
		int s = (int)(nu * sp->start_frac), e = (int)(nu * sp->end_frac);
		if (e > nu)
			e = nu;
		for (int i = s; i < e; i++)
			set[usable[i]] = true;
		if (e <= s) {
			char a[64], b[64];
			scn_fmt_f64(sp->start_frac, a, sizeof(a));
			scn_fmt_f64(sp->end_frac, b, sizeof(b));
			SPEC_FAIL("Range start_frac=%s, end_frac=%s holds no CPU of the %d usable CPUs; "
				  "widen the range", a, b, nu);
		}
		break;
	}
	default:
		break;
	}
	cpus_to_list(set, total, out, outlen);
	if (outlen && !out[0])
		SPEC_FAIL("resolves to no CPUs on this topology");
	return 0;
}

/* Where cgroup i was written: "cgroups[2]" for the backdrop, "steps[1].cgroups[0]" for a
 * step's own; *idx = its position in that list (the "group N" of the seed's message). */
static void cg_where(const struct scenario *s, int i, char *buf, size_t len, int *idx)
{
	int k = s->cgroups[i].step;
	if (k >= 1 && k <= s->nsteps && k <= SCN_MAX_STEPS) {
		*idx = i - s->steps[k - 1].first_cgroup;
		snprintf(buf, len, "steps[%d].cgroups[%d]", k - 1, *idx);
	} else {
		*idx = i;
		snprintf(buf, len, "cgroups[%d]", i);
	}
}

/* Cross-field rules shared with scn_validate. Fills path (the offending value) and msg. */
static int validate_core(const struct scenario *s, bool final, char *path, size_t plen, char *msg,
			 size_t mlen)
{
	const struct vm_topology *t = &s->topo;
	int cpus;
	char where[48];
	int gi;
	if (t->numa < 1 || t->llcs < 1 || t->cores < 1 || t->threads < 1) {
		snprintf(path, plen, "topology");
		snprintf(msg, mlen, "topology: numa, llcs, cores and threads must all be >= 1");
		return -EINVAL;
	}
	cpus = scn_topo_cpus(t);
	if (cpus > SCN_MAX_VCPUS) {
		char l[64];
		scn_topo_label(t, l, sizeof(l));
		snprintf(path, plen, "topology");
		snprintf(msg, mlen, "topology %s has %d vCPUs, over the cap of %d (SCN_MAX_VCPUS): "
			 "TCG cannot usefully emulate more; use a smaller topology", l, cpus, SCN_MAX_VCPUS);
		return -EINVAL;
	}
	if (s->ncgroups < 1) {
		snprintf(path, plen, "cgroups");
		snprintf(msg, mlen, "cgroups: at least one cgroup is required, e.g. "
			 "[{\"name\": \"cg0\", \"workers\": 2}]");
		return -EINVAL;
	}
	if (s->nsteps < 0 || s->nsteps > SCN_MAX_STEPS) {
		snprintf(path, plen, "steps");
		snprintf(msg, mlen, "steps: %d steps, at most %d", s->nsteps, SCN_MAX_STEPS);
		return -EINVAL;
	}
	if (s->nsteps) {
		long sum = 0;
		for (int k = 0; k < s->nsteps; k++)
			sum += s->steps[k].duration_ms;
		if (sum > SCN_MAX_DURATION_MS) {
			snprintf(path, plen, "steps");
			snprintf(msg, mlen, "steps: the steps last %ld ms in all, over the cap of %d ms; "
				 "shorten them", sum, SCN_MAX_DURATION_MS);
			return -EINVAL;
		}
		if (sum != s->duration_ms) {
			snprintf(path, plen, "duration_ms");
			snprintf(msg, mlen, "duration_ms: %d ms is not the sum of the steps' durations (%ld ms); "
				 "with steps the run lasts their sum: leave duration_ms (and --duration) out or make it %ld",
				 s->duration_ms, sum, sum);
			return -EINVAL;
		}
	}
	int total = 0;
	for (int i = 0; i < s->ncgroups; i++) {
		const struct scn_cgroup *g = &s->cgroups[i];
		cg_where(s, i, where, sizeof(where), &gi);
		for (int j = 0; j < i; j++) {
			const struct scn_cgroup *o = &s->cgroups[j];
			/* Live at the same time: both backdrop, or a backdrop and a step's, or
			 * two of one step. Steps do not overlap, so they may reuse names. */
			if (strcmp(o->name, g->name) || (o->step && g->step && o->step != g->step))
				continue;
			snprintf(path, plen, "%s.name", where);
			if (!g->step)
				snprintf(msg, mlen, "cgroup '%s' collides with a cgroup already tracked (declared twice in this scenario) — declare it in exactly one place",
					 g->name);
			else
				snprintf(msg, mlen, "cgroup '%s' collides with a cgroup already tracked (by %s) — declare it in exactly one place; use a fresh name for the step-local cgroup",
					 g->name, o->step ? "an earlier cgroup of the same step" : "a Backdrop cgroup, which lives for the whole run");
			return -EINVAL;
		}
		int grp = work_type_group(g->work);
		if (g->workers % grp) {
			snprintf(path, plen, "%s.workers", where);
			snprintf(msg, mlen, "%s (group %d) requires num_workers divisible by %d, got %d",
				 work_type_name(g->work), gi, grp, g->workers);
			return -EINVAL;
		}
		if (g->cpuset_spec.kind > CPUSET_LIST) {
			/* Topology-dependent rules wait for the final topology (--topo). */
			char list[128];
			int rc = final ? scn_cpuset_resolve(t, &g->cpuset_spec, g->name, list, sizeof(list), msg, mlen)
				       : spec_check_shape(&g->cpuset_spec, g->name, msg, mlen);
			if (rc) {
				snprintf(path, plen, "%s.cpuset", where);
				return rc;
			}
		} else if (g->cpuset[0]) {
			int max = cpulist_max(g->cpuset);
			if (max < 0) {
				snprintf(path, plen, "%s.cpuset", where);
				snprintf(msg, mlen, "%s.cpuset: '%s' is not a CPU list; write it like \"0-3\" or \"0,2-3\"",
					 where, g->cpuset);
				return -EINVAL;
			}
			if (max >= cpus) {
				snprintf(path, plen, "%s.cpuset", where);
				snprintf(msg, mlen, "%s.cpuset: CPU %d is outside the topology's %d vCPUs (0-%d)",
					 where, max, cpus, cpus - 1);
				return -EINVAL;
			}
		}
		if (final && g->cpuset_mems[0] && cpulist_max(g->cpuset_mems) >= t->numa) {
			snprintf(path, plen, "%s.cpuset_mems", where);
			snprintf(msg, mlen, "%s.cpuset_mems: node %d is outside the topology's %d NUMA "
				 "node%s (0-%d)", where, cpulist_max(g->cpuset_mems), t->numa, t->numa == 1 ? "" : "s",
				 t->numa - 1);
			return -EINVAL;
		}
		total += g->workers;
	}
	if (total > SCN_MAX_WORKERS) {
		snprintf(path, plen, "cgroups");
		snprintf(msg, mlen, "cgroups: %d workers in total%s, over the cap of %d", total,
			 s->nsteps ? " (backdrop and all steps)" : "", SCN_MAX_WORKERS);
		return -EINVAL;
	}
	return 0;
}

int scn_validate(const struct scenario *s, char *err, size_t errlen)
{
	char path[160];
	return validate_core(s, true, path, sizeof(path), err, errlen);
}

int scn_resolve(struct scenario *s, char *err, size_t errlen)
{
	int rc = 0;
	for (int i = 0; !rc && i < s->ncgroups && i < SCN_MAX_CGROUPS; i++) {
		struct scn_cgroup *g = &s->cgroups[i];
		if (g->cpuset_spec.kind > CPUSET_LIST)
			rc = scn_cpuset_resolve(&s->topo, &g->cpuset_spec, g->name, g->cpuset,
						sizeof(g->cpuset), err, errlen);
	}
	return rc;
}

static int parse_topology(struct pctx *c, json_t *v, struct scenario *s)
{
	static const char *const keys[] = { "numa", "llcs", "cores", "threads", NULL };
	if (json_is_string(v)) {
		char e[512];
		if (scn_topo_parse(json_string_value(v), &s->topo, e, sizeof(e)))
			return perr(c, "topology", false, "%s", e);
		return 0;
	}
	if (!json_is_object(v))
		return perr(c, "topology", false, "topology: expected object (or a label string like \"1n2l2c1t\"), got %s",
			    ju_type_name(v));
	if (check_keys(c, v, "topology", "topology", keys))
		return -EINVAL;
	int *dst[4] = { &s->topo.numa, &s->topo.llcs, &s->topo.cores, &s->topo.threads };
	for (int i = 0; i < 4; i++) {
		json_t *x = json_object_get(v, keys[i]);
		char path[64];
		long n;
		snprintf(path, sizeof(path), "topology.%s", keys[i]);
		if (!x)
			return perr(c, "topology", false, "topology: missing key '%s' (an integer >= 1)", keys[i]);
		if (get_int(c, x, path, 1, SCN_MAX_VCPUS, &n))
			return -EINVAL;
		*dst[i] = (int)n;
	}
	return 0;
}

static int parse_scheduler(struct pctx *c, json_t *v, struct scenario *s)
{
	static const char *const keys[] = { "name", "path", "args", NULL };
	struct scn_scheduler *sc = &s->sched;
	if (json_is_string(v)) {
		const char *n = json_string_value(v);
		if (!strcmp(n, "eevdf"))
			return 0;
		if (strchr(n, '/')) {
			sc->kind = SCHED_PATH;
		} else {
			if (!valid_ident(n, sizeof(sc->spec)))
				return perr(c, "scheduler", false, "scheduler: '%s' is not a scheduler name "
					    "(letters, digits, '_' and '-'); use {\"path\": ...} for a file", n);
			sc->kind = SCHED_NAME;
		}
		if (strlen(n) >= sizeof(sc->spec))
			return perr(c, "scheduler", false, "scheduler: longer than %zu bytes", sizeof(sc->spec) - 1);
		snprintf(sc->spec, sizeof(sc->spec), "%s", n);
		return 0;
	}
	if (!json_is_object(v))
		return perr(c, "scheduler", false, "scheduler: expected \"eevdf\", a name, or an object "
			    "{\"name\"|\"path\": ..., \"args\": [...]}, got %s", ju_type_name(v));
	if (check_keys(c, v, "scheduler", "scheduler", keys))
		return -EINVAL;
	json_t *name = json_object_get(v, "name"), *path = json_object_get(v, "path");
	json_t *args = json_object_get(v, "args");
	if (name && path)
		return perr(c, "scheduler.path", true, "scheduler: give either \"name\" or \"path\", not both");
	if (!name && !path)
		return perr(c, "scheduler", false, "scheduler: missing \"name\" or \"path\"");
	if (name) {
		if (want(c, name, "scheduler.name", JSON_STRING, "string"))
			return -EINVAL;
		const char *n = json_string_value(name);
		if (!strcmp(n, "eevdf") && !args)
			return 0;
		if (!valid_ident(n, sizeof(sc->spec)))
			return perr(c, "scheduler.name", false, "scheduler.name: '%s' is not a scheduler name "
				    "(letters, digits, '_' and '-'); use \"path\" for a file", n);
		sc->kind = SCHED_NAME;
		snprintf(sc->spec, sizeof(sc->spec), "%s", n);
	} else {
		if (want(c, path, "scheduler.path", JSON_STRING, "string"))
			return -EINVAL;
		const char *p = json_string_value(path);
		if (!*p || strlen(p) >= sizeof(sc->spec))
			return perr(c, "scheduler.path", false, "scheduler.path: must be a non-empty path shorter than %zu bytes",
				    sizeof(sc->spec));
		sc->kind = SCHED_PATH;
		snprintf(sc->spec, sizeof(sc->spec), "%s", p);
	}
	if (args) {
		if (want(c, args, "scheduler.args", JSON_ARRAY, "array of strings"))
			return -EINVAL;
		if (json_array_size(args) > SCN_MAX_SCHED_ARGS)
			return perr(c, "scheduler.args", false, "scheduler.args: %zu arguments, at most %d",
				    json_array_size(args), SCN_MAX_SCHED_ARGS);
		size_t i;
		json_t *a;
		json_array_foreach(args, i, a) {
			char p[64];
			snprintf(p, sizeof(p), "scheduler.args[%zu]", i);
			if (want(c, a, p, JSON_STRING, "string"))
				return -EINVAL;
			if (strlen(json_string_value(a)) > 4096)
				return perr(c, p, false, "%s: longer than 4096 bytes", p);
			sc->args[sc->nargs] = strdup(json_string_value(a));
			if (!sc->args[sc->nargs])
				return -ENOMEM;
			sc->nargs++;
		}
	}
	return 0;
}

/* {"llc": N} | {"numa": N} | {"disjoint": {"index": i, "of": n}} |
 * {"range": {"start_frac": a, "end_frac": b}} | {"overlap": {"index": i, "of": n, "frac": f}} */
static int parse_cpuset_spec(struct pctx *c, json_t *x, const char *path, struct scn_cpuset_spec *sp)
{
	static const char *const kinds[] = { "llc", "numa", "disjoint", "range", "overlap", NULL };
	static const char *const part_keys[] = { "index", "of", NULL };
	static const char *const range_keys[] = { "start_frac", "end_frac", NULL };
	static const char *const overlap_keys[] = { "index", "of", "frac", NULL };
	char what[96], sub[160], sub2[192];
	snprintf(what, sizeof(what), "%s (a CpusetSpec)", path);
	if (check_keys(c, x, path, what, kinds))
		return -EINVAL;
	if (json_object_size(x) != 1)
		return perr(c, path, false, "%s: give exactly one of llc, numa, disjoint, range, overlap "
			    "(or a CPU list string like \"0-3\")", path);
	const char *k = json_object_iter_key(json_object_iter(x));
	json_t *v = json_object_get(x, k);
	snprintf(sub, sizeof(sub), "%s.%s", path, k);
	long n;
	if (!strcmp(k, "llc") || !strcmp(k, "numa")) {
		if (get_int(c, v, sub, 0, 100000, &n))
			return -EINVAL;
		sp->kind = !strcmp(k, "llc") ? CPUSET_LLC : CPUSET_NUMA;
		sp->index = n;
		return 0;
	}
	const char *const *keys = !strcmp(k, "range") ? range_keys : !strcmp(k, "overlap") ? overlap_keys
											  : part_keys;
	if (want(c, v, sub, JSON_OBJECT, "object"))
		return -EINVAL;
	if (check_keys(c, v, sub, sub, keys))
		return -EINVAL;
	for (int i = 0; keys[i]; i++)
		if (!json_object_get(v, keys[i]))
			return perr(c, sub, false, "%s: missing key '%s'", sub, keys[i]);
	if (!strcmp(k, "range")) {
		sp->kind = CPUSET_RANGE;
		snprintf(sub2, sizeof(sub2), "%s.start_frac", sub);
		if (get_num(c, json_object_get(v, "start_frac"), sub2, &sp->start_frac))
			return -EINVAL;
		snprintf(sub2, sizeof(sub2), "%s.end_frac", sub);
		return get_num(c, json_object_get(v, "end_frac"), sub2, &sp->end_frac);
	}
	sp->kind = !strcmp(k, "overlap") ? CPUSET_OVERLAP : CPUSET_DISJOINT;
	snprintf(sub2, sizeof(sub2), "%s.index", sub);
	if (get_int(c, json_object_get(v, "index"), sub2, 0, 100000, &sp->index))
		return -EINVAL;
	snprintf(sub2, sizeof(sub2), "%s.of", sub);
	if (get_int(c, json_object_get(v, "of"), sub2, 0, 100000, &sp->of))
		return -EINVAL;
	if (sp->kind == CPUSET_OVERLAP) {
		snprintf(sub2, sizeof(sub2), "%s.frac", sub);
		return get_num(c, json_object_get(v, "frac"), sub2, &sp->frac);
	}
	return 0;
}

static int parse_u64(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	if (!isdigit((unsigned char)**p))
		return -1;
	for (; isdigit((unsigned char)**p); (*p)++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(**p - '0');
	}
	*out = v;
	return 0;
}

/* cpu.max: "QUOTA [PERIOD]", QUOTA "max" or microseconds; the kernel's bounds: a quota of
 * at least 1 ms, a period of 1 ms..1 s. */
static bool cpu_max_ok(const char *s)
{
	uint64_t q, per;
	const char *p = s;
	if (!strncmp(p, "max", 3))
		p += 3;
	else if (parse_u64(&p, &q) || q < 1000 || q > 17592186044415ULL) /* kernel max_cfs_runtime, us */
		return false;
	if (!*p)
		return true;
	if (*p++ != ' ' || parse_u64(&p, &per) || *p)
		return false;
	return per >= 1000 && per <= 1000000;
}

/* memory.max / memory.swap.max: bytes as an integer, or "max". */
static int parse_mem_knob(struct pctx *c, json_t *x, const char *path, char *out, size_t len)
{
	if (json_is_string(x) && !strcmp(json_string_value(x), "max")) {
		snprintf(out, len, "max");
		return 0;
	}
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return perr(c, path, false, "%s: expected a byte count (integer >= 0) or \"max\", got %s%s%s",
			    path, json_is_string(x) ? "'" : "", json_is_string(x) ? json_string_value(x) : ju_type_name(x),
			    json_is_string(x) ? "'" : "");
	snprintf(out, len, "%lld", (long long)json_integer_value(x));
	return 0;
}

/* The cgroup controller knobs: shapes only; the guest enables the controllers. */
static int parse_knobs(struct pctx *c, json_t *v, const char *base, struct scn_cgroup *g)
{
	char path[96];
	json_t *x;
	snprintf(path, sizeof(path), "%s.cpu_max", base);
	if ((x = json_object_get(v, "cpu_max"))) {
		if (want(c, x, path, JSON_STRING, "string"))
			return -EINVAL;
		const char *cm = json_string_value(x);
		if (strlen(cm) >= sizeof(g->cpu_max) || !cpu_max_ok(cm))
			return perr(c, path, false, "%s: '%s' is not a cpu.max value; write \"QUOTA PERIOD\" in "
				    "microseconds (e.g. \"50000 100000\" for half a CPU) or \"max\"; QUOTA >= 1000, "
				    "PERIOD 1000..1000000", path, cm);
		snprintf(g->cpu_max, sizeof(g->cpu_max), "%s", cm);
	}
	snprintf(path, sizeof(path), "%s.memory_max", base);
	if ((x = json_object_get(v, "memory_max")) &&
	    parse_mem_knob(c, x, path, g->memory_max, sizeof(g->memory_max)))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s.memory_swap_max", base);
	if ((x = json_object_get(v, "memory_swap_max")) &&
	    parse_mem_knob(c, x, path, g->memory_swap_max, sizeof(g->memory_swap_max)))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s.cpuset_mems", base);
	if ((x = json_object_get(v, "cpuset_mems"))) {
		if (want(c, x, path, JSON_STRING, "string"))
			return -EINVAL;
		const char *m = json_string_value(x);
		if (strlen(m) >= sizeof(g->cpuset_mems) || cpulist_max(m) < 0)
			return perr(c, path, false, "%s: '%s' is not a NUMA node list; write it like \"0\" or \"0-1\"",
				    path, m);
		snprintf(g->cpuset_mems, sizeof(g->cpuset_mems), "%s", m);
	}
	return 0;
}

static int parse_cgroup(struct pctx *c, json_t *v, const char *base, struct scn_cgroup *g)
{
	static const char *const keys[] = { "name", "workers", "work", "cpuset", "cpu_max", "memory_max",
					    "memory_swap_max", "cpuset_mems", NULL };
	char path[96], what[64];
	snprintf(what, sizeof(what), "cgroup %s", base);
	if (want(c, v, base, JSON_OBJECT, "object"))
		return -EINVAL;
	if (check_keys(c, v, base, what, keys))
		return -EINVAL;
	json_t *x = json_object_get(v, "name");
	snprintf(path, sizeof(path), "%s.name", base);
	if (!x)
		return perr(c, base, false, "%s: missing required key 'name'", base);
	if (want(c, x, path, JSON_STRING, "string"))
		return -EINVAL;
	if (!valid_ident(json_string_value(x), sizeof(g->name)))
		return perr(c, path, false, "%s: '%s' is not a valid cgroup name: use 1-%zu characters of "
			    "[A-Za-z0-9_-]", path, json_string_value(x), sizeof(g->name) - 1);
	snprintf(g->name, sizeof(g->name), "%s", json_string_value(x));

	long n = 1;
	snprintf(path, sizeof(path), "%s.workers", base);
	if ((x = json_object_get(v, "workers")) && get_int(c, x, path, 1, SCN_MAX_WORKERS, &n))
		return -EINVAL;
	g->workers = (int)n;

	g->work = WORK_SPIN_WAIT;
	snprintf(path, sizeof(path), "%s.work", base);
	if ((x = json_object_get(v, "work"))) {
		char list[256];
		if (want(c, x, path, JSON_STRING, "string"))
			return -EINVAL;
		int w = work_type_from_name(json_string_value(x));
		if (w < 0) {
			work_type_list(list, sizeof(list), false);
			return perr(c, path, false, "%s: unknown work type '%s'; valid: %s", path,
				    json_string_value(x), list);
		}
		if (!work_type_implemented(w)) {
			work_type_list(list, sizeof(list), true);
			return perr(c, path, false, "%s: work type '%s' is not implemented by the guest yet; "
				    "implemented: %s", path, json_string_value(x), list);
		}
		g->work = w;
	}
	snprintf(path, sizeof(path), "%s.cpuset", base);
	if ((x = json_object_get(v, "cpuset"))) {
		if (json_is_object(x))
			return parse_cpuset_spec(c, x, path, &g->cpuset_spec) ? -EINVAL : parse_knobs(c, v, base, g);
		if (!json_is_string(x))
			return perr(c, path, false, "%s: expected a CPU list string or a CpusetSpec object "
				    "({\"llc\": N}, {\"numa\": N}, {\"disjoint\": ...}, {\"range\": ...}, "
				    "{\"overlap\": ...}), got %s", path, ju_type_name(x));
		const char *cs = json_string_value(x);
		if (strlen(cs) >= sizeof(g->cpuset) || cpulist_max(cs) < 0)
			return perr(c, path, false, "%s: '%s' is not a CPU list; write it like \"0-3\" or \"0,2-3\"",
				    path, cs);
		snprintf(g->cpuset, sizeof(g->cpuset), "%s", cs);
		g->cpuset_spec.kind = CPUSET_LIST;
	}
	return parse_knobs(c, v, base, g);
}

/* "steps": [{"name": ..., "duration_ms": N, "cgroups": [...]}]. Each step's cgroups are
 * appended to s->cgroups with .step = its 1-based number. */
static int parse_steps(struct pctx *c, json_t *steps, struct scenario *s)
{
	static const char *const keys[] = { "name", "duration_ms", "cgroups", NULL };
	char base[48], path[96], what[48];
	size_t k, i;
	json_t *st, *g;
	json_array_foreach(steps, k, st) {
		struct scn_step *sp = &s->steps[k];
		snprintf(base, sizeof(base), "steps[%zu]", k);
		snprintf(what, sizeof(what), "step %s", base);
		if (want(c, st, base, JSON_OBJECT, "object"))
			return -EINVAL;
		if (check_keys(c, st, base, what, keys))
			return -EINVAL;
		json_t *x = json_object_get(st, "name");
		if (x) {
			snprintf(path, sizeof(path), "%s.name", base);
			if (want(c, x, path, JSON_STRING, "string"))
				return -EINVAL;
			const char *nm = json_string_value(x);
			if (!*nm || strlen(nm) >= sizeof(sp->name) || strchr(nm, '\n'))
				return perr(c, path, false, "%s: must be 1-%zu characters without newlines", path,
					    sizeof(sp->name) - 1);
			snprintf(sp->name, sizeof(sp->name), "%s", nm);
		}
		snprintf(path, sizeof(path), "%s.duration_ms", base);
		if (!(x = json_object_get(st, "duration_ms")))
			return perr(c, base, false, "%s: missing required key 'duration_ms' (how long the step "
				    "holds, 1..%d ms)", base, SCN_MAX_DURATION_MS);
		long n;
		if (get_int(c, x, path, 1, SCN_MAX_DURATION_MS, &n))
			return -EINVAL;
		sp->duration_ms = (int)n;
		sp->first_cgroup = s->ncgroups;
		snprintf(path, sizeof(path), "%s.cgroups", base);
		if ((x = json_object_get(st, "cgroups"))) {
			if (want(c, x, path, JSON_ARRAY, "array"))
				return -EINVAL;
			json_array_foreach(x, i, g) {
				char cb[64];
				snprintf(cb, sizeof(cb), "%s.cgroups[%zu]", base, i);
				if (s->ncgroups >= SCN_MAX_CGROUPS)
					return perr(c, cb, false, "%s: more than %d cgroups in the backdrop and all "
						    "steps together; use fewer", cb, SCN_MAX_CGROUPS);
				struct scn_cgroup *cg = &s->cgroups[s->ncgroups];
				if (parse_cgroup(c, g, cb, cg))
					return -EINVAL;
				cg->step = (int)k + 1;
				s->ncgroups++;
				sp->ncgroups++;
			}
		}
		s->nsteps++;
	}
	return 0;
}

static int parse_root(struct pctx *c, json_t *root, struct scenario *s)
{
	static const char *const keys[] = { "name", "topology", "memory_mb", "scheduler", "duration_ms",
					    "cgroups", "checks", "expect_err",
					    "performance_mode", "steps", NULL };
	static const char *const check_keys_valid[] = { "max_gap_ms", "max_spread_pct", NULL };
	json_t *x;
	long n;

	if (!json_is_object(root))
		return perr(c, "", false, "the scenario must be a JSON object, got %s", ju_type_name(root));
	if (check_keys(c, root, "", "scenario", keys))
		return -EINVAL;

	if (!(x = json_object_get(root, "name")))
		return perr(c, "", false, "missing required key 'name' (a string naming the scenario)");
	if (want(c, x, "name", JSON_STRING, "string"))
		return -EINVAL;
	const char *nm = json_string_value(x);
	if (!*nm || strlen(nm) >= sizeof(s->name) || strchr(nm, '/') || strchr(nm, '\n'))
		return perr(c, "name", false, "name: must be 1-%zu characters without '/' or newlines",
			    sizeof(s->name) - 1);
	snprintf(s->name, sizeof(s->name), "%s", nm);

	if ((x = json_object_get(root, "topology")) && parse_topology(c, x, s))
		return -EINVAL;
	if ((x = json_object_get(root, "memory_mb"))) {
		if (get_int(c, x, "memory_mb", SCN_MIN_MEMORY_MB, SCN_MAX_MEMORY_MB, &n))
			return -EINVAL;
		s->memory_mb = (int)n;
	}
	if ((x = json_object_get(root, "scheduler"))) {
		int rc = parse_scheduler(c, x, s);
		if (rc)
			return rc;
	}
	bool has_duration = false;
	if ((x = json_object_get(root, "duration_ms"))) {
		if (get_int(c, x, "duration_ms", 1, SCN_MAX_DURATION_MS, &n))
			return -EINVAL;
		s->duration_ms = (int)n;
		has_duration = true;
	}
	json_t *steps = json_object_get(root, "steps");
	if (steps) {
		if (want(c, steps, "steps", JSON_ARRAY, "array"))
			return -EINVAL;
		if (json_array_size(steps) == 0)
			return perr(c, "steps", false, "steps: give at least one step "
				    "({\"duration_ms\": N, \"cgroups\": [...]}) or leave the key out");
		if (json_array_size(steps) > SCN_MAX_STEPS)
			return perr(c, "steps", false, "steps: %zu steps, at most %d", json_array_size(steps),
				    SCN_MAX_STEPS);
	}
	/* With steps the backdrop may be empty: every cgroup can belong to a step. */
	x = json_object_get(root, "cgroups");
	if (!x && !steps)
		return perr(c, "", false, "missing required key 'cgroups' (a list of at least one "
			    "{\"name\": ..., \"workers\": N})");
	if (x && want(c, x, "cgroups", JSON_ARRAY, "array"))
		return -EINVAL;
	if (x && json_array_size(x) == 0 && !steps)
		return perr(c, "cgroups", false, "cgroups: at least one cgroup is required");
	if (json_array_size(x) > SCN_MAX_CGROUPS)
		return perr(c, "cgroups", false, "cgroups: %zu cgroups, at most %d", json_array_size(x),
			    SCN_MAX_CGROUPS);
	size_t i;
	json_t *g;
	char base[48];
	json_array_foreach(x, i, g) {
		snprintf(base, sizeof(base), "cgroups[%zu]", i);
		if (parse_cgroup(c, g, base, &s->cgroups[i]))
			return -EINVAL;
		s->ncgroups++;
	}
	if (steps) {
		int rc = parse_steps(c, steps, s);
		if (rc)
			return rc;
		if (!has_duration) {
			s->duration_ms = 0;
			for (int k = 0; k < s->nsteps; k++)
				s->duration_ms += s->steps[k].duration_ms;
		}
	}
	if ((x = json_object_get(root, "checks"))) {
		if (want(c, x, "checks", JSON_OBJECT, "object"))
			return -EINVAL;
		if (check_keys(c, x, "checks", "checks", check_keys_valid))
			return -EINVAL;
		json_t *y;
		if ((y = json_object_get(x, "max_gap_ms"))) {
			if (get_int(c, y, "checks.max_gap_ms", 1, 3600000, &n))
				return -EINVAL;
			s->checks.has_max_gap_ms = true;
			s->checks.max_gap_ms = (uint64_t)n;
		}
		if ((y = json_object_get(x, "max_spread_pct"))) {
			double d;
			if (get_num(c, y, "checks.max_spread_pct", &d))
				return -EINVAL;
			if (!(d >= 0 && d <= 100))
				return perr(c, "checks.max_spread_pct", false,
					    "checks.max_spread_pct: %g is out of range; allowed 0..100", d);
			s->checks.has_max_spread_pct = true;
			s->checks.max_spread_pct = d;
		}
	}
	if ((x = json_object_get(root, "expect_err"))) {
		if (want(c, x, "expect_err", JSON_TRUE, "boolean"))
			return -EINVAL;
		s->expect_err = json_is_true(x);
	}
	if ((x = json_object_get(root, "performance_mode"))) {
		if (want(c, x, "performance_mode", JSON_TRUE, "boolean"))
			return -EINVAL;
		s->performance_mode = json_is_true(x);
	}
	char path[160], msg[768];
	if (validate_core(s, false, path, sizeof(path), msg, sizeof(msg)))
		return perr(c, path, false, "%s", msg);
	return 0;
}

static void scn_defaults(struct scenario *s)
{
	memset(s, 0, sizeof(*s));
	s->topo = (struct vm_topology){ 1, 1, 2, 1 };
	s->memory_mb = SCN_DEFAULT_MEMORY_MB;
	s->duration_ms = SCN_DEFAULT_DURATION_MS;
	s->sched.kind = SCHED_EEVDF;
	snprintf(s->sched.spec, sizeof(s->sched.spec), "eevdf");
}

int scn_parse(const char *text, const char *path, struct scenario *out, char *err, size_t errlen)
{
	json_error_t je;
	struct pctx c = { .file = path ? path : "<scenario>", .err = err, .errlen = errlen };
	struct scenario *s;
	int rc;

	if (errlen)
		err[0] = 0;
	if (!text) {
		snprintf(err, errlen, "%s: no text", c.file);
		return -EINVAL;
	}
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", c.file, je.line, je.column < 1 ? 1 : je.column, je.text);
		return -EINVAL;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		json_decref(root);
		return -ENOMEM;
	}
	scn_defaults(s);
	snprintf(s->path, sizeof(s->path), "%s", c.file);
	c.loc = (struct locator){ .line = 1, .col = 1, .p = text };
	loc_value(&c.loc, "", 1, 1, 0);
	rc = parse_root(&c, root, s);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", c.file);
	if (rc) {
		scn_free(s);
	} else {
		*out = *s;
	}
	free(s);
	free(c.loc.v);
	json_decref(root);
	return rc;
}

int scn_load(const char *path, struct scenario *out, char *err, size_t errlen)
{
	char *buf;
	size_t got;
	int rc = fs_read_file(path, SCN_MAX_FILE, &buf, &got);
	if (rc == -EFBIG) {
		snprintf(err, errlen, "%s: larger than the %d-byte limit for a scenario file", path, SCN_MAX_FILE);
		return -EINVAL;
	}
	if (rc == -EINVAL) {
		snprintf(err, errlen, "%s: not a regular file; give the path of a scenario .json file", path);
		return -EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "%s: cannot open scenario: %s", path, strerror(-rc));
		return rc;
	}
	if (strlen(buf) != got) {
		free(buf);
		snprintf(err, errlen, "%s: contains a NUL byte; a scenario is a UTF-8 JSON text file", path);
		return -EINVAL;
	}
	rc = scn_parse(buf, path, out, err, errlen);
	free(buf);
	return rc;
}

void scn_free(struct scenario *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->sched.nargs && i < SCN_MAX_SCHED_ARGS; i++) {
		free(s->sched.args[i]);
		s->sched.args[i] = NULL;
	}
	s->sched.nargs = 0;
}

int scn_copy(struct scenario *dst, const struct scenario *src)
{
	*dst = *src;
	dst->sched.nargs = 0;
	for (int i = 0; i < src->sched.nargs && i < SCN_MAX_SCHED_ARGS; i++) {
		dst->sched.args[i] = strdup(src->sched.args[i] ? src->sched.args[i] : "");
		if (!dst->sched.args[i]) {
			scn_free(dst);
			return -ENOMEM;
		}
		dst->sched.nargs++;
	}
	for (int i = dst->sched.nargs; i < SCN_MAX_SCHED_ARGS; i++)
		dst->sched.args[i] = NULL;
	return 0;
}

void scn_init_default(struct scenario *s)
{
	scn_defaults(s);
}
