# Runs past 64 vCPUs on the preset large-4llc (128 vCPUs, 2 GiB), one 3 s run under
# ktstr_sched (one boot: ~22 s under TCG, one host thread for 128 vCPUs). Two SpinWait
# workers pinned by a cpuset to CPUs 100-101 report exactly those CPUs, the guest's LLC
# groups reach CPU 127, and the host-side monitor read all 128 runqueues (CPU 100's scx
# runqueue shows a spinner) and judged them ("monitor OK").
. "$(dirname "$0")/lib.sh"
t0=$SECONDS
# This 128-vCPU guest's TCG boot took 77-150 s on the 2-CPU development host (one host
# thread runs all vCPUs), around its 117 s budget: a late boot may warn, but the test is
# about topology, so the run watchdog gets room instead of killing it.
export KTSTR_WATCHDOG_MS=${KTSTR_WATCHDOG_MS:-300000}
body='"topology":"large-4llc","memory_mb":2048,
 "cgroups":[{"name":"hi","workers":2,"work":"SpinWait","cpuset":"100-101"},
            {"name":"any","workers":2,"work":"SpinWait"}],
 "checks":{"isolation":true,"max_spread_pct":100,"max_gap_ms":60000}'
s=$(scenario large "{\"name\":\"large\",\"duration_ms\":3000,$body}")
"$KTSTR" run "$s" --scheduler ktstr_sched --json > "$T/out.json" 2> "$T/err.txt"
rc=$?
j() { jq -c "$1" "$T/out.json"; }
[ "$rc" -eq 0 ] || { cat "$T/err.txt" >&2; jq -r '.checks[]? | select(.ok | not) | .message' "$T/out.json" >&2; fail "exit $rc, expected 0 (pass)"; }
expect_eq "$(j .result)" '"pass"' "result"
expect_eq "$(j .guest.cpus)" 128 "guest cpus"
expect_eq "$(j '.guest.llcs | length')" 4 "LLC groups"
expect_eq "$(j '.guest.llcs[3] | [min, max, length]')" "[96,127,32]" "the last LLC's CPUs"
# The pinned workers ran on CPUs >= 64, exactly where pinned; every worker reported CPUs.
expect_eq "$(j '[.workers[] | select(.cgroup == "hi") | .cpus | length > 0 and all(. == 100 or . == 101)]')" \
	"[true,true]" "pinned workers' cpus (got $(j '[.workers[] | select(.cgroup == "hi") | .cpus]'))"
expect_eq "$(j '[.workers[] | .cpus | length > 0] | all')" true "every worker has cpus"
expect_eq "$(j '[.checks[] | select(.name == "isolation") | .ok]')" "[true]" "isolation check"
# The monitor sampled every one of the 128 runqueues; CPU 100 held a spinner.
expect_eq "$(j .monitor.status)" '""' "monitor status"
expect_eq "$(j .monitor.ncpus)" 128 "monitor ncpus"
expect_eq "$(j '.monitor.cpus | length')" 128 "monitor per-CPU series"
[ "$(j .monitor.samples)" -gt 0 ] || fail "no monitor samples"
[ "$(j '.monitor.cpus[100].nr_running | max')" -ge 1 ] || fail "cpu100's runqueue never showed a task: $(j '.monitor.cpus[100].nr_running')"
[ "$(j '.monitor.cpus[127].clock | max > min')" = true ] || fail "cpu127's rq clock never moved"
# The monitor's checks judged all 128 CPUs (past its 20 settling samples).
expect_eq "$(j .scheduler.attached)" true "ktstr_sched attached"
expect_eq "$(j .monitor.summary.evaluated)" true "monitor evaluated"
expect_eq "$(j .monitor.summary.verdict)" '"monitor OK"' "monitor verdict"
[ "$(j .monitor.samples)" -gt 20 ] || fail "$(j .monitor.samples) samples, none past the 20 settling ones"
[ "$(j '.monitor.cpus[100].scx_nr_running | max')" -ge 1 ] ||
	fail "cpu100's scx runqueue never showed a task: $(j '.monitor.cpus[100].scx_nr_running')"
expect_no_qemu
echo "wall time: $((SECONDS - t0)) s"
