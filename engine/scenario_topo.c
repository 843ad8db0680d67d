/* Topology and CPU sets: topology labels and their parser, CPU lists, the usable CPUs,
 * and CpusetSpecs resolved against a topology (with the Rust ktstr's messages). */
#include "engine/scenario_priv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/topo_presets.h"

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

	/* A shape starts with a digit; anything else can only be a preset's name. */
	if (s && *s && !isdigit((unsigned char)*s)) {
		const struct topo_preset *pr = topo_preset_find(s);
		char names[512];
		if (pr) {
			*t = pr->topo;
			return 0;
		}
		topo_preset_names(names, sizeof(names));
		snprintf(err, errlen, "topology '%s': no preset has this name; the presets are %s "
			 "(`ktstr topo list` shows their shapes); or give NUMAxLLCSxCORESxTHREADS "
			 "(e.g. 1x2x2x1, LLCs per node) or a label like 1n2l2c1t (LLCs in total)", s, names);
		return -EINVAL;
	}
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

/* Parses a cpu list "0-3,5". Returns the highest CPU or -1 when malformed. */
int scn_cpulist_max(const char *s)
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
int scn_spec_check_shape(const struct scn_cpuset_spec *sp, const char *cg, char *err, size_t errlen)
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
		return 0; /* a plain list is checked by scn_validate_core */
	if ((rc = scn_spec_check_shape(sp, cg, err, errlen)))
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
