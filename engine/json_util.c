/* Typed reads of jansson values: the checks the scenario parser reports with a position
 * and the defaults the run-directory loader falls back on, written once. */
#include "engine/json_util.h"

#include <errno.h>
#include <math.h>

const char *ju_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

int ju_int(const json_t *v, bool allow_real, int64_t lo, int64_t hi, int64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x < lo || x > hi)
			return -ERANGE;
		*out = x;
		return 0;
	}
	if (!allow_real || !json_is_real(v))
		return -EINVAL;
	double d = json_real_value(v);
	/* Within int64 (and not NaN) before the cast, which is undefined outside it. */
	if (!(fabs(d) < 9e18) || d < (double)lo || d > (double)hi)
		return -ERANGE;
	*out = (int64_t)d;
	return 0;
}

int ju_num(const json_t *v, double *out)
{
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return -EINVAL;
	*out = json_number_value(v);
	return 0;
}

const char *ju_str_or(const json_t *o, const char *k, const char *def)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : def;
}

int64_t ju_int_or(const json_t *o, const char *k, int64_t def)
{
	int64_t x;
	return ju_int(json_object_get(o, k), true, INT64_MIN, INT64_MAX, &x) ? def : x;
}

double ju_num_or(const json_t *o, const char *k, double def)
{
	double d;
	return ju_num(json_object_get(o, k), &d) ? def : d;
}

bool ju_true(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

void ju_cpu_mask(const json_t *a, struct cpumask *m)
{
	size_t i;
	json_t *c;
	*m = (struct cpumask){ { 0 } };
	json_array_foreach(a, i, c)
		if (json_is_integer(c) && json_integer_value(c) >= 0 && json_integer_value(c) < CPUMASK_BITS)
			cpumask_set(m, (int)json_integer_value(c));
}
