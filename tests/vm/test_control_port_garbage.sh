# Garbage on the control port is counted and reported, never fatal: the run ends with the
# seed's "no test result received from guest", nothing crashes, no QEMU is left.
. "$(dirname "$0")/lib.sh"
KTSTR_INIT=$ROOT/tests/vm/fixtures/garbage-init.sh "$KTSTR" run "$ROOT/examples/two-cgroups.json" \
	--json > "$T/out.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
expect_eq "$rc" 3 "exit code (infrastructure: the guest never reported)"
j() { jq -r "$1" "$T/out.json"; }
expect_eq "$(j .result)" error "result"
[ "$(j '.diagnostics.malformed_lines // .guest.malformed_lines // empty')" -ge 3 ] 2>/dev/null ||
	[ "$(jq '[.. | objects | .malformed_lines? // empty] | max' "$T/out.json")" -ge 3 ] ||
	fail "malformed lines not counted: $(cat "$T/out.json")"
expect_eq "$(j '[.checks[].message] | join("\n") | test("no test result received from guest")')" true "message"
expect_no_qemu
