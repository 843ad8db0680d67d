# Helpers for TUI tests: drive the real `ktstr tui` in a detached tmux session on a
# private tmux server, read the screen with capture-pane, assert with grep.
# A test file sources this, calls tui_start, sends keys, checks, and ends with tui_done.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KTSTR=${KTSTR:-$ROOT/build/ktstr}
FIXTURE=$ROOT/tests/fixtures/run-failed
SOCK=ktstr-tui-$$
SESSION=t
TMPD=$(mktemp -d -t ktstr-tui.XXXXXX)
FAILS=0
CHECKS=0
# Live tests (TUI_REAL_CACHE=1) use the real kernel cache; others a private empty one.
[ "${TUI_REAL_CACHE:-0}" = 1 ] || export KTSTR_CACHE_DIR=$TMPD/cache
export KTSTR_RUNS_DIR=$TMPD/runs
# Auto-repro doubles a scheduler failure's time; test_repro_pane turns it back on.
export KTSTR_NO_AUTO_REPRO=${KTSTR_NO_AUTO_REPRO-1}
: "${KTSTR_CACHE_DIR:=${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}"
mkdir -p "$KTSTR_CACHE_DIR" "$KTSTR_RUNS_DIR"

tm() { tmux -L "$SOCK" "$@"; }

# tui_start [-x W] [-y H] [-e VAR=VAL]... -- ARGS: runs ktstr tui ARGS; when it exits the
# pane prints EXIT=<code> and the terminal's icanon/echo state, then stays for reading.
tui_start() {
	local w=100 h=30 envs="LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color KTSTR_NO_AUTO_REPRO=${KTSTR_NO_AUTO_REPRO-1}"
	while [ $# -gt 0 ]; do
		case $1 in
		-x) w=$2; shift 2;; -y) h=$2; shift 2;; -e) envs="$envs $2"; shift 2;;
		--) shift; break;; *) break;;
		esac
	done
	local args=""
	for a in "$@"; do args="$args '$a'"; done
	# A fresh server per start: reusing a socket right after kill-server races with the
	# old server's exit ("server exited unexpectedly").
	tm kill-server 2>/dev/null
	SOCK_N=$((${SOCK_N:-0} + 1)); SOCK=ktstr-tui-$$-$SOCK_N
	tm -u new-session -d -s $SESSION -x "$w" -y "$h" \
		"cd '$ROOT' && env $envs KTSTR_CACHE_DIR='$KTSTR_CACHE_DIR' KTSTR_RUNS_DIR='$KTSTR_RUNS_DIR' '$KTSTR' tui $args; echo EXIT=\$?; stty -a | tr ' ;' '\n\n' | grep -x -- '-\?icanon\|-\?echo' | tr '\n' ' '; echo; sleep 60"
	sleep 0.5
}

screen() { tm capture-pane -t $SESSION -p; }
screen_esc() { tm capture-pane -t $SESSION -p -e; }
keys() { tm send-keys -t $SESSION "$@"; sleep 0.3; }
# Typed text (literal), e.g. a search pattern or a command.
type_text() { tm send-keys -t $SESSION -l "$1"; sleep 0.2; }

# wait_for PATTERN [SECONDS]: until the screen matches (extended regex).
wait_for() {
	local pat=$1 t=${2:-5} i=0
	while [ $i -lt $((t * 10)) ]; do
		screen | grep -Eq -- "$pat" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

ok() { CHECKS=$((CHECKS + 1)); echo "  ok   $1"; }
bad() {
	CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1))
	echo "  FAIL $1"
	echo "  --- screen ---"; screen | sed 's/^/  | /'; echo "  --------------"
}
# expect PATTERN DESCRIPTION: the screen shows PATTERN (waits up to 5 s).
expect() { if wait_for "$1" "${3:-5}"; then ok "$2"; else bad "$2 (expected /$1/)"; fi; }
# expect_not PATTERN DESCRIPTION: the screen does not show PATTERN now.
expect_not() { if screen | grep -Eq -- "$1"; then bad "$2 (unexpected /$1/)"; else ok "$2"; fi; }

tui_done() {
	tm kill-server 2>/dev/null
	rm -rf "$TMPD"
	[ "$FAILS" -eq 0 ]
	exit $?
}
trap 'tm kill-server 2>/dev/null; rm -rf "$TMPD"' EXIT
trap 'exit 130' INT TERM
