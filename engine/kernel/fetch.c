/* `ktstr kernel fetch --debian`: Debian sid's cloud kernel (sched_ext, BTF) through apt-get
 * with a private sources list under <root>/apt, so the system's apt configuration is never
 * touched. apt runs by fork/exec (no shell) with its output in <root>/apt/apt.log. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/kernel/cache.h"
#include "engine/fsutil.h"

#define DEFAULT_MIRROR "http://deb.debian.org/debian"

/* The Debian mirror apt already uses: first "debian" URI that is not the security one. */
static void pick_mirror(char *buf, size_t len)
{
	snprintf(buf, len, "%s", DEFAULT_MIRROR);
	glob_t g;
	memset(&g, 0, sizeof(g));
	glob("/etc/apt/sources.list", 0, NULL, &g);
	glob("/etc/apt/sources.list.d/*.list", GLOB_APPEND, NULL, &g);
	glob("/etc/apt/sources.list.d/*.sources", GLOB_APPEND, NULL, &g);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		if (!f)
			continue;
		char line[1024];
		while (fgets(line, sizeof(line), f)) {
			char *tok = strtok(line, " \t\n");
			if (!tok || (strcmp(tok, "deb") && strcmp(tok, "URIs:")))
				continue;
			while ((tok = strtok(NULL, " \t\n"))) {
				if (tok[0] == '[') { /* deb [options] URI */
					while (tok && !strchr(tok, ']'))
						tok = strtok(NULL, " \t\n");
					continue;
				}
				if (strstr(tok, "://") && strstr(tok, "/debian") &&
				    !strstr(tok, "security") && !strstr(tok, "debug")) {
					snprintf(buf, len, "%s", tok);
					fclose(f);
					globfree(&g);
					return;
				}
				break;
			}
		}
		fclose(f);
	}
	globfree(&g);
}

struct apt_ctx {
	char dir[PATH_MAX - 512];
	char log[PATH_MAX];
	char opts[8][PATH_MAX];
};

/* Runs argv with the private apt options inserted after argv[0]; stdout to out_path (or
 * the log), stderr to the log. Returns the exit status or -errno. */
