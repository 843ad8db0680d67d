/* Scheduler discovery on the host: turns "eevdf", a name or a path into the binary the
 * initramfs will carry. Never builds anything: the Rust ktstr runs `cargo build -p NAME`
 * here, and KTSTR_SCHEDULER_ALLOW_STALE_FALLBACK=1 lets it fall back to a pre-built binary
 * when that build fails. We never build on demand (`make bpf` builds build/bpf/ up front),
 * so there is no stale-vs-fresh choice to make and that variable has no meaning here. */
#include "engine/fsutil.h"
#include "engine/parts.h"
#include "engine/sched.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_exec_file(const char *p)
{
	struct stat st;
	return p && *p && !stat(p, &st) && S_ISREG(st.st_mode) && !access(p, X_OK);
}

/* "scx-ktstr" -> "KTSTR_SCHEDULER_BIN_SCX_KTSTR". */
void sched_env_name(const char *name, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "KTSTR_SCHEDULER_BIN_");
	for (const char *p = name; *p && o + 1 < len; p++)
		buf[o++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
	if (o < len)
		buf[o] = 0;
}

static int env_override(const char *var, const char *val, char *path, size_t len, char *err, size_t errlen)
{
	/* An explicit override that points nowhere is a mistake to report, not to skip. */
	if (!is_exec_file(val)) {
		snprintf(err, errlen, "%s=%s: not an executable file; point it at the scheduler binary "
			 "or unset it", var, val);
		return -ENOENT;
	}
	snprintf(path, len, "%s", val);
	return 0;
}

int sched_resolve_at(const struct scn_scheduler *s, const char *exe, char *path, size_t len,
		     char *err, size_t errlen)
{
	if (len)
		path[0] = 0;
	switch (s->kind) {
	case SCHED_EEVDF:
		return 0;
	case SCHED_PATH:
		if (!is_exec_file(s->spec)) {
			struct stat st;
			snprintf(err, errlen, "scheduler path '%s' %s; give the path of the scheduler binary",
				 s->spec, stat(s->spec, &st) ? "does not exist" :
				 S_ISREG(st.st_mode) ? "is not executable (chmod +x)" : "is not a regular file");
			return -ENOENT;
		}
		snprintf(path, len, "%s", s->spec);
		return 0;
	case SCHED_NAME:
		break;
	}
	const char *name = s->spec;
	char var[300];
	const char *v;
	if (!*name || strchr(name, '/')) {
		snprintf(err, errlen, "scheduler name '%s' is not a name; use {\"path\": ...} for a file", name);
		return -EINVAL;
	}
	sched_env_name(name, var, sizeof(var));
	if ((v = getenv(var)) && *v)
		return env_override(var, v, path, len, err, errlen);
	if ((v = getenv("KTSTR_SCHEDULER")) && *v)
		return env_override("KTSTR_SCHEDULER", v, path, len, err, errlen);

	/* Beside the binary, installed libexec, the build tree (parts.h), then $PATH. */
	if (!parts_find_at(exe, name, path, len))
		return 0;
	if (!fs_which(name, NULL, path, len))
		return 0;
	snprintf(err, errlen, "scheduler '%s' not found. Set KTSTR_SCHEDULER or\n"
		 "place it next to the ktstr binary, in build/bpf/ or in PREFIX/" PARTS_LIBEXEC "/ (or set %s)",
		 name, var);
	return -ENOENT;
}

int sched_resolve(const struct scn_scheduler *s, char *path, size_t len, char *err, size_t errlen)
{
	return sched_resolve_at(s, NULL, path, len, err, errlen);
}
