/* One VM's life: fork+exec QEMU (it dies with its forking thread: PR_SET_PDEATHSIG, so the
 * engine thread that calls vm_start must own the VM until vm_free), connect the control
 * port and QMP, multiplex console + control port in vm_poll, watchdog, stop, reap.
 * A registry of live QEMU pids lets vm_kill_all() run from signal handlers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmm/guestmem.h"
#include "vmm/vm_priv.h"

struct vm {
	struct vm_config cfg;
	char *run_dir;
	enum vm_accel accel;
	pid_t pid;
	bool reaped;
	int wstatus;
	enum vm_status status;
	int64_t started_ms;
	int con_fd;                /* read end of QEMU's stdout = ttyS0 */
	int ctl_fd;                /* connected control port socket */
	struct vm_qmp qmp;
	char ctl_path[PATH_MAX], shell_path[PATH_MAX], qmp_path[PATH_MAX];
	char log_path[PATH_MAX];
	struct vm_console *con;
	struct vm_linebuf con_lb, ctl_lb;
	char perf_notes[2048];     /* vm_perf_notes */
	struct guestmem *mem;      /* guest RAM, readable from here (vmm/guestmem.h) */
};

/* ---- registry of live QEMU pids: lock-free slots so a signal handler can read it. */
#define VM_REGISTRY_SLOTS 256
static volatile pid_t registry[VM_REGISTRY_SLOTS];

