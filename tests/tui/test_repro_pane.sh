# The Repro pane post-mortem: a run directory whose result.json holds an auto_repro chain
# opens on it; j/k step through the events, Enter expands one event's fields, e all; `a`
# on a run that cannot be reproduced says why (test_repro_live does it on a real failure).
. "$(dirname "$0")/lib.sh"
D=$TMPD/run-with-chain
mkdir -p "$D"
cp "$FIXTURE"/{console.log,dump.log,sched.log,result.json} "$D/"
jq '.auto_repro = {state: "done", trigger: "fexit scx_vexit", fired: true, reproduced: true,
	primary_reached_workload: true, probes_attached: 31, events_seen: 4000, events_sent: 3,
	events_dropped: 2, duration_ms: 6200, exit_kind: "ERROR_STALL",
	exit_msg: "runnable task stall (ktstr-w3[107] failed to run for 4.020s)",
	task_pid: 107, task_comm: "ktstr-w3", pipeline: "extracted: 2 functions from crash backtrace\n",
	events: [
	 {ts_ns: -4100000000, cpu: 1, func: "do_enqueue_task", kind: "kprobe", loc: "do_enqueue_task+0x0",
	  pid: 50, comm: "kworker/1:0", fields: [{name: "p.pid", value: "107"},
	  {name: "p.dsq_id", value: "SCX_DSQ_GLOBAL"}, {name: "enq_flags", value: "WAKEUP"}]},
	 {ts_ns: -4099000000, cpu: 1, func: "ktstr_enqueue", kind: "fentry", loc: "ktstr_sched.bpf.c:80",
	  pid: 50, comm: "kworker/1:0", fields: [{name: "p.pid", value: "107"},
	  {name: "p.scx_flags", value: "QUEUED", exit: "QUEUED|ENABLED"}, {name: "enq_flags", value: "WAKEUP"},
	  {name: "p.slice", value: "5000000"}]},
	 {ts_ns: 0, cpu: 0, func: "fexit scx_vexit", kind: "trigger", loc: "", pid: 31, comm: "kworker/0:2",
	  fields: [{name: "exit_kind", value: "ERROR_STALL"}, {name: "stack#0", value: "scx_vexit+0x5"}]}
	]}' "$FIXTURE/result.json" > "$D/result.json"

tui_start -x 160 -- --open "$D"
expect "Auto-repro  done  trigger fexit scx_vexit  probes 31  events 3 sent/4000 seen, 2 dropped  VM 6\.2s" \
	"a run with a chain opens on the Repro pane, header with the figures"
expect "exit: ERROR_STALL: runnable task stall \(ktstr-w3\[107\]" "exit kind and message"
expect "task ktstr-w3\[107\]  reproduced" "the task followed"
expect "-4100\.000ms  do_enqueue_task .* kprobe +kworker/1:0\[50\] cpu1 +p\.pid=107  p\.dsq_id=SCX_DSQ_GLOBAL" \
	"one row per event: time, function, kind, task, CPU, key fields"
expect "ktstr_enqueue .*p\.scx_flags=QUEUED→QUEUED\|ENABLED" "entry → exit in the key fields"
keys j
keys Enter
expect "at ktstr_sched\.bpf\.c:80" "j then Enter: the second event's location"
expect "p\.slice +5000000" "and all its fields (the fourth is not a key field)"
keys Enter
expect_not "p\.slice +5000000" "Enter again folds it"
keys e
expect "stack#0 +scx_vexit\+0x5" "e shows every event's fields"
keys "?"
expect "a +auto-repro: rerun the failed run with BPF probes" "help lists a"
keys Escape
tui_start -- --open "$ROOT/tests/fixtures/run-failed"
keys 9
expect "No auto-repro for this run; press a to rerun it" "a run without a chain: the hint"
keys a
expect "auto-repro: no scenario\.json, rerun the scenario with .ktstr run. instead" \
	"a on a directory without scenario.json says why on the status line"
expect "Auto-repro" "the TUI is alive after a"
tui_done
