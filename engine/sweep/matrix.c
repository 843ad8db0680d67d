/* The gauntlet's matrix: presets and profiles chosen, cells expanded in a fixed order,
 * constraints applied, estimates and budget features per cell (matrix.h). */
#include "engine/sweep/matrix.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sweep/profiles.h"
#include "engine/topo_presets.h"

const char *sweep_status_name(enum sweep_status st)
{
	static const char *const n[] = { "pending", "pass", "fail", "error", "skip" };
	return (unsigned)st < sizeof(n) / sizeof(n[0]) ? n[st] : "?";
}

void sweep_kernel_label(const char *version, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "kernel_");
	for (const char *p = version; *p && o + 1 < len; p++) {
		char c = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)c) && c != '.' && c != '-')
			break;
		buf[o++] = isalnum((unsigned char)c) ? c : '_';
	}
	buf[o < len ? o : len - 1] = 0;
	if (!strcmp(buf, "kernel_"))
		snprintf(buf, len, "kernel_unknown");
}

void sweep_cell_dirname(const char *name, char *buf, size_t len)
{
	size_t o = 0;
	for (const char *p = name; *p && o + 3 < len; p++) {
		if (*p == '/') {
			buf[o++] = '_';
			buf[o++] = '_';
		} else {
			buf[o++] = *p;
		}
	}
	if (len)
		buf[o] = 0;
}

int sweep_cell_sched_args(const struct scenario *s, uint32_t profile, const char **argv, int max)
{
	int n = 0;
	for (int i = 0; i < s->sched.nargs && n < max; i++)
		argv[n++] = s->sched.args[i];
	for (int f = 0; f < s->sched.nflags; f++)
		if (profile >> f & 1)
			for (int a = 0; a < s->sched.flags[f].nargs && n < max; a++)
				argv[n++] = s->sched.flags[f].args[a];
	return n;
}

bool sweep_constraint_fails(const struct scn_constraints *k, const struct vm_topology *t,
			    char *why, size_t len)
{
	int cpus = scn_topo_cpus(t), llcs = t->numa * t->llcs, nodes = t->numa;
	int maxc = k->max_cpus ? k->max_cpus : k->min_cpus > 192 ? k->min_cpus : 192;
	int maxl = k->max_llcs ? k->max_llcs : k->min_llcs > 12 ? k->min_llcs : 12;
	int maxn = k->max_nodes ? k->max_nodes : k->min_nodes > 1 ? k->min_nodes : 1;
	const struct { bool bad; const char *cmp; int want; const char *what, *key; int has; } r[] = {
		{ nodes < k->min_nodes, ">=", k->min_nodes, "NUMA nodes", "min_nodes", nodes },
		{ nodes > maxn, "<=", maxn, "NUMA nodes", "max_nodes", nodes },
		{ llcs < k->min_llcs, ">=", k->min_llcs, "LLCs", "min_llcs", llcs },
		{ llcs > maxl, "<=", maxl, "LLCs", "max_llcs", llcs },
		{ cpus < k->min_cpus, ">=", k->min_cpus, "CPUs", "min_cpus", cpus },
		{ cpus > maxc, "<=", maxc, "CPUs", "max_cpus", cpus },
	};
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (r[i].bad) {
			snprintf(why, len, "constraint: needs %s %d %s (%s), preset has %d", r[i].cmp, r[i].want,
				 r[i].what, r[i].key, r[i].has);
			return true;
		}
	if (k->smt == 1 && t->threads < 2) {
		snprintf(why, len, "constraint: needs SMT (smt: true), preset has 1 thread per core");
		return true;
	}
	if (k->smt == 0 && t->threads > 1) {
		snprintf(why, len, "constraint: needs no SMT (smt: false), preset has %d threads per core",
			 t->threads);
		return true;
	}
	return false;
}

