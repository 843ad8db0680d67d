/* ktstr_sched_bad_kfunc.bpf.c: a scheduler libbpf refuses before the verifier sees it.
 * It declares scx_bpf_create_dsq with an extra trailing argument (the shape of the
 * kernel-internal *_impl twin), so the prototype does not match the kernel's BTF. */
#define KTSTR_OWN_CREATE_DSQ
#include "scx_common.bpf.h"
#include "ktstr_iface.bpf.h"

char _license[] SEC("license") = "GPL";

/* Wrong on purpose: the kernel's BPF-facing prototype is (u64 dsq_id, s32 node). */
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node, const struct bpf_prog_aux *aux) __ksym;

void BPF_STRUCT_OPS(ktstr_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, 0, slice_ns, enq_flags);
}

void BPF_STRUCT_OPS(ktstr_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(0);
}

s32 BPF_STRUCT_OPS(ktstr_init)
{
	return scx_bpf_create_dsq(0, -1, NULL);
}

SEC(".struct_ops")
struct sched_ext_ops ktstr_ops = {
	.enqueue = (void *)ktstr_enqueue,
	.dispatch = (void *)ktstr_dispatch,
	.init = (void *)ktstr_init,
	.name = "ktstr_sched",
};