static int run_apt(struct apt_ctx *c, const char *const *args, const char *cwd, const char *out_path)
{
	const char *argv[48];
	int n = 0;
	argv[n++] = args[0];
	for (int i = 0; i < 8 && c->opts[i][0]; i++) {
		argv[n++] = "-o";
		argv[n++] = c->opts[i];
	}
	for (int i = 1; args[i] && n < 46; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int logfd = open(c->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0)
		return -errno;
	dprintf(logfd, "\n$");
	for (int i = 0; argv[i]; i++)
		dprintf(logfd, " %s", argv[i]);
	dprintf(logfd, "\n");
	int outfd = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
	pid_t pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(logfd);
		if (outfd >= 0)
			close(outfd);
		return e;
	}
	if (pid == 0) {
		if (cwd && chdir(cwd))
			_exit(126);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(outfd >= 0 ? outfd : logfd, 1);
		dup2(logfd, 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	if (outfd >= 0)
		close(outfd);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The last lines of the apt log, for the error message. */
static void log_tail(const char *log, char *buf, size_t len)
{
	char *t = NULL;
	size_t n = 0;
	buf[0] = '\0';
	if (fs_read_file(log, 64 << 20, &t, &n))
		return;
	size_t start = n;
	int lines = 0;
	while (start > 0 && lines < 12)
		if (t[--start] == '\n' && start + 1 < n)
			lines++;
	const char *from = t + start + (t[start] == '\n');
	size_t l = strlen(from);
	if (l + 1 > len)
		from += l + 1 - len;
	snprintf(buf, len, "%s", from);
	free(t);
}

static int apt_fail(struct apt_ctx *c, const char *what, int st, char *err, size_t errlen)
{
	char tail[1536];
	log_tail(c->log, tail, sizeof(tail));
	snprintf(err, errlen, "%s failed (%s %d); full log: %s\n--- last lines ---\n%s", what,
		 st < 0 ? "error" : "exit status", st < 0 ? -st : st, c->log, tail);
	return -EIO;
}

static int find_existing(const char *root, const char *version, struct kernel_entry *out)
{
	struct kernel_entry *v;
	int n;
	char err[512];
	if (cache_list(root, &v, &n, err, sizeof(err)))
		return -ENOENT;
	int rc = -ENOENT;
	for (int i = 0; i < n && rc; i++) {
		if (v[i].corrupt || !v[i].has_sched_ext)
			continue;
		if (version ? !strcmp(v[i].version, version)
			    : (!strcmp(v[i].source, "debian:sid") || !strcmp(v[i].source, "import:deb"))) {
			*out = v[i];
			rc = 0;
		}
	}
	free(v);
	return rc;
}

int cache_fetch_debian(const char *root, struct kernel_entry *out, char *err, size_t errlen)
{
	/* Idempotent and fast the second time: a Debian sched_ext kernel already cached is the
	 * answer, without touching the network. */
	if (!find_existing(root, NULL, out))
		return 0;

	struct apt_ctx *c = calloc(1, sizeof(*c));
	char mirror[512], p[PATH_MAX], dl[PATH_MAX - 64] = "";
	int rc = -EIO, st;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (snprintf(c->dir, sizeof(c->dir), "%s/apt", root) >= (int)sizeof(c->dir)) {
		snprintf(err, errlen, "cache path too long: %s", root);
		goto out;
	}
	const char *sub[] = { "lists/partial", "cache/archives/partial" };
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", c->dir, sub[i]);
		if ((rc = fs_mkdir_p(p, 0755))) {
			snprintf(err, errlen, "cannot create %s: %s (set KTSTR_CACHE_DIR to a writable "
				 "directory)", p, strerror(-rc));
			goto out;
		}
	}
	pick_mirror(mirror, sizeof(mirror));
	char sl[1024];
	int sl_n = snprintf(sl, sizeof(sl), "deb %s sid main\n", mirror);
	snprintf(p, sizeof(p), "%s/sources.list", c->dir);
	if ((rc = fs_write_atomic(p, sl, (size_t)sl_n, 0644))) {
		snprintf(err, errlen, "cannot write %s: %s", p, strerror(-rc));
		goto out;
	}
	snprintf(c->log, sizeof(c->log), "%s/apt.log", c->dir);
	snprintf(c->opts[0], sizeof(c->opts[0]), "Dir::Etc::SourceList=%s/sources.list", c->dir);
	snprintf(c->opts[1], sizeof(c->opts[1]), "Dir::Etc::SourceParts=/dev/null");
	snprintf(c->opts[2], sizeof(c->opts[2]), "Dir::State::Lists=%s/lists", c->dir);
	snprintf(c->opts[3], sizeof(c->opts[3]), "Dir::Cache=%s/cache", c->dir);
	snprintf(c->opts[4], sizeof(c->opts[4]), "Dir::Etc::Preferences=/dev/null");
	snprintf(c->opts[5], sizeof(c->opts[5]), "Dir::Etc::PreferencesParts=/dev/null");
	/* The download dir is ours; apt's _apt sandbox user may not be able to write it. */
	snprintf(c->opts[6], sizeof(c->opts[6]), "APT::Sandbox::User=root");

	fprintf(stderr, "ktstr: updating the package lists of %s sid (log: %s)\n", mirror, c->log);
	const char *upd[] = { "apt-get", "-q", "update", NULL };
	if ((st = run_apt(c, upd, NULL, NULL))) {
		rc = apt_fail(c, "apt-get update", st, err, errlen);
		goto out;
	}
	char deps[PATH_MAX];
	snprintf(deps, sizeof(deps), "%s/depends.txt", c->dir);
	const char *dep[] = { "apt-cache", "depends", "linux-image-cloud-amd64", NULL };
	if ((st = run_apt(c, dep, NULL, deps))) {
		rc = apt_fail(c, "apt-cache depends linux-image-cloud-amd64", st, err, errlen);
		goto out;
	}
	char *text = NULL, ver[200] = "";
	if (!fs_read_file(deps, 1 << 20, &text, NULL)) {
		for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
			char name[200];
			if (sscanf(l, " Depends: linux-image-%199s", name) == 1 &&
			    strstr(name, "-cloud-amd64")) {
				snprintf(ver, sizeof(ver), "%s", name);
				break;
			}
		}
	}
	free(text);
	if (!ver[0]) {
		snprintf(err, errlen, "apt-cache depends linux-image-cloud-amd64 names no "
			 "linux-image-<version>-cloud-amd64 (see %s); the sid mirror %s may be "
			 "incomplete right now", deps, mirror);
		rc = -ENOENT;
		goto out;
	}
	if (!find_existing(root, ver, out)) {
		rc = 0;
		goto out;
	}
	if (snprintf(dl, sizeof(dl), "%s/dl-XXXXXX", c->dir) >= (int)sizeof(dl) || !mkdtemp(dl)) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a download directory in %s: %s", c->dir,
			 strerror(errno));
		dl[0] = '\0';
		goto out;
	}
	char bin[256], base[256], img[256];
	snprintf(bin, sizeof(bin), "linux-binary-%s", ver);
	snprintf(base, sizeof(base), "linux-base-%s", ver);
	snprintf(img, sizeof(img), "linux-image-%s", ver);
	fprintf(stderr, "ktstr: downloading %s (%s, %s)\n", ver, bin, base);
	const char *get[] = { "apt-get", "-q", "download", bin, base, NULL };
	if ((st = run_apt(c, get, dl, NULL))) {
		/* Older layout: linux-image-<ver> holds vmlinuz and config itself. */
		const char *get2[] = { "apt-get", "-q", "download", img, NULL };
		if ((st = run_apt(c, get2, dl, NULL))) {
			rc = apt_fail(c, "apt-get download", st, err, errlen);
			goto out;
		}
	}
	glob_t g;
	snprintf(p, sizeof(p), "%s/*.deb", dl);
	if (glob(p, 0, NULL, &g) || g.gl_pathc == 0) {
		snprintf(err, errlen, "apt-get download left no .deb in %s (log: %s)", dl, c->log);
		rc = -ENOENT;
		goto out;
	}
	rc = cache_import_ex(root, (const char *const *)g.gl_pathv, (int)g.gl_pathc, NULL,
			     "debian:sid", out, err, errlen);
	globfree(&g);
out:
	if (dl[0])
		fs_rm_rf(dl);
	free(c);
	return rc;
}
