/* Auto-repro decoders (see decode.h). */
#include "engine/repro/decode.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DSQ_FLAG_BUILTIN ((uint64_t)1 << 63)
#define DSQ_FLAG_LOCAL_ON ((uint64_t)1 << 62)
#define DSQ_LOCAL_CPU_MASK ((uint64_t)0xffffffff)

const struct dec_name dec_dsq_ids[] = {
	{ "SCX_DSQ_FLAG_BUILTIN", "BUILTIN", DSQ_FLAG_BUILTIN },
	{ "SCX_DSQ_FLAG_LOCAL_ON", "LOCAL_ON", DSQ_FLAG_LOCAL_ON },
	{ "SCX_DSQ_INVALID", "SCX_DSQ_INVALID", DSQ_FLAG_BUILTIN | 0 },
	{ "SCX_DSQ_GLOBAL", "SCX_DSQ_GLOBAL", DSQ_FLAG_BUILTIN | 1 },
	{ "SCX_DSQ_LOCAL", "SCX_DSQ_LOCAL", DSQ_FLAG_BUILTIN | 2 },
	{ "SCX_DSQ_BYPASS", "SCX_DSQ_BYPASS", DSQ_FLAG_BUILTIN | 3 },
	{ "SCX_DSQ_LOCAL_ON", "SCX_DSQ_LOCAL_ON", DSQ_FLAG_BUILTIN | DSQ_FLAG_LOCAL_ON },
	{ "SCX_DSQ_LOCAL_CPU_MASK", "LOCAL_CPU_MASK", DSQ_LOCAL_CPU_MASK },
	{ NULL, NULL, 0 },
};

const struct dec_name dec_enq_flags_tab[] = {
	{ "SCX_ENQ_WAKEUP", "WAKEUP", 1ULL << 0 },
	{ "SCX_ENQ_HEAD", "HEAD", 1ULL << 16 },
	{ "SCX_ENQ_CPU_SELECTED", "CPU_SELECTED", 1ULL << 20 },
	{ "SCX_ENQ_PREEMPT", "PREEMPT", 1ULL << 32 },
	{ "SCX_ENQ_IMMED", "IMMED", 1ULL << 33 },
	{ "SCX_ENQ_REENQ", "REENQ", 1ULL << 40 },
	{ "SCX_ENQ_LAST", "LAST", 1ULL << 41 },
	{ "SCX_ENQ_CLEAR_OPSS", "CLEAR_OPSS", 1ULL << 56 },
	{ "SCX_ENQ_DSQ_PRIQ", "DSQ_PRIQ", 1ULL << 57 },
	{ "SCX_ENQ_NESTED", "NESTED", 1ULL << 58 },
	{ "SCX_ENQ_GDSQ_FALLBACK", "GDSQ_FALLBACK", 1ULL << 59 },
	{ NULL, NULL, 0 },
};

const struct dec_name dec_exit_kinds[] = {
	{ "SCX_EXIT_NONE", "NONE", 0 },
	{ "SCX_EXIT_DONE", "DONE", 1 },
	{ "SCX_EXIT_UNREG", "UNREG", 64 },
	{ "SCX_EXIT_UNREG_BPF", "UNREG_BPF", 65 },
	{ "SCX_EXIT_UNREG_KERN", "UNREG_KERN", 66 },
	{ "SCX_EXIT_SYSRQ", "SYSRQ", 67 },
	{ "SCX_EXIT_PARENT", "PARENT", 68 },
	{ "SCX_EXIT_ERROR", "ERROR", 1024 },
	{ "SCX_EXIT_ERROR_BPF", "ERROR_BPF", 1025 },
	{ "SCX_EXIT_ERROR_STALL", "ERROR_STALL", 1026 },
	{ NULL, NULL, 0 },
};

/* Flag bits first (decoded bit by bit), then the values of the state field (bits 8-10) and
 * the reenqueue reason field (bits 12-13), then the cursor bit. */
#define TASK_STATE_MASK 0x700u
#define TASK_REENQ_MASK 0x3000u
#define TASK_CURSOR 0x80000000u
const struct dec_name dec_task_flags_tab[] = {
	{ "SCX_TASK_QUEUED", "QUEUED", 1 },
	{ "SCX_TASK_IN_CUSTODY", "IN_CUSTODY", 2 },
	{ "SCX_TASK_RESET_RUNNABLE_AT", "RESET_RUNNABLE_AT", 4 },
	{ "SCX_TASK_DEQD_FOR_SLEEP", "DEQD_FOR_SLEEP", 8 },
	{ "SCX_TASK_SUB_INIT", "SUB_INIT", 16 },
	{ "SCX_TASK_IMMED", "IMMED", 32 },
	{ "SCX_TASK_STATE_MASK", NULL, TASK_STATE_MASK },
	{ "SCX_TASK_INIT_BEGIN", "INIT_BEGIN", 0x100 },
	{ "SCX_TASK_INIT", "INIT", 0x200 },
	{ "SCX_TASK_READY", "READY", 0x300 },
	{ "SCX_TASK_ENABLED", "ENABLED", 0x400 },
	{ "SCX_TASK_DEAD", "DEAD", 0x500 },
	{ "SCX_TASK_REENQ_REASON_MASK", NULL, TASK_REENQ_MASK },
	{ "SCX_TASK_REENQ_KFUNC", "REENQ_KFUNC", 0x1000 },
	{ "SCX_TASK_REENQ_IMMED", "REENQ_IMMED", 0x2000 },
	{ "SCX_TASK_REENQ_PREEMPTED", "REENQ_PREEMPTED", 0x3000 },
	{ "SCX_TASK_CURSOR", "CURSOR", TASK_CURSOR },
	{ NULL, NULL, 0 },
};

