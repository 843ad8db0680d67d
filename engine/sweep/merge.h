/* `ktstr merge OUT DIR...`: the shards of one gauntlet joined into one directory
 * (docs/gauntlet.md): the union of their cells (a name in two shards is an error), the
 * left-out entries once each, each cell's run directory copied under OUT/cells/. */
#ifndef KTSTR_SWEEP_MERGE_H
#define KTSTR_SWEEP_MERGE_H

#include <jansson.h>

/* Checks every input before writing anything; builds OUT in a temp directory beside it
 * and renames it into place. *merged gets the merged gauntlet.json (caller frees).
 * 0; -EINVAL (a missing or corrupt gauntlet.json, a cell twice, a cell dir missing, OUT
 * already there or one of the inputs) with a message: the CLI's exit 2; other -errno
 * for I/O. */
int sweep_merge(const char *out, const char *const *dirs, int n, const char *command,
		json_t **merged, char *err, size_t errlen);

#endif
