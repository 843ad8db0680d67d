/* A newc cpio writer: what the initramfs is written with. Entries go to path.tmp, which
 * is renamed into place on a committed close. */
#ifndef KTSTR_CPIO_H
#define KTSTR_CPIO_H

#include <stdbool.h>
#include <stddef.h>

struct cpio;                                     /* a newc writer */
struct cpio *cpio_open(const char *path);        /* writes to path.tmp; renamed on close */
int cpio_add_dir(struct cpio *c, const char *name, unsigned mode);
int cpio_add_file(struct cpio *c, const char *name, const char *host_path, unsigned mode);
int cpio_add_data(struct cpio *c, const char *name, const void *data, size_t len, unsigned mode);
int cpio_add_symlink(struct cpio *c, const char *name, const char *target);
/* Device nodes come only from our own builder (dev/console for init's first stdio), never
 * from host input. */
int cpio_add_chardev(struct cpio *c, const char *name, unsigned mode, unsigned major, unsigned minor);
int cpio_close(struct cpio *c, bool commit);

#endif
