/* Type names in raw BTF data (guest/gprogs.c names programs by their BTF function). */
#ifndef KTSTR_GUEST_GBTF_H
#define KTSTR_GUEST_GBTF_H

#include <stddef.h>
#include <stdint.h>

/* The name of type id `want` in raw BTF (no base BTF): 0, -EINVAL for data that does not
 * parse or a nameless type, -ENOENT when there is no such id. */
int gbtf_type_name(const void *data, size_t size, uint32_t want, char *out, size_t len);

#endif
