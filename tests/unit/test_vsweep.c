/* The verifier sweep's pure parts: the lines it takes numbers from, --profiles, kernel
 * labels, cell directories; the guest's "prog" message into the run model; the guest's
 * BTF name walk that gives programs their full names. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/btf.h>
#include <stdlib.h>
#include <string.h>

#include "engine/run.h"
#include "engine/sweep/verifier_sweep.h"
#include "guest/gbtf.h"

Test(vsweep, stats_line_from_ktstr_sched)
{
	struct vsweep_prog p;
	cr_assert_eq(vsweep_parse_stats_line("verifier stats: ktstr_enqueue processed=79 states=7/9 "
					     "time=24592us stack=0+16", &p), 0);
	cr_assert_str_eq(p.name, "ktstr_enqueue");
	cr_assert_eq(p.processed, 79);
	cr_assert_eq(p.states_peak, 7);
	cr_assert_eq(p.states_total, 9);
	cr_assert_eq(p.time_us, 24592);
	cr_assert_str_eq(p.stack, "0+16");
	cr_assert_eq(vsweep_parse_stats_line("verifier stats: x processed=1 states=0/0", &p), 0);
	cr_assert_eq(p.time_us, -1);
	cr_assert_str_eq(p.stack, "");
}

Test(vsweep, stats_line_rejects_other_lines)
{
	struct vsweep_prog p;
	cr_assert_neq(vsweep_parse_stats_line("ktstr_sched: attached", &p), 0);
	cr_assert_neq(vsweep_parse_stats_line("verifier stats: ", &p), 0);
	cr_assert_neq(vsweep_parse_stats_line("verifier stats: x processed=1", &p), 0);
	cr_assert_neq(vsweep_parse_stats_line("verifier stats: x processed=a states=1/2", &p), 0);
	cr_assert_neq(vsweep_parse_stats_line("verifier stats: x processed=1 states=1/", &p), 0);
	cr_assert_neq(vsweep_parse_stats_line(NULL, &p), 0);
}

Test(vsweep, processed_line_of_the_verifier)
{
	struct vsweep_prog p;
	cr_assert_eq(vsweep_parse_processed_line("processed 7 insns (limit 1000000) max_states_per_insn 0 "
						 "total_states 3 peak_states 2 mark_read 0", &p), 0);
	cr_assert_eq(p.processed, 7);
	cr_assert_eq(p.states_total, 3);
	cr_assert_eq(p.states_peak, 2);
	cr_assert_neq(vsweep_parse_processed_line("R1 invalid mem access 'scalar'", &p), 0);
	cr_assert_neq(vsweep_parse_processed_line("processed the thing", &p), 0);
}

Test(vsweep, libbpf_program_lines)
{
	char n[64];
	cr_assert_eq(vsweep_parse_libbpf_prog("libbpf: prog 'ktstr_dispatch': -- BEGIN PROG LOAD LOG --", n,
					      sizeof(n)), 0);
	cr_assert_str_eq(n, "ktstr_dispatch");
	cr_assert_eq(vsweep_parse_libbpf_prog("libbpf: prog 'a_b': BPF program load failed: Permission denied",
					      n, sizeof(n)), 0);
	cr_assert_str_eq(n, "a_b");
	cr_assert_neq(vsweep_parse_libbpf_prog("libbpf: prog 'a': failed to load: -13", n, sizeof(n)), 0);
	cr_assert_neq(vsweep_parse_libbpf_prog("libbpf: prog '': -- BEGIN PROG LOAD LOG --", n, sizeof(n)), 0);
	cr_assert_neq(vsweep_parse_libbpf_prog("libbpf: prog 'abcdefgh': -- BEGIN PROG LOAD LOG --", n, 4), 0);
}

static char *names(const struct vsweep_profile *v, int n)
{
	static char buf[1024];
	buf[0] = 0;
	for (int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "," : "", v[i].name);
	return buf;
}

Test(vsweep, profiles_list_sorted_and_deduplicated)
{
	struct vsweep_profile *v;
	int n;
	char err[512];
	cr_assert_eq(vsweep_parse_profiles("default,b+a,a+b,keep-last", NULL, 0, &v, &n, err, sizeof(err)), 0);
	cr_assert_str_eq(names(v, n), "default,a+b,keep-last");
	cr_assert_eq(v[1].nflags, 2);
	cr_assert_str_eq(v[1].flags[0], "a");
	free(v);
	cr_assert_eq(vsweep_parse_profiles("a+a", NULL, 0, &v, &n, err, sizeof(err)), 0);
	cr_assert_str_eq(names(v, n), "a");
	free(v);
}

Test(vsweep, profiles_all_is_the_power_set)
{
	const char *flags[] = { "y", "x", "z" };
	struct vsweep_profile *v;
	int n;
	char err[512];
	cr_assert_eq(vsweep_parse_profiles("all", flags, 3, &v, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 8);
	cr_assert_str_eq(names(v, n), "default,y,x,x+y,z,y+z,x+z,x+y+z");
	free(v);
}

Test(vsweep, profiles_refused_with_a_reason)
{
	struct vsweep_profile *v = (void *)1;
	int n = 5;
	char err[512];
	const char *bad[] = { "a+-b", "a b", ",", "+", "a+", "a++b", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(vsweep_parse_profiles(bad[i], NULL, 0, &v, &n, err, sizeof(err)), -EINVAL, "%s", bad[i]);
		cr_assert_null(v);
		cr_assert_eq(n, 0);
	}
	cr_assert_eq(vsweep_parse_profiles("all", NULL, 0, &v, &n, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "--flags"), "%s", err);
	const char *f[] = { "ok", "--no" };
	cr_assert_eq(vsweep_parse_profiles("all", f, 2, &v, &n, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "'--no'"), "%s", err);
}

Test(vsweep, kernel_labels_and_cell_dirs)
{
	char l[128], d[256];
	vsweep_kernel_label("7.2.13+deb14-cloud-amd64-deb-fee8aa49", false, l, sizeof(l));
	cr_assert_str_eq(l, "7.2.13+deb14-cloud-amd64-deb-fee8aa49");
	vsweep_kernel_label("a/b c:d", false, l, sizeof(l));
	cr_assert_str_eq(l, "a_b_c_d");
	vsweep_kernel_label("/x/y/pahole-1.24//", true, l, sizeof(l));
	cr_assert_str_eq(l, "path_pahole-1.24");
	vsweep_cell_dirname("verifier/s/k/1x1x1x1/a+b", d, sizeof(d));
	cr_assert_str_eq(d, "verifier__s__k__1x1x1x1__a+b");
}

Test(vsweep, prog_messages_fill_the_run)
{
	struct run *r = run_new(NULL);
	cr_assert_not_null(run_ingest(r, "{\"t\":\"prog\",\"ts_ns\":1,\"id\":7,\"name\":\"ktstr_select_cpu\","
					 "\"type\":\"struct_ops\",\"verified_insns\":35}"));
	cr_assert_not_null(run_ingest(r, "{\"t\":\"prog\",\"ts_ns\":2,\"id\":8,\"name\":\"b\","
					 "\"type\":\"syscall\",\"verified_insns\":0}"));
	/* The same id again replaces its slot. */
	cr_assert_not_null(run_ingest(r, "{\"t\":\"prog\",\"ts_ns\":3,\"id\":7,\"name\":\"ktstr_select_cpu\","
					 "\"type\":\"struct_ops\",\"verified_insns\":36}"));
	cr_assert_eq(r->nprogs, 2);
	cr_assert_str_eq(r->progs[0].name, "ktstr_select_cpu");
	cr_assert_str_eq(r->progs[0].type, "struct_ops");
	cr_assert_eq(r->progs[0].verified_insns, 36);
	cr_assert_null(run_ingest(r, "{\"t\":\"prog\",\"ts_ns\":4,\"id\":0,\"name\":\"x\",\"type\":\"x\","
				     "\"verified_insns\":1}"));
	cr_assert_null(run_ingest(r, "{\"t\":\"prog\",\"ts_ns\":4,\"id\":9,\"name\":\"x\",\"type\":\"x\","
				     "\"verified_insns\":-1}"));
	cr_assert_null(run_ingest(r, "{\"t\":\"prog\",\"ts_ns\":4,\"id\":9,\"type\":\"x\",\"verified_insns\":1}"));
	cr_assert_eq(r->nprogs, 2);
	run_put(r);
}

