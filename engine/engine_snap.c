/* Snapshot boot, the engine's half (engine/engine_snap.h). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine_snap.h"
#include "engine/fsutil.h"
#include "guest/proto.h"

/* A restored guest has its data and answers "hello" within this (loaded TCG host). */
#define SNAP_ANSWER_MS 20000
#define SNAP_LOAD_MS 20000     /* QEMU's load of the state file */
/* Larger machines boot cold: a 128-vCPU guest's saving boot missed its 117 s budget once
 * in two tries under TCG (docs/snapshot.md has the figures); its restore takes 2.5 s. */
#define SNAP_MAX_VCPUS 16
#define SNAP_SAVE_MS 60000
#define SNAP_SEND_MS 30000     /* the archive over the control port */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool env_off(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0");
}

bool engine_snap_wanted(struct snap_plan *sp, bool no_snapshot, bool shell, bool perf_mode,
			int vcpus, struct kernel_entry *entry)
{
	sp->entry = entry;
	sp->wait = !no_snapshot && !env_off("KTSTR_NO_SNAPSHOT") && !shell &&
		   !perf_mode && vcpus <= SNAP_MAX_VCPUS && entry && entry->dir[0];
	return sp->wait;
}

bool engine_snap_is_wait(const char *line)
{
	static const char pre[] = "{\"" KTSTR_MSG_KEY_TYPE "\":\"" KTSTR_MSG_WAIT "\"";
	return !strncmp(line, pre, sizeof(pre) - 1);
}

/* The "run" line: clock, randomness, name and the archive's size. */
static int send_header(struct snap_plan *sp, struct run *r, struct vm *vm, char *err,
		       size_t errlen)
{
	struct stat st;
	if (stat(sp->archive, &st)) {
		snprintf(err, errlen, "cannot read the run archive %s: %s", sp->archive, strerror(errno));
		return -errno;
	}
	unsigned char seed[32];
	char hex[65];
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		memset(seed, 0, sizeof(seed));
	for (size_t i = 0; i < sizeof(seed); i++)
		snprintf(hex + 2 * i, 3, "%02x", seed[i]);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char host[64];
	snprintf(host, sizeof(host), "ktstr-%.40s", r->id);
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s}", KTSTR_MSG_KEY_TYPE, KTSTR_CMD_RUN,
			      KTSTR_RUN_KEY_SIZE, (json_int_t)st.st_size,
			      KTSTR_RUN_KEY_REALTIME_S, (json_int_t)ts.tv_sec,
			      KTSTR_RUN_KEY_REALTIME_US, (json_int_t)(ts.tv_nsec / 1000),
			      KTSTR_RUN_KEY_SEED, hex, KTSTR_RUN_KEY_HOST, host);
	char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	int rc = line ? vm_ctl_send(vm, line) : -ENOMEM;
	free(line);
	if (rc)
		snprintf(err, errlen, "cannot send the run header to the guest: %s", strerror(-rc));
	return rc;
}

/* Lines go to cb until the guest's sys_rdy (after its hello), the answer to the header. */
static int await_hello(struct run *r, struct vm *vm, const struct vm_callbacks *cb,
		       int64_t deadline, char *err, size_t errlen)
{
	for (;;) {
		run_lock(r);
		bool rdy = r->sys_rdy_ms >= 0;
		run_unlock(r);
		if (rdy)
			return 0;
		if (vm_poll(vm, 5, cb) != VM_RUNNING) {
			snprintf(err, errlen, "QEMU exited before the guest answered the run header");
			return -ECHILD;
		}
		if (now_ms() > deadline) {
			snprintf(err, errlen, "the guest did not answer the run header within %d ms",
				 SNAP_ANSWER_MS);
			return -ETIMEDOUT;
		}
	}
}

static int send_archive(struct snap_plan *sp, struct vm *vm, char *err, size_t errlen)
{
	char *data = NULL;
	size_t n = 0;
	int rc = fs_read_file(sp->archive, KTSTR_RUN_MAX, &data, &n);
	if (!rc)
		rc = vm_ctl_send_raw(vm, data, n, SNAP_SEND_MS);
	free(data);
	if (rc)
		snprintf(err, errlen, "cannot send the run archive (%zu bytes) to the guest: %s", n,
			 strerror(-rc));
	else
		sp->sent = true;
	return rc;
}

/* Restore: start from the state, resume, send, await hello. */
static int try_restore(struct snap_plan *sp, struct run *r, struct vm_config *cfg,
		       struct vm **vm, const struct vm_callbacks *cb, int64_t *vm_start_ms,
		       char *err, size_t errlen)
{
	cfg->incoming = "defer";
	cfg->ram_dir = sp->slot.dir;
	int64_t t0 = now_ms();
	int rc = vm_start(cfg, vm, err, errlen);
	cfg->incoming = cfg->ram_dir = NULL;
	if (rc)
		return rc;
	*vm_start_ms = vm_started_ms(*vm);
	if ((rc = vm_snapshot_resume(*vm, sp->slot.dir, SNAP_LOAD_MS, err, errlen)) ||
	    (rc = send_header(sp, r, *vm, err, errlen)))
		goto fail;
	/* Before the answer: its EV_BOOT event already says "restored". */
	run_lock(r);
	r->restored = true;
	run_unlock(r);
	if ((rc = await_hello(r, *vm, cb, t0 + SNAP_ANSWER_MS, err, errlen)))
		goto fail;
	run_lock(r);
	r->restore_ms = now_ms() - t0;
	run_unlock(r);
	snap_touch(&sp->slot);
	if ((rc = send_archive(sp, *vm, err, errlen))) { /* not the snapshot's fault: no fallback */
		vm_free(*vm);
		*vm = NULL;
	}
	return rc;
fail:
	vm_free(*vm);
	*vm = NULL;
	sp->sent = false;
	run_lock(r);
	r->restored = false;
	run_unlock(r);
	return rc;
}

