/* JUnit XML from a gauntlet.json (docs/gauntlet.md): <testsuites> holding one <testsuite>
 * with tests/failures/errors/skipped counts and a <testcase> per cell; a failed cell's
 * <failure> carries its first failure line and its report.txt (header and sections). */
#ifndef KTSTR_SWEEP_JUNIT_H
#define KTSTR_SWEEP_JUNIT_H

#include <jansson.h>
#include <stdio.h>

/* XML-escapes s (at most n bytes) onto f: & < > " ' as entities, tab/newline/CR kept in
 * text and written as character references in attributes, other control characters and
 * bytes that are not UTF-8 as '?'. */
void sweep_xml_escape(FILE *f, const char *s, size_t n, int attribute);
/* Writes path (atomically) from gauntlet.json g whose cell dirs are under dir. 0 or -errno
 * with a message. */
int sweep_junit_write(const char *dir, const json_t *g, const char *path, char *err, size_t errlen);

#endif
