/* Auto-repro decoders: raw probe values to the text the `--- auto-repro ---` report and the
 * Repro pane show. Values are the 7.2 kernel's (include/linux/sched/ext.h and
 * kernel/sched/ext_internal.h); every table entry carries its kernel enumerator name so the
 * unit test checks it against the test kernel's BTF (enum scx_dsq_id_flags, scx_enq_flags,
 * scx_exit_kind, scx_ent_flags). Each decoder writes into buf (always terminated, truncated
 * to len) and returns buf, so calls nest in a printf. Pure: no I/O. */
#ifndef KTSTR_REPRO_DECODE_H
#define KTSTR_REPRO_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct dec_name {
	const char *kname; /* the kernel's enumerator, e.g. "SCX_ENQ_WAKEUP" */
	const char *show; /* what the decoder prints, e.g. "WAKEUP" */
	uint64_t value;
};

/* The tables, each ended by a NULL kname, and the BTF enum each comes from. */
extern const struct dec_name dec_dsq_ids[]; /* enum scx_dsq_id_flags */
extern const struct dec_name dec_enq_flags_tab[]; /* enum scx_enq_flags */
extern const struct dec_name dec_exit_kinds[]; /* enum scx_exit_kind */
extern const struct dec_name dec_task_flags_tab[]; /* enum scx_ent_flags */

/* SCX_DSQ_INVALID, SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, SCX_DSQ_BYPASS, SCX_DSQ_LOCAL_ON|<cpu>,
 * BUILTIN(<low bits>) for another built-in id, DSQ(0x<id>) for a user DSQ. */
const char *dec_dsq_id(uint64_t id, char *buf, size_t len);
/* A cpumask as bitmap words (word 0 holds CPUs 0-63): `0xf(0-3)`, `0x5(0,2)`, `0x0()`. */
const char *dec_cpumask(const uint64_t *words, int nwords, char *buf, size_t len);
/* enq_flags: `WAKEUP|HEAD|PREEMPT`, unknown bits as a trailing `0x..`, zero as `0`. */
const char *dec_enq_flags(uint64_t flags, char *buf, size_t len);
/* exit_kind: `ERROR_BPF`, `ERROR_STALL`, ...; an unknown value as its decimal number. */
const char *dec_exit_kind(int64_t kind, char *buf, size_t len);
/* p->scx.flags: the flag bits, then the task state and the reenqueue reason fields:
 * `QUEUED|ENABLED`, zero as `0`, unknown bits as `0x..`. */
const char *dec_task_flags(uint32_t flags, char *buf, size_t len);
/* sticky_cpu and other int CPU fields read as u32: 0xffffffff is `-1`. */
const char *dec_cpu(uint32_t cpu, char *buf, size_t len);

#endif
