/* The scenario's wire format both ways: a struct scenario built here (backdrop and step
 * cgroups, every knob, CPU lists and an unresolved CpusetSpec, a scheduler with arguments)
 * is written by the host's writer (engine/scenario_wire.c) and read back by the guest's
 * parser (guest/gscn.c); every field the guest runs must come out as the host meant it. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scenario.h"
#include "engine/scenario_wire.h"
#include "guest/gscn.h"
#include "guest/proto.h"
#include "guest/scenario_wire.h"

static struct scn_cgroup *add_cg(struct scenario *s, const char *name, int workers,
				 enum work_type work, int step)
{
	cr_assert_lt(s->ncgroups, SCN_MAX_CGROUPS);
	struct scn_cgroup *c = &s->cgroups[s->ncgroups++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->workers = workers;
	c->work = work;
	c->step = step;
	return c;
}

static void add_step(struct scenario *s, const char *name, int duration_ms, int first, int n)
{
	struct scn_step *sp = &s->steps[s->nsteps++];
	snprintf(sp->name, sizeof(sp->name), "%s", name);
	sp->duration_ms = duration_ms;
	sp->first_cgroup = first;
	sp->ncgroups = n;
}

/* The CPU list the guest must get for host cgroup c: its own, or its spec resolved. */
static void want_cpuset(const struct scenario *s, const struct scn_cgroup *c, char *out, size_t len)
{
	char e[256];
	snprintf(out, len, "%s", c->cpuset);
	if (!c->cpuset[0] && c->cpuset_spec.kind > CPUSET_LIST)
		cr_assert_eq(scn_cpuset_resolve(&s->topo, &c->cpuset_spec, c->name, out, len, e, sizeof(e)),
			     0, "%s", e);
}

static void expect_cgroup(const struct scenario *s, const struct scn_cgroup *h,
			  const struct gscn_cgroup *g, const char *text)
{
	char cpus[256];
	want_cpuset(s, h, cpus, sizeof(cpus));
	cr_assert_str_eq(g->name, h->name, "wire text:\n%s", text);
	cr_assert_eq(g->workers, h->workers, "cgroup %s: workers %d, expected %d\n%s", h->name,
		     g->workers, h->workers, text);
	cr_assert_eq(g->work, (int)h->work, "cgroup %s: work %s, expected %s\n%s", h->name,
		     work_type_name(g->work), work_type_name(h->work), text);
	cr_assert_str_eq(g->cpuset, cpus, "cgroup %s: cpuset '%s', expected '%s'\n%s", h->name, g->cpuset,
			 cpus, text);
#define X(member, key)                                                                        \
	cr_assert_str_eq(g->member, h->member, "cgroup %s: %s '%s', expected '%s'\n%s", h->name, key, \
			 g->member, h->member, text);
	KTSTR_SCN_CG_KNOBS(X)
#undef X
	cr_assert_eq(g->step, h->step, "cgroup %s: step %d, expected %d\n%s", h->name, g->step, h->step,
		     text);
}

/* Writes s, parses it as the guest does, and compares everything the guest uses. */
static void round_trip(const struct scenario *s, bool has_sched)
{
	static struct gscn g;
	char err[1024];
	char *text = scn_wire_json(s, has_sched);
	cr_assert(text, "the writer returned NULL");
	cr_assert_eq(gscn_parse(text, &g, err, sizeof(err)), 0, "the guest refused it: %s\n%s", err, text);

	cr_assert_str_eq(g.name, s->name, "%s", text);
	cr_assert_eq(g.duration_ms, s->duration_ms, "%s", text);
	cr_assert_eq(g.nstep, s->nsteps, "%s", text);
	cr_assert_eq(g.steps, s->nsteps ? s->nsteps : 1, "%s", text);
	cr_assert_eq(g.ncg, s->ncgroups, "%s", text);
	/* The guest's order: the backdrop as written, then each step's cgroups in step order. */
	int j = 0;
	for (int i = 0; i < s->ncgroups; i++)
		if (!s->cgroups[i].step)
			expect_cgroup(s, &s->cgroups[i], &g.cg[j++], text);
	for (int k = 0; k < s->nsteps; k++) {
		const struct scn_step *hs = &s->steps[k];
		cr_assert_str_eq(g.step[k].name, hs->name, "step %d\n%s", k, text);
		cr_assert_eq(g.step[k].duration_ms, hs->duration_ms, "step %d\n%s", k, text);
		cr_assert_eq(g.step[k].first, j, "step %d\n%s", k, text);
		cr_assert_eq(g.step[k].ncg, hs->ncgroups, "step %d\n%s", k, text);
		for (int i = hs->first_cgroup; i < hs->first_cgroup + hs->ncgroups; i++)
			expect_cgroup(s, &s->cgroups[i], &g.cg[j++], text);
	}

	cr_assert_eq(g.has_sched, has_sched, "%s", text);
	if (has_sched) {
		cr_assert_str_eq(g.sched_path, KTSTR_GUEST_SCHED_BIN, "%s", text);
		cr_assert_str_eq(g.sched_name, s->sched.spec, "%s", text);
		cr_assert_eq(g.nargs, s->sched.nargs, "%s", text);
		for (int i = 0; i < s->sched.nargs; i++)
			cr_assert_str_eq(g.sched_args[i], s->sched.args[i], "arg %d\n%s", i, text);
	}
	free(text);
}

