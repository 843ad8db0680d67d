/* Host CPU reservation for a run: the host's CPU/LLC/node layout from sysfs, the candidate
 * plans (a contiguous CPU window under LOCK_SH on its LLCs, or whole LLCs under LOCK_EX in
 * performance mode), taking them with the flock code of engine/kernel/lock.c, and the
 * ktstr-llc-/ktstr-cpu- rows of `ktstr locks`. */
#include "engine/hostcpus.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "engine/fsutil.h"

#define SYSFS_CPU "/sys/devices/system/cpu"
#define POLL_MS 100

/* ---- layout ---------------------------------------------------------------------- */

static int read_int_file(const char *path, int *v)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	char *end;
	long x = strtol(buf, &end, 10);
	if (end == buf || x < 0 || x > INT_MAX)
		return -EINVAL;
	*v = (int)x;
	return 0;
}

/* The CPU's LLC as a key: the first CPU of its highest-level cache's shared_cpu_list, or
 * -1 when sysfs has no cache information. */
static int llc_key(const char *base, int cpu)
{
	char p[PATH_MAX];
	int best_level = -1, key = -1;
	for (int i = 0; i < 16; i++) {
		int level, first;
		snprintf(p, sizeof(p), "%s/cpu%d/cache/index%d/level", base, cpu, i);
		if (read_int_file(p, &level))
			continue;
		snprintf(p, sizeof(p), "%s/cpu%d/cache/index%d/shared_cpu_list", base, cpu, i);
		if (read_int_file(p, &first)) /* "4-7,12" reads as 4 */
			continue;
		if (level > best_level) {
			best_level = level;
			key = first;
		}
	}
	return key;
}

static int cpu_node(const char *base, int cpu)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/cpu%d", base, cpu);
	DIR *d = opendir(p);
	if (!d)
		return 0;
	int node = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		if (strncmp(de->d_name, "node", 4) || !de->d_name[4])
			continue;
		long v = strtol(de->d_name + 4, &end, 10);
		if (!*end && v >= 0 && v < INT_MAX) {
			node = (int)v;
			break;
		}
	}
	closedir(d);
	return node;
}

int hostcpus_layout_read(const char *sysfs_cpu, const cpu_set_t *allowed,
			 struct hostcpus_layout *l, char *err, size_t errlen)
{
	const char *base = sysfs_cpu ? sysfs_cpu : SYSFS_CPU;
	cpu_set_t self;
	if (!allowed) {
		if (sched_getaffinity(0, sizeof(self), &self)) {
			int e = errno;
			snprintf(err, errlen, "cannot read this process's CPU affinity: %s", strerror(e));
			return -e;
		}
		allowed = &self;
	}
	memset(l, 0, sizeof(*l));
	/* LLC keys in order of their first CPU give the ordinals. */
	int keys[HOSTCPUS_MAX], key_of[HOSTCPUS_MAX];
	int nkeys = 0, online = 0;
	for (int c = 0; c < HOSTCPUS_MAX; c++) {
		char p[PATH_MAX];
		struct stat st;
		key_of[c] = -1;
		snprintf(p, sizeof(p), "%s/cpu%d", base, c);
		if (stat(p, &st))
			continue;
		online++;
		int node = cpu_node(base, c), k = llc_key(base, c);
		int key = k >= 0 ? k : -1 - node; /* no cache info: one LLC per node */
		int ord = -1;
		for (int i = 0; i < nkeys && ord < 0; i++)
			if (keys[i] == key)
				ord = i;
		if (ord < 0) {
			ord = nkeys;
			keys[nkeys++] = key;
			l->llc_node[ord] = node;
		}
		key_of[c] = ord;
	}
	l->nllc = nkeys;
	for (int ord = 0; ord < nkeys; ord++)
		for (int c = 0; c < HOSTCPUS_MAX; c++)
			if (key_of[c] == ord && CPU_ISSET(c, allowed)) {
				l->cpu[l->n] = c;
				l->llc[l->n++] = ord;
			}
	if (!l->n) {
		snprintf(err, errlen, "no usable host CPU: %s lists %d CPUs and none is in this "
			 "process's affinity mask", base, online);
		return -ENODEV;
	}
	return 0;
}

