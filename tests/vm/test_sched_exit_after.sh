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
