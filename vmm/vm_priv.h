/* vmm/ internals shared by its .c files (and the unit tests): the VM struct, the line
 * splitter and console ring, the QMP client, and the injectable accelerator decision.
 * Nothing outside vmm/, tests/unit/test_vmm.c and tests/fuzz/fuzz_qmp.c includes this. */
#ifndef KTSTR_VM_PRIV_H
#define KTSTR_VM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmm/vm.h"

#define VM_QEMU_BIN "qemu-system-x86_64"
#define VM_CONSOLE_LINE_MAX 1024           /* longer console lines are cut */
#define VM_CONSOLE_LOG_MAX (64ull << 20)   /* console.log stops growing here */
#define VM_CTL_LINE_MAX 8192               /* = KTSTR_LINE_MAX in guest/proto.h */
#define VM_CONNECT_TIMEOUT_MS 15000        /* QEMU start to listening sockets, loaded host */

/* --- line splitter: bytes in, whole lines out; an overlong line is cut at max and the
 * rest up to the next newline is dropped (never buffered, never overflows). */
struct vm_linebuf {
	char *buf;     /* max + 1 bytes */
	size_t len, max;
	bool dropping; /* inside the tail of a cut line */
	bool sanitize; /* replace control bytes (console text goes to a terminal) */
};
int vm_linebuf_init(struct vm_linebuf *lb, size_t max, bool sanitize);
void vm_linebuf_done(struct vm_linebuf *lb);
typedef void (*vm_line_fn)(void *ctx, const char *line);
/* Feeds n bytes; calls fn for every completed line. */
void vm_linebuf_feed(struct vm_linebuf *lb, const char *data, size_t n, vm_line_fn fn, void *ctx);
/* Emits a pending partial line (at EOF). */
void vm_linebuf_flush(struct vm_linebuf *lb, vm_line_fn fn, void *ctx);

/* --- console: console.log in run_dir (capped); the engine keeps the lines in memory. */
struct vm_console;
struct vm_console *vm_console_new(void);
void vm_console_free(struct vm_console *c);
int vm_console_open_log(struct vm_console *c, const char *path, char *err, size_t errlen);
void vm_console_push(struct vm_console *c, const char *line); /* appends to console.log */

/* --- QMP client over a unix socket. */
struct vm_qmp { int fd; char rbuf[65536]; size_t rlen; };
int vm_qmp_connect(struct vm_qmp *q, const char *path, int timeout_ms, char *err, size_t errlen);
/* The greeting + qmp_capabilities over an already connected non-blocking fd (owned from
 * here on; closed on failure); what names the peer in messages. vm_qmp_connect's second
 * half, separate so tests/fuzz/fuzz_qmp.c can feed it replies over a socketpair. */
int vm_qmp_handshake(struct vm_qmp *q, int fd, int timeout_ms, const char *what, char *err,
		     size_t errlen);
/* Sends one command (a JSON object text) and waits for its return/error line; returns
 * 0 with the response line (malloc'd) in *resp if resp != NULL, -errno otherwise. Events
 * read meanwhile are dropped. */
int vm_qmp_cmd(struct vm_qmp *q, const char *json, int timeout_ms, char **resp,
	       char *err, size_t errlen);
void vm_qmp_drain(struct vm_qmp *q); /* reads and drops pending events, never blocks */
void vm_qmp_close(struct vm_qmp *q);
/* Parses a query-cpus-fast response into tids ordered by cpu-index; returns the count. */
int vm_qmp_parse_cpus(const char *resp, int *tids, int max);
/* Builds the send-key command for SysRq+key into buf; -EINVAL for unsupported keys. */
int vm_qmp_sysrq_cmd(char key, char *buf, size_t len);

/* --- accelerator decision with injectable inputs (env value, device and cpuinfo paths). */
int vm_choose_accel_at(enum vm_accel want, const char *env_accel, const char *kvm_path,
		       const char *cpuinfo_path, char *err, size_t errlen);
/* Host TSC frequency in kHz, measured; 0 when unknown (no constant TSC). */
unsigned vm_host_tsc_khz(void);

/* --- argv helpers, exposed for tests. */
/* Each NUMA node's RAM in MB (node_mb has topo.numa entries); returns the total (-m). */
int vm_node_mb(const struct vm_config *cfg, int *node_mb);
int vm_topo_vcpus(const struct vm_topology *t, char *err, size_t errlen);
/* The highest APIC ID QEMU gives this topology's vCPUs. Above VM_TCG_MAX_APIC_ID QEMU needs
 * KVM's x2APIC API and refuses to start under TCG ("requires kernel irqchip and X2APIC"). */
long vm_topo_max_apic_id(const struct vm_topology *t);
#define VM_TCG_MAX_APIC_ID 254

/* --- performance mode (perf.c). vm_note appends one line to a '\n'-separated buffer. */
void vm_note(char *notes, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Pins each distinct vCPU thread (QMP query-cpus-fast) to its own host CPU and tries
 * SCHED_FIFO 1 for them; notes says what was done or not. 0, or -errno when the thread
 * ids could not be read. */
int vm_perf_pin(struct vm_qmp *q, enum vm_accel accel, const cpu_set_t *cpus, char *notes,
		size_t len);
/* Outside performance mode: the vCPU threads onto the reserved CPUs (1:1 from the highest
 * when there are enough, else each on the whole set), SCHED_OTHER. QEMU's other threads
 * (main loop, RCU) stay unpinned: pinned beside a busy TCG vCPU thread on one loaded CPU,
 * the main loop missed QMP's 5 s handshake (docs/locks.md). */
int vm_pin_vcpus(struct vm_qmp *q, const cpu_set_t *cpus, char *notes, size_t len);

/* --- pid registry (async-signal-safe kill). */
/* For vmm/snapshot.c. */
struct vm_qmp *vm_qmp_of(struct vm *vm);
int vm_ctl_fd(const struct vm *vm);
int vm_ram_nodes(const struct vm *vm);

void vm_registry_add(pid_t pid);
void vm_registry_del(pid_t pid);

#endif
