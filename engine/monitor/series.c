/* The monitor's sample series: a ring of at most MON_MAX_SAMPLES samples whose arrays
 * grow by doubling, so a short run costs little and a long one stays bounded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/monitor/monitor.h"

#define MON_EV_KNAME(k, n) "SCX_EV_" #k,
#define MON_EV_NAME(k, n) n,
const char *const mon_ev_kname[MON_NEV] = { MON_EVENTS(MON_EV_KNAME) };
const char *const mon_ev_name[MON_NEV] = { MON_EVENTS(MON_EV_NAME) };

void mon_thresholds_default(struct mon_thresholds *t)
{
	*t = (struct mon_thresholds){
		.max_imbalance_ratio = 4.0,
		.max_local_dsq_depth = 50,
		.fail_on_stall = true,
		.sustained_samples = 5,
		.max_fallback_rate = 200.0,
		.max_keep_last_rate = 100.0,
		.enforce = true,
	};
}

struct mon_series *mon_series_new(int ncpus)
{
	if (ncpus < 1)
		ncpus = 1;
	struct mon_series *s = calloc(1, sizeof(*s));
	if (s) {
		s->ncpus = ncpus;
		s->last_ok_ms = -1;
	}
	return s;
}

void mon_series_free(struct mon_series *s)
{
	if (!s)
		return;
	free(s->t_ms);
	free(s->cpu);
	free(s->ev);
	free(s->glob);
	free(s);
}

/* Moves the ring into new arrays of cap nc, oldest first (first becomes 0). */
static int grow(struct mon_series *s, size_t nc)
{
	size_t held = mon_series_len(s), nk = (size_t)s->ncpus;
	int64_t *t = malloc(nc * sizeof(*t));
	struct mon_cpu *c = malloc(nc * nk * sizeof(*c));
	int64_t *e = malloc(nc * MON_NEV * sizeof(*e));
	int64_t *g = malloc(nc * MON_MAX_GLOBALS * sizeof(*g));
	if (!t || !c || !e || !g) {
		free(t), free(c), free(e), free(g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < held; i++) {
		size_t from = (s->first + i) % s->cap;
		t[i] = s->t_ms[from];
		memcpy(c + i * nk, s->cpu + from * nk, nk * sizeof(*c));
		memcpy(e + i * MON_NEV, s->ev + from * MON_NEV, MON_NEV * sizeof(*e));
		memcpy(g + i * MON_MAX_GLOBALS, s->glob + from * MON_MAX_GLOBALS,
		       MON_MAX_GLOBALS * sizeof(*g));
	}
	free(s->t_ms), free(s->cpu), free(s->ev), free(s->glob);
	s->t_ms = t, s->cpu = c, s->ev = e, s->glob = g;
	s->cap = nc;
	s->first = 0;
	return 0;
}

int mon_series_push(struct mon_series *s, int64_t t_ms, const struct mon_cpu *cpu,
		    const int64_t *ev, const int64_t *glob)
{
	size_t held = mon_series_len(s), nk = (size_t)s->ncpus;
	if (held == s->cap && s->cap < MON_MAX_SAMPLES) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		if (nc > MON_MAX_SAMPLES)
			nc = MON_MAX_SAMPLES;
		if (grow(s, nc))
			return -ENOMEM;
	}
	size_t slot;
	if (held < s->cap) {
		slot = (s->first + held) % s->cap;
	} else { /* full at MON_MAX_SAMPLES: drop the oldest */
		slot = s->first;
		s->first = (s->first + 1) % s->cap;
	}
	s->t_ms[slot] = t_ms;
	memcpy(s->cpu + slot * nk, cpu, nk * sizeof(*cpu));
	for (int i = 0; i < MON_NEV; i++)
		s->ev[slot * MON_NEV + i] = ev ? ev[i] : 0;
	for (int i = 0; i < MON_MAX_GLOBALS; i++)
		s->glob[slot * MON_MAX_GLOBALS + i] = glob && i < s->nglob ? glob[i] : 0;
	s->n++;
	return 0;
}

size_t mon_series_len(const struct mon_series *s)
{
	return s->n < s->cap ? s->n : s->cap;
}

static size_t slot_of(const struct mon_series *s, size_t i)
{
	return (s->first + i) % s->cap;
}

int64_t mon_t(const struct mon_series *s, size_t i)
{
	return s->t_ms[slot_of(s, i)];
}

const struct mon_cpu *mon_cpu_at(const struct mon_series *s, size_t i)
{
	return s->cpu + slot_of(s, i) * (size_t)s->ncpus;
}

const int64_t *mon_ev_at(const struct mon_series *s, size_t i)
{
	return s->ev + slot_of(s, i) * MON_NEV;
}

const int64_t *mon_glob_at(const struct mon_series *s, size_t i)
{
	return s->glob + slot_of(s, i) * MON_MAX_GLOBALS;
}
