/* Named topology presets: the table against the reference's gauntlet shapes, preset names
 * through scn_topo_parse (the "topology" key and --topo), unknown names refused with the
 * list, and the `ktstr topo list` text and JSON. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/scenario.h"
#include "engine/topo_presets.h"

static char err[1024];

/* The reference's x86_64 gauntlet_presets() table, copied word for word: name, shape label
 * (LLCs in total), CPUs, LLCs, NUMA nodes. */
static const struct { const char *name, *label; int cpus, llcs, numa; } ref[] = {
	{ "tiny-1llc", "1n1l4c1t", 4, 1, 1 },
	{ "tiny-2llc", "1n2l2c1t", 4, 2, 1 },
	{ "odd-3llc", "1n3l3c1t", 9, 3, 1 },
	{ "odd-5llc", "1n5l3c1t", 15, 5, 1 },
	{ "odd-7llc", "1n7l2c1t", 14, 7, 1 },
	{ "smt-2llc", "1n2l2c2t", 8, 2, 1 },
	{ "smt-3llc", "1n3l2c2t", 12, 3, 1 },
	{ "medium-4llc", "1n4l4c2t", 32, 4, 1 },
	{ "medium-8llc", "1n8l4c2t", 64, 8, 1 },
	{ "large-4llc", "1n4l16c2t", 128, 4, 1 },
	{ "large-8llc", "1n8l8c2t", 128, 8, 1 },
	{ "near-max-llc", "1n15l8c2t", 240, 15, 1 },
	{ "max-cpu", "1n14l9c2t", 252, 14, 1 },
	{ "medium-4llc-nosmt", "1n4l8c1t", 32, 4, 1 },
	{ "medium-8llc-nosmt", "1n8l8c1t", 64, 8, 1 },
	{ "large-4llc-nosmt", "1n4l32c1t", 128, 4, 1 },
	{ "large-8llc-nosmt", "1n8l16c1t", 128, 8, 1 },
	{ "near-max-llc-nosmt", "1n15l16c1t", 240, 15, 1 },
	{ "max-cpu-nosmt", "1n14l18c1t", 252, 14, 1 },
	{ "numa2-4llc", "2n4l4c1t", 16, 4, 2 },
	{ "numa2-8llc", "2n8l8c2t", 128, 8, 2 },
	{ "numa2-8llc-nosmt", "2n8l16c1t", 128, 8, 2 },
	{ "numa4-8llc", "4n8l4c1t", 32, 8, 4 },
	{ "numa4-12llc", "4n12l8c2t", 192, 12, 4 },
};
#define NREF (sizeof(ref) / sizeof(ref[0]))

Test(topo_presets, table_is_the_reference_gauntlet_in_order)
{
	cr_assert_eq(topo_npresets, NREF, "%zu presets, the reference has %zu", topo_npresets, NREF);
	for (size_t i = 0; i < NREF; i++) {
		const struct vm_topology *t = &topo_presets[i].topo;
		char l[64];
		cr_expect_str_eq(topo_presets[i].name, ref[i].name, "row %zu", i);
		scn_topo_label(t, l, sizeof(l));
		cr_expect_str_eq(l, ref[i].label, "%s: shape %s, the reference says %s", ref[i].name, l,
				 ref[i].label);
		cr_expect_eq(scn_topo_cpus(t), ref[i].cpus, "%s: %d vCPUs, the reference says %d",
			     ref[i].name, scn_topo_cpus(t), ref[i].cpus);
		cr_expect_eq(t->numa * t->llcs, ref[i].llcs, "%s: LLCs", ref[i].name);
		cr_expect_eq(t->numa, ref[i].numa, "%s: NUMA nodes", ref[i].name);
		cr_expect_leq(scn_topo_cpus(t), VM_MAX_VCPUS, "%s is over the VM's vCPU cap", ref[i].name);
	}
}

Test(topo_presets, every_preset_parses_to_its_shape_and_matches_its_label)
{
	for (size_t i = 0; i < NREF; i++) {
		struct vm_topology byname, bylabel;
		cr_assert_eq(scn_topo_parse(ref[i].name, &byname, err, sizeof(err)), 0, "%s: %s",
			     ref[i].name, err);
		cr_assert_eq(scn_topo_parse(ref[i].label, &bylabel, err, sizeof(err)), 0, "%s: %s",
			     ref[i].label, err);
		cr_expect(!memcmp(&byname, &bylabel, sizeof(byname)), "%s and %s differ", ref[i].name,
			  ref[i].label);
		cr_expect_eq(scn_topo_cpus(&byname), ref[i].cpus, "%s", ref[i].name);
	}
}

Test(topo_presets, unknown_name_is_refused_with_the_list)
{
	struct vm_topology t = { 1, 1, 2, 1 };
	cr_assert_eq(scn_topo_parse("medium-5llc", &t, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "topology 'medium-5llc': no preset has this name; the presets are "
			      "tiny-1llc, tiny-2llc, odd-3llc,"), "%s", err);
	for (size_t i = 0; i < NREF; i++)
		cr_expect(strstr(err, ref[i].name), "the message lacks %s: %s", ref[i].name, err);
	cr_expect(strstr(err, "`ktstr topo list` shows their shapes"), "%s", err);
	cr_expect(strstr(err, "or give NUMAxLLCSxCORESxTHREADS (e.g. 1x2x2x1, LLCs per node)"), "%s", err);
	cr_expect(t.numa == 1 && t.cores == 2, "a refused name leaves the topology alone");
	/* Names are exact: no case folding, no prefixes. */
	cr_expect_eq(scn_topo_parse("Tiny-1llc", &t, err, sizeof(err)), -EINVAL);
	cr_expect_eq(scn_topo_parse("tiny", &t, err, sizeof(err)), -EINVAL);
	cr_expect_eq(scn_topo_parse("tiny-1llc ", &t, err, sizeof(err)), -EINVAL);
	/* The whole list fits the message buffers the callers use (scn_perr keeps 768). */
	char names[1024];
	size_t n = topo_preset_names(names, sizeof(names));
	cr_expect_lt(n, 400u, "the names take %zu bytes", n);
	cr_expect_eq(strlen(names), n);
}