void vm_registry_add(pid_t pid)
{
	for (int i = 0; i < VM_REGISTRY_SLOTS; i++) {
		pid_t zero = 0;
		if (__atomic_compare_exchange_n(&registry[i], &zero, pid, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return;
	}
	/* Full: PR_SET_PDEATHSIG still covers this one when the process dies. */
}

void vm_registry_del(pid_t pid)
{
	for (int i = 0; i < VM_REGISTRY_SLOTS; i++) {
		pid_t p = pid;
		if (__atomic_compare_exchange_n(&registry[i], &p, 0, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return;
	}
}

void vm_kill_all(void)
{
	int saved = errno;
	for (int i = 0; i < VM_REGISTRY_SLOTS; i++) {
		pid_t p = __atomic_load_n(&registry[i], __ATOMIC_SEQ_CST);
		if (p > 0)
			kill(p, SIGKILL);
	}
	errno = saved;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec d = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&d, &d) < 0 && errno == EINTR)
		;
}

/* Reaps QEMU if it has exited (block: wait for it). The pid leaves the registry before
 * the zombie is reaped, so vm_kill_all never hits a recycled pid. */
static bool reap(struct vm *vm, bool block)
{
	if (vm->reaped || vm->pid <= 0)
		return true;
	siginfo_t si;
	for (;;) {
		memset(&si, 0, sizeof(si));
		int r = waitid(P_PID, (id_t)vm->pid, &si,
			       WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) { /* ECHILD: someone else reaped it (SIGCHLD ignored?) */
			vm_registry_del(vm->pid);
			vm->reaped = true;
			vm->wstatus = -1;
			return true;
		}
		break;
	}
	if (si.si_pid != vm->pid)
		return false;
	vm_registry_del(vm->pid);
	int st = 0;
	while (waitpid(vm->pid, &st, 0) < 0 && errno == EINTR)
		;
	vm->wstatus = st;
	vm->reaped = true;
	return true;
}

int vm_find_qemu(char *out, size_t len, char *err, size_t errlen)
{
	const char *over = getenv("KTSTR_QEMU");
	if (over && *over) {
		if (access(over, X_OK) == 0) {
			snprintf(out, len, "%s", over);
			return 0;
		}
		snprintf(err, errlen, "KTSTR_QEMU=%s is not an executable file; point it at "
			 "qemu-system-x86_64 or unset it", over);
		return -ENOENT;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	const char *p = path;
	while (*p) {
		const char *e = strchrnul(p, ':');
		int n = snprintf(out, len, "%.*s/%s", (int)(e - p), p, VM_QEMU_BIN);
		if (e > p && n > 0 && (size_t)n < len && access(out, X_OK) == 0)
			return 0;
		p = *e ? e + 1 : e;
	}
	snprintf(err, errlen, "%s not found in PATH; install QEMU: sudo apt install "
		 "qemu-system-x86", VM_QEMU_BIN);
	return -ENOENT;
}

/* Last lines of qemu.log, one line, for start-up errors. */
static void qemu_log_tail(const char *path, char *out, size_t len)
{
	out[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[1024];
	off_t end = lseek(fd, 0, SEEK_END);
	off_t start = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, start);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	char *s = buf;
	if (start > 0 && strchr(s, '\n'))
		s = strchr(s, '\n') + 1; /* drop the cut first line */
	for (char *c = s; *c; c++)
		if (*c == '\n')
			*c = '|';
	size_t sl = strlen(s);
	if (sl >= len) /* keep the end: QEMU's error is its last line */
		s += sl - (len - 1);
	memcpy(out, s, strlen(s) + 1);
}

static void exited_at_start(struct vm *vm, char *err, size_t errlen)
{
	char tail[800];
	qemu_log_tail(vm->log_path, tail, sizeof(tail));
	snprintf(err, errlen, "%s exited at start (%s %d): %s (full log: %s)", VM_QEMU_BIN,
		 WIFSIGNALED(vm->wstatus) ? "signal" : "status",
		 WIFSIGNALED(vm->wstatus) ? WTERMSIG(vm->wstatus) : WEXITSTATUS(vm->wstatus),
		 tail[0] ? tail : "no output", vm->log_path);
}

static int sock_path(char *out, const char *dir, const char *name, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		snprintf(err, errlen,
			 "socket path %s/%s is longer than %zu bytes, the unix socket limit; "
			 "use a shorter run directory", dir, name, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	unlink(out); /* a stale socket from an earlier run would make QEMU fail */
	return 0;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t pl = strlen(path);
	if (pl >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, pl + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int check_file(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (!path || stat(path, &st) < 0 || !S_ISREG(st.st_mode) || access(path, R_OK) < 0) {
		snprintf(err, errlen, "VM %s '%s' is not a readable file%s", what,
			 path ? path : "(none)",
			 !strcmp(what, "kernel") ? "; give a bzImage or vmlinux path or a cached "
						   "kernel" : "");
		return -ENOENT;
	}
	return 0;
}

/* Child side of fork: only async-signal-safe calls until exec. */
static void child_exec(const char *qemu, char **argv, int devnull, int out_fd, int log_fd,
		       pid_t parent, const int *mem_fd, int nmem)
{

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* parent already gone: do not outlive it */
		_exit(127);
	setpgid(0, 0); /* the terminal's Ctrl-C goes to ktstr, which stops QEMU itself */
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &dfl, NULL);
	if (dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(log_fd, 2) < 0)
		_exit(127);
	/* The RAM memfds go to fixed fds GUESTMEM_FD_BASE + i (the command line names them):
	 * first out of the way above every target, then into place without CLOEXEC. */
	int high[GUESTMEM_MAX_NODES];
	for (int i = 0; i < nmem; i++)
		if ((high[i] = fcntl(mem_fd[i], F_DUPFD_CLOEXEC, GUESTMEM_FD_BASE + GUESTMEM_MAX_NODES)) < 0)
			_exit(127);
	for (int i = 0; i < nmem; i++)
		if (dup2(high[i], GUESTMEM_FD_BASE + i) < 0)
			_exit(127);
	unsigned first_free = GUESTMEM_FD_BASE + (unsigned)nmem;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, first_free, ~0u, 0u) < 0)
#endif
		for (int fd = (int)first_free; fd < 1024; fd++)
			close(fd);
	execv(qemu, argv);
	static const char msg[] = "ktstr: exec qemu-system-x86_64 failed\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(127);
}

static void vm_release(struct vm *vm)
{
	if (vm->con_fd >= 0)
		close(vm->con_fd);
	if (vm->ctl_fd >= 0)
		close(vm->ctl_fd);
	vm_qmp_close(&vm->qmp);
	vm_console_free(vm->con);
	guestmem_free(vm->mem);
	vm_linebuf_done(&vm->con_lb);
	vm_linebuf_done(&vm->ctl_lb);
	if (vm->ctl_path[0])
		unlink(vm->ctl_path);
	if (vm->shell_path[0])
		unlink(vm->shell_path);
	if (vm->qmp_path[0])
		unlink(vm->qmp_path);
	free(vm->run_dir);
	free(vm);
}

int vm_start(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen)
{
	*out = NULL;
	int r = 0;
	char qemu[PATH_MAX];
	if (!cfg->run_dir || !*cfg->run_dir) {
		snprintf(err, errlen, "vm_start: no run directory given");
		return -EINVAL;
	}
	if ((r = check_file("kernel", cfg->kernel, err, errlen)) ||
	    (r = check_file("initrd", cfg->initrd, err, errlen)))
		return r;
	int accel = vm_choose_accel(cfg->accel, err, errlen);
	if (accel < 0)
		return -ENODEV;
	if ((r = vm_find_qemu(qemu, sizeof(qemu), err, errlen)))
		return r;

	struct vm *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	vm->cfg = *cfg;
	vm->con_fd = vm->ctl_fd = vm->qmp.fd = -1;
	vm->accel = (enum vm_accel)accel;
	vm->run_dir = strdup(cfg->run_dir);
	vm->con = vm_console_new();
	if (!vm->run_dir || !vm->con ||
	    vm_linebuf_init(&vm->con_lb, VM_CONSOLE_LINE_MAX, true) ||
	    vm_linebuf_init(&vm->ctl_lb, VM_CTL_LINE_MAX, false)) {
		vm_release(vm);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	vm->cfg.run_dir = vm->run_dir;
	vm->cfg.kernel = vm->cfg.initrd = vm->cfg.cmdline_extra = NULL; /* not kept */
	vm->cfg.host_cpus = NULL;
	vm->cfg.incoming = vm->cfg.ram_dir = NULL;
	if (!vm->cfg.tsc_khz)
		vm->cfg.tsc_khz = vm_host_tsc_khz();

	struct vm_config acfg = *cfg;
	acfg.tsc_khz = vm->cfg.tsc_khz;
	/* Hugepages only when every page the guest needs is free now; otherwise the seed's
	 * warning and regular pages (prealloc would make QEMU fail on a shortage). */
	acfg.hugepages = false;
	if (cfg->perf_mode) {
		char warn[256];
		acfg.hugepages = vm_hugepage_plan(cfg->memory_mb,
						  vm_free_hugepages(VM_HUGEPAGES_FREE_PATH),
						  warn, sizeof(warn));
		if (!acfg.hugepages)
			vm_note(vm->perf_notes, sizeof(vm->perf_notes), "%s", warn);
		else
			vm_note(vm->perf_notes, sizeof(vm->perf_notes), "performance_mode: guest "
				"memory on %d 2MB hugepages", vm_hugepages_needed(cfg->memory_mb));
	}
	vm->cfg.hugepages = acfg.hugepages;
	struct vm_args args = { 0 };
	char path[PATH_MAX];
	int devnull = -1, log_fd = -1, pipefd[2] = { -1, -1 };
	if ((r = sock_path(vm->ctl_path, cfg->run_dir, "ctl.sock", err, errlen)) ||
	    (r = sock_path(vm->qmp_path, cfg->run_dir, "qmp.sock", err, errlen)) ||
	    (cfg->shell_port &&
	     (r = sock_path(vm->shell_path, cfg->run_dir, "shell.sock", err, errlen))))
		goto fail;
	if ((r = vm_build_args(&acfg, vm->accel, vm->ctl_path, vm->shell_path, vm->qmp_path,
			       &args, err, errlen)))
		goto fail;
	snprintf(path, sizeof(path), "%s/console.log", cfg->run_dir);
	if ((r = vm_console_open_log(vm->con, path, err, errlen)))
		goto fail;
	snprintf(vm->log_path, sizeof(vm->log_path), "%s/qemu.log", cfg->run_dir);
	log_fd = open(vm->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (log_fd < 0 || devnull < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot set up QEMU's output files in %s: %s",
			 cfg->run_dir, strerror(-r));
		goto fail;
	}
	/* A bigger pipe lets a console burst wait for us instead of stalling the guest. */
	(void)fcntl(pipefd[0], F_SETPIPE_SZ, 1 << 20);

	int node_mb[GUESTMEM_MAX_NODES], mem_fd[GUESTMEM_MAX_NODES], nmem = acfg.topo.numa;
	vm_node_mb(&acfg, node_mb);
	if ((r = guestmem_create(node_mb, nmem, acfg.hugepages, &vm->mem, err, errlen)))
		goto fail;
	for (int i = 0; i < nmem; i++)
		mem_fd[i] = guestmem_fd(vm->mem, i);

	pid_t parent = getpid();
	vm->started_ms = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		r = -errno;
		snprintf(err, errlen, "fork for QEMU failed: %s", strerror(-r));
		goto fail;
	}
	if (pid == 0)
		child_exec(qemu, args.argv, devnull, pipefd[1], log_fd, parent, mem_fd, nmem);
	vm->pid = pid;
	vm_registry_add(pid);
	close(pipefd[1]);
	pipefd[1] = -1;
	vm->con_fd = pipefd[0];
	pipefd[0] = -1;
	(void)fcntl(vm->con_fd, F_SETFL, fcntl(vm->con_fd, F_GETFL) | O_NONBLOCK);
	/* A snapshot restore: its memory goes into the fresh memfds while QEMU starts up
	 * ("-incoming defer": no guest instruction runs before vm_snapshot_resume). */
	for (int i = 0; cfg->ram_dir && i < nmem; i++) {
		snprintf(path, sizeof(path), "%s/ram%d", cfg->ram_dir, i);
		if ((r = vm_snapshot_fill_ram(mem_fd[i], path, err, errlen)))
			goto fail;
	}

	/* Connect the control port before the guest can write to it (its writes block until
	 * we are connected, DESIGN.md), then QMP. QEMU listens once its options are parsed. */
	int64_t deadline = vm->started_ms + VM_CONNECT_TIMEOUT_MS;
	for (;;) {
		int fd = connect_unix(vm->ctl_path);
		if (fd >= 0) {
			vm->ctl_fd = fd;
			break;
		}
		if (reap(vm, false)) {
			r = -ECHILD;
			goto fail;
		}
		if (now_ms() > deadline) {
			snprintf(err, errlen, "%s did not open its control socket %s within %d ms; "
				 "see %s", VM_QEMU_BIN, vm->ctl_path, VM_CONNECT_TIMEOUT_MS,
				 vm->log_path);
			r = -ETIMEDOUT;
			goto fail;
		}
		sleep_ms(5);
	}
	/* -qmp is created before the chardevs, so it is listening by now. */
	if ((r = vm_qmp_connect(&vm->qmp, vm->qmp_path, 5000, err, errlen)))
		goto fail;
	if (cfg->host_cpus && !cfg->perf_mode)
		(void)vm_pin_vcpus(&vm->qmp, cfg->host_cpus, vm->perf_notes, sizeof(vm->perf_notes));
	if (cfg->perf_mode) {
		/* QEMU was started with -S: pin first, then let the guest run. */
		(void)vm_perf_pin(&vm->qmp, vm->accel, cfg->host_cpus, vm->perf_notes,
				  sizeof(vm->perf_notes));
		if ((r = vm_qmp_cmd(&vm->qmp, "{\"execute\":\"cont\"}", 5000, NULL, err, errlen)))
			goto fail;
	}
	vm_args_free(&args);
	close(devnull);
	close(log_fd);
	*out = vm;
	return 0;

fail:
	vm_args_free(&args);
	if (devnull >= 0)
		close(devnull);
	if (log_fd >= 0)
		close(log_fd);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (vm->pid > 0) {
		/* A QMP or socket failure usually means QEMU is dying of bad options or a bad
		 * kernel: give it a moment and report its own words instead. */
		for (int i = 0; i < 100 && !reap(vm, false); i++)
			sleep_ms(10);
		if (vm->reaped) {
			exited_at_start(vm, err, errlen);
			r = -ECHILD;
		} else {
			kill(vm->pid, SIGKILL);
			reap(vm, true);
		}
	}
	vm_release(vm);
	return r;
}

struct dispatch { struct vm *vm; const struct vm_callbacks *cb; };

static void on_console(void *ctx, const char *line)
{
	struct dispatch *d = ctx;
	vm_console_push(d->vm->con, line);
	if (d->cb && d->cb->console_line)
		d->cb->console_line(d->cb->ctx, line);
}

static void on_ctl(void *ctx, const char *line)
{
	struct dispatch *d = ctx;
	if (d->cb && d->cb->ctl_line)
		d->cb->ctl_line(d->cb->ctx, line);
}

/* Reads what is available from fd (bounded per call so one busy stream cannot starve the
 * other); closes it on EOF/error. */
static void pump(int *fd, struct vm_linebuf *lb, vm_line_fn fn, struct dispatch *d)
{
	char buf[16384];
	for (int rounds = 0; *fd >= 0 && rounds < 64; rounds++) {
		ssize_t n = read(*fd, buf, sizeof(buf));
		if (n > 0) {
			vm_linebuf_feed(lb, buf, (size_t)n, fn, d);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		vm_linebuf_flush(lb, fn, d); /* EOF or error */
		close(*fd);
		*fd = -1;
	}
}

/* After QEMU is gone: everything it wrote is in the pipe/socket; take all of it. */
static void drain_all(struct vm *vm, struct dispatch *d)
{
	for (int i = 0; i < 1024 && (vm->con_fd >= 0 || vm->ctl_fd >= 0); i++) {
		int c = vm->con_fd, k = vm->ctl_fd;
		pump(&vm->con_fd, &vm->con_lb, on_console, d);
		pump(&vm->ctl_fd, &vm->ctl_lb, on_ctl, d);
		if (c == vm->con_fd && k == vm->ctl_fd) /* EAGAIN on both: nothing left */
			break;
	}
	vm_linebuf_flush(&vm->con_lb, on_console, d);
	vm_linebuf_flush(&vm->ctl_lb, on_ctl, d);
}

enum vm_status vm_poll(struct vm *vm, int timeout_ms, const struct vm_callbacks *cb)
{
	struct dispatch d = { vm, cb };
	if (vm->status != VM_RUNNING) {
		drain_all(vm, &d);
		return vm->status;
	}
	int64_t start = now_ms();
	for (;;) {
		int64_t now = now_ms();
		if (vm->cfg.watchdog_ms > 0 && now - vm->started_ms >= vm->cfg.watchdog_ms) {
			kill(vm->pid, SIGKILL);
			reap(vm, true);
			vm->status = VM_WATCHDOG;
			drain_all(vm, &d);
			return vm->status;
		}
		if (reap(vm, false)) {
			vm->status = VM_EXITED;
			drain_all(vm, &d);
			return vm->status;
		}
		int wait = (int)(start + timeout_ms - now);
		if (wait < 0)
			wait = 0;
		/* Wake for the watchdog and to notice QEMU's exit (no SIGCHLD handling here:
		 * the engine thread owns the VM, signals belong to the application). */
		if (vm->cfg.watchdog_ms > 0 && vm->started_ms + vm->cfg.watchdog_ms - now < wait)
			wait = (int)(vm->started_ms + vm->cfg.watchdog_ms - now);
		if (wait > 100)
			wait = 100;
		struct pollfd p[3];
		int np = 0;
		if (vm->con_fd >= 0)
			p[np++] = (struct pollfd){ .fd = vm->con_fd, .events = POLLIN };
		if (vm->ctl_fd >= 0)
			p[np++] = (struct pollfd){ .fd = vm->ctl_fd, .events = POLLIN };
		if (vm->qmp.fd >= 0)
			p[np++] = (struct pollfd){ .fd = vm->qmp.fd, .events = POLLIN };
		int r = np ? poll(p, (nfds_t)np, wait) : (sleep_ms(wait), 0);
		if (r > 0) {
			pump(&vm->con_fd, &vm->con_lb, on_console, &d);
			pump(&vm->ctl_fd, &vm->ctl_lb, on_ctl, &d);
			vm_qmp_drain(&vm->qmp);
		}
		if (now_ms() - start >= timeout_ms) {
			if (reap(vm, false)) {
				vm->status = VM_EXITED;
				drain_all(vm, &d);
			}
			return vm->status;
		}
	}
}

int vm_ctl_send(struct vm *vm, const char *line)
{
	if (vm->ctl_fd < 0)
		return -ENOTCONN;
	size_t n = strlen(line);
	if (n + 1 > VM_CTL_LINE_MAX)
		return -EMSGSIZE;
	char buf[VM_CTL_LINE_MAX + 1];
	memcpy(buf, line, n);
	buf[n++] = '\n';
	size_t off = 0;
	int64_t deadline = now_ms() + 2000;
	while (off < n) {
		ssize_t w = send(vm->ctl_fd, buf + off, n - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN && now_ms() < deadline) {
			struct pollfd p = { .fd = vm->ctl_fd, .events = POLLOUT };
			poll(&p, 1, 50);
			continue;
		}
		return w < 0 && errno == EAGAIN ? -ETIMEDOUT : -EPIPE;
	}
	return 0;
}

int vm_sysrq(struct vm *vm, char key)
{
	char cmd[512], err[256];
	if (vm_qmp_sysrq_cmd(key, cmd, sizeof(cmd)))
		return -EINVAL;
	return vm_qmp_cmd(&vm->qmp, cmd, 2000, NULL, err, sizeof(err));
}

int vm_vcpu_tids(struct vm *vm, int *tids, int max)
{
	char err[256], *resp = NULL;
	int r = vm_qmp_cmd(&vm->qmp, "{\"execute\":\"query-cpus-fast\"}", 2000, &resp, err,
			   sizeof(err));
	if (r < 0)
		return r;
	r = vm_qmp_parse_cpus(resp, tids, max);
	free(resp);
	return r;
}

const char *vm_shell_sock(const struct vm *vm)
{
	return vm->cfg.shell_port ? vm->shell_path : NULL;
}

const char *vm_perf_notes(const struct vm *vm) { return vm->perf_notes; }
struct vm_qmp *vm_qmp_of(struct vm *vm) { return &vm->qmp; }
int vm_ctl_fd(const struct vm *vm) { return vm->ctl_fd; }
int vm_ram_nodes(const struct vm *vm) { return vm->cfg.topo.numa; }
bool vm_hugepages_used(const struct vm *vm) { return vm->cfg.hugepages; }
struct guestmem *vm_guestmem(const struct vm *vm) { return vm->mem; }
enum vm_accel vm_accel(const struct vm *vm) { return vm->accel; }
pid_t vm_pid(const struct vm *vm) { return vm->pid; }
int64_t vm_started_ms(const struct vm *vm) { return vm->started_ms; }

int vm_stop(struct vm *vm, int grace_ms)
{
	if (!vm)
		return -1;
	if (!vm->reaped && vm->pid > 0) {
		char err[256];
		if (vm->qmp.fd >= 0)
			(void)vm_qmp_cmd(&vm->qmp, "{\"execute\":\"quit\"}", grace_ms > 0 ? grace_ms : 1,
					 NULL, err, sizeof(err));
		int64_t deadline = now_ms() + (grace_ms > 0 ? grace_ms : 0);
		while (!reap(vm, false) && now_ms() < deadline)
			sleep_ms(10);
		if (!vm->reaped) {
			kill(vm->pid, SIGKILL);
			reap(vm, true);
		}
		if (vm->status == VM_RUNNING)
			vm->status = VM_EXITED;
	}
	return vm->reaped ? vm->wstatus : -1;
}

void vm_free(struct vm *vm)
{
	if (!vm)
		return;
	vm_stop(vm, 2000);
	vm_release(vm);
}