int engine_snap_start(struct snap_plan *sp, struct run *r, struct vm_config *cfg,
		      struct vm **vm, const struct vm_callbacks *cb, int64_t *vm_start_ms,
		      char *warn, size_t warnlen, char *err, size_t errlen)
{
	warn[0] = 0;
	if (sp->wait) {
		char kerr[512];
		char *text = vm_snapshot_machine_text(cfg, kerr, sizeof(kerr));
		if (text && !snap_locate(sp->entry, text, r->tool.qemu, &sp->slot, kerr, sizeof(kerr)))
			sp->have_slot = true;
		else
			snprintf(sp->why_cold, sizeof(sp->why_cold), "no snapshot key: %.120s", kerr);
		free(text);
	}
	if (sp->have_slot && snap_exists(&sp->slot)) {
		char rerr[1024];
		if (!try_restore(sp, r, cfg, vm, cb, vm_start_ms, rerr, sizeof(rerr)))
			return 0;
		snap_remove(&sp->slot);
		snprintf(warn, warnlen, "ktstr: WARNING: snapshot %.32s did not restore (%.700s); "
			 "deleted it, booting cold", sp->slot.key, rerr);
		/* The failed attempt's console is not this run's. */
		run_lock(r);
		ring_clear(r->console);
		r->malformed_lines = 0;
		run_unlock(r);
	}
	sp->save = sp->have_slot;
	if (sp->wait && !sp->why_cold[0])
		snprintf(sp->why_cold, sizeof(sp->why_cold), "%s",
			 warn[0] ? "restore failed" : "no snapshot yet");
	int rc = vm_start(cfg, vm, err, errlen);
	if (!rc)
		*vm_start_ms = vm_started_ms(*vm);
	return rc;
}

int engine_snap_on_wait(struct snap_plan *sp, struct run *r, struct vm *vm,
			const struct vm_callbacks *cb, char *note, size_t notelen)
{
	note[0] = 0;
	if (sp->sent)
		return 0;
	if (sp->save) {
		sp->save = false;
		int rc = snap_begin_write(&sp->slot);
		if (!rc) {
			char err[1024];
			int64_t t0 = now_ms();
			rc = vm_snapshot_save(vm, sp->slot.tmp, SNAP_SAVE_MS, err, sizeof(err));
			int64_t save_ms = now_ms() - t0;
			if (!rc) {
				char meta[1024];
				snprintf(meta, sizeof(meta), "{\"format\":%d,\"kernel\":\"%s\",\"vcpus\":%d,"
					 "\"memory_mb\":%d,\"saved_unix\":%lld,\"save_ms\":%lld,"
					 "\"qemu\":\"%s\"}\n", SNAP_FORMAT, r->kernel_key,
					 scn_topo_cpus(&r->scn.topo), r->scn.memory_mb,
					 (long long)time(NULL), (long long)(now_ms() - t0),
					 r->tool.qemu);
				rc = snap_commit(&sp->slot, meta);
				if (!rc) {
					run_lock(r);
					r->snapshot_save_ms = save_ms;
					run_unlock(r);
					snap_prune(sp->slot.home, strcmp(sp->entry->source, "path")
								  ? SNAP_ENTRY_KEEP : SNAP_PATH_KEEP);
				}
				if (rc)
					snprintf(note, notelen, "ktstr: snapshot not saved: %s", strerror(-rc));
				else
					snprintf(note, notelen, "ktstr: saved snapshot %.32s in %lld ms",
						 sp->slot.key, (long long)(now_ms() - t0));
			} else {
				snap_abort(&sp->slot);
				snprintf(note, notelen, "ktstr: snapshot not saved: %.900s", err);
			}
		}
	}
	char err[1024];
	int rc = send_header(sp, r, vm, err, sizeof(err));
	if (!rc)
		rc = await_hello(r, vm, cb, now_ms() + SNAP_ANSWER_MS, err, sizeof(err));
	if (!rc)
		rc = send_archive(sp, vm, err, sizeof(err));
	if (rc)
		snprintf(note, notelen, "ktstr: %s", err);
	return rc;
}

void engine_snap_cleanup(struct snap_plan *sp)
{
	if (sp->have_slot)
		snap_abort(&sp->slot);
	if (sp->archive[0] && !getenv("KTSTR_KEEP_INITRD"))
		unlink(sp->archive);
	free(sp->entry);
	sp->entry = NULL;
}
