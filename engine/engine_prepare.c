/* Run preparation: resolution of kernel and scheduler, the run directory, the initramfs,
 * and the timing budgets. Runs on the caller's thread so its errors reach the user before
 * any VM exists. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine_prepare.h"
#include "engine/kernel/btf.h"
#include "engine/kernel/cache.h"
#include "engine/fsutil.h"
#include "engine/initramfs/elfdeps.h"
#include "engine/initramfs/initramfs.h"
#include "engine/engine_disk.h"
#include "engine/kernel/kmod.h"
#include "engine/kernel/lock.h"
#include "engine/parts.h"
#include "engine/scenario_wire.h"
#include "engine/sched.h"
#include "engine/version.h"
#include "vmm/vm.h"
#include "guest/probe_wire.h"
#include "guest/proto.h"

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	long x = strtol(v, &end, 10);
	return (*end || x <= 0 || x > INT_MAX) ? dflt : (int)x;
}

/* The timeline tracer (bpf/ktstr_trace, built by `make bpf`): KTSTR_TRACE=path, or "off";
 * else among ktstr's parts (parts.h). Optional: without it the guest says so in a log line
 * and sends no timeline. */
static bool find_tracer(char *out, size_t len)
{
	const char *v = getenv("KTSTR_TRACE");
	if (v && *v)
		return strcmp(v, "off") && snprintf(out, len, "%s", v) < (int)len && !access(out, X_OK);
	return !parts_find("ktstr_trace", out, len);
}

/* The repro VM's spec, written to <run dir>/probe.spec, and the probe loader (bpf/ktstr_probe,
 * `make bpf`): KTSTR_PROBE=path, else among ktstr's parts. Fills two extras. */
static int add_probes(const char *spec, const struct run *r, char *spec_path,
		      char *prober, struct initramfs_extra *extra, char *err, size_t errlen)
{
	const char *v = getenv("KTSTR_PROBE");
	if (v && *v ? snprintf(prober, PATH_MAX, "%s", v) >= PATH_MAX || access(prober, X_OK)
		    : parts_find("ktstr_probe", prober, PATH_MAX)) {
		snprintf(err, errlen, "auto-repro needs the probe loader ktstr_probe%s%s, which is "
			 "missing; build it with `make bpf` (or set KTSTR_PROBE=/path/to/ktstr_probe)",
			 v && *v ? " at " : "", v && *v ? v : "");
		return -ENOPKG;
	}
	snprintf(spec_path, PATH_MAX, "%s/probe.spec", r->dir);
	int rc = fs_write_atomic(spec_path, spec, strlen(spec), 0644);
	if (rc) {
		snprintf(err, errlen, "cannot write %s: %s", spec_path, strerror(-rc));
		return rc;
	}
	extra[0] = (struct initramfs_extra){ KTSTR_GUEST_PROBE_SPEC, spec_path };
	extra[1] = (struct initramfs_extra){ KTSTR_GUEST_PROBE_BIN, prober };
	return 0;
}

