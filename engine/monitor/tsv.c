/* monitor.tsv (engine/monitor/tsv.h). Layout: "# ktstr monitor v1 ncpus=N interval_ms=100",
 * "# status: ...", a header row (t_ms, cpuC.nr_running .scx_nr_running .dsq_depth .clock
 * .flags per CPU, ev.<name> x13 when the kernel has the counters, g.<name> per followed
 * global), then one row per sample. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/monitor/tsv.h"

static const char *const cpu_cols[] = { "nr_running", "scx_nr_running", "dsq_depth", "clock",
					"flags" };
#define NCPU_COLS 5

/* Global names come from the guest's BTF: a tab or newline in one would shift every
 * column after it. */
static void put_field(FILE *f, const char *v)
{
	for (; *v; v++)
		fputc(*v == '\t' || *v == '\n' || *v == '\r' ? ' ' : *v, f);
}

char *mon_tsv_text(const struct mon_series *s, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "# ktstr monitor v1 ncpus=%d interval_ms=%d\n# status: ", s->ncpus,
		MON_INTERVAL_MS);
	put_field(f, s->status);
	fputs("\nt_ms", f);
	for (int c = 0; c < s->ncpus; c++)
		for (int k = 0; k < NCPU_COLS; k++)
			fprintf(f, "\tcpu%d.%s", c, cpu_cols[k]);
	if (s->have_ev)
		for (int e = 0; e < MON_NEV; e++)
			fprintf(f, "\tev.%s", mon_ev_name[e]);
	for (int g = 0; g < s->nglob; g++) {
		fputs("\tg.", f);
		put_field(f, s->glob_name[g]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < mon_series_len(s); i++) {
		const struct mon_cpu *c = mon_cpu_at(s, i);
		fprintf(f, "%" PRId64, mon_t(s, i));
		for (int k = 0; k < s->ncpus; k++)
			fprintf(f, "\t%u\t%u\t%u\t%" PRIu64 "\t%u", c[k].nr_running, c[k].scx_nr_running,
				c[k].dsq_depth, c[k].clock, c[k].flags);
		if (s->have_ev)
			for (int e = 0; e < MON_NEV; e++)
				fprintf(f, "\t%" PRId64, mon_ev_at(s, i)[e]);
		for (int g = 0; g < s->nglob; g++)
			fprintf(f, "\t%" PRId64, mon_glob_at(s, i)[g]);
		fputc('\n', f);
	}
	fclose(f);
	*lenp = len;
	return buf;
}

/* Parses the header row's columns against ncpus; sets have_ev and the globals. */
static int header(struct mon_series *s, char *line)
{
	int col = 0, cpu_cols_seen = 0, ev = 0;
	for (char *save = NULL, *t = strtok_r(line, "\t\n", &save); t;
	     t = strtok_r(NULL, "\t\n", &save), col++) {
		if (col == 0) {
			if (strcmp(t, "t_ms"))
				return -1;
		} else if (!strncmp(t, "cpu", 3)) {
			int c = cpu_cols_seen / NCPU_COLS, k = cpu_cols_seen % NCPU_COLS;
			char want[48];
			snprintf(want, sizeof(want), "cpu%d.%s", c, cpu_cols[k]);
			if (strcmp(t, want) || ev || s->nglob)
				return -1;
			cpu_cols_seen++;
		} else if (!strncmp(t, "ev.", 3)) {
			if (ev >= MON_NEV || strcmp(t + 3, mon_ev_name[ev]) || s->nglob)
				return -1;
			ev++;
		} else if (!strncmp(t, "g.", 2) && s->nglob < MON_MAX_GLOBALS) {
			snprintf(s->glob_name[s->nglob++], sizeof(s->glob_name[0]), "%s", t + 2);
		} else {
			return -1;
		}
	}
	if (cpu_cols_seen != s->ncpus * NCPU_COLS || (ev && ev != MON_NEV))
		return -1;
	s->have_ev = ev == MON_NEV;
	return 0;
}

/* One number ending at a tab (or the line's end for the last): signed for t_ms, the
 * counters and globals, unsigned up to max for the per-CPU fields. */
