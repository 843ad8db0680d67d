# Shells outlive the old ~70 s run watchdog. Side by side (about 2 minutes):
# - `ktstr shell --exec` running a 90 s loop: its lines arrive as they are printed (the
#   early ones long before the end), then "done", and ktstr exits with the loop's 7;
# - an interactive shell (driven through tmux) left idle for 90 s still runs a command
#   typed then, and `exit` ends it with the one reason line and exit code 0.
. "$(dirname "$0")/lib.sh"
S=ktstr-shell-long-$$
trap 'tmux kill-session -t "$S" 2>/dev/null; cleanup_tmp' EXIT
LONG=90 # past the old ~70 s watchdog

start=$(date +%s)
"$KTSTR" shell --exec "i=0; while [ \$i -lt $((LONG / 10)) ]; do echo tick-\$i; sleep 10; i=\$((i+1)); done; echo done; exit 7" \
	< /dev/null > "$T/exec.out" 2> "$T/exec.err" &
epid=$!
tmux new-session -d -s "$S" -x 120 -y 30 "'$KTSTR' shell 2> '$T/int.err'; echo SHELL-EXIT=\$? >> '$T/int.err'; sleep 600"
prompt=
for i in $(seq 1 150); do
	sleep 1
	if tmux capture-pane -p -t "$S" | grep -q 'ktstr:.*# *$'; then prompt=$(date +%s); break; fi
done
[ -n "$prompt" ] || { tmux capture-pane -p -t "$S" >&2; fail "no interactive shell prompt"; }

# Streaming: a minute in, the first ticks are on ktstr's stdout and the loop is not over.
sleep 60
grep -q '^tick-1$' "$T/exec.out" || { cat "$T/exec.out" "$T/exec.err" >&2; fail "no tick after a minute: output is not streamed"; }
grep -q '^done$' "$T/exec.out" && fail "the loop ended early"
kill -0 "$epid" 2> /dev/null || fail "ktstr shell --exec ended early: $(cat "$T/exec.err")"

# The interactive shell, idle for LONG seconds, still answers.
while [ $(( $(date +%s) - prompt )) -lt $LONG ]; do sleep 5; done
grep -q 'shell VM ended' "$T/int.err" && fail "the interactive shell ended while idle: $(cat "$T/int.err")"
tmux send-keys -t "$S" 'echo still-here-$((6*7))' Enter
seen=
for i in $(seq 1 30); do
	sleep 1
	tmux capture-pane -p -t "$S" | grep -q '^still-here-42' && { seen=1; break; }
done
[ -n "$seen" ] || { tmux capture-pane -p -t "$S" >&2; fail "no answer after $LONG s idle"; }
idle=$(( $(date +%s) - prompt ))
tmux send-keys -t "$S" 'exit' Enter
for i in $(seq 1 30); do grep -q SHELL-EXIT "$T/int.err" && break; sleep 1; done
expect_grep '^ktstr: shell VM ended: powered off after the shell exited$' "$T/int.err" "interactive reason line"
expect_grep '^SHELL-EXIT=0$' "$T/int.err" "interactive exit code"

wait "$epid"
rc=$?
took=$(( $(date +%s) - start ))
expect_eq "$rc" 7 "--exec exit code after $took s"
expect_grep '^done$' "$T/exec.out" "the loop's last line"
expect_eq "$(grep -c '^tick-' "$T/exec.out")" $((LONG / 10)) "every tick arrived"
expect_grep '^ktstr: shell VM ended: powered off after the command exited with status 7$' "$T/exec.err" "exec reason line"
[ "$took" -ge "$LONG" ] || fail "the loop took only $took s"
expect_no_qemu
echo "ok: --exec ran ${took}s and returned 7; interactive shell answered after ${idle}s idle"
