/* ktstr_trace.c: the timeline tracer the guest init runs (static, /ktstr/trace/bin).
 * Loads ktstr_trace.bpf.o, takes worker tids as text lines on stdin ("go" asks for a
 * KTRACE_READY ack), and pumps the ring buffer's records to stdout as struct ktrace_ev.
 * stdin EOF: final drain, a KTRACE_LOST record, exit 0. Messages go to stderr. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guest/trace_wire.h"
#include "ktstr_trace.skel.h"

#define TAG "ktstr_trace"
#define POLL_MS 20

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size != sizeof(struct ktrace_ev))
		return 0;
	/* A full pipe blocks here; the ring buffer then fills and the BPF side counts drops. */
	return fwrite(data, sizeof(struct ktrace_ev), 1, stdout) == 1 ? 0 : -EPIPE;
}

static int put_rec(unsigned int kind, unsigned long long ts)
{
	struct ktrace_ev e = { .ts = ts, .kind = kind };
	if (fwrite(&e, sizeof(e), 1, stdout) != 1 || fflush(stdout))
		return -EPIPE;
	return 0;
}

/* Applies complete lines in buf[0..*len); keeps a partial one. */
static int take_lines(struct ktstr_trace *skel, char *buf, size_t *len)
{
	char *s = buf, *nl;
	int rc = 0;
	while ((nl = memchr(s, '\n', (size_t)(buf + *len - s)))) {
		*nl = 0;
		if (!strcmp(s, "go")) {
			rc = put_rec(KTRACE_READY, 0);
		} else if (*s) {
			char *end;
			long tid = strtol(s, &end, 10);
			unsigned char one = 1;
			unsigned int key = (unsigned int)tid;
			if (*end || tid <= 0 || tid > 0x3fffffff)
				fprintf(stderr, TAG ": ignoring bad tid line '%.40s'\n", s);
			else if (bpf_map_update_elem(bpf_map__fd(skel->maps.tids), &key, &one, BPF_ANY))
				fprintf(stderr, TAG ": cannot track tid %ld: %s (at most %d tids)\n", tid,
					strerror(errno), KTRACE_MAX_TIDS);
		}
		s = nl + 1;
	}
	*len = (size_t)(buf + *len - s);
	memmove(buf, s, *len);
	return rc;
}

int main(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct ring_buffer *rb = NULL;
	struct ktstr_trace *skel;
	static char stdout_buf[1 << 16];
	char in[4096];
	size_t inlen = 0;
	int err, ret = 1;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	setvbuf(stderr, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);
	setrlimit(RLIMIT_MEMLOCK, &rl);

	skel = ktstr_trace__open_and_load();
	if (!skel) {
		fprintf(stderr, TAG ": cannot load the BPF tracer: %s (needs CONFIG_DEBUG_INFO_BTF "
			"and BPF ring buffers)\n", strerror(errno));
		return 1;
	}
	err = ktstr_trace__attach(skel);
	if (err) {
		fprintf(stderr, TAG ": cannot attach to sched_switch/sched_wakeup: %s\n", strerror(-err));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, TAG ": cannot map the ring buffer: %s\n", strerror(errno));
		goto out;
	}
	struct pollfd pf[2] = { { .fd = 0, .events = POLLIN },
				{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN } };
	bool eof = false;
	while (!eof) {
		if (poll(pf, 2, POLL_MS) < 0 && errno != EINTR) {
			fprintf(stderr, TAG ": poll: %s\n", strerror(errno));
			goto out;
		}
		if (ring_buffer__consume(rb) < 0 || fflush(stdout))
			goto out; /* the guest closed the pipe */
		if (pf[0].revents) {
			ssize_t n = read(0, in + inlen, sizeof(in) - 1 - inlen);
			if (n <= 0) {
				eof = n == 0 || errno != EINTR;
			} else {
				inlen += (size_t)n;
				if (take_lines(skel, in, &inlen))
					goto out;
				if (inlen >= sizeof(in) - 1)
					inlen = 0; /* a line longer than any tid: drop it */
			}
		}
	}
	/* Stop: whatever the BPF side produced until now, then the drop count. */
	ring_buffer__consume(rb);
	put_rec(KTRACE_LOST, skel->bss->lost);
	ret = 0;
out:
	fflush(stdout);
	ring_buffer__free(rb);
	ktstr_trace__destroy(skel);
	return ret;
}
