# `ktstr shell`: a busybox shell inside a VM on this terminal (driven through tmux); a
# command runs in the guest, Ctrl-] detaches, the VM goes away and one line says so. Plus
# the seed's refusals.
. "$(dirname "$0")/lib.sh"
"$KTSTR" shell < /dev/null > "$T/o.txt" 2>&1
expect_eq "$?" 2 "exit code without a terminal"
expect_grep '^stdin must be a terminal for interactive shell mode$' "$T/o.txt" "tty refusal"
"$KTSTR" shell -i no-such-tool-xyz > "$T/o.txt" 2>&1
expect_grep '^-i no-such-tool-xyz: not found in filesystem or PATH$' "$T/o.txt" "bare name"
"$KTSTR" shell -i ./missing-file > "$T/o.txt" 2>&1
expect_grep '^--include-files path not found: ./missing-file$' "$T/o.txt" "path"

mkdir -p "$T/empty" "$T/inc"; echo 'payload-from-host' > "$T/inc/note.txt"
S=ktstr-shell-$$
tmux new-session -d -s "$S" -x 120 -y 40 \
	"cd '$T' && '$KTSTR' shell -i '$T/empty' -i '$T/inc' -i jq 2> '$T/shell.err'; echo SHELL-EXIT=\$?; sleep 30"
trap 'tmux kill-session -t "$S" 2>/dev/null; cleanup_tmp' EXIT
seen=
for i in $(seq 1 120); do
	sleep 1
	tmux send-keys -t "$S" "echo guest-says-\$((6*7)) \$(uname -r)" Enter
	if tmux capture-pane -p -t "$S" | grep -q 'guest-says-42 7\.'; then seen=1; break; fi
done
[ -n "$seen" ] || { tmux capture-pane -p -t "$S" >&2; fail "no guest shell output"; }
tmux send-keys -t "$S" "cat /include-files/inc/note.txt" Enter
sleep 2
tmux capture-pane -p -t "$S" | grep -q 'payload-from-host' || { tmux capture-pane -p -t "$S" >&2; fail "included file missing in the guest"; }
# A dynamically linked program runs: its libraries came along.
tmux send-keys -t "$S" "/include-files/jq --version" Enter
sleep 2
tmux capture-pane -p -t "$S" | grep -q '^jq-1' || { tmux capture-pane -p -t "$S" >&2; fail "dynamic include did not run"; }
tmux send-keys -t "$S" C-]
for i in $(seq 1 30); do
	sleep 1
	tmux capture-pane -p -t "$S" | grep -q 'SHELL-EXIT=0' && break
done
tmux capture-pane -p -t "$S" | grep -q 'SHELL-EXIT=0' || { tmux capture-pane -p -t "$S" >&2; fail "ktstr shell did not exit 0 after Ctrl-]"; }
expect_grep 'warning: -i .*/empty: directory contains no regular files' "$T/shell.err" "empty dir warning"
expect_grep '^ktstr: shell VM ended: powered off after ktstr detached \(Ctrl-\]\)$' "$T/shell.err" "detach reason line"
expect_no_qemu
