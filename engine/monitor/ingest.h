/* The monitor's two guest messages into the run model (guest/proto.h: "ksyms", "maps"). */
#ifndef KTSTR_MON_INGEST_H
#define KTSTR_MON_INGEST_H

#include <jansson.h>
#include <stdbool.h>

struct run;
bool mon_ingest_ksyms(struct run *r, json_t *o);  /* false: malformed */
bool mon_ingest_maps(struct run *r, json_t *o);

#endif