/* ---- plans ------------------------------------------------------------------------- */

static int cmp_plans(const void *a, const void *b)
{
	const struct hostcpus_plan *x = a, *y = b;
	if (x->nllc != y->nllc)
		return x->nllc - y->nllc;
	return y->first - x->first; /* highest CPUs first */
}

static int want_cpus(const struct hostcpus_layout *l, const struct hostcpus_req *req)
{
	int k = req->threads < 1 ? 1 : req->threads;
	return k > l->n ? l->n : k;
}

int hostcpus_plans(const struct hostcpus_layout *l, const struct hostcpus_req *req,
		   struct hostcpus_plan *out, int max)
{
	int k = want_cpus(l, req), np = 0;
	if (!req->perf) {
		for (int f = 0; f + k <= l->n && np < max; f++)
			out[np++] = (struct hostcpus_plan){ .first = f, .n = k, .llc_first = l->llc[f],
				.nllc = l->llc[f + k - 1] - l->llc[f] + 1 };
	} else {
		int m0 = req->virt_llcs < 1 ? 1 : req->virt_llcs;
		if (m0 > l->nllc)
			m0 = l->nllc;
		/* Consecutive LLC ordinals from lf, as few as cover k CPUs (and m0 LLCs). */
		for (int lf = 0; lf < l->nllc && np < max; lf++) {
			int first = -1, n = 0, m = 0;
			for (int i = 0; i < l->n; i++)
				if (l->llc[i] >= lf && first < 0)
					first = i;
			if (first < 0 || l->llc[first] != lf)
				continue; /* no allowed CPU in LLC lf: start elsewhere */
			for (int i = first; i < l->n; i++) {
				if (l->llc[i] - lf + 1 > m) {
					if (n >= k && m >= m0)
						break;
					m = l->llc[i] - lf + 1;
				}
				n++;
			}
			if (n >= k && m >= m0)
				out[np++] = (struct hostcpus_plan){ .first = first, .n = n, .llc_first = lf,
					.nllc = m };
		}
	}
	qsort(out, (size_t)np, sizeof(*out), cmp_plans);
	return np;
}

/* ---- reservation ------------------------------------------------------------------- */

struct hostcpus_resv {
	cpu_set_t set;
	int nlocks;
	struct ktstr_lock *locks;
	char desc[256];
};

const char *hostcpus_lock_dir(void)
{
	const char *d = getenv("KTSTR_LOCK_DIR");
	return d && *d ? d : HOSTCPUS_DEFAULT_LOCK_DIR;
}

bool hostcpus_bypassed(void)
{
	const char *v = getenv("KTSTR_BYPASS_LLC_LOCKS");
	return v && *v && strcmp(v, "0");
}

static void lockfile(char *buf, size_t len, const char *dir, const char *kind, int n)
{
	snprintf(buf, len, "%s/ktstr-%s-%d.lock", dir, kind, n);
}

/* "0-3,6" from layout CPUs (ascending within a plan). */
static void cpu_list(const int *cpus, int n, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++) {
		int j = i;
		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		int w = j > i ? snprintf(buf + o, len - o, "%s%d-%d", o ? "," : "", cpus[i], cpus[j])
			      : snprintf(buf + o, len - o, "%s%d", o ? "," : "", cpus[i]);
		o += w > 0 ? (size_t)w : 0;
		i = j;
	}
}

/* One round's memory of what was busy, so each lockfile is tried once per round. */
struct round {
	unsigned char cpu_busy[HOSTCPUS_MAX], llc_busy[HOSTCPUS_MAX];
	char first_busy[PATH_MAX];
	int first_mode;
};

static void drop(struct hostcpus_resv *r)
{
	for (int i = 0; i < r->nlocks; i++)
		lock_release(&r->locks[i]);
	r->nlocks = 0;
}

