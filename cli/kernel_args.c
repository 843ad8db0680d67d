/* --kernel SPEC... as `ktstr run` and `ktstr verifier` take them: each spec's ranges
 * expanded over kernel.org's releases, each kernel made ready (a version no entry has is
 * downloaded and built), one callback per kernel. */
#include <errno.h>

#include "cli/cli.h"
#include "engine/kernels.h"

int cli_for_each_kernel(const char *const *specs, int nspecs, cli_kernel_fn fn, void *ctx)
{
	char err[8192];
	for (int s = 0; s < nspecs; s++) {
		char **v;
		int nv, rc = engine_kernel_expand(specs[s], &v, &nv, err, sizeof(err));
		if (rc) {
			cli_error("--kernel %s: %s", specs[s], err);
			return rc == -ENOENT || rc == -EINVAL ? 2 : 3;
		}
		for (int i = 0; i < nv && !rc; i++) {
			struct kernel_entry e;
			if ((rc = engine_kernel_ensure(v[i], false, 2, &e, err, sizeof(err)))) {
				cli_error("--kernel %s: %s", v[i], err);
				rc = rc == -ENOENT || rc == -EINVAL || rc == -EPROTO ? 2 : 3;
			} else {
				rc = fn(ctx, v[i], &e);
			}
		}
		engine_kernel_specs_free(v, nv);
		if (rc)
			return rc;
	}
	return 0;
}
