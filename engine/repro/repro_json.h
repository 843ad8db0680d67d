/* Auto-repro's result as result.json's "auto_repro" object (docs/json.md) and back, so a
 * finished run directory shows its chain post-mortem (the Repro pane, `ktstr repro`). */
#ifndef KTSTR_REPRO_JSON_H
#define KTSTR_REPRO_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "engine/repro/chain.h"

/* A new reference; NULL on allocation failure. */
json_t *repro_to_json(const struct repro_result *r);
/* NULL with err when o is not an auto_repro object (wrong type, unknown state, a bad
 * event); fields missing from a well-formed object read as their defaults. */
struct repro_result *repro_from_json(const json_t *o, char *err, size_t errlen);

#endif
