/* The verifier sweep's pure parts: the lines it reads numbers from (ktstr_sched's
 * `--verifier-stats`, the verifier's "processed" summary, libbpf's program lines), the
 * --profiles spec, kernel labels and cell directory names. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sweep/verifier_sweep.h"

static long after(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	if (!p)
		return -1;
	p += strlen(key);
	if (!isdigit((unsigned char)*p))
		return -1;
	return strtol(p, NULL, 10);
}

int vsweep_parse_stats_line(const char *line, struct vsweep_prog *p)
{
	static const char tag[] = "verifier stats: ";
	const char *s = line ? strstr(line, tag) : NULL;
	if (!s)
		return -EINVAL;
	s += sizeof(tag) - 1;
	size_t n = strcspn(s, " ");
	if (!n || n >= sizeof(p->name) || s[n] != ' ')
		return -EINVAL;
	const char *rest = s + n;
	long processed = after(rest, " processed="), peak = after(rest, " states=");
	const char *slash = strstr(rest, " states=");
	slash = slash ? strchr(slash, '/') : NULL;
	if (processed < 0 || peak < 0 || !slash || !isdigit((unsigned char)slash[1]))
		return -EINVAL;
	memcpy(p->name, s, n);
	p->name[n] = 0;
	p->processed = processed;
	p->states_peak = peak;
	p->states_total = strtol(slash + 1, NULL, 10);
	p->time_us = after(rest, " time=");
	p->stack[0] = 0;
	const char *st = strstr(rest, " stack=");
	if (st)
		sscanf(st + 7, "%31[0-9+]", p->stack);
	return 0;
}

int vsweep_parse_processed_line(const char *line, struct vsweep_prog *p)
{
	if (!line || strncmp(line, "processed ", 10) || !strstr(line, " insns"))
		return -EINVAL;
	long processed = after(line, "processed "), total = after(line, "total_states "),
	     peak = after(line, "peak_states ");
	if (processed < 0)
		return -EINVAL;
	p->processed = processed;
	p->states_total = total;
	p->states_peak = peak;
	return 0;
}

int vsweep_parse_libbpf_prog(const char *line, char *out, size_t len)
{
	const char *s = line ? strstr(line, "libbpf: prog '") : NULL;
	if (!s)
		return -EINVAL;
	s += 14;
	const char *e = strstr(s, "': ");
	if (!e || e == s || (size_t)(e - s) >= len)
		return -EINVAL;
	if (!strstr(e, "BEGIN PROG LOAD LOG") && !strstr(e, "BPF program load failed"))
		return -EINVAL;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = 0;
	return 0;
}

static bool flag_ok(const char *f)
{
	if (!*f || strlen(f) >= 64 || *f == '-')
		return false;
	for (const char *p = f; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Sorts and deduplicates p's flags and names it. */
static void profile_finish(struct vsweep_profile *p)
{
	qsort(p->flags, (size_t)p->nflags, sizeof(p->flags[0]), cmp_str);
	int k = 0;
	for (int i = 0; i < p->nflags; i++)
		if (!k || strcmp(p->flags[k - 1], p->flags[i]))
			memmove(p->flags[k++], p->flags[i], sizeof(p->flags[0]));
	p->nflags = k;
	p->name[0] = 0;
	for (int i = 0; i < k; i++) {
		size_t l = strlen(p->name);
		snprintf(p->name + l, sizeof(p->name) - l, "%s%s", i ? "+" : "", p->flags[i]);
	}
	if (!k)
		snprintf(p->name, sizeof(p->name), "default");
}

static int add_profile(struct vsweep_profile **v, int *n, const struct vsweep_profile *p)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, p->name))
			return 0;
	struct vsweep_profile *nv = realloc(*v, (size_t)(*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *p;
	return 0;
}

int vsweep_parse_profiles(const char *spec, const char *const *flags, int nflags,
			  struct vsweep_profile **out, int *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	int rc = 0;
	if (!strcmp(spec, "all")) {
		if (nflags <= 0 || nflags > VSWEEP_MAX_FLAGS) {
			snprintf(err, errlen, "--profiles all: name the scheduler's flags with --flags "
				 "a,b,... (1 to %d of them; each flag F passes --F)", VSWEEP_MAX_FLAGS);
			return -EINVAL;
		}
		for (int i = 0; i < nflags; i++)
			if (!flag_ok(flags[i])) {
				snprintf(err, errlen, "--flags: '%s' is not a flag name (letters, digits, "
					 "'-' and '_', without the leading --)", flags[i]);
				return -EINVAL;
			}
		for (unsigned m = 0; m < (1u << nflags) && !rc; m++) {
			struct vsweep_profile p = { 0 };
			for (int i = 0; i < nflags; i++)
				if (m & (1u << i))
					snprintf(p.flags[p.nflags++], sizeof(p.flags[0]), "%s", flags[i]);
			profile_finish(&p);
			rc = add_profile(out, n, &p);
		}
		goto out;
	}
	char *copy = strdup(spec), *save = NULL;
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		struct vsweep_profile p = { 0 };
		size_t tl = strlen(tok);
		if (tok[0] == '+' || tok[tl - 1] == '+' || strstr(tok, "++")) {
			snprintf(err, errlen, "--profiles '%s': '%s' has an empty flag name (flags are "
				 "joined with one '+')", spec, tok);
			rc = -EINVAL;
			break;
		}
		if (strcmp(tok, "default")) {
			char *s2 = NULL;
			for (char *f = strtok_r(tok, "+", &s2); f; f = strtok_r(NULL, "+", &s2)) {
				if (!flag_ok(f) || p.nflags == VSWEEP_MAX_FLAGS) {
					snprintf(err, errlen, "--profiles '%s': '%s' is not a flag name (letters, "
						 "digits, '-' and '_', at most %d flags joined with '+'; "
						 "\"default\" for none)", spec, f, VSWEEP_MAX_FLAGS);
					rc = -EINVAL;
					break;
				}
				snprintf(p.flags[p.nflags++], sizeof(p.flags[0]), "%s", f);
			}
		}
		if (!rc) {
			profile_finish(&p);
			rc = add_profile(out, n, &p);
		}
	}
	free(copy);
	if (!rc && !*n) {
		snprintf(err, errlen, "--profiles '%s': no profile named (e.g. default,a,a+b or all)", spec);
		rc = -EINVAL;
	}
out:
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static void safe_copy(const char *s, char *out, size_t len)
{
	size_t i = 0;
	for (; s[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = isalnum(c) || c == '.' || c == '_' || c == '+' || c == '-' ? (char)c : '_';
	}
	out[i] = 0;
}

void vsweep_kernel_label(const char *key, bool is_path, char *out, size_t len)
{
	if (!is_path) {
		safe_copy(key, out, len);
		return;
	}
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", key);
	size_t l = strlen(tmp);
	while (l > 1 && tmp[l - 1] == '/')
		tmp[--l] = 0;
	const char *base = strrchr(tmp, '/');
	base = base ? base + 1 : tmp;
	char b[200];
	safe_copy(base, b, sizeof(b));
	snprintf(out, len, "path_%s", b);
}

void vsweep_cell_dirname(const char *name, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = name; *p && o + 1 < len; p++) {
		if (*p == '/') {
			if (o + 3 > len)
				break;
			out[o++] = '_';
			out[o++] = '_';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = 0;
}
