/* ktstr_sched_bad_verifier.bpf.c: a scheduler the BPF verifier must reject. Its dispatch
 * stores through an address read out of a map value: to the verifier that address is a
 * plain number ("scalar"), not a pointer, so the load fails with "invalid mem access". */
#include "scx_common.bpf.h"
#include "ktstr_iface.bpf.h"

char _license[] SEC("license") = "GPL";

/* Pretend "pointer" kept in .bss: the bug this variant exists to show. */
unsigned long long slot_addr;
unsigned int dispatch_count;

void BPF_STRUCT_OPS(ktstr_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, slice_ns, enq_flags);
}

void BPF_STRUCT_OPS(ktstr_dispatch, s32 cpu, struct task_struct *prev)
{
	unsigned int *p = (unsigned int *)slot_addr;

	*p = ++dispatch_count; /* the verifier rejects this store */
}

SEC(".struct_ops")
struct sched_ext_ops ktstr_ops = {
	.enqueue = (void *)ktstr_enqueue,
	.dispatch = (void *)ktstr_dispatch,
	.name = "ktstr_sched",
};