static void make_run_id(const struct scenario *scn, char *out, size_t len)
{
	static int counter;
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", &tm);
	snprintf(out, len, "%.60s-%s-%d-%d", scn->name[0] ? scn->name : "run", ts, (int)getpid(),
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
}

/* A repro VM's run id: "<primary id>-repro", then -repro-2, ... when reproduced again. */
static void repro_run_id(const char *runs, const struct run *primary, char *out, size_t len)
{
	char dir[PATH_MAX];
	for (int n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(out, len, "%.100s-repro", primary->id[0] ? primary->id : "run");
		else
			snprintf(out, len, "%.100s-repro-%d", primary->id[0] ? primary->id : "run", n);
		snprintf(dir, sizeof(dir), "%s/%s", runs, out);
		if (access(dir, F_OK))
			return;
	}
}

static int save_scenario(const struct run *r, char *err, size_t errlen)
{
	char path[PATH_MAX];
	char *text = scn_to_json(&r->scn);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/scenario.json", r->dir);
	int rc = fs_write_atomic(path, text, strlen(text), 0644);
	free(text);
	if (rc)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	return rc;
}

static int prepare(const struct run_request *req, struct run *r, struct run_plan *plan,
		   char *err, size_t errlen)
{
	char root[PATH_MAX], path[PATH_MAX];
	int rc;

	version_collect(&r->tool); /* first: even a run that fails to start records it */
	/* CpusetSpecs resolve against the final topology, before anything is locked or booted. */
	if ((rc = scn_resolve(&r->scn, err, errlen)))
		return rc;
	r->shell = req->shell;
	r->exec = req->shell && req->exec_cmd;
	if (r->exec && strlen(req->exec_cmd) > KTSTR_EXEC_MAX) {
		snprintf(err, errlen, "--exec: the command is %zu bytes, at most %d are accepted; "
			 "put a longer script in a file and pass it with -i", strlen(req->exec_cmd),
			 KTSTR_EXEC_MAX);
		return -EINVAL;
	}
	/* A probe spec by hand that cannot be read stops the run before anything is made. */
	const char *ps = getenv("KTSTR_PROBE_SPEC");
	if (!req->probe_spec && ps && *ps && !r->shell && access(ps, R_OK)) {
		snprintf(err, errlen, "KTSTR_PROBE_SPEC=%s: cannot read it: %s (point it at a probe "
			 "spec, see docs/auto-repro.md, or unset it)", ps, strerror(errno));
		return -EINVAL;
	}
	struct kernel_entry ke;
	if ((rc = cache_resolve(req->kernel_spec, &ke, err, errlen)))
		return rc;
	/* A cached entry is held shared for the whole run, so `ktstr kernel rm` in another
	 * process waits instead of deleting the image under us; recheck after waiting. */
	if (strcmp(ke.source, "path")) {
		if ((rc = cache_root(root, sizeof(root), err, errlen)) ||
		    (rc = lock_kernel_entry(root, ke.key, LOCK_SH, &plan->kernel_lock, err, errlen)))
			return rc;
		if (access(ke.image, R_OK)) {
			snprintf(err, errlen, "cached kernel '%s' was removed while this run waited for "
				 "it; import or fetch it again, or pick another with --kernel", ke.key);
			return -ENOENT;
		}
	}
	snprintf(r->kernel_key, sizeof(r->kernel_key), "%s", ke.key);
	snprintf(r->kernel_path, sizeof(r->kernel_path), "%s", ke.image);
	snprintf(r->kernel_version, sizeof(r->kernel_version), "%s", ke.version);
	snprintf(plan->vmlinux, sizeof(plan->vmlinux), "%s", ke.vmlinux);
	/* The bzImage boots everywhere; the extracted vmlinux (PVH entry) is faster when
	 * present, see docs/vmm.md. KTSTR_BOOT_BZIMAGE=1 forces the bzImage. */
	if (ke.vmlinux[0] && !getenv("KTSTR_BOOT_BZIMAGE") && !access(ke.vmlinux, R_OK))
		snprintf(plan->boot_image, sizeof(plan->boot_image), "%s", ke.vmlinux);
	else
		snprintf(plan->boot_image, sizeof(plan->boot_image), "%s", ke.image);

	/* I/O work types need /dev/vda: a kernel that cannot have it is refused before
	 * anything is made. */
	bool disk = !r->shell && engine_disk_needed(&r->scn);
	if (disk && (rc = kmod_virtio_blk_for_run(&ke, plan->disk_module, sizeof(plan->disk_module),
						  err, errlen)))
		return rc;

	char sched_path[PATH_MAX] = "";
	/* The seed's kfunc BTF mismatch, caught before booting a scheduler run. */
	if (r->scn.sched.kind != SCHED_EEVDF && ke.vmlinux[0])
		btf_kfunc_warning(ke.vmlinux, ke.version, ke.key, r->warning, sizeof(r->warning));
	if ((rc = sched_resolve(&r->scn.sched, sched_path, sizeof(sched_path), err, errlen)))
		return rc;
	bool has_sched = r->scn.sched.kind != SCHED_EEVDF;
	const char *slash = strrchr(r->scn.sched.spec, '/');
	snprintf(r->sched_label, sizeof(r->sched_label), "%s",
		 !has_sched ? "eevdf" : slash ? slash + 1 : r->scn.sched.spec);

	if ((rc = cache_root(root, sizeof(root), err, errlen)))
		return rc;
	/* KTSTR_SIDECAR_DIR relocates the runs root (e.g. off NFS) and skips the cross-process
	 * flock, so each concurrent run must get its own path (docs/locks.md). */
	const char *sidecar = getenv("KTSTR_SIDECAR_DIR");
	bool no_flock = !req->runs_root && sidecar && *sidecar;
	const char *runs = req->runs_root ? req->runs_root : no_flock ? sidecar : getenv("KTSTR_RUNS_DIR");
	char runs_buf[PATH_MAX];
	if (!runs || !*runs) {
		snprintf(runs_buf, sizeof(runs_buf), "%s/runs", root);
		runs = runs_buf;
	}
	if (req->repro_of)
		repro_run_id(runs, req->repro_of, r->id, sizeof(r->id));
	else
		make_run_id(&r->scn, r->id, sizeof(r->id));
	snprintf(r->dir, sizeof(r->dir), "%s/%s", runs, r->id);
	if (!no_flock && (rc = lock_run_dir(runs, r->id, &plan->run_lock, err, errlen)))
		return rc;
	if ((rc = fs_mkdir_p(r->dir, 0755))) {
		snprintf(err, errlen, "cannot create run directory %s: %s (set KTSTR_RUNS_DIR to a "
			 "writable directory)", r->dir, strerror(-rc));
		return rc;
	}
	if (disk && (rc = engine_disk_create(r->dir, plan->disk, sizeof(plan->disk), err, errlen)))
		return rc;
	r->started_unix = time(NULL);
	snprintf(r->sched_bin, sizeof(r->sched_bin), "%s", sched_path);
	/* The exact scenario, so `ktstr repro RUN_DIR` can run it again (docs/auto-repro.md). */
	if (!r->shell && (rc = save_scenario(r, err, errlen)))
		return rc;

	/* Performance mode: --perf-mode / --no-perf-mode win over KTSTR_NO_PERF_MODE=1, which
	 * wins over the scenario. A scenario that requires it is skipped, never run without. */
	int pm = req->perf_mode;
	const char *np = getenv("KTSTR_NO_PERF_MODE");
	if (pm == 0 && np && *np && strcmp(np, "0"))
		pm = -1;
	plan->perf_mode = pm > 0 || (pm == 0 && r->scn.performance_mode);
	plan->skip = pm < 0 && r->scn.performance_mode;
	if (plan->skip)
		return 0;

	char init[PATH_MAX], busybox[PATH_MAX];
	const char *ei = getenv("KTSTR_INIT");
	if (ei && *ei)
		snprintf(init, sizeof(init), "%s", ei);
	else if (parts_find("ktstr-init", init, sizeof(init))) {
		snprintf(err, errlen, "guest init not found: no ktstr-init next to the ktstr binary or in "
			 "PREFIX/" PARTS_LIBEXEC "/; build it with `make` (or `make install`) or set "
			 "KTSTR_INIT=/path/to/ktstr-init");
		return -ENOPKG; /* an installation problem, not the user's input */
	}
	const char *eb = getenv("KTSTR_BUSYBOX");
	if (eb && *eb)
		snprintf(busybox, sizeof(busybox), "%s", eb);
	else if (fs_which("busybox", "/usr/bin:/bin", busybox, sizeof(busybox))) {
		snprintf(err, errlen, "busybox not found in PATH; install it: sudo apt install "
			 "busybox-static (or set KTSTR_BUSYBOX=/path/to/static/busybox)");
		return -ENOPKG;
	}
	/* The guest has no libc of its own: a dynamic busybox would leave shell mode dead. */
	struct elf_deps bd = { 0 };
	if (!elf_deps_resolve(busybox, &bd, err, errlen) && bd.n > 0) {
		elf_deps_free(&bd);
		snprintf(err, errlen, "busybox at %s is dynamically linked; the guest needs a static "
			 "one: sudo apt install busybox-static (or set KTSTR_BUSYBOX)", busybox);
		return -ENOPKG;
	}
	elf_deps_free(&bd);
	err[0] = 0;
	char base[PATH_MAX];
	if ((rc = initramfs_base(root, init, busybox, base, sizeof(base), &plan->base_was_cached,
				 err, errlen)))
		return rc;

	char *scn_json = scn_wire_json(&r->scn, has_sched);
	if (!scn_json) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/run.cpio", r->dir);
	char tracer[PATH_MAX];
	int nextra = req->nextra > 0 ? req->nextra : 0;
	struct initramfs_extra *extra = calloc((size_t)nextra + 3, sizeof(*extra));
	if (!extra) {
		free(scn_json);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (nextra)
		memcpy(extra, req->extra, (size_t)nextra * sizeof(*extra));
	/* --exec's command goes in as a file; the copy in the run directory is its record. */
	char exec_path[PATH_MAX];
	snprintf(exec_path, sizeof(exec_path), "%s/exec.sh", r->dir);
	if (r->exec && (rc = fs_write_atomic(exec_path, req->exec_cmd, strlen(req->exec_cmd), 0644))) {
		free(extra);
		free(scn_json);
		snprintf(err, errlen, "cannot write %s: %s", exec_path, strerror(-rc));
		return rc;
	}
	/* A repro VM: the probe spec (its copy in the run directory is its record) and the
	 * loader, in place of the timeline tracer. */
	char spec_path[PATH_MAX], prober[PATH_MAX];
	char *spec = NULL;
	const char *env_spec = getenv("KTSTR_PROBE_SPEC"); /* probes by hand (docs/auto-repro.md) */
	if (!req->probe_spec && env_spec && *env_spec && !r->shell && !r->exec && has_sched &&
	    (rc = fs_read_file(env_spec, 1 << 20, &spec, NULL))) {
		snprintf(err, errlen, "KTSTR_PROBE_SPEC=%s: cannot read it: %s (point it at a probe "
			 "spec, see docs/auto-repro.md, or unset it)", env_spec, strerror(-rc));
		fs_rm_rf(r->dir); /* nothing ran: leave no run behind */
		free(extra);
		free(scn_json);
		return -EINVAL;
	}
	const char *probes = req->probe_spec ? req->probe_spec : spec;
	if (probes && (rc = add_probes(probes, r, spec_path, prober, &extra[nextra], err, errlen))) {
		free(spec);
		free(extra);
		free(scn_json);
		return rc;
	}
	bool have_probes = probes != NULL;
	free(spec);
	if (have_probes)
		nextra += 2;
	else if (r->exec)
		extra[nextra++] = (struct initramfs_extra){ KTSTR_GUEST_EXEC, exec_path };
	else if (!r->shell && find_tracer(tracer, sizeof(tracer)))
		extra[nextra++] = (struct initramfs_extra){ KTSTR_GUEST_TRACE_BIN, tracer };
	if (plan->disk_module[0])
		extra[nextra++] = (struct initramfs_extra){ KTSTR_GUEST_VIRTIO_BLK, plan->disk_module };
	rc = initramfs_run(path, scn_json, has_sched ? sched_path : NULL, extra, nextra, err, errlen);
	free(extra);
	free(scn_json);
	if (rc)
		return rc;
	/* Snapshot boot: the base alone boots to the wait point; the per-run archive goes
	 * over the control port (docs/snapshot.md). */
	struct kernel_entry *snap_ke = malloc(sizeof(ke));
	if (snap_ke)
		*snap_ke = ke;
	if (engine_snap_wanted(&plan->snap, req->no_snapshot, r->shell, plan->perf_mode,
			       scn_topo_cpus(&r->scn.topo), snap_ke)) {
		snprintf(plan->snap.archive, sizeof(plan->snap.archive), "%s", path);
		snprintf(plan->initrd, sizeof(plan->initrd), "%s", base);
	} else {
		snprintf(plan->initrd, sizeof(plan->initrd), "%s/initrd.cpio", r->dir);
		rc = initramfs_concat(base, path, plan->initrd, err, errlen);
		unlink(path);
		if (rc)
			return rc;
	}

	int vcpus = scn_topo_cpus(&r->scn.topo);
	plan->accel = req->accel;
	plan->shell_port = req->shell_port || req->shell;
	/* The budget is set from the real accelerator once the VM starts; an override sticks. */
	int budget_override = env_int("KTSTR_BOOT_BUDGET_MS", 0);
	if (budget_override) {
		r->boot_budget_ms = budget_override;
		plan->boot_budget_override = true;
	}
	/* Watchdog: the longest boot we accept (TCG budget), the workload, and time to report
	 * and power off (each step's end may wait up to 5 s for its workers to stop);
	 * KTSTR_WATCHDOG_MS overrides. */
	plan->watchdog_ms = env_int("KTSTR_WATCHDOG_MS",
				    vm_boot_budget_ms(vcpus, true) + r->scn.duration_ms * 2 + 30000 +
				    r->scn.nsteps * 6000);
	/* A shell lasts as long as its user wants: no run watchdog. The engine still stops a
	 * shell VM that never comes up (boot budget, engine.c). */
	if (req->shell)
		plan->watchdog_ms = 0;
	/* The user's --kernel-arg goes last: one with "--" hands what follows to init. */
	snprintf(plan->cmdline_extra, sizeof(plan->cmdline_extra), "%s%s%s",
		 req->shell ? "ktstr.mode=shell " : "", plan->snap.wait ? "ktstr.wait=1 " : "",
		 req->kernel_args ? req->kernel_args : "");
	size_t n = strlen(plan->cmdline_extra);
	if (n && plan->cmdline_extra[n - 1] == ' ')
		plan->cmdline_extra[n - 1] = '\0';
	return 0;
}

int engine_prepare(const struct run_request *req, struct run *r, struct run_plan *plan,
		   char *err, size_t errlen)
{
	memset(plan, 0, sizeof(*plan));
	int rc = prepare(req, r, plan, err, errlen);
	if (rc) /* callers do not clean up a failed prepare: drop its locks here */
		engine_prepare_cleanup(plan);
	return rc;
}

void engine_prepare_cleanup(struct run_plan *plan)
{
	if (plan->initrd[0] && !plan->snap.wait && !getenv("KTSTR_KEEP_INITRD"))
		unlink(plan->initrd); /* under snapshot boot it is the cached base */
	hostcpus_release(&plan->cpus);
	engine_snap_cleanup(&plan->snap);
	lock_release_unlink(&plan->run_lock);
	lock_release(&plan->kernel_lock);
}
