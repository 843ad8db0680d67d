# Sourced by the run scripts (tests/{unit,vm,tui}/run.sh): one temp root for the whole run.
# Every test's files go under it (TMPDIR and KTSTR_TEST_TMP point there, tmux's sockets
# too), and it is removed when the run ends: passed, failed, interrupted or terminated, so a
# test that dies midway leaves nothing behind either.
KTSTR_TEST_TMP=$(mktemp -d -t ktstr-run.XXXXXX) || {
	echo "ktstr tests: cannot create a temp directory in ${TMPDIR:-/tmp}; set TMPDIR to a writable one" >&2
	exit 2
}
export KTSTR_TEST_TMP TMPDIR=$KTSTR_TEST_TMP TMUX_TMPDIR=$KTSTR_TEST_TMP
TMPROOT_PID=
set -m # background jobs keep SIGINT's default action and get a process group of their own

# tmproot_run CMD...: runs CMD and waits for it. Waiting on a background job lets a signal
# to this script act at once (bash defers traps while a foreground command runs): CMD and
# everything it started are terminated, then the root is removed.
tmproot_run() {
	"$@" <&0 &
	TMPROOT_PID=$!
	wait "$TMPROOT_PID"
}

# PID and its descendants (Criterion's workers run in sessions of their own, so a process
# group does not hold them), listed before any is killed so none escapes by re-parenting.
tmproot_tree() {
	local c
	echo "$1"
	for c in $(pgrep -P "$1"); do tmproot_tree "$c"; done
}

tmproot_stop() {
	if [ -n "$TMPROOT_PID" ]; then
		local pids i
		pids=$(tmproot_tree "$TMPROOT_PID")
		kill -TERM $pids 2>/dev/null
		for i in $(seq 50); do kill -0 $pids 2>/dev/null || break; sleep 0.1; done
	fi
	exit "$1"
}

# A run script may define tmproot_extra to remove what its tools leave outside the root.
trap '[ "$(type -t tmproot_extra)" = function ] && tmproot_extra; rm -rf "$KTSTR_TEST_TMP"' EXIT
trap 'tmproot_stop 129' HUP
trap 'tmproot_stop 130' INT
trap 'tmproot_stop 143' TERM
