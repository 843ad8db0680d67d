# An impossible gap threshold fails with the seed's exact format and exit code 1.
. "$(dirname "$0")/lib.sh"
s=$(scenario gap '{"name":"gap","topology":{"numa":1,"llcs":1,"cores":2,"threads":1},
 "duration_ms":2000,"cgroups":[{"name":"cg_0","workers":4,"work":"SpinWait"}],
 "checks":{"max_gap_ms":1}}')
"$KTSTR" run "$s" > "$T/out.txt" 2>&1
expect_eq "$?" 1 "exit code"
expect_grep '^  tid [0-9]+ stuck [0-9]+ms on cpu[0-9]+ at \+[0-9]+ms \(threshold 1ms\)$' "$T/out.txt" "gap message"
expect_grep '^--- timeline ---$' "$T/out.txt" "timeline section"
expect_grep '^--- stats ---$' "$T/out.txt" "stats section"
expect_no_qemu
