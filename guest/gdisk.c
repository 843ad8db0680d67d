/* The run's disk in the guest (see gdisk.h). devtmpfs makes /dev/vda itself once the
 * driver has probed the virtio-blk device. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/gctl.h"
#include "guest/gdisk.h"
#include "guest/gutil.h"
#include "guest/gwork_io.h"
#include "guest/proto.h"
#include "guest/work_types.h"

#define STAT_PATH "/sys/block/vda/stat"

bool gdisk_wanted(const struct gscn *s)
{
	for (int i = 0; i < s->ncg; i++)
		if (s->cg[i].workers > 0 && work_type_needs_disk(s->cg[i].work))
			return true;
	return false;
}

/* 0 (loaded, or already there), or -errno. */
static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return rc == -EEXIST ? 0 : rc;
}

int gdisk_prepare(const struct gscn *s)
{
	if (!gdisk_wanted(s))
		return 0;
	bool have_mod = !access(KTSTR_GUEST_VIRTIO_BLK, R_OK);
	if (have_mod) {
		int rc = load_module(KTSTR_GUEST_VIRTIO_BLK);
		if (rc) {
			gctl_error("the I/O work types need /dev/vda: loading %s failed: %s (is the "
				   "module from this kernel's build? refresh the cache entry with "
				   "`ktstr kernel fetch --debian`)", KTSTR_GUEST_VIRTIO_BLK, strerror(-rc));
			return -1;
		}
	}
	int waited = 0;
	for (; access(GIO_DEV, F_OK) && waited < GDISK_WAIT_MS; waited += 20)
		gutil_sleep_ms(20);
	if (access(GIO_DEV, F_OK)) {
		gctl_error("the I/O work types need %s and none appeared within %d ms (%s); the "
			   "kernel needs CONFIG_VIRTIO_BLK and CONFIG_VIRTIO_PCI", GIO_DEV, GDISK_WAIT_MS,
			   have_mod ? "virtio_blk.ko loaded" : "no virtio_blk.ko in the initramfs: "
			   "the driver must be built in");
		return -1;
	}
	char size[32] = "";
	gutil_read_file("/sys/block/vda/size", size, sizeof(size));
	gctl_log("guest", "disk: %s ready after %d ms (%" PRIu64 " MiB%s)", GIO_DEV, waited,
		 (uint64_t)strtoull(size, NULL, 10) / 2048, have_mod ? ", virtio_blk.ko loaded" : "");
	return 0;
}

void gdisk_report(const struct gscn *s)
{
	char buf[512];
	struct gio_stat st;
	if (!gdisk_wanted(s))
		return;
	if (gutil_read_file(STAT_PATH, buf, sizeof(buf)) < 0 || !gio_parse_stat(buf, &st)) {
		gctl_log("guest", "disk vda: cannot read %s", STAT_PATH);
		return;
	}
	gctl_log("guest", "disk vda: reads=%" PRIu64 " read_sectors=%" PRIu64 " writes=%" PRIu64
		 " write_sectors=%" PRIu64 " flushes=%" PRIu64, st.reads, st.read_sectors,
		 st.writes, st.write_sectors, st.flushes);
}