/* 0 taken, 1 busy (nothing kept), -errno with err. */
static int take(const char *dir, int kind_llc, int num, int mode, struct round *rd,
		struct hostcpus_resv *r, char *err, size_t errlen)
{
	unsigned char *busy = kind_llc ? &rd->llc_busy[num] : &rd->cpu_busy[num];
	char path[PATH_MAX], e[2048];
	if (*busy)
		return 1;
	lockfile(path, sizeof(path), dir, kind_llc ? "llc" : "cpu", num);
	int rc = lock_acquire_ex(path, mode, 0, path, NULL, &r->locks[r->nlocks], e, sizeof(e));
	if (!rc) {
		r->nlocks++;
		return 0;
	}
	if (rc == -ETIMEDOUT) {
		*busy = 1;
		if (!rd->first_busy[0]) {
			snprintf(rd->first_busy, sizeof(rd->first_busy), "%s", path);
			rd->first_mode = mode;
		}
		return 1;
	}
	snprintf(err, errlen, "%s", e);
	return rc;
}

static int try_plan(const struct hostcpus_layout *l, const char *dir, const struct hostcpus_plan *p,
		    bool perf, struct round *rd, struct hostcpus_resv *r, char *err, size_t errlen)
{
	int rc = 0, last_llc = -1;
	for (int i = p->first; i < p->first + p->n && !rc; i++) {
		if (l->llc[i] != last_llc)
			rc = take(dir, 1, l->llc[i], perf ? LOCK_EX : LOCK_SH, rd, r, err, errlen);
		last_llc = l->llc[i];
	}
	for (int i = p->first; i < p->first + p->n && !rc && !perf; i++)
		rc = take(dir, 0, l->cpu[i], LOCK_EX, rd, r, err, errlen);
	if (rc)
		drop(r);
	return rc;
}

/* Every holder of a lockfile found busy in the last round, each pid once. */
static int busy_holders(const struct hostcpus_layout *l, const char *dir, const struct round *rd,
			struct lock_holder *h, int max)
{
	int n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < (pass ? l->n : l->nllc); i++) {
			int num = pass ? l->cpu[i] : i;
			if (!(pass ? rd->cpu_busy[num] : rd->llc_busy[num]))
				continue;
			char path[PATH_MAX];
			struct stat st;
			struct lock_holder one[LOCK_MAX_HOLDERS];
			lockfile(path, sizeof(path), dir, pass ? "cpu" : "llc", num);
			int k = stat(path, &st) ? 0 : lock_holders(st.st_dev, st.st_ino, one, LOCK_MAX_HOLDERS);
			for (int j = 0; j < k && n < max; j++) {
				bool dup = false;
				for (int x = 0; x < n; x++)
					dup |= h[x].pid == one[j].pid;
				if (!dup)
					h[n++] = one[j];
			}
		}
	return n;
}

static const char *timeout_tail = "Check for peers holding CPU locks (`ktstr locks`): wait for "
	"them to finish or kill them (kill <pid> from the holder list), raise "
	"KTSTR_LOCK_TIMEOUT_SECS, or set KTSTR_BYPASS_LLC_LOCKS=1 to run without reserving CPUs.";

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void describe(const struct hostcpus_layout *l, const struct hostcpus_plan *p, bool perf,
		     char *buf, size_t len)
{
	char cl[200];
	cpu_list(&l->cpu[p->first], p->n, cl, sizeof(cl));
	char ll[32];
	if (p->nllc > 1)
		snprintf(ll, sizeof(ll), "LLCs %d-%d", p->llc_first, p->llc_first + p->nllc - 1);
	else
		snprintf(ll, sizeof(ll), "LLC %d", p->llc_first);
	snprintf(buf, len, "host CPU%s %s (%s %s)", p->n == 1 ? "" : "s", cl, ll,
		 perf ? "exclusive" : "shared");
}