double sweep_estimate_s(const struct scenario *s, const struct vm_topology *t)
{
	int cpus = scn_topo_cpus(t);
	double e = 10.0 + (cpus > 16 ? (cpus - 16) / 10.0 : 0) + s->duration_ms / 1000.0 + 2.0;
	/* No TCG term: the reference's 10 s boot already covers a TCG boot here (a 4-vCPU
	 * tiny-1llc cell of 1.5 s took 6.2 s in all; docs/gauntlet.md). */
	return s->performance_mode ? e + 3.0 : e;
}

/* ---- building ---------------------------------------------------------------------- */

static int feature_id(struct sweep_matrix *m, const char *f)
{
	for (int i = 0; i < m->nfeatures; i++)
		if (!strcmp(m->features[i], f))
			return i;
	char **nf = realloc(m->features, (size_t)(m->nfeatures + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	m->features = nf;
	if (!(nf[m->nfeatures] = strdup(f)))
		return -ENOMEM;
	return m->nfeatures++;
}

static int add_feat(struct sweep_matrix *m, struct sweep_cell *c, const char *fmt, const char *a,
		    const char *b)
{
	char f[256];
	snprintf(f, sizeof(f), fmt, a, b);
	int id = feature_id(m, f);
	if (id < 0)
		return id;
	for (int i = 0; i < c->nfeat; i++)
		if (c->feat[i] == id)
			return 0;
	if (c->nfeat < SWEEP_MAX_FEATS)
		c->feat[c->nfeat++] = id;
	return 0;
}

/* What the budget counts as coverage: scenario, scheduler, each flag on (or the default
 * profile), topology class and size, SMT, each work type, the kernel. */
static int cell_features(struct sweep_matrix *m, struct sweep_cell *c)
{
	const struct scenario *s = &m->scns[c->scn];
	const struct vm_topology *t = &m->topos[c->preset];
	const char *sch = s->sched.kind == SCHED_EEVDF ? "eevdf" : s->sched.spec;
	int cpus = scn_topo_cpus(t), rc = 0;
	rc |= add_feat(m, c, "scenario:%s%s", s->name, "");
	rc |= add_feat(m, c, "sched:%s%s", sch, "");
	if (!c->profile)
		rc |= add_feat(m, c, "flag:%s/%s", sch, "default");
	for (int f = 0; f < s->sched.nflags; f++)
		if (c->profile >> f & 1)
			rc |= add_feat(m, c, "flag:%s/%s", sch, s->sched.flags[f].name);
	rc |= add_feat(m, c, "topo:%s%s", t->numa > 1 ? "numa" : t->llcs > 1 ? "multi-llc" : "single-llc", "");
	rc |= add_feat(m, c, "cpus:%s%s", cpus <= 4 ? "1-4" : cpus <= 16 ? "5-16" : cpus <= 64 ? "17-64" : "65+", "");
	rc |= add_feat(m, c, "smt:%s%s", t->threads > 1 ? "yes" : "no", "");
	for (int g = 0; g < s->ncgroups; g++)
		rc |= add_feat(m, c, "work:%s%s", work_type_name(s->cgroups[g].work), "");
	rc |= add_feat(m, c, "kernel:%s%s", m->kernels[c->kernel].label, "");
	return rc ? -ENOMEM : 0;
}

static int pick_presets(struct sweep_matrix *m, const char *spec, char *err, size_t errlen)
{
	bool all = !spec || !strcmp(spec, "all");
	int cap = all ? (int)topo_npresets : 1;
	for (const char *p = spec; !all && *p; p++)
		cap += *p == ',';
	m->presets = calloc((size_t)cap, sizeof(*m->presets));
	m->topos = calloc((size_t)cap, sizeof(*m->topos));
	if (!m->presets || !m->topos)
		return -ENOMEM;
	if (all) {
		for (size_t i = 0; i < topo_npresets; i++) {
			snprintf(m->presets[i], sizeof(m->presets[i]), "%s", topo_presets[i].name);
			m->topos[i] = topo_presets[i].topo;
		}
		m->npresets = (int)topo_npresets;
		return 0;
	}
	const char *p = spec;
	for (int k = 0; k < cap; k++) {
		size_t l = strcspn(p, ",");
		char name[64], e[768];
		if (!l || l >= sizeof(name)) {
			snprintf(err, errlen, "--presets '%s': empty or overlong entry; give preset names "
				 "separated by commas (ktstr topo list) or \"all\"", spec);
			return -EINVAL;
		}
		snprintf(name, sizeof(name), "%.*s", (int)l, p);
		if (scn_topo_parse(name, &m->topos[k], e, sizeof(e))) {
			snprintf(err, errlen, "--presets: %s", e);
			return -EINVAL;
		}
		for (int j = 0; j < k; j++)
			if (!strcmp(m->presets[j], name)) {
				snprintf(err, errlen, "--presets: '%s' is named twice", name);
				return -EINVAL;
			}
		snprintf(m->presets[k], sizeof(m->presets[k]), "%s", name);
		m->npresets++;
		p += l + (p[l] == ',');
	}
	return 0;
}

static int add_profile_axis(struct sweep_matrix *m, const char *name)
{
	for (int i = 0; i < m->nprofiles; i++)
		if (!strcmp(m->profiles[i], name))
			return 0;
	void *np = realloc(m->profiles, (size_t)(m->nprofiles + 1) * sizeof(*m->profiles));
	if (!np)
		return -ENOMEM;
	m->profiles = np;
	snprintf(m->profiles[m->nprofiles++], sizeof(m->profiles[0]), "%s", name);
	return 0;
}

/* Room for one more of n elements: doubles at powers of two (n = 0, 16, 32, ...). */
static int grow(void **v, int n, size_t elem)
{
	if (n >= SWEEP_MAX_CELLS)
		return -E2BIG;
	if (n && (n < 16 || (n & (n - 1))))
		return 0;
	void *nv = realloc(*v, (size_t)(n ? 2 * n : 16) * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

static int add_left(struct sweep_matrix *m, const char *name, const char *reason)
{
	int rc = grow((void **)&m->left, m->nleft, sizeof(*m->left));
	if (rc)
		return rc;
	snprintf(m->left[m->nleft].name, sizeof(m->left[0].name), "%s", name);
	snprintf(m->left[m->nleft++].reason, sizeof(m->left[0].reason), "%s", reason);
	return 0;
}

/* The profiles of scenario s: its power set, "default", or the named ones it declares
 * the flags of (the others are left out with a reason). */
static int scn_profiles(const struct scenario *s, const char *spec,
			uint32_t **out, int *n, char *err, size_t errlen)
{
	struct sweep_flagset fs;
	sweep_flagset_from_sched(&s->sched, &fs);
	if (!spec || !strcmp(spec, "all"))
		return sweep_profiles_all(&fs, out, n);
	int cap = 1;
	for (const char *p = spec; *p; p++)
		cap += *p == ',';
	*n = 0;
	if (!(*out = malloc((size_t)cap * sizeof(**out))))
		return -ENOMEM;
	const char *p = spec;
	for (int k = 0; k < cap; k++) {
		size_t l = strcspn(p, ",");
		char one[256], e[512];
		snprintf(one, sizeof(one), "%.*s", (int)l, p);
		p += l + (p[l] == ',');
		uint32_t mask;
		const char *unknown;
		int rc = sweep_profile_parse(&fs, one, &mask, &unknown, e, sizeof(e));
		if (rc == -ENOENT)
			continue; /* the CLI checked that some scenario declares it */
		if (rc) {
			snprintf(err, errlen, "--profiles: scenario '%s': %s", s->name, e);
			return -EINVAL;
		}
		for (int j = 0; j < *n; j++)
			if ((*out)[j] == mask) {
				snprintf(err, errlen, "--profiles: '%s' is named twice", one);
				return -EINVAL;
			}
		(*out)[(*n)++] = mask;
	}
	return 0;
}

/* Each name of a --profiles list must be a profile of some scenario: else exit 2 with the
 * declared flags. */
static int check_profile_names(const struct sweep_matrix *m, const char *spec, char *err, size_t errlen)
{
	if (!spec || !strcmp(spec, "all"))
		return 0;
	const char *p = spec;
	while (1) {
		size_t l = strcspn(p, ",");
		char one[256], e[512];
		snprintf(one, sizeof(one), "%.*s", (int)l, p);
		bool known = !strcmp(one, "default");
		char flags[1024] = "";
		size_t o = 0;
		for (int i = 0; i < m->nscns && !known; i++) {
			struct sweep_flagset fs;
			uint32_t mask;
			sweep_flagset_from_sched(&m->scns[i].sched, &fs);
			known = sweep_profile_parse(&fs, one, &mask, NULL, e, sizeof(e)) != -ENOENT;
			for (int f = 0; f < fs.n && o < sizeof(flags); f++)
				if (!strstr(flags, fs.names[f]))
					o += (size_t)snprintf(flags + o, sizeof(flags) - o, "%s%s", o ? ", " : "",
							      fs.names[f]);
		}
		if (!known) {
			snprintf(err, errlen, "--profiles: '%s' names a flag no scenario declares; declared "
				 "flags: %s (write profiles as a,b+c, or \"all\", \"default\")", one,
				 o ? flags : "none");
			return -EINVAL;
		}
		if (!p[l])
			return 0;
		p += l + 1;
	}
}

int sweep_matrix_build(struct sweep_matrix *m, const struct scenario *scns, int nscns,
		       const char *presets, const char *profiles, const struct sweep_kernel *kernels,
		       int nkernels, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->scns = scns;
	m->nscns = nscns;
	m->kernels = kernels;
	m->nkernels = nkernels;
	int rc = pick_presets(m, presets, err, errlen);
	if (!rc)
		rc = check_profile_names(m, profiles, err, errlen);
	for (int s = 0; !rc && s < nscns; s++) {
		uint32_t *pv = NULL;
		int np = 0;
		struct sweep_flagset fs;
		sweep_flagset_from_sched(&scns[s].sched, &fs);
		if ((rc = scn_profiles(&scns[s], profiles, &pv, &np, err, errlen))) {
			free(pv);
			break;
		}
		for (int t = 0; !rc && t < m->npresets; t++) {
			char why[192];
			bool out = sweep_constraint_fails(&scns[s].constraints, &m->topos[t], why, sizeof(why));
			for (int p = 0; !rc && p < np; p++) {
				char pname[256];
				sweep_profile_name(&fs, pv[p], pname, sizeof(pname));
				rc = add_profile_axis(m, pname);
				for (int k = 0; !rc && k < nkernels; k++) {
					struct sweep_cell c = { .scn = s, .preset = t, .kernel = k, .profile = pv[p] };
					snprintf(c.profile_name, sizeof(c.profile_name), "%s", pname);
					snprintf(c.name, sizeof(c.name), "gauntlet/%s/%s/%s%s%s", scns[s].name,
						 m->presets[t], pname, nkernels > 1 ? "/" : "",
						 nkernels > 1 ? kernels[k].label : "");
					if (out) {
						rc = add_left(m, c.name, why);
						continue;
					}
					c.est_s = sweep_estimate_s(&scns[s], &m->topos[t]);
					if ((rc = grow((void **)&m->cells, m->ncells, sizeof(*m->cells))))
						break;
					m->cells[m->ncells] = c;
					rc = cell_features(m, &m->cells[m->ncells++]);
				}
			}
		}
		free(pv);
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory expanding the gauntlet's matrix");
	if (rc == -E2BIG) {
		snprintf(err, errlen, "the gauntlet's matrix has more than %d cells; narrow it with "
			 "--presets or --profiles", SWEEP_MAX_CELLS);
		rc = -EINVAL;
	}
	if (rc)
		sweep_matrix_free(m);
	return rc;
}

void sweep_matrix_free(struct sweep_matrix *m)
{
	for (int i = 0; i < m->nfeatures; i++)
		free(m->features[i]);
	free(m->features);
	free(m->presets);
	free(m->topos);
	free(m->profiles);
	free(m->cells);
	free(m->left);
	memset(m, 0, sizeof(*m));
}
