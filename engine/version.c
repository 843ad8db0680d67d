/* The version facts. VERSION, the commit and libbpf's build version come from
 * build/gen/version_gen.h, which the Makefile rewrites only when one of them changes. */
#include "engine/version.h"

#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>

#include "version_gen.h"
#include "vmm/vm.h"

void version_collect(struct version_info *v)
{
	snprintf(v->version, sizeof(v->version), "%s", KTSTR_VERSION);
	snprintf(v->commit, sizeof(v->commit), "%s", KTSTR_COMMIT);
	/* The schedulers link libbpf.a statically, so the build version is what loads them in
	 * the guest; the host's own copy (BTF reading) is the loaded .so, normally the same. */
	char rt[32];
	snprintf(rt, sizeof(rt), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	size_t n = strlen(rt);
	if (!strncmp(KTSTR_LIBBPF_BUILD, rt, n) && (!KTSTR_LIBBPF_BUILD[n] || KTSTR_LIBBPF_BUILD[n] == '.'))
		snprintf(v->libbpf, sizeof(v->libbpf), "%s", KTSTR_LIBBPF_BUILD);
	else
		snprintf(v->libbpf, sizeof(v->libbpf), "%s (built with %s)", rt, KTSTR_LIBBPF_BUILD);
	vm_qemu_version(v->qemu_path, sizeof(v->qemu_path), v->qemu, sizeof(v->qemu));
}
