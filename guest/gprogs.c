/* The scheduler's BPF programs as the kernel holds them, sent once it attached: for each
 * program id in the scheduler process's fdinfo, its name, type and verified_insns from
 * bpf_prog_info (the verifier sweep's per-program count). The init does not link libbpf:
 * raw bpf(2) with the uapi headers. The full name comes from the program's BTF (the
 * info's name is cut at 15 characters). */
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/gbtf.h"
#include "guest/gctl.h"
#include "guest/gjson.h"
#include "guest/gprogs.h"
#include "guest/gutil.h"

#define GPROGS_MAX 64
#define GPROGS_BTF_MAX (16u << 20) /* a scheduler's BTF is KiBs; refuse absurd sizes */

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int prog_fd_by_id(uint32_t id)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	return sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
}

static int obj_info(int fd, void *info, uint32_t len)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = len;
	a.info.info = (uint64_t)(uintptr_t)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

const char *gprogs_type_name(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_STRUCT_OPS: return "struct_ops";
	case BPF_PROG_TYPE_SYSCALL: return "syscall";
	case BPF_PROG_TYPE_TRACING: return "tracing";
	case BPF_PROG_TYPE_KPROBE: return "kprobe";
	case BPF_PROG_TYPE_TRACEPOINT: return "tracepoint";
	case BPF_PROG_TYPE_RAW_TRACEPOINT: return "raw_tracepoint";
	case BPF_PROG_TYPE_PERF_EVENT: return "perf_event";
	default: return "other";
	}
}

/* The program's main function name from its BTF; info->name when there is none. */
static void full_name(int fd, const struct bpf_prog_info *info, char *out, size_t len)
{
	snprintf(out, len, "%.*s", (int)sizeof(info->name), info->name);
	if (!info->btf_id || !info->nr_func_info)
		return;
	struct bpf_func_info fi = { 0 };
	struct bpf_prog_info two;
	memset(&two, 0, sizeof(two));
	two.nr_func_info = 1;
	two.func_info_rec_size = sizeof(fi);
	two.func_info = (uint64_t)(uintptr_t)&fi;
	if (obj_info(fd, &two, sizeof(two)) || !fi.type_id)
		return;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf_id = info->btf_id;
	int bfd = sys_bpf(BPF_BTF_GET_FD_BY_ID, &a);
	if (bfd < 0)
		return;
	struct bpf_btf_info bi;
	memset(&bi, 0, sizeof(bi));
	void *data = NULL;
	if (!obj_info(bfd, &bi, sizeof(bi)) && bi.btf_size && bi.btf_size <= GPROGS_BTF_MAX &&
	    (data = malloc(bi.btf_size))) {
		uint32_t size = bi.btf_size;
		memset(&bi, 0, sizeof(bi));
		bi.btf = (uint64_t)(uintptr_t)data;
		bi.btf_size = size;
		char name[256];
		if (!obj_info(bfd, &bi, sizeof(bi)) &&
		    !gbtf_type_name(data, size, fi.type_id, name, sizeof(name)))
			snprintf(out, len, "%s", name);
	}
	free(data);
	close(bfd);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void gprogs_send(pid_t sched)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)sched);
	DIR *d = opendir(dir);
	if (!d)
		return;
	uint32_t ids[GPROGS_MAX];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < GPROGS_MAX) {
		if (e->d_name[0] == '.')
			continue;
		char path[96], buf[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (gutil_read_file(path, buf, sizeof(buf)) < 0)
			continue;
		char *m = strstr(buf, "prog_id:");
		if (!m)
			continue;
		uint32_t id = (uint32_t)strtoul(m + 8, NULL, 10);
		bool dup = false;
		for (int i = 0; i < n; i++)
			dup |= ids[i] == id;
		if (id && !dup)
			ids[n++] = id;
	}
	closedir(d);
	qsort(ids, (size_t)n, sizeof(ids[0]), cmp_u32); /* load order */
	for (int i = 0; i < n; i++) {
		int fd = prog_fd_by_id(ids[i]);
		if (fd < 0) {
			gctl_log("guest", "bpf(BPF_PROG_GET_FD_BY_ID, %u): %s", ids[i], strerror(errno));
			continue;
		}
		struct bpf_prog_info info;
		memset(&info, 0, sizeof(info));
		if (obj_info(fd, &info, sizeof(info))) {
			gctl_log("guest", "bpf(BPF_OBJ_GET_INFO_BY_FD, prog %u): %s", ids[i], strerror(errno));
			close(fd);
			continue;
		}
		char name[256];
		full_name(fd, &info, name, sizeof(name));
		close(fd);
		struct gjson j;
		gjson_begin(&j, KTSTR_MSG_PROG, gutil_now_ns());
		gjson_int(&j, "id", ids[i]);
		gjson_str(&j, "name", name);
		gjson_str(&j, "type", gprogs_type_name(info.type));
		gjson_int(&j, "verified_insns", info.verified_insns);
		gctl_emit(&j);
	}
}
