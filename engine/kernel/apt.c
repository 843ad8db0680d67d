/* Private apt (apt.h): apt runs by fork/exec (no shell) with its output in <root>/apt/apt.log. */
#include "engine/kernel/apt.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
int apt_run(struct apt_ctx *c, const char *const *args, const char *cwd, const char *out_path)
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

int apt_fail(struct apt_ctx *c, const char *what, int st, char *err, size_t errlen)
{
	char tail[1536];
	fs_tail(c->log, 12, tail, sizeof(tail));
	snprintf(err, errlen, "%s failed (%s %d); full log: %s\n--- last lines ---\n%s", what,
		 st < 0 ? "error" : "exit status", st < 0 ? -st : st, c->log, tail);
	return -EIO;
}

const char *apt_dir(const struct apt_ctx *c)
{
	return c->dir;
}

const char *apt_log(const struct apt_ctx *c)
{
	return c->log;
}

void apt_close(struct apt_ctx *c)
{
	free(c);
}

int apt_open(const char *root, struct apt_ctx **out, char *err, size_t errlen)
{
	struct apt_ctx *c = calloc(1, sizeof(*c));
	char mirror[512], p[PATH_MAX];
	int rc, st;
	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (snprintf(c->dir, sizeof(c->dir), "%s/apt", root) >= (int)sizeof(c->dir)) {
		snprintf(err, errlen, "cache path too long: %s", root);
		free(c);
		return -ENAMETOOLONG;
	}
	const char *sub[] = { "lists/partial", "cache/archives/partial" };
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", c->dir, sub[i]);
		if ((rc = fs_mkdir_p(p, 0755))) {
			snprintf(err, errlen, "cannot create %s: %s (set KTSTR_CACHE_DIR to a writable "
				 "directory)", p, strerror(-rc));
			free(c);
			return rc;
		}
	}
	pick_mirror(mirror, sizeof(mirror));
	char sl[1024];
	int sl_n = snprintf(sl, sizeof(sl), "deb %s sid main\n", mirror);
	snprintf(p, sizeof(p), "%s/sources.list", c->dir);
	if ((rc = fs_write_atomic(p, sl, (size_t)sl_n, 0644))) {
		snprintf(err, errlen, "cannot write %s: %s", p, strerror(-rc));
		free(c);
		return rc;
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

	/* One update per process: a build that fetches the source and then pahole asks twice. */
	static _Atomic int updated;
	if (updated) {
		*out = c;
		return 0;
	}
	fprintf(stderr, "ktstr: updating the package lists of %s sid (log: %s)\n", mirror, c->log);
	const char *upd[] = { "apt-get", "-q", "update", NULL };
	if ((st = apt_run(c, upd, NULL, NULL))) {
		rc = apt_fail(c, "apt-get update", st, err, errlen);
		free(c);
		return rc;
	}
	updated = 1;
	*out = c;
	return 0;
}

int apt_download(struct apt_ctx *c, const char *const *pkgs, const char *dir, char *err, size_t errlen)
{
	const char *argv[40] = { "apt-get", "-q", "download" };
	int n = 3;
	for (int i = 0; pkgs[i] && n < 39; i++)
		argv[n++] = pkgs[i];
	argv[n] = NULL;
	int st = apt_run(c, argv, dir, NULL);
	return st ? apt_fail(c, "apt-get download", st, err, errlen) : 0;
}

int apt_depends_on(struct apt_ctx *c, const char *pkg, const char *prefix, const char *suffix,
		   char *out, size_t len, char *err, size_t errlen)
{
	char deps[PATH_MAX], what[256];
	snprintf(deps, sizeof(deps), "%s/depends.txt", c->dir);
	snprintf(what, sizeof(what), "apt-cache depends %s", pkg);
	const char *dep[] = { "apt-cache", "depends", pkg, NULL };
	int st = apt_run(c, dep, NULL, deps);
	if (st)
		return apt_fail(c, what, st, err, errlen);
	char *text = NULL;
	out[0] = '\0';
	if (!fs_read_file(deps, 1 << 20, &text, NULL)) {
		size_t pl = strlen(prefix), sl = suffix ? strlen(suffix) : 0;
		for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
			char name[200];
			if (sscanf(l, " Depends: %199s", name) != 1 || strncmp(name, prefix, pl))
				continue;
			size_t nl = strlen(name);
			if (sl && (nl < sl || strcmp(name + nl - sl, suffix)))
				continue;
			snprintf(out, len, "%s", name);
			break;
		}
	}
	free(text);
	if (!out[0]) {
		snprintf(err, errlen, "%s names no %s*%s package (see %s); the sid mirror may be "
			 "incomplete right now", what, prefix, suffix ? suffix : "", deps);
		return -ENOENT;
	}
	return 0;
}