int hostcpus_reserve(const struct hostcpus_layout *l, const char *lock_dir,
		     const struct hostcpus_req *req, struct hostcpus_resv **out, char *err,
		     size_t errlen)
{
	*out = NULL;
	int rc = fs_mkdir_p(lock_dir, 01777);
	if (rc) {
		snprintf(err, errlen, "cannot create the CPU lock directory %s: %s (set KTSTR_LOCK_DIR "
			 "to a writable local directory)", lock_dir, strerror(-rc));
		return rc;
	}
	struct statfs sf;
	char probe[PATH_MAX];
	lockfile(probe, sizeof(probe), lock_dir, "cpu", l->cpu[0]);
	if (!statfs(lock_dir, &sf) && (rc = lock_fs_check(probe, (unsigned long)sf.f_type, err, errlen)))
		return rc;

	int maxp = l->n + l->nllc;
	struct hostcpus_plan *plans = calloc((size_t)maxp, sizeof(*plans));
	struct hostcpus_resv *r = calloc(1, sizeof(*r));
	struct round *rd = malloc(sizeof(*rd));
	if (r)
		r->locks = calloc((size_t)maxp, sizeof(*r->locks));
	if (!plans || !r || !rd || !r->locks) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory reserving host CPUs");
		goto out;
	}
	int np = hostcpus_plans(l, req, plans, maxp);
	if (!np) {
		rc = -ENODEV;
		snprintf(err, errlen, "no way to place %s on this host's %d CPUs in %d LLCs",
			 req->who ? req->who : "the VM", l->n, l->nllc);
		goto out;
	}
	int timeout = req->timeout_ms < 0 ? lock_timeout_ms() : req->timeout_ms;
	long long deadline = now_ms() + timeout;
	for (;;) {
		memset(rd, 0, sizeof(*rd));
		for (int i = 0; i < np; i++) {
			rc = try_plan(l, lock_dir, &plans[i], req->perf, rd, r, err, errlen);
			if (rc <= 0) {
				if (!rc) {
					CPU_ZERO(&r->set);
					for (int j = plans[i].first; j < plans[i].first + plans[i].n; j++)
						CPU_SET(l->cpu[j], &r->set);
					describe(l, &plans[i], req->perf, r->desc, sizeof(r->desc));
					*out = r;
					r = NULL;
				}
				goto out;
			}
		}
		if (req->cancel && *req->cancel) {
			rc = -ECANCELED;
			snprintf(err, errlen, "stopped while waiting for free host CPUs");
			goto out;
		}
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		sleep_ms(left < POLL_MS ? (int)left : POLL_MS);
	}
	struct lock_holder h[LOCK_MAX_HOLDERS];
	int nh = busy_holders(l, lock_dir, rd, h, LOCK_MAX_HOLDERS);
	int all[HOSTCPUS_MAX];
	for (int i = 0; i < l->n; i++)
		all[i] = l->cpu[i];
	char cl[200], purpose[400];
	cpu_list(all, l->n, cl, sizeof(cl));
	int k = want_cpus(l, req);
	if (req->perf)
		snprintf(purpose, sizeof(purpose), "host LLCs for %s (performance mode: whole LLCs "
			 "covering %d CPU%s of %s)", req->who ? req->who : "a VM", k, k == 1 ? "" : "s", cl);
	else
		snprintf(purpose, sizeof(purpose), "host CPUs for %s (%d CPU%s of %s)",
			 req->who ? req->who : "a VM", k, k == 1 ? "" : "s", cl);
	lock_format_timeout(err, errlen, rd->first_mode ? rd->first_mode : LOCK_EX, purpose, timeout,
			    rd->first_busy, h, nh, timeout_tail);
	rc = -ETIMEDOUT;
out:
	free(plans);
	free(rd);
	if (r) {
		free(r->locks);
		free(r);
	}
	return rc;
}

