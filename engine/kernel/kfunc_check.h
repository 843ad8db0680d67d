/* The scx kfunc check's verdicts (btf_check_kfuncs): their own header, so callers above the
 * engine get the result type through engine/kernels.h without the BTF code. */
#ifndef KTSTR_KFUNC_CHECK_H
#define KTSTR_KFUNC_CHECK_H

#include <stdbool.h>

struct kfunc_verdict {
	char name[64];
	bool found;
	bool loadable;              /* plain name has the trimmed prototype (no trailing aux) */
	int nparams;
	char detail[256];
};
#define BTF_KFUNCS_MAX 160
struct btf_check {
	int n;
	struct kfunc_verdict k[BTF_KFUNCS_MAX];
	bool ok;                    /* every scx kfunc found is loadable */
	char summary[256];
};

#endif
