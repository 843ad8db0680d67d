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
# The spine's 2-node x 2-LLC scenario passes under ktstr_sched too.
"$KTSTR" run "$ROOT/examples/numa-2x2.json" --scheduler ktstr_sched --json > "$T/numa.json" 2> "$T/err.txt"
rc=$?
# Say which check failed (the JSON is all there is under --json).
[ "$rc" = 0 ] || jq -r '.checks[] | select(.ok == false) | "failed check \(.name): \(.message)"' "$T/numa.json" >&2
expect_eq "$rc" 0 "exit code (numa-2x2 under ktstr_sched)"
expect_eq "$(jq -r .scheduler.attached "$T/numa.json")" true "attached (numa-2x2)"
expect_eq "$(jq -c .guest.nodes "$T/numa.json")" "[[0,1],[2,3]]" "nodes (numa-2x2)"
expect_no_qemu
