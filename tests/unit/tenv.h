/* What the unit tests take from outside the repository, and from nowhere else: the test
 * kernel `make kernel` provisioned (KTSTR_TEST_KERNEL, which `make check` sets from `ktstr
 * kernel path`), programs found in PATH, and the run's temp root (TMPDIR, which
 * tests/unit/run.sh points at a directory it removes when the run ends). Anything missing
 * skips the test, or fails it naming what is missing under `make test` or CI. */
#ifndef KTSTR_TESTS_TENV_H
#define KTSTR_TESTS_TENV_H

#include <stdbool.h>
#include <stddef.h>

/* KTSTR_TEST_STRICT (set by `make test`) or CI: a missing prerequisite fails the test. */
bool tenv_strict(void);
/* Skips the test with the message, or fails it when strict. Does not return. */
void tenv_missing(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new directory <temp root>/<name>-XXXXXX in buf (asserts). */
void tenv_mkdtemp(char *buf, size_t len, const char *name);
/* The full path of a program in PATH; deb is the Debian package that provides it. */
void tenv_which(const char *prog, const char *deb, char *out, size_t len);

/* The provisioned kernel's bzImage (KTSTR_TEST_KERNEL as the run started). */
const char *tenv_kernel(void);
/* Its config (cached next to it) and its release, read from its boot header. */
void tenv_kernel_config(char *out, size_t len);
void tenv_kernel_release(char *out, size_t len);
/* Its vmlinux, extracted next to it in the cache entry (for its BTF). */
void tenv_kernel_vmlinux(char *out, size_t len);
/* Debian's split packaging of the test kernel, built with dpkg-deb in dir:
 * linux-binary-<release>_*.deb (the image) and linux-base-<release>_*.deb (the config). */
/* Monotonic milliseconds, for test deadlines. */
long long tenv_now_ms(void);
/* The next engine event within ms (type < 0: any; else others are dropped), false when
 * none came. */
struct engine;
struct engine_event;
bool tenv_next_event(struct engine *e, int type, struct engine_event *ev, int ms);
void tenv_kernel_debs(const char *dir, char *bin, char *base, size_t len);
/* linux-modules-<release>_*.deb in dir holding ko_xz as
 * usr/lib/modules/<release>/kernel/drivers/block/virtio_blk.ko.xz. */
void tenv_kernel_modules_deb(const char *dir, const char *ko_xz, char *deb, size_t len);

#endif
