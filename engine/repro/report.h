/* Auto-repro's two report sections (docs/auto-repro.md): the `--- probe pipeline ---` body
 * and the `--- auto-repro ---` body, from the result (chain.h). engine/report_text.c prints
 * them under their headings; result.json's "sections" carries the same text. */
#ifndef KTSTR_REPRO_REPORT_H
#define KTSTR_REPRO_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/repro/chain.h"

#define REPRO_TAIL_LINES 40

/* Whether the sections have something to say: a repro that ended (done, skipped, failed). */
bool repro_report_relevant(const struct repro_result *r);
void repro_report_pipeline(const struct repro_result *r, FILE *f);
void repro_report_body(const struct repro_result *r, FILE *f);

#endif
