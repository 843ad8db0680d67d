/* libFuzzer harness: QEMU's QMP replies are read by the same code that must survive a
 * misbehaving or different QEMU. The input is everything "QEMU" says on the socket: the
 * greeting, the answer to qmp_capabilities, then to query-cpus-fast and cont, with any
 * events in between; then it closes its side. Each BIG token becomes 64 KiB without a
 * newline, so the over-long-line resynchronisation is reachable at a short max_len. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vmm/vm_priv.h"

#define BIG "<BIG>"

static bool put(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false; /* socket buffer full: the rest is cut, as a short read would */
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_qmp q;
	static char pad[65536];
	int sv[2];
	if (!pad[0])
		memset(pad, 'y', sizeof(pad));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
		abort();
	int bigs = 0;
	bool ok = true;
	while (ok && size) {
		const uint8_t *b = memmem(data, size, BIG, strlen(BIG));
		size_t n = b ? (size_t)(b - data) : size;
		ok = put(sv[1], data, n);
		if (ok && b && bigs++ < 2)
			ok = put(sv[1], pad, sizeof(pad));
		n += b ? strlen(BIG) : 0;
		data += n;
		size -= n;
	}
	shutdown(sv[1], SHUT_WR); /* QEMU is done talking: every read ends, none waits */

	char err[1024], *resp = NULL;
	int tids[VM_MAX_VCPUS];
	if (vm_qmp_handshake(&q, sv[0], 1000, "fuzz", err, sizeof(err)) == 0) {
		if (vm_qmp_cmd(&q, "{\"execute\":\"query-cpus-fast\"}", 1000, &resp, err, sizeof(err)) == 0) {
			int n = vm_qmp_parse_cpus(resp, tids, VM_MAX_VCPUS);
			if (n < 0 || n > VM_MAX_VCPUS)
				abort();
			free(resp);
		}
		vm_qmp_cmd(&q, "{\"execute\":\"cont\"}", 1000, NULL, err, sizeof(err));
		vm_qmp_drain(&q);
		vm_qmp_close(&q);
	}
	if (q.fd >= 0)
		abort(); /* closed by handshake failure or by us */
	close(sv[1]);
	return 0;
}