static int field(char **p, bool last, bool is_signed, uint64_t max, uint64_t *v)
{
	char *end;
	errno = 0;
	if (is_signed) {
		*v = (uint64_t)strtoll(*p, &end, 10);
	} else {
		if (**p == '-' || **p == '+')
			return -1;
		*v = strtoull(*p, &end, 10);
		if (*v > max)
			return -1;
	}
	if (end == *p || errno)
		return -1;
	if (last ? *end && strcmp(end, "\n") : *end != '\t')
		return -1;
	*p = end + (last ? 0 : 1);
	return 0;
}

static int row(struct mon_series *s, char *line)
{
	struct mon_cpu cpu[MON_MAX_CPUS];
	int64_t ev[MON_NEV] = { 0 }, g[MON_MAX_GLOBALS] = { 0 };
	int ncol = s->ncpus * NCPU_COLS, want = 1 + ncol + (s->have_ev ? MON_NEV : 0) + s->nglob;
	uint64_t v[1 + MON_MAX_CPUS * NCPU_COLS + MON_NEV + MON_MAX_GLOBALS];
	char *p = line;
	for (int i = 0; i < want; i++) {
		bool per_cpu = i >= 1 && i <= ncol;
		bool clock = per_cpu && (i - 1) % NCPU_COLS == 3;  /* rq clocks: full u64 */
		if (field(&p, i == want - 1, !per_cpu, clock ? UINT64_MAX : UINT32_MAX, &v[i]))
			return -1;
	}
	for (int c = 0; c < s->ncpus; c++) {
		const uint64_t *x = v + 1 + c * NCPU_COLS;
		cpu[c] = (struct mon_cpu){ (uint32_t)x[0], (uint32_t)x[1], (uint32_t)x[2],
					   (uint32_t)x[4], x[3] };
	}
	int at = 1 + ncol;
	if (s->have_ev)
		for (int e = 0; e < MON_NEV; e++)
			ev[e] = (int64_t)v[at++];
	for (int i = 0; i < s->nglob; i++)
		g[i] = (int64_t)v[at++];
	return mon_series_push(s, (int64_t)v[0], cpu, s->have_ev ? ev : NULL, g) ? -1 : 0;
}

int mon_tsv_load(const char *path, struct mon_series **out, char *err, size_t errlen)
{
	*out = NULL;
	err[0] = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENOENT : (snprintf(err, errlen, "cannot read %s: %s", path,
							     strerror(errno)), -EIO);
	char *line = NULL;
	size_t cap = 0;
	int ln = 0, ncpus = 0, rc = 0;
	struct mon_series *s = NULL;
	const char *what = "";
	bool have_header = false;
	while (getline(&line, &cap, f) > 0) {
		ln++;
		if (ln == 1) {
			if (sscanf(line, "# ktstr monitor v1 ncpus=%d", &ncpus) != 1 || ncpus < 1 ||
			    ncpus > MON_MAX_CPUS || !(s = mon_series_new(ncpus))) {
				what = "not a ktstr monitor.tsv (first line)";
				break;
			}
		} else if (ln == 2 && !strncmp(line, "# status: ", 10)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(s->status, sizeof(s->status), "%s", line + 10);
		} else if (!have_header) {
			if (strncmp(line, "t_ms\t", 5) || header(s, line)) {
				what = "header row does not match ncpus and the known columns";
				break;
			}
			have_header = true;
		} else if (row(s, line)) {
			what = "malformed sample row";
			break;
		}
	}
	if (!what[0] && !have_header)
		what = s ? "no header row" : "empty file";
	rc = what[0] ? -EINVAL : 0;
	free(line);
	fclose(f);
	if (rc) {
		snprintf(err, errlen, "%s:%d: %s; the run directory is damaged: remove %s to open the "
			 "run without its monitor data", path, ln, what, path);
		mon_series_free(s);
		return rc;
	}
	if (mon_series_len(s))
		s->last_ok_ms = mon_t(s, mon_series_len(s) - 1);
	*out = s;
	return 0;
}
