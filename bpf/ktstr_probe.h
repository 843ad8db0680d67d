/* The probe loader's parts (bpf/ktstr_probe*.c): kernel symbols, the scheduler's struct_ops
 * programs, and the per-task store of recent events. */
#ifndef KTSTR_BPF_PROBE_H
#define KTSTR_BPF_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "guest/probe_wire.h"

struct btf;

/* /proc/kallsyms' text symbols: load copies and indexes the file (0, or -1 when it is
 * unreadable or hides addresses); name gives "func+0xOFF", "0x..." when unknown. */
#define KSYM_NAME_LEN 192
int ksym_load(void);
void ksym_name(unsigned long long addr, char *buf, size_t len);

/* One struct_ops program of the attached scheduler. */
struct ops_prog {
	char member[64];   /* the sched_ext_ops member it implements ("enqueue") */
	char name[128];    /* its full function name (prog BTF), e.g. "ktstr_enqueue" */
	char loc[160];     /* "file:line" of its first line, or "" */
	int fd;            /* a prog fd for bpf_program__set_attach_target */
	bool indirect;     /* BPF_PROG-wrapped: its one argument points at the real ones */
	int nargs;
	char argname[KPROBE_MAX_ARGS][32];
	unsigned int kind[KPROBE_MAX_ARGS]; /* enum kprobe_arg_kind */
};

/* Every struct_ops map's programs, members named from the kernel's BTF (vmlinux).
 * Returns how many (<= max), or -errno; *why says what is missing when 0. */
int ops_find(const struct btf *vmlinux, struct ops_prog *out, int max, char *why, size_t whylen);

/* Recent events per task: each event is kept under its current task and its task
 * arguments, the last STORE_RING of each. */
#define STORE_RING 256
#define STORE_TASKS 512
#define STORE_MAX_RINGS 256 /* ~35 MiB at most; later tasks are not kept */
struct store;
struct store *store_new(void);
void store_free(struct store *s);
void store_add(struct store *s, const struct kprobe_ev *e);
/* The events of the given pids, oldest first, at most max (the newest); returns how many
 * (pointers into the store, valid until the next store_add). */
size_t store_pick(struct store *s, const int *pids, int npids, const struct kprobe_ev **out,
		  size_t max);

#endif
