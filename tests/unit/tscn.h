/* The scenario-parser tests' shared helpers: parse a text as file TSCN_FILE ("t.json"
 * unless the test defines another before including this), the message in err. */
#ifndef KTSTR_TESTS_UNIT_TSCN_H
#define KTSTR_TESTS_UNIT_TSCN_H

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/scenario.h"

#ifndef TSCN_FILE
#define TSCN_FILE "t.json"
#endif

static char err[1024];

static inline int parse(const char *text, struct scenario *s)
{
	err[0] = 0;
	return scn_parse(text, TSCN_FILE, s, err, sizeof(err));
}

/* text is refused (-EINVAL) with a message containing want. */
static inline void expect_err(const char *text, const char *want)
{
	struct scenario s;
	int rc = parse(text, &s);
	cr_assert_eq(rc, -EINVAL, "parse returned %d for %s", rc, text);
	cr_assert(strstr(err, want), "error was:\n  %s\nexpected it to contain:\n  %s", err, want);
}

#endif
