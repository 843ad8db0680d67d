# A suite whose expect_err scenarios all "pass" while no scheduler ever attached gets the
# seed's loud warning; a suite's exit code is its worst scenario's.
. "$(dirname "$0")/lib.sh"
a=$(scenario ee1 '{"name":"ee1","duration_ms":500,"expect_err":true,
 "scheduler":{"name":"ktstr_sched_bad_kfunc"},"cgroups":[{"name":"cg_0","workers":2}]}')
b=$(scenario ee2 '{"name":"ee2","duration_ms":500,"expect_err":true,
 "scheduler":{"name":"ktstr_sched_bad_verifier"},"cgroups":[{"name":"cg_0","workers":2}]}')
"$KTSTR" run "$a" "$b" > "$T/out.txt" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
expect_eq "$rc" 0 "exit code (both expected failures observed)"
expect_grep 'suite: 2 scenarios, 2 passed, 0 failed' "$T/err.txt" "suite summary"
expect_grep 'WARNING: all 2 expect_err scenarios "passed" but no scheduler ever attached' "$T/err.txt" "loud warning"
expect_grep 'ktstr kernel check' "$T/err.txt" "names the check"
expect_no_qemu
