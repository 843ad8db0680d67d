/* The other verifier logs a run's log can be compared with: the sibling cells of a sweep
 * directory (a verifier sweep's kernels, a gauntlet's cells) and the runs under the runs
 * root, each with its kernel and the program that failed to load. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "views/model.h"

#define VCAND_MAX 512
#define SCHED_LOG_SCAN (4u << 20)  /* the load log is at the start of a scheduler log */

bool vcand_prog_of_line(const char *line, char *buf, size_t len)
{
	const char *p = strstr(line, "prog '");
	if (!p || !strstr(line, "BEGIN PROG LOAD LOG"))
		return false;
	p += 6;
	const char *q = strchr(p, '\'');
	if (!q)
		return false;
	snprintf(buf, len, "%.*s", (int)(q - p), p);
	return true;
}

void vcand_kernel_of(const char *dir, char *buf, size_t len)
{
	char path[1200];
	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/result.json", dir);
	struct stat st;
	if (stat(path, &st) || st.st_size > (64 << 20))
		return;
	json_t *o = json_load_file(path, 0, NULL);
	json_t *k = json_object_get(o, "kernel");
	json_t *v = json_object_get(k, "version");
	if (!json_is_string(v) || !*json_string_value(v))
		v = json_object_get(k, "key");
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	json_decref(o);
}

static void prog_of_dir(const char *dir, char *buf, size_t len)
{
	char path[1200], line[1024];
	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/sched.log", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && ftell(f) < (long)SCHED_LOG_SCAN)
		if (vcand_prog_of_line(line, buf, len))
			break;
	fclose(f);
}

static bool has_log(const char *dir)
{
	char path[1200];
	struct stat st;
	snprintf(path, sizeof(path), "%s/verifier.log", dir);
	return !stat(path, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void scan_dir(const char *root, const char *cur_dir, bool sibling, struct vcand *v, int *n)
{
	DIR *d = opendir(root);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) && *n < VCAND_MAX) {
		char dir[1024];
		if (de->d_name[0] == '.' ||
		    snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name) >= (int)sizeof(dir))
			continue;
		if (!strcmp(dir, cur_dir) || !has_log(dir))
			continue;
		struct vcand *c = &v[(*n)++];
		memset(c, 0, sizeof(*c));
		snprintf(c->dir, sizeof(c->dir), "%s", dir);
		snprintf(c->id, sizeof(c->id), "%s", de->d_name);
		c->sibling = sibling;
		vcand_kernel_of(dir, c->kernel, sizeof(c->kernel));
		prog_of_dir(dir, c->prog, sizeof(c->prog));
	}
	closedir(d);
}

static const char *want_prog;

static int cmp_cand(const void *a, const void *b)
{
	const struct vcand *x = a, *y = b;
	bool px = *want_prog && !strcmp(x->prog, want_prog), py = *want_prog && !strcmp(y->prog, want_prog);
	if (px != py)
		return px ? -1 : 1;
	if (x->sibling != y->sibling)
		return x->sibling ? -1 : 1;
	return strcmp(y->id, x->id);  /* run ids carry their date: newest first */
}

int vcand_scan(const char *cur_dir, const char *runs_root, const char *prog, struct vcand **out, int *n)
{
	*out = NULL;
	*n = 0;
	struct vcand *v = calloc(VCAND_MAX, sizeof(*v));
	if (!v)
		return -1;
	/* cur_dir = SWEEP/cells/CELL: the other cells of SWEEP. */
	char cells[1024];
	snprintf(cells, sizeof(cells), "%s", cur_dir ? cur_dir : "");
	char *slash = strrchr(cells, '/');
	if (slash && slash - cells >= 6 && !strncmp(slash - 6, "/cells", 6)) {
		*slash = 0;
		scan_dir(cells, cur_dir, true, v, n);
	}
	if (runs_root && *runs_root)
		scan_dir(runs_root, cur_dir ? cur_dir : "", false, v, n);
	want_prog = prog ? prog : "";
	qsort(v, (size_t)*n, sizeof(*v), cmp_cand);
	*out = v;
	return 0;
}