Test(topo_presets, topo_option_takes_names_and_shapes_alike)
{
	struct vm_topology t;
	cr_assert_eq(scn_topo_parse("numa4-12llc", &t, err, sizeof(err)), 0, "%s", err);
	cr_expect(t.numa == 4 && t.llcs == 3 && t.cores == 8 && t.threads == 2,
		  "numa4-12llc is 4x3x8x2 (12 LLCs over 4 nodes), got %dx%dx%dx%d", t.numa, t.llcs,
		  t.cores, t.threads);
	cr_assert_eq(scn_topo_parse("1x2x2x1", &t, err, sizeof(err)), 0, "%s", err);
	cr_expect(t.numa == 1 && t.llcs == 2 && t.cores == 2 && t.threads == 1);
	cr_assert_eq(scn_topo_parse("2n4l4c1t", &t, err, sizeof(err)), 0, "%s", err);
	cr_expect(t.numa == 2 && t.llcs == 2);
	/* A malformed shape still gets the shape message, not the preset list. */
	cr_assert_eq(scn_topo_parse("1x0x2x1", &t, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "expected NUMAxLLCSxCORESxTHREADS") && !strstr(err, "tiny-1llc"), "%s", err);
}

Test(topo_presets, scenario_topology_key_takes_a_name)
{
	struct scenario s;
	err[0] = 0;
	cr_assert_eq(scn_parse("{\"name\":\"a\",\"topology\":\"smt-3llc\",\"cgroups\":[{\"name\":\"c\"}]}",
			       "t.json", &s, err, sizeof(err)), 0, "%s", err);
	cr_expect(s.topo.numa == 1 && s.topo.llcs == 3 && s.topo.cores == 2 && s.topo.threads == 2);
	scn_free(&s);
	/* Runs take the presets over 64 vCPUs too (TCG's APIC ID limit is checked at VM start). */
	cr_assert_eq(scn_parse("{\"name\":\"a\",\"topology\":\"large-4llc\",\"cgroups\":[{\"name\":\"c\","
			       "\"cpuset\":\"100-101\"}]}", "t.json", &s, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(scn_topo_cpus(&s.topo), 128);
	scn_free(&s);
	cr_assert_eq(scn_parse("{\"name\":\"a\",\"topology\":\"huge\",\"cgroups\":[{\"name\":\"c\"}]}",
			       "t.json", &s, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "t.json:1:24: topology 'huge': no preset has this name; the presets are "
			      "tiny-1llc,"), "%s", err);
	cr_expect(strstr(err, "numa4-12llc (`ktstr topo list` shows their shapes)"), "the list is cut: %s", err);
}

Test(topo_presets, list_text_has_a_row_per_preset)
{
	size_t need = topo_presets_text(NULL, 0);
	char *buf = malloc(need + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(topo_presets_text(buf, need + 1), need);
	cr_expect_eq(strlen(buf), need);
	const char *head = "NAME                 SHAPE      LABEL       VCPUS LLCS NUMA\n";
	cr_expect(!strncmp(buf, head, strlen(head)), "%s", buf);
	cr_expect(strstr(buf, "\nmedium-4llc          1x4x4x2    1n4l4c2t       32    4    1\n"), "%s", buf);
	cr_expect(strstr(buf, "\nnuma4-12llc          4x3x8x2    4n12l8c2t     192   12    4\n"), "%s", buf);
	int lines = 0;
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	cr_expect_eq(lines, (int)NREF + 1, "header + %zu rows, got %d lines", NREF, lines);
	/* Too small a buffer: truncated, terminated, and the size it needs still reported. */
	char small[16];
	cr_expect_eq(topo_presets_text(small, sizeof(small)), need);
	cr_expect_eq(strlen(small), sizeof(small) - 1);
	free(buf);
}

Test(topo_presets, list_json_is_an_array_of_objects)
{
	json_t *a = topo_presets_json();
	cr_assert(json_is_array(a));
	cr_assert_eq(json_array_size(a), NREF);
	for (size_t i = 0; i < NREF; i++) {
		json_t *o = json_array_get(a, i);
		cr_expect_str_eq(json_string_value(json_object_get(o, "name")), ref[i].name);
		cr_expect_str_eq(json_string_value(json_object_get(o, "label")), ref[i].label);
		cr_expect_eq(json_integer_value(json_object_get(o, "vcpus")), ref[i].cpus, "%s", ref[i].name);
		cr_expect_eq(json_integer_value(json_object_get(o, "llcs")), ref[i].llcs, "%s", ref[i].name);
		cr_expect_eq(json_integer_value(json_object_get(o, "numa_nodes")), ref[i].numa, "%s",
			     ref[i].name);
		struct vm_topology t;
		cr_assert_eq(scn_topo_parse(json_string_value(json_object_get(o, "shape")), &t, err,
					    sizeof(err)), 0, "%s: shape does not parse: %s", ref[i].name, err);
		cr_expect_eq(scn_topo_cpus(&t), ref[i].cpus);
		cr_expect_eq(json_integer_value(json_object_get(o, "cores_per_llc")), t.cores);
		cr_expect_eq(json_integer_value(json_object_get(o, "threads_per_core")), t.threads);
	}
	json_decref(a);
}
