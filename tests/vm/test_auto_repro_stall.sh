# Auto-repro of a runnable-task stall follows the stalled task, not the watchdog's kworker
# that fired the exit; and `ktstr repro RUN_DIR` on a failure that does not come back (the
# scenario.json edited to drop the stall) says it did not reproduce.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
export KTSTR_NO_AUTO_REPRO=0
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --duration-ms 9000 --scheduler ktstr_sched -- \
	--stall-after-ms 1000 > "$T/out.txt" 2>&1
expect_eq "$?" 1 "exit code"
expect_grep '^=== AUTO-PROBE: scx_exit fired ===$' "$T/out.txt" "trigger fired"
expect_grep '^exit: ERROR_STALL: .*\[[0-9]+\] failed to run for' "$T/out.txt" "stall exit"
stalled=$(grep -oE '^exit: ERROR_STALL: .*\[([0-9]+)\] failed' "$T/out.txt" | grep -oE '\[[0-9]+\]' | tr -d '[]')
task=$(grep -oE '^task: .*\[[0-9]+\]' "$T/out.txt" | grep -oE '\[[0-9]+\]$' | tr -d '[]')
expect_eq "$task" "$stalled" "the chain follows the stalled task"
expect_grep "^    p\.pid +$stalled\$" "$T/out.txt" "an event about the stalled task"
dir=$(grep -oE '^run dir: .*' "$T/out.txt" | tail -1 | cut -d' ' -f3)
expect_eq "$(jq -r '.auto_repro.task_pid' "$dir/result.json")" "$stalled" "result.json task_pid"

# The same directory, its scenario edited so the scheduler no longer stalls: rerun on demand.
jq '.scheduler.args = [] | .duration_ms = 2000' "$dir/scenario.json" > "$T/s.json" &&
	mv "$T/s.json" "$dir/scenario.json"
"$KTSTR" repro "$dir" > "$T/again.txt" 2>&1
expect_eq "$?" 0 "ktstr repro exit code"
expect_grep '^no probe data: the failure did not reproduce in the repro VM' "$T/again.txt" "not reproduced"
expect_grep '^repro VM duration: ' "$T/again.txt" "duration"
! grep -q '^=== AUTO-PROBE' "$T/again.txt" || fail "a trigger fired without a failure"
expect_eq "$(jq -r '.auto_repro.reproduced' "$dir/result.json")" false "result.json reproduced"

# A repro VM's own directory is not reproduced again; nor is a path that is not a run.
expect_refused "repro of a repro VM" "this run is itself a repro VM" repro "$dir/repro"
expect_refused "repro of a non-directory" "not a directory" repro "$T/nope"
expect_no_qemu
echo "PASS: stall chain follows the stalled task; a failure that does not reproduce says so"
