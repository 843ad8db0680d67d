/* The run's disk image (see engine_disk.h). Sparse, so a run that writes little costs
 * little; it stays in the run directory with the rest of the run's record. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_disk.h"
#include "guest/work_types.h"

bool engine_disk_needed(const struct scenario *scn)
{
	for (int i = 0; i < scn->ncgroups; i++)
		if (scn->cgroups[i].workers > 0 && work_type_needs_disk(scn->cgroups[i].work))
			return true;
	for (int i = 0; i < scn->nops; i++) /* a Spawn of an I/O type needs it just the same */
		if (scn->ops[i].kind == OP_SPAWN && work_type_needs_disk(scn->ops[i].work))
			return true;
	return false;
}

int engine_disk_create(const char *run_dir, char *path, size_t len, char *err, size_t errlen)
{
	if (snprintf(path, len, "%s/%s", run_dir, ENGINE_DISK_NAME) >= (int)len) {
		snprintf(err, errlen, "run directory path too long for its disk: %s", run_dir);
		return -ENAMETOOLONG;
	}
	/* O_EXCL: a run directory is new, so an image already there is not ours to reuse. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int rc = 0;
	if (fd < 0 || ftruncate(fd, (off_t)ENGINE_DISK_MB << 20))
		rc = -errno;
	if (fd >= 0)
		close(fd);
	if (rc) {
		snprintf(err, errlen, "cannot create the %d MiB disk image %s for the I/O work types: "
			 "%s (the run directory needs to be writable)", ENGINE_DISK_MB, path,
			 strerror(-rc));
		if (fd >= 0)
			unlink(path);
	}
	return rc;
}
