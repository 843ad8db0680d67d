/* The test kernel's vmlinux BTF for the repro tests, and the sel_kernel predicates on it
 * (what the auto-repro orchestration will answer the same way from the cache entry). */
#ifndef KTSTR_TESTS_KBTF_H
#define KTSTR_TESTS_KBTF_H

#include <bpf/btf.h>
#include <stdbool.h>

/* Parsed once per process; tenv_missing when the kernel or its vmlinux is absent. */
struct btf *kbtf(void);
bool kbtf_has_func(const char *name, void *btf);
bool kbtf_has_tracepoint(const char *name, void *btf);

#endif
