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

char *mon_tsv_text(const struct mon_series *s, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "# ktstr monitor v1 ncpus=%d interval_ms=%d\n# status: %s\nt_ms", s->ncpus,
		MON_INTERVAL_MS, s->status);
	for (int c = 0; c < s->ncpus; c++)
		for (int k = 0; k < NCPU_COLS; k++)
			fprintf(f, "\tcpu%d.%s", c, cpu_cols[k]);
	if (s->have_ev)
		for (int e = 0; e < MON_NEV; e++)
			fprintf(f, "\tev.%s", mon_ev_name[e]);
	for (int g = 0; g < s->nglob; g++)
		fprintf(f, "\tg.%s", s->glob_name[g]);
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

static int row(struct mon_series *s, char *line)
{
	struct mon_cpu cpu[MON_MAX_CPUS];
	int64_t ev[MON_NEV] = { 0 }, g[MON_MAX_GLOBALS] = { 0 }, t;
	char *p = line, *end;
	int want = 1 + s->ncpus * NCPU_COLS + (s->have_ev ? MON_NEV : 0) + s->nglob;
	uint64_t v[1 + MON_MAX_CPUS * NCPU_COLS + MON_NEV + MON_MAX_GLOBALS];
	for (int i = 0; i < want; i++) {
		errno = 0;
		v[i] = (uint64_t)strtoll(p, &end, 10);
		if (i && i <= s->ncpus * NCPU_COLS && (i - 1) % NCPU_COLS == 3)
			v[i] = strtoull(p, &end, 10); /* rq clocks: full u64 */
		if (end == p || errno || (*end != (i == want - 1 ? '\n' : '\t') && *end))
			return -1;
		p = end + (*end ? 1 : 0);
	}
	t = (int64_t)v[0];
	for (int c = 0; c < s->ncpus; c++) {
		const uint64_t *x = v + 1 + c * NCPU_COLS;
		cpu[c] = (struct mon_cpu){ (uint32_t)x[0], (uint32_t)x[1], (uint32_t)x[2],
					   (uint32_t)x[4], x[3] };
	}
	int at = 1 + s->ncpus * NCPU_COLS;
	if (s->have_ev)
		for (int e = 0; e < MON_NEV; e++)
			ev[e] = (int64_t)v[at++];
	for (int i = 0; i < s->nglob; i++)
		g[i] = (int64_t)v[at++];
	return mon_series_push(s, t, cpu, s->have_ev ? ev : NULL, g) ? -1 : 0;
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
	while (getline(&line, &cap, f) > 0) {
		ln++;
		if (ln == 1) {
			if (sscanf(line, "# ktstr monitor v1 ncpus=%d", &ncpus) != 1 || ncpus < 1 ||
			    ncpus > MON_MAX_CPUS || !(s = mon_series_new(ncpus))) {
				what = "not a ktstr monitor.tsv (first line)";
				rc = -EINVAL;
				break;
			}
		} else if (ln == 2 && !strncmp(line, "# status: ", 10)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(s->status, sizeof(s->status), "%s", line + 10);
		} else if (!strncmp(line, "t_ms", 4)) {
			if (header(s, line)) {
				what = "header row does not match ncpus and the known columns";
				rc = -EINVAL;
				break;
			}
		} else if (row(s, line)) {
			what = "malformed sample row";
			rc = -EINVAL;
			break;
		}
	}
	free(line);
	fclose(f);
	if (!rc && !s) {
		what = "empty file";
		rc = -EINVAL;
	}
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
