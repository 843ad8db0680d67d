#!/bin/bash
# TUI tests: every tests/tui/test_*.sh drives the real binary in tmux. Prints each test's
# checks and, last, "N passed, N failed"; exits non-zero when any test failed. All of them
# work in one temp root, removed at the end (tests/tmproot.sh).
cd "$(dirname "$0")/../.." || exit 2
. tests/tmproot.sh
command -v tmux >/dev/null || { echo "tmux: command not found; install it: sudo apt install tmux"; echo "0 passed, 1 failed"; exit 1; }
[ -x build/ktstr ] || { echo "build/ktstr missing; run make"; echo "0 passed, 1 failed"; exit 1; }
pass=0 fail=0
for t in tests/tui/test_*.sh; do
	[ -n "${1:-}" ] && [[ $t != *$1* ]] && continue
	echo "== $(basename "$t" .sh)"
	if tmproot_run bash "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "   $(basename "$t") FAILED"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