int hostcpus_reserve_vm(int vcpus, bool tcg, bool perf, int virt_llcs, const char *who,
			volatile int *cancel, struct hostcpus_resv **out, char *note, size_t notelen,
			char *err, size_t errlen)
{
	*out = NULL;
	if (notelen)
		note[0] = '\0';
	if (hostcpus_bypassed()) {
		snprintf(note, notelen, "ktstr: KTSTR_BYPASS_LLC_LOCKS is set: no host CPUs reserved, "
			 "QEMU is not pinned and may share CPUs with concurrent runs");
		return 0;
	}
	struct hostcpus_layout *l = malloc(sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory reading the host CPU layout");
		return -ENOMEM;
	}
	int rc = hostcpus_layout_read(NULL, NULL, l, err, errlen);
	if (!rc) {
		struct hostcpus_req req = { .threads = tcg ? 1 : vcpus, .perf = perf,
			.virt_llcs = virt_llcs, .timeout_ms = -1, .who = who, .cancel = cancel };
		rc = hostcpus_reserve(l, hostcpus_lock_dir(), &req, out, err, errlen);
	}
	free(l);
	return rc;
}

const cpu_set_t *hostcpus_set(const struct hostcpus_resv *r)
{
	return &r->set;
}

void hostcpus_describe(const struct hostcpus_resv *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s", r->desc);
}

void hostcpus_release(struct hostcpus_resv **rp)
{
	if (!rp || !*rp)
		return;
	drop(*rp);
	free((*rp)->locks);
	free(*rp);
	*rp = NULL;
}

/* ---- `ktstr locks` --------------------------------------------------------------- */

static int cmp_num_rows(const void *a, const void *b)
{
	const struct lock_row *x = a, *y = b;
	int k = strcmp(x->kind, y->kind);
	return k ? -k : atoi(x->key) - atoi(y->key); /* "llc" before "cpu" */
}

int hostcpus_scan(const char *lock_dir, bool include_idle, struct lock_row **rows, int *n,
		  char *err, size_t errlen)
{
	DIR *d = opendir(lock_dir);
	if (!d)
		return 0; /* nothing was ever reserved here */
	struct hostcpus_layout *l = malloc(sizeof(*l));
	char e2[256];
	if (l && hostcpus_layout_read(NULL, NULL, l, e2, sizeof(e2)))
		l->nllc = 0; /* nodes unknown: shown as 0 */
	int start = *n, cap = *n, rc = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *kind = NULL, *num = NULL;
		if (!strncmp(de->d_name, "ktstr-llc-", 10))
			kind = "llc", num = de->d_name + 10;
		else if (!strncmp(de->d_name, "ktstr-cpu-", 10))
			kind = "cpu", num = de->d_name + 10;
		char *end;
		long v = num ? strtol(num, &end, 10) : -1;
		if (!kind || end == num || strcmp(end, ".lock") || v < 0 || v >= HOSTCPUS_MAX)
			continue;
		char p[PATH_MAX];
		struct stat st;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", lock_dir, de->d_name) >= sizeof(p) ||
		    stat(p, &st) || !S_ISREG(st.st_mode))
			continue;
		struct lock_holder h[LOCK_MAX_HOLDERS];
		int nh = lock_holders(st.st_dev, st.st_ino, h, LOCK_MAX_HOLDERS);
		if (nh < 0) {
			snprintf(err, errlen, "cannot read /proc/locks: %s", strerror(-nh));
			rc = nh;
			break;
		}
		if (!nh && !include_idle)
			continue;
		if (*n >= cap) {
			cap = cap ? cap * 2 : 8;
			struct lock_row *nv = realloc(*rows, (size_t)cap * sizeof(**rows));
			if (!nv) {
				snprintf(err, errlen, "out of memory listing %s", lock_dir);
				rc = -ENOMEM;
				break;
			}
			*rows = nv;
		}
		struct lock_row *r = &(*rows)[(*n)++];
		memset(r, 0, sizeof(*r));
		snprintf(r->lockfile, sizeof(r->lockfile), "%s", p);
		snprintf(r->kind, sizeof(r->kind), "%s", kind);
		snprintf(r->key, sizeof(r->key), "%ld", v);
		r->node = l && *kind == 'l' && v < l->nllc ? l->llc_node[v] : -1;
		r->nholders = nh;
		memcpy(r->holders, h, (size_t)nh * sizeof(h[0]));
	}
	closedir(d);
	free(l);
	if (!rc && *n - start > 1)
		qsort(*rows + start, (size_t)(*n - start), sizeof(**rows), cmp_num_rows);
	return rc;
}
