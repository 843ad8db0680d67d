/* The command-line verbs: one file per verb, each `int cmd_<verb>(argc, argv)` returning
 * the process exit code (0 pass, 1 checks failed, 2 bad input, 3 infrastructure). */
#ifndef KTSTR_CLI_H
#define KTSTR_CLI_H

#include <stdbool.h>

int cmd_run(int argc, char **argv);     /* cli/run.c */
int cmd_kernel(int argc, char **argv);  /* cli/kernel.c */
int cmd_shell(int argc, char **argv);   /* cli/shell.c */
int cmd_locks(int argc, char **argv);   /* cli/locks.c */
int cmd_version(int argc, char **argv); /* cli/version.c */
int cmd_repro(int argc, char **argv);   /* cli/repro.c */
int cmd_topo(int argc, char **argv);    /* cli/topo.c */
int cmd_gauntlet(int argc, char **argv); /* cli/gauntlet.c */
int cmd_merge(int argc, char **argv);   /* cli/merge.c */
int cmd_compare(int argc, char **argv); /* cli/compare.c */
int cmd_verifier(int argc, char **argv); /* cli/verifier.c */

struct engine;
struct run;
struct kernel_entry;

/* One kernel of --kernel SPEC...: its expanded spec and ready cache entry. A non-zero
 * return stops the walk with that exit code. */
typedef int (*cli_kernel_fn)(void *ctx, const char *spec, const struct kernel_entry *e);
/* cli/kernel_args.c: expands and readies each spec (errors printed); 0 or an exit code. */
int cli_for_each_kernel(const char *const *specs, int nspecs, cli_kernel_fn fn, void *ctx);
/* Waits for primary's auto-repro to end, printing its progress on stderr unless quiet;
 * returns its final enum repro_state (cli/repro.c). */
int cli_repro_wait(struct engine *e, struct run *primary, bool quiet);

/* Prints "ktstr: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