/* A program's BTF: [1] int, [2] func_proto (int x), [3] FUNC with a 24-character name. */
static size_t make_btf(unsigned char *buf)
{
	static const char strs[] = "\0int\0x\0ktstr_select_cpu_long_name";
	struct btf_header h = { .magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h) };
	unsigned char types[256];
	size_t o = 0;
	struct btf_type t = { .name_off = 1, .info = BTF_KIND_INT << 24, .size = 4 };
	memcpy(types + o, &t, sizeof(t));
	o += sizeof(t);
	uint32_t enc = 32;
	memcpy(types + o, &enc, 4);
	o += 4;
	t = (struct btf_type){ .name_off = 0, .info = (BTF_KIND_FUNC_PROTO << 24) | 1, .type = 1 };
	memcpy(types + o, &t, sizeof(t));
	o += sizeof(t);
	struct btf_param prm = { .name_off = 5, .type = 1 };
	memcpy(types + o, &prm, sizeof(prm));
	o += sizeof(prm);
	t = (struct btf_type){ .name_off = 7, .info = BTF_KIND_FUNC << 24, .type = 2 };
	memcpy(types + o, &t, sizeof(t));
	o += sizeof(t);
	h.type_off = 0;
	h.type_len = (uint32_t)o;
	h.str_off = (uint32_t)o;
	h.str_len = sizeof(strs);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), types, o);
	memcpy(buf + sizeof(h) + o, strs, sizeof(strs));
	return sizeof(h) + o + sizeof(strs);
}

Test(vsweep, btf_gives_the_full_function_name)
{
	unsigned char buf[512];
	size_t n = make_btf(buf);
	char name[64];
	cr_assert_eq(gbtf_type_name(buf, n, 3, name, sizeof(name)), 0);
	cr_assert_str_eq(name, "ktstr_select_cpu_long_name");
	cr_assert_eq(gbtf_type_name(buf, n, 1, name, sizeof(name)), 0);
	cr_assert_str_eq(name, "int");
	cr_assert_eq(gbtf_type_name(buf, n, 2, name, sizeof(name)), -EINVAL); /* nameless */
	cr_assert_eq(gbtf_type_name(buf, n, 4, name, sizeof(name)), -ENOENT);
	/* Truncated or corrupt data is refused, never read past. */
	for (size_t cut = 0; cut < n - 1; cut++)
		gbtf_type_name(buf, cut, 3, name, sizeof(name));
	cr_assert_eq(gbtf_type_name(buf, n - 40, 3, name, sizeof(name)), -EINVAL);
	buf[0] ^= 0xff;
	cr_assert_eq(gbtf_type_name(buf, n, 3, name, sizeof(name)), -EINVAL);
}
