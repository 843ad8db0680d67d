# --error-after-ms: scx_bpf_error disables the scheduler mid-run. The report names the
# death in the seed's words with the kernel's reason, and shows every section in order.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --scheduler ktstr_sched -- --error-after-ms 1500 \
	> "$T/out.txt" 2>&1
expect_eq "$?" 1 "exit code"
expect_grep '^  scheduler process died unexpectedly (after completing step [0-9]+ of [0-9]+|during workload) \([0-9]+\.[0-9]s into test\)$' "$T/out.txt" "death message"
expect_grep 'BPF scheduler "ktstr_sched" disabled \(scx_bpf_error\).*injected error after [0-9]+ ms' "$T/out.txt" "kernel's reason"
sections_in_order "$T/out.txt" "--- scheduler log ---" "--- diagnostics ---" "--- sched_ext dump ---" "--- timeline ---" "--- stats ---"
expect_grep '^stage: ' "$T/out.txt" "diagnostics stage"
expect_grep '^exit_code=' "$T/out.txt" "diagnostics exit code"
# The same sections are in the run directory and in --json.
dir=$(grep -oE 'run dir: .*' "$T/out.txt" | cut -d' ' -f3)
expect_grep '^--- sched_ext dump ---$' "$dir/report.txt" "report.txt"
expect_eq "$(jq -r '.sections.sched_ext_dump | length > 0' "$dir/result.json")" true "json dump section"
expect_eq "$(jq -r '.result' "$dir/result.json")" fail "json result"
expect_no_qemu
