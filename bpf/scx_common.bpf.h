/* scx_common.bpf.h: the few sched_ext declarations ktstr's BPF schedulers need on top of
 * the generated vmlinux.h: kfunc prototypes (bpftool 7.1 does not emit them), the
 * struct_ops section macros and a printf-style scx_bpf_error(). */
#ifndef KTSTR_SCX_COMMON_BPF_H
#define KTSTR_SCX_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/*
 * kfuncs. Prototypes must match the kernel's BTF (libbpf compares them at load): these
 * are the BPF-facing names, without the implicit `aux` argument that 7.1+ kernels add to
 * the *_impl twins.
 */
#ifndef KTSTR_OWN_CREATE_DSQ /* ktstr_sched_bad_kfunc declares its own, wrong one */
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
#endif
void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym;
void scx_bpf_dsq_insert_vtime(struct task_struct *p, u64 dsq_id, u64 slice, u64 vtime,
			      u64 enq_flags) __ksym;
bool scx_bpf_dsq_move_to_local(u64 dsq_id) __ksym;
s32 scx_bpf_dsq_nr_queued(u64 dsq_id) __ksym;
s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags,
			   bool *is_idle) __ksym;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym;
u32 scx_bpf_nr_cpu_ids(void) __ksym;
void scx_bpf_error_bstr(char *fmt, unsigned long long *data, u32 data__sz) __ksym;

/* One struct_ops callback. libbpf 1.1 knows only "struct_ops/": sleepable callbacks
 * (ops.init) get BPF_F_SLEEPABLE from the loader instead of a "struct_ops.s/" section. */
#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) BPF_PROG(name, ##args)

/*
 * scx_bpf_error(fmt, args...): disable the scheduler with a formatted reason. The kernel
 * formats it like bpf_snprintf: arguments travel as an array of u64.
 */
#define scx_bpf_error(fmt, args...)						\
	({									\
		static char ___fmt[] = fmt;					\
		unsigned long long ___param[___bpf_narg(args)];			\
		_Pragma("GCC diagnostic push")					\
		_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")		\
		___bpf_fill(___param, args);					\
		_Pragma("GCC diagnostic pop")					\
		scx_bpf_error_bstr(___fmt, ___param, sizeof(___param));		\
	})

#define ktstr_min(a, b) ((a) < (b) ? (a) : (b))
#define ktstr_max(a, b) ((a) > (b) ? (a) : (b))

static inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

#endif
