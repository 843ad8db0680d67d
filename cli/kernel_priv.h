/* Shared by the `ktstr kernel` files: cli/kernel.c dispatches, cli/kernel_build.c builds
 * and cleans. */
#ifndef KTSTR_CLI_KERNEL_PRIV_H
#define KTSTR_CLI_KERNEL_PRIV_H

#include <stddef.h>

/* The cache root, or 2 after printing why not. */
int get_cache_root(char *root, size_t len);
int cli_kernel_build(int argc, char **argv);
int cli_kernel_clean(int argc, char **argv);

#endif
