# --exit-after-ms: the loader exits mid-run; the link-based attach detaches the scheduler
# with it, and the run reports the death with the loader's exit status.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --scheduler ktstr_sched -- --exit-after-ms 1500 \
	> "$T/out.txt" 2>&1
expect_eq "$?" 1 "exit code"
expect_grep '^  scheduler process died unexpectedly' "$T/out.txt" "death message"
expect_grep 'unregistered from user space|exit status' "$T/out.txt" "detach or exit status"
sections_in_order "$T/out.txt" "--- scheduler log ---" "--- diagnostics ---"
expect_no_qemu
# --crash-after-ms: the loader dies of SIGSEGV; the scheduler goes with it and the report
# carries the signal.
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --scheduler ktstr_sched -- --crash-after-ms 1500 \
	> "$T/crash.txt" 2>&1
expect_eq "$?" 1 "exit code (crash)"
expect_grep '^  scheduler process died unexpectedly' "$T/crash.txt" "death message (crash)"
expect_grep 'signal 11|SIGSEGV|-11' "$T/crash.txt" "the signal is named"
expect_no_qemu
