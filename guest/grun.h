/* The run's data over the control port. With ktstr.wait=1 on its command line the guest
 * boots to a point that holds nothing run-specific (the point a snapshot is taken at),
 * says "wait", and reads one header line (KTSTR_CMD_RUN) and the run's cpio archive
 * (scenario, scheduler, tracer, include files), which it unpacks into / where the
 * initramfs would have put them. The header also resets the clock, reseeds the random
 * pool and names the machine. */
#ifndef KTSTR_GUEST_GRUN_H
#define KTSTR_GUEST_GRUN_H

#include <stddef.h>

/* fd: the control port, before the reader thread starts. Says "wait", reads the header
 * and takes the clock, randomness and name from it; *size: the archive's. 0 or -errno
 * with err set. */
int grun_header(int fd, size_t *size, char *err, size_t errlen);
/* Reads the size bytes of the archive that follow the header and unpacks them. */
int grun_archive(int fd, size_t size, char *err, size_t errlen);
/* Unpacks a newc archive into / (regular files, directories, symlinks). */
int grun_extract(const char *a, size_t n, char *err, size_t errlen);

#endif
