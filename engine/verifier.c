/* BPF verifier logs: the summary (headline, rejected instruction, source line, stats) and
 * the folding of repeated loop iterations. */
#include "engine/verifier.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool verifier_is_insn(const char *s)
{
	const char *p = s;
	if (!p || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (strncmp(p, ": (", 3))
		return false;
	p += 3;
	if (!isxdigit((unsigned char)*p))
		return false;
	while (isxdigit((unsigned char)*p))
		p++;
	return *p == ')';
}

static bool is_source_comment(const char *s)
{
	return s[0] == ';' && strstr(s, " @ ");
}

/* Lines the verifier prints after its verdict that are bookkeeping, not the complaint. */
static bool is_stat_line(const char *s)
{
	return !strncmp(s, "processed ", 10) || !strncmp(s, "verification time", 17) ||
	       !strncmp(s, "stack depth", 11) || !strncmp(s, "libbpf:", 7) || strstr(s, "END PROG LOAD LOG") ||
	       !strncmp(s, "Error:", 6);
}

static void copy_trim(char *dst, size_t len, const char *src, bool cut_state)
{
	size_t n = strlen(src);
	if (cut_state) {
		/* Register state follows the instruction after a "  ;" separator. */
		const char *semi = strstr(src, " ;");
		if (semi)
			n = (size_t)(semi - src);
	}
	while (n && isspace((unsigned char)src[n - 1]))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static long field_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	if (!p)
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

void verifier_parse(const char *const *lines, size_t n, struct verifier_summary *v)
{
	memset(v, 0, sizeof(*v));
	v->processed = v->states_total = v->states_peak = -1;
	size_t last_insn = n;
	for (size_t i = 0; i < n; i++) {
		const char *s = lines[i];
		if (!v->headline[0] && s[strspn(s, " \t")])
			copy_trim(v->headline, sizeof(v->headline), s + strspn(s, " \t"), false);
		if (verifier_is_insn(s)) {
			last_insn = i;
			v->present = true;
		}
		if (!strncmp(s, "processed ", 10) && strstr(s, " insns")) {
			v->present = true;
			v->processed = strtol(s + 10, NULL, 10);
			v->states_total = field_after(s, "total_states ");
			v->states_peak = field_after(s, "peak_states ");
		}
	}
	if (last_insn == n)
		return;
	copy_trim(v->rejected_insn, sizeof(v->rejected_insn), lines[last_insn], true);
	/* The complaint is the verifier's line right after the instruction it stopped at. */
	for (size_t i = last_insn + 1; i < n; i++) {
		const char *s = lines[i];
		if (!s[strspn(s, " \t")] || is_stat_line(s))
			continue;
		copy_trim(v->rejected, sizeof(v->rejected), s, false);
		break;
	}
	for (size_t i = last_insn + 1; i-- > 0;) {
		if (is_source_comment(lines[i])) {
			copy_trim(v->source, sizeof(v->source), lines[i], false);
			break;
		}
	}
}

void verifier_stats_line(const struct verifier_summary *v, char *buf, size_t len)
{
	/* peak/total, as the Rust ktstr prints it (the seed's 7/7 cannot tell them apart). */
	if (v->processed < 0) {
		snprintf(buf, len, "processed=?  states=?");
		return;
	}
	snprintf(buf, len, "processed=%ld  states=%ld/%ld", v->processed,
		 v->states_peak < 0 ? 0 : v->states_peak, v->states_total < 0 ? 0 : v->states_total);
}

size_t verifier_line_key_len(const char *s)
{
	size_t n = strlen(s);
	const char *p = s;
	if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == ':') {
			if (verifier_is_insn(s)) {
				const char *semi = strstr(s, " ;");
				if (semi)
					n = (size_t)(semi - s);
			} else {
				n = (size_t)(p - s) + 1;
			}
		}
	} else if (!strncmp(s, "from ", 5)) {
		const char *c = strchr(s, ':');
		if (c)
			n = (size_t)(c - s) + 1;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return n;
}

static uint64_t norm_hash(const char *s)
{
	size_t n = verifier_line_key_len(s);
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

#define VC_MIN_PERIOD 2
#define VC_MAX_PERIOD 512
#define VC_PASSES 4

static const char OMIT_FMT[] = "--- %zu identical iterations omitted ---";

static int collapse_pass(char **in, size_t n, char ***out, size_t *nout, bool *changed)
{
	uint64_t *h = malloc((n ? n : 1) * sizeof(*h));
	char **o = malloc((n ? n : 1) * sizeof(*o));
	size_t no = 0;
	if (!h || !o) {
		free(h);
		free(o);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		h[i] = norm_hash(in[i]); /* markers too: outer loops with equal inner folds fold */
	*changed = false;
	size_t i = 0;
	while (i < n) {
		size_t best_p = 0, best_k = 1;
		for (size_t p = VC_MIN_PERIOD; p <= VC_MAX_PERIOD && i + 2 * p <= n; p++) {
			if (h[i] != h[i + p])
				continue;
			/* A loop body holds at least one instruction; plain repeated text is not a loop. */
			bool has_insn = false;
			for (size_t j = 0; j < p && !has_insn; j++)
				has_insn = verifier_is_insn(in[i + j]);
			if (!has_insn)
				continue;
			size_t k = 1;
			while (i + (k + 1) * p <= n) {
				size_t j = 0;
				while (j < p && h[i + j] == h[i + k * p + j])
					j++;
				if (j < p)
					break;
				k++;
			}
			if (k > 1) {
				best_p = p;
				best_k = k;
				break;
			}
		}
		if (!best_p) {
			o[no++] = in[i];
			in[i] = NULL;
			i++;
			continue;
		}
		for (size_t j = 0; j < best_p; j++) {
			o[no++] = in[i + j];
			in[i + j] = NULL;
		}
		/* Output never outgrows input: k >= 2 copies shrink to one copy + one marker. */
		char buf[96];
		snprintf(buf, sizeof(buf), OMIT_FMT, best_k - 1);
		o[no] = strdup(buf);
		if (!o[no]) {
			for (size_t j = 0; j < no; j++)
				free(o[j]);
			free(o);
			free(h);
			return -ENOMEM;
		}
		no++;
		for (size_t j = best_p; j < best_p * best_k; j++) {
			free(in[i + j]);
			in[i + j] = NULL;
		}
		i += best_p * best_k;
		*changed = true;
	}
	free(h);
	*out = o;
	*nout = no;
	return 0;
}

int verifier_collapse(const char *const *lines, size_t n, char ***out, size_t *nout)
{
	char **cur = malloc((n ? n : 1) * sizeof(*cur));
	size_t ncur = n;
	*out = NULL;
	*nout = 0;
	if (!cur)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		cur[i] = strdup(lines[i]);
		if (!cur[i]) {
			verifier_lines_free(cur, i);
			return -ENOMEM;
		}
	}
	/* Several passes: after inner loops fold, an outer loop's bodies become identical. */
	for (int pass = 0; pass < VC_PASSES; pass++) {
		char **next;
		size_t nnext;
		bool changed;
		int rc = collapse_pass(cur, ncur, &next, &nnext, &changed);
		if (rc) {
			verifier_lines_free(cur, ncur);
			return rc;
		}
		free(cur); /* every string moved to next or was freed */
		cur = next;
		ncur = nnext;
		if (!changed)
			break;
	}
	*out = cur;
	*nout = ncur;
	return 0;
}

void verifier_lines_free(char **lines, size_t n)
{
	if (!lines)
		return;
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}
