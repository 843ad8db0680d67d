# --stall-after-ms: the scheduler stops dispatching a task; the sched_ext watchdog kicks it
# out ("runnable task stall") and the guest captures the debug dump.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --duration-ms 9000 --scheduler ktstr_sched -- \
	--stall-after-ms 1000 > "$T/out.txt" 2>&1
expect_eq "$?" 1 "exit code"
expect_grep '^  scheduler process died unexpectedly' "$T/out.txt" "death message"
expect_grep 'disabled \(runnable task stall\)' "$T/out.txt" "kernel's reason"
expect_grep 'failed to run for [0-9.]+s' "$T/out.txt" "stalled task named"
sections_in_order "$T/out.txt" "--- scheduler log ---" "--- diagnostics ---" "--- sched_ext dump ---" "--- timeline ---" "--- stats ---"
expect_no_qemu
