/* A bzImage on disk: the boot-header check and its embedded version string. */
#ifndef KTSTR_IMAGE_H
#define KTSTR_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* Checks a file is a bzImage (the "HdrS" setup header). */
bool image_is_bzimage(const char *path);
/* The first word of the setup header's kernel_version string ("7.2.13+deb14-cloud-amd64"). */
int image_version(const char *path, char *buf, size_t len);

#endif
