/* Private to the report module (report_text.c, report_json.c): the report's sections,
 * which both the text and the JSON carry. Other modules use engine/report.h. */
#ifndef KTSTR_REPORT_PRIV_H
#define KTSTR_REPORT_PRIV_H

#include <stdbool.h>

#include "engine/run.h"

#define REPORT_NSECTIONS 9  /* in the seed's order, 0 .. REPORT_NSECTIONS-1 */

/* Section s's key under "sections" in the JSON ("verifier_stats", ..., "stats"). */
const char *report_section_key(int s);
/* Whether the run has anything to say in section s (KTSTR_DIAGNOSTICS=1 forces diagnostics). */
bool report_section_relevant(struct run *r, int s);
/* Section s's body, without its "--- x ---" heading; malloc'd, NULL when empty. */
char *report_section_body(struct run *r, int s);

#endif
