# The spine's scenario passes under the project's own scheduler, which attached.
. "$(dirname "$0")/lib.sh"
"$KTSTR" run "$ROOT/examples/ktstr-sched.json" --json > "$T/out.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
expect_eq "$rc" 0 "exit code"
j() { jq -r "$1" "$T/out.json"; }
expect_eq "$(j .result)" pass "result"
expect_eq "$(j .scheduler.attached)" true "scheduler attached"
expect_eq "$(j .scheduler.label)" ktstr_sched "scheduler label"
expect_eq "$(j '.workers | length')" 4 "workers"
expect_no_qemu
