/* Scheduler flag profiles (docs/gauntlet.md): the power set of a scheduler's declared
 * flags minus the sets where a flag's "requires" is off, their names ("default", or the
 * active names sorted and joined with '+') and the `--profiles all|default|a,b+c` choice.
 * Shared by the gauntlet and the verifier sweep. A profile is a bit mask over the flags. */
#ifndef KTSTR_SWEEP_PROFILES_H
#define KTSTR_SWEEP_PROFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/scenario.h"

/* The flags as the profile code sees them: names and, per flag, the mask it requires. */
struct sweep_flagset {
	int n;
	const char *names[SCN_MAX_FLAGS];
	uint32_t requires[SCN_MAX_FLAGS];
};

/* From a scenario's scheduler (the parser already checked that requires name flags). */
void sweep_flagset_from_sched(const struct scn_scheduler *sc, struct sweep_flagset *fs);
/* True when every flag in mask has what it requires in mask. */
bool sweep_profile_valid(const struct sweep_flagset *fs, uint32_t mask);
/* Every valid profile, "default" (0) first, then by size and flag order; *out is malloc'd. */
int sweep_profiles_all(const struct sweep_flagset *fs, uint32_t **out, int *n);
/* "default" or the active flag names sorted (strcmp) and joined with '+'. */
void sweep_profile_name(const struct sweep_flagset *fs, uint32_t mask, char *buf, size_t len);
/* One profile written "a+b" (or "default") into *mask. -ENOENT with the first unknown flag
 * in *unknown (not applicable to this scheduler), -EINVAL with a message when its
 * requires are not met or a name repeats. */
int sweep_profile_parse(const struct sweep_flagset *fs, const char *text, uint32_t *mask,
			const char **unknown, char *err, size_t errlen);
/* The scheduler's flags as "a, b, c" ("none" when it declares none). */
void sweep_flag_names(const struct sweep_flagset *fs, char *buf, size_t len);

#endif
