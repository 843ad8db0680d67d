/* Auto-repro's result: what the repro VM's probes saw, stitched into the chain of events
 * of the task that triggered the exit. The engine fills it (engine/repro/stitch.c from the
 * repro VM's "probe" messages, guest/probe_wire.h), the report prints it (`--- auto-repro
 * ---`, `--- probe pipeline ---`), result.json stores it (`auto_repro`, repro_json.c), and
 * the Repro pane shows it live and post-mortem. Held by the primary run (run->repro) under
 * the run's lock. */
#ifndef KTSTR_REPRO_CHAIN_H
#define KTSTR_REPRO_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#define REPRO_MAX_FIELDS 24
#define REPRO_MAX_EVENTS 2000

/* Progress, in order; the Repro pane shows it while the repro VM runs. */
enum repro_state {
	REPRO_NONE,     /* never asked */
	REPRO_BOOTING,  /* the repro VM is starting */
	REPRO_ATTACHED, /* probes attached: probes_attached */
	REPRO_WAITING,  /* the workload runs; waiting for the exit */
	REPRO_FIRED,    /* the trigger fired; events are coming */
	REPRO_DONE,     /* finished: chain final (it may be empty: see reproduced) */
	REPRO_SKIPPED,  /* not run: reason says why (no trigger in this kernel, ...) */
	REPRO_FAILED,   /* the repro VM could not run: reason */
};
const char *repro_state_name(enum repro_state s); /* "booting", "probes attached", ... */

struct repro_field {
	char name[48];   /* "p.dsq_id", "enq_flags" */
	char value[96];  /* decoded: "SCX_DSQ_LOCAL", "WAKEUP|HEAD", "0xf(0-3)" */
	char exit[96];   /* fexit's value when it differs from entry, else "" */
};

struct repro_event {
	int64_t ts_ns;      /* relative to the trigger (negative before it) */
	int cpu;
	char func[128];     /* kernel function or BPF program */
	char kind[8];       /* "kprobe", "fentry" (entry + exit), "trigger" */
	char loc[128];      /* "file:line" or "func+0xOFF", may be "" */
	int pid;            /* the current task */
	char comm[32];
	int nfields;
	struct repro_field f[REPRO_MAX_FIELDS];
};

struct repro_result {
	enum repro_state state;
	char reason[512];       /* SKIPPED/FAILED: why; DONE: "" */
	char trigger[64];       /* "fexit scx_vexit", "tp_btf sched_ext_exit", ... */
	bool fired;             /* the trigger fired in the repro VM */
	bool reproduced;        /* the repro VM's scheduler failed too */
	bool primary_reached_workload; /* false: "PRIMARY DID NOT REACH WORKLOAD" */
	char primary_reason[256];      /* why it did not, when false */
	int probes_attached;
	int extracted, passed;  /* probe pipeline: functions from the backtrace, kept */
	char pipeline[1024];    /* the `--- probe pipeline ---` body (sel_format_stats) */
	uint64_t events_seen, events_dropped, events_sent;
	int64_t duration_ms;    /* the repro VM, from start to its end */
	char exit_msg[512];     /* the trigger's exit message (or the console's) */
	char exit_kind[32];     /* decoded: "ERROR_BPF", "ERROR_STALL" */
	int task_pid;           /* whom the chain follows; -1 unknown */
	char task_comm[32];
	char dir[4096];         /* the repro VM's run directory */
	/* The repro VM's logs for the report: the last 40 lines each, "\n"-joined, "" when
	 * empty. */
	char *sched_tail, *dump_tail, *dmesg_tail;
	int nevents;
	struct repro_event *ev; /* time order; the trigger is one of them */
};

struct repro_result *repro_new(void);
void repro_free(struct repro_result *r);

#endif