Test(scenario_wire, steps_knobs_cpusets_and_scheduler_survive_the_round_trip)
{
	static struct scenario s;
	char err[256];
	scn_init_default(&s);
	snprintf(s.name, sizeof(s.name), "wire-round-trip");
	cr_assert_eq(scn_topo_parse("1n2l2c1t", &s.topo, err, sizeof(err)), 0, "%s", err);

	struct scn_cgroup *c = add_cg(&s, "bg_spin", 2, WORK_SPIN_WAIT, 0);
	snprintf(c->cpuset, sizeof(c->cpuset), "0-1");
	c->cpuset_spec.kind = CPUSET_LIST;
	snprintf(c->cpu_max, sizeof(c->cpu_max), "50000 100000");
	snprintf(c->memory_max, sizeof(c->memory_max), "4294967296");
	c = add_cg(&s, "bg_pipe", 4, WORK_PIPE_IO, 0);
	snprintf(c->memory_swap_max, sizeof(c->memory_swap_max), "max");
	snprintf(c->cpuset_mems, sizeof(c->cpuset_mems), "0");

	add_step(&s, "ramp", 1500, s.ncgroups, 2);
	c = add_cg(&s, "s1_futex", 2, WORK_FUTEX_PING_PONG, 1);
	c->cpuset_spec = (struct scn_cpuset_spec){ .kind = CPUSET_LLC, .index = 1 }; /* not resolved */
	snprintf(c->cpu_max, sizeof(c->cpu_max), "max 100000");
	add_cg(&s, "s1_yield", 1, WORK_YIELD_HEAVY, 1);
	add_step(&s, "", 900, s.ncgroups, 1);
	c = add_cg(&s, "s2_mixed", 3, WORK_MIXED, 2);
	snprintf(c->cpuset, sizeof(c->cpuset), "1,3");
	c->cpuset_spec.kind = CPUSET_LIST;
	snprintf(c->memory_max, sizeof(c->memory_max), "max");
	s.duration_ms = 1500 + 900;

	s.sched.kind = SCHED_NAME;
	snprintf(s.sched.spec, sizeof(s.sched.spec), "scx_wire");
	static const char *const args[] = { "--slice-us", "5000", "-v", "a b \"quoted\"" };
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		s.sched.args[s.sched.nargs++] = strdup(args[i]);

	round_trip(&s, true);
	/* The unresolved spec reached the guest as its LLC's CPUs. */
	static struct gscn g;
	char *text = scn_wire_json(&s, true);
	cr_assert_eq(gscn_parse(text, &g, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(g.cg[2].cpuset, "2-3", "%s", text);
	free(text);
	scn_free(&s);
}

Test(scenario_wire, no_steps_and_no_scheduler_survive_the_round_trip)
{
	static struct scenario s;
	scn_init_default(&s);
	snprintf(s.name, sizeof(s.name), "plain");
	s.duration_ms = 700;
	struct scn_cgroup *c = add_cg(&s, "only", 5, WORK_BURSTY, 0);
	snprintf(c->cpuset_mems, sizeof(c->cpuset_mems), "0");
	snprintf(c->cpu_max, sizeof(c->cpu_max), "20000 100000");
	snprintf(c->memory_max, sizeof(c->memory_max), "1073741824");
	snprintf(c->memory_swap_max, sizeof(c->memory_swap_max), "0");
	add_cg(&s, "default_work", 1, WORK_SPIN_WAIT, 0);
	round_trip(&s, false);
	scn_free(&s);
}
