/* Private to the verifier sweep (verifier_sweep.c runs the cells, vsweep_report.c prints
 * them and writes verifier.json). */
#ifndef KTSTR_SWEEP_VSWEEP_PRIV_H
#define KTSTR_SWEEP_VSWEEP_PRIV_H

#include <stdio.h>

#include "engine/run.h"
#include "engine/sweep/verifier_sweep.h"

/* One cell's section: header, programs, verifier stats, scheduler log (caller holds the
 * run's lock). */
void vsweep_print_cell(const struct vsweep_opts *o, const struct vsweep_cell *c, struct run *r);
/* The A/B table across kernels (more than one), the summary and the failing cells. */
void vsweep_print_summary(const struct vsweep_opts *o, const struct vsweep_cell *cells, int n,
			  int nk, int nt, int np);
/* DIR/verifier.json, atomically; and the same to json_out when not NULL. */
int vsweep_write_json(const struct vsweep_opts *o, const struct vsweep_cell *cells, int n,
		      FILE *json_out, char *err, size_t errlen);

#endif