/* Appending writer: truncates silently, keeps buf terminated. */
struct out {
	char *buf;
	size_t len, at;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	if (o->at >= o->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->at, o->len - o->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->at = o->at + (size_t)n < o->len ? o->at + (size_t)n : o->len - 1;
}

static const char *start(struct out *o, char *buf, size_t len)
{
	o->buf = buf;
	o->len = len;
	o->at = 0;
	if (len)
		buf[0] = 0;
	return buf;
}

const char *dec_dsq_id(uint64_t id, char *buf, size_t len)
{
	struct out o;
	start(&o, buf, len);
	if ((id & (DSQ_FLAG_BUILTIN | DSQ_FLAG_LOCAL_ON)) == (DSQ_FLAG_BUILTIN | DSQ_FLAG_LOCAL_ON)) {
		put(&o, "SCX_DSQ_LOCAL_ON|%" PRIu64, id & DSQ_LOCAL_CPU_MASK);
		return buf;
	}
	for (int i = 2; i <= 5; i++) /* INVALID, GLOBAL, LOCAL, BYPASS */
		if (id == dec_dsq_ids[i].value) {
			put(&o, "%s", dec_dsq_ids[i].show);
			return buf;
		}
	if (id & DSQ_FLAG_BUILTIN)
		put(&o, "BUILTIN(%" PRIu64 ")", id & ~DSQ_FLAG_BUILTIN);
	else
		put(&o, "DSQ(0x%" PRIx64 ")", id);
	return buf;
}

const char *dec_cpumask(const uint64_t *words, int nwords, char *buf, size_t len)
{
	struct out o;
	start(&o, buf, len);
	int top = nwords - 1;
	while (top > 0 && !words[top])
		top--;
	put(&o, "0x%" PRIx64, nwords > 0 ? words[top] : 0);
	for (int w = top - 1; w >= 0; w--)
		put(&o, "%016" PRIx64, words[w]);
	put(&o, "(");
	bool first = true;
	int nbits = nwords * 64;
	for (int c = 0; c < nbits; c++) {
		if (!(words[c / 64] >> (c % 64) & 1))
			continue;
		int e = c;
		while (e + 1 < nbits && (words[(e + 1) / 64] >> ((e + 1) % 64) & 1))
			e++;
		if (e == c)
			put(&o, "%s%d", first ? "" : ",", c);
		else
			put(&o, "%s%d-%d", first ? "" : ",", c, e);
		first = false;
		c = e;
	}
	put(&o, ")");
	return buf;
}

const char *dec_enq_flags(uint64_t flags, char *buf, size_t len)
{
	struct out o;
	start(&o, buf, len);
	if (!flags) {
		put(&o, "0");
		return buf;
	}
	uint64_t left = flags;
	for (int i = 0; dec_enq_flags_tab[i].kname; i++)
		if (flags & dec_enq_flags_tab[i].value) {
			put(&o, "%s%s", o.at ? "|" : "", dec_enq_flags_tab[i].show);
			left &= ~dec_enq_flags_tab[i].value;
		}
	if (left)
		put(&o, "%s0x%" PRIx64, o.at ? "|" : "", left);
	return buf;
}

const char *dec_exit_kind(int64_t kind, char *buf, size_t len)
{
	struct out o;
	start(&o, buf, len);
	for (int i = 0; dec_exit_kinds[i].kname; i++)
		if ((uint64_t)kind == dec_exit_kinds[i].value) {
			put(&o, "%s", dec_exit_kinds[i].show);
			return buf;
		}
	put(&o, "%" PRId64, kind);
	return buf;
}

const char *dec_task_flags(uint32_t flags, char *buf, size_t len)
{
	struct out o;
	start(&o, buf, len);
	if (!flags) {
		put(&o, "0");
		return buf;
	}
	uint32_t left = flags;
	for (int i = 0; dec_task_flags_tab[i].kname; i++) {
		const struct dec_name *d = &dec_task_flags_tab[i];
		uint32_t v = (uint32_t)d->value;
		if (!d->show)
			continue;
		bool in_state = v & TASK_STATE_MASK, in_reenq = v & TASK_REENQ_MASK;
		bool hit = in_state	? (flags & TASK_STATE_MASK) == v
			   : in_reenq	? (flags & TASK_REENQ_MASK) == v
					: (flags & v) == v;
		if (hit) {
			put(&o, "%s%s", o.at ? "|" : "", d->show);
			left &= ~v;
		}
	}
	if (left)
		put(&o, "%s0x%" PRIx32, o.at ? "|" : "", left);
	return buf;
}

const char *dec_cpu(uint32_t cpu, char *buf, size_t len)
{
	struct out o;
	start(&o, buf, len);
	put(&o, "%" PRId32, (int32_t)cpu);
	return buf;
}
