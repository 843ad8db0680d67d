# A guest whose init never speaks: the watchdog ends the run with a clear message and
# exit code 3, and no QEMU is left in the process table.
. "$(dirname "$0")/lib.sh"
KTSTR_WATCHDOG_MS=15000 "$KTSTR" run "$ROOT/examples/two-cgroups.json" \
	--kernel-arg "rdinit=/bin/sleep -- 3600" > "$T/out.txt" 2>&1
rc=$?
cat "$T/out.txt" >&2
expect_eq "$rc" 3 "exit code"
expect_grep 'no test result received from guest' "$T/out.txt" "message"
expect_grep 'watchdog' "$T/out.txt" "watchdog named"
expect_no_qemu
