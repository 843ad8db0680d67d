# Helpers for VM and CLI tests: each test_*.sh sources this, runs real ktstr commands
# (real QEMU, real kernel) and calls pass/fail. Failures print what was seen.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KTSTR=$ROOT/build/ktstr
T=$(mktemp -d -t ktstr-test.XXXXXX)
export KTSTR_RUNS_DIR=$T/runs
# Auto-repro doubles every scheduler failure's time; only its own tests (test_auto_repro*)
# turn it back on.
export KTSTR_NO_AUTO_REPRO=${KTSTR_NO_AUTO_REPRO-1}
cleanup_tmp() { rm -rf "$T"; }
# KTSTR_TEST_KEEP=1 keeps the temp root (run directories) to look at after a failure.
[ -n "${KTSTR_TEST_KEEP:-}" ] || trap cleanup_tmp EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# missing WHAT: a test that cannot run here skips, except under `make test` or CI
# (KTSTR_TEST_STRICT or CI set to anything but "", 0 or false), where it fails naming WHAT.
on() { [ -n "$1" ] && [ "$1" != 0 ] && [ "$1" != false ]; }
missing() {
	if on "${KTSTR_TEST_STRICT:-}" || on "${CI:-}"; then
		fail "missing: $* (a skip is a failure under make test / CI)"
	fi
	echo "SKIP: missing: $*"; exit 0
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
expect_grep() { # pattern file what
	grep -qE -- "$1" "$2" || { echo "--- $2:" >&2; tail -40 "$2" >&2; fail "$3: no line matching /$1/"; }
}
# No QEMU started for this test's runs may survive it.
expect_no_qemu() {
	sleep 0.5
	if pgrep -af qemu-system | grep -F "$T" >&2; then fail "QEMU processes left behind"; fi
}
scenario() { # name body-json -> path
	printf '%s\n' "$2" > "$T/$1.json"
	echo "$T/$1.json"
}
# expect_refused WHAT PATTERN ARGS...: `ktstr ARGS` exits 2 (bad input) and prints a line
# matching PATTERN (extended regex). expect_refused_F: PATTERN is a fixed string.
expect_refused() {
	local what=$1 pat=$2; shift 2
	"$KTSTR" "$@" > "$T/o.txt" 2>&1; local rc=$?
	[ "$rc" -eq 2 ] || { cat "$T/o.txt" >&2; fail "$what: exit $rc, expected 2"; }
	expect_grep "$pat" "$T/o.txt" "$what"
}
expect_refused_F() {
	local what=$1 want=$2; shift 2
	"$KTSTR" "$@" > "$T/o.txt" 2>&1; local rc=$?
	[ "$rc" -eq 2 ] || { cat "$T/o.txt" >&2; fail "$what: exit $rc, expected 2"; }
	grep -qF -- "$want" "$T/o.txt" || { cat "$T/o.txt" >&2; fail "$what: no line containing: $want"; }
}
# run_pass OUT SCENARIO ARGS...: `ktstr run SCENARIO --json ARGS` into OUT, which must exit
# 0; on failure the failed checks are printed.
run_pass() {
	local out=$1 s=$2
	shift 2
	"$KTSTR" run "$s" --json "$@" > "$out" 2> "$T/err.txt"
	local rc=$?
	[ "$rc" = 0 ] || { cat "$T/err.txt" >&2
		jq -r '.checks[]? | select(.ok == false) | "failed check \(.name): \(.message)"' "$out" >&2; }
	expect_eq "$rc" 0 "exit code of $(basename "$s") $*"
}
# under_both SCENARIO CHECK: the scenario under EEVDF ($T/eevdf.json), then under
# ktstr_sched ($T/sched.json, attached), each time calling CHECK OUT LABEL and printing the
# run's wall time.
under_both() {
	local s=$1 check=$2 t0=$SECONDS
	run_pass "$T/eevdf.json" "$s"
	echo "EEVDF ($((SECONDS - t0)) s):"
	"$check" "$T/eevdf.json" EEVDF
	expect_no_qemu
	t0=$SECONDS
	run_pass "$T/sched.json" "$s" --scheduler ktstr_sched
	expect_eq "$(jq -r .scheduler.attached "$T/sched.json")" true "scheduler attached"
	echo "ktstr_sched ($((SECONDS - t0)) s):"
	"$check" "$T/sched.json" ktstr_sched
	expect_no_qemu
}
