/* A bzImage on disk: is it one (the "HdrS" boot header), and the version string its
 * setup header points at. Read with pread only; nothing is decompressed here. */
#include "engine/kernel/image.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool image_is_bzimage(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	bool ok = pread(fd, m, 4, 0x202) == 4 && !memcmp(m, "HdrS", 4);
	close(fd);
	return ok;
}

int image_version(const char *path, char *buf, size_t len)
{
	unsigned char h[2];
	char s[256];
	buf[0] = '\0';
	if (!image_is_bzimage(path))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	int rc = -ENODATA;
	if (pread(fd, h, 2, 0x20e) == 2) {
		unsigned off = (unsigned)h[0] | (unsigned)h[1] << 8;
		ssize_t r = off ? pread(fd, s, sizeof(s) - 1, (off_t)off + 0x200) : -1;
		if (r > 0) {
			s[r] = '\0';
			size_t i = 0;
			while (s[i] && !isspace((unsigned char)s[i]) && isprint((unsigned char)s[i]))
				i++;
			if (i > 0) {
				snprintf(buf, len, "%.*s", (int)i, s);
				rc = 0;
			}
		}
	}
	close(fd);
	return rc;
}
