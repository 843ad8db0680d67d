/* The monitor's guest half (guest/gmon.h). */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/gctl.h"
#include "guest/gjson.h"
#include "guest/gmon.h"
#include "guest/gutil.h"
#include "guest/proto.h"

/* kallsyms names, in the order of the message's keys. */
static const struct { const char *sym, *key; } wanted[] = {
	{ "_text", "text" },
	{ "page_offset_base", "page_offset_base" },
	{ "init_top_pgt", "init_top_pgt" },
	{ "__per_cpu_offset", "per_cpu_offset" },
	{ "runqueues", "runqueues" },
	{ "scx_root", "scx_root" },
	{ "map_idr", "map_idr" },
};
#define NWANTED (sizeof(wanted) / sizeof(wanted[0]))

static void put_hex(struct gjson *j, const char *key, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	gjson_str(j, key, buf);
}

/* "  01000000-0225c92f : Kernel code" (nested under System RAM, so indented). */
static uint64_t kernel_code_phys(void)
{
	FILE *f = fopen("/proc/iomem", "re");
	if (!f)
		return 0;
	char line[256];
	uint64_t start = 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ": Kernel code")) {
			start = strtoull(line + strspn(line, " "), NULL, 16);
			break;
		}
	fclose(f);
	return start;
}

static void *ksyms_thread(void *arg)
{
	(void)arg;
	uint64_t addr[NWANTED] = { 0 };
	size_t found = 0;
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	/* Modules' symbols come last and none of ours is in a module: stop when all are. */
	while (f && found < NWANTED && fgets(line, sizeof(line), f)) {
		char *sp1 = strchr(line, ' ');
		char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		if (!sp2)
			continue;
		char *name = sp2 + 1;
		name[strcspn(name, " \t\n")] = 0;
		for (size_t i = 0; i < NWANTED; i++)
			if (!addr[i] && !strcmp(name, wanted[i].sym)) {
				addr[i] = strtoull(line, NULL, 16);
				found++;
			}
	}
	if (f)
		fclose(f);
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_KSYMS, gutil_now_ns());
	put_hex(&j, "text_phys", kernel_code_phys());
	for (size_t i = 0; i < NWANTED; i++)
		put_hex(&j, wanted[i].key, addr[i]);
	gctl_emit(&j);
	return NULL;
}

void gmon_ksyms_start(void)
{
	pthread_t th;
	if (!pthread_create(&th, NULL, ksyms_thread, NULL))
		pthread_detach(th);
}

void gmon_maps(pid_t sched)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)sched);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct gjson j;
	gjson_begin(&j, KTSTR_MSG_MAPS, gutil_now_ns());
	gjson_arr_open(&j, "ids");
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) && n < 64) {
		if (e->d_name[0] == '.')
			continue;
		char path[96], buf[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (gutil_read_file(path, buf, sizeof(buf)) < 0)
			continue;
		char *m = strstr(buf, "map_id:");
		if (!m)
			continue;
		gjson_int(&j, NULL, strtoll(m + 7, NULL, 10));
		n++;
	}
	closedir(d);
	gjson_arr_close(&j);
	gctl_emit(&j);
}
