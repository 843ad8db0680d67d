/* Typed reads of jansson values, shared by the scenario parser (strict: a value of the
 * wrong type is an error it reports at the value's position) and the run-directory loader
 * (lenient: a field that is missing or of the wrong type reads as a default). */
#ifndef KTSTR_JSON_UTIL_H
#define KTSTR_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/cpumask.h"

/* "object", "array", "string", "integer", "number", "boolean" or "null", for messages. */
const char *ju_type_name(const json_t *v);
/* v as an integer in [lo, hi]: 0, -EINVAL when v is not an integer (with allow_real a
 * finite real counts too, cut toward zero), -ERANGE when it lies outside. */
int ju_int(const json_t *v, bool allow_real, int64_t lo, int64_t hi, int64_t *out);
/* v as a finite number (integer or real): 0 or -EINVAL. */
int ju_num(const json_t *v, double *out);

/* The field o[k], or def when o has no such field of that type (o may be NULL). */
const char *ju_str_or(const json_t *o, const char *k, const char *def);
int64_t ju_int_or(const json_t *o, const char *k, int64_t def);   /* integer or real */
double ju_num_or(const json_t *o, const char *k, double def);
bool ju_true(const json_t *o, const char *k);                      /* o[k] is true */
/* [cpu, ...] -> m (cleared first); ids outside the mask and other entries are skipped, a
 * non-array is empty. */
void ju_cpu_mask(const json_t *a, struct cpumask *m);

#endif
