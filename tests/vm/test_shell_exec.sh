# `ktstr shell --exec CMD`: no terminal needed, output streamed, the command's status is
# ktstr's; -i files are there; the default memory holds a program that forks 1000 tasks
# (which the old 256 MB default OOM-killed); a panic or a killed QEMU ends it with exit 3
# and one line saying why, for --exec and for an interactive shell.
. "$(dirname "$0")/lib.sh"

expect_refused_F "empty --exec" "--exec needs a command" shell --exec ''

# stdin is not a terminal; stdout and stderr of the command both reach ktstr's stdout.
"$KTSTR" shell --exec 'echo out-$((6*7)); echo err-line >&2; uname -r; exit 7' \
	< /dev/null > "$T/basic.out" 2> "$T/basic.err"
expect_eq "$?" 7 "--exec exit code is the command's"
expect_grep '^out-42$' "$T/basic.out" "stdout of the command"
expect_grep '^err-line$' "$T/basic.out" "stderr of the command"
expect_grep '^7\.' "$T/basic.out" "the guest kernel's release"
expect_grep '^ktstr: shell VM ended: powered off after the command exited with status 7$' \
	"$T/basic.err" "reason line"
grep -v '^ktstr: booting' "$T/basic.err" | grep -vc '^ktstr: shell VM ended' | grep -qx 0 ||
	{ cat "$T/basic.err" >&2; fail "stderr has more than the boot and the reason lines"; }
rec=$(ls -d "$T"/runs/shell-*/ | head -1)
expect_grep '"shell": \{|"shell":\{' "$rec/result.json" "result.json has the shell object"
expect_grep '"result": "pass"|"result":"pass"' "$rec/result.json" "a shell run is not a scenario failure"
grep -q 'cgroup/scheduler setup failed' "$rec/report.txt" && fail "the shell record blames scenario setup"

# An ordinary test program from the host (-i) forking 1000 tasks of 200 KB each.
cc -O2 -static -o "$T/forker" "$ROOT/tests/vm/fixtures/forker.c" 2> "$T/cc.err" ||
	fail "cannot build the static test program: $(cat "$T/cc.err") (install libc6-dev)"
"$KTSTR" shell -i "$T/forker" --exec 'forker 1000 200' < /dev/null > "$T/fork.out" 2> "$T/fork.err"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/fork.out" "$T/fork.err" >&2; fail "forker under the default memory: exit $rc"; }
expect_grep '^forker: 1000 of 1000 tasks up, 200 KB each$' "$T/fork.out" "1000 tasks in the default memory"
# The same program does not fit the old 256 MB default: this test can tell them apart.
"$KTSTR" shell --memory-mb 256 -i "$T/forker" --exec 'forker 1000 200' < /dev/null > "$T/f256.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] || { cat "$T/f256.out" >&2; fail "forker fit in 256 MB: the workload proves nothing"; }

# A kernel panic mid-command: exit 3, one line with the panic.
# (the pause lets the port carry the line out before the crash; a panic stops the port at once)
"$KTSTR" shell --exec 'echo before-panic; sleep 1; echo c > /proc/sysrq-trigger; echo after' \
	< /dev/null > "$T/panic.out" 2> "$T/panic.err"
expect_eq "$?" 3 "exit code when the guest panics"
expect_grep '^before-panic$' "$T/panic.out" "output before the panic"
expect_grep '^ktstr: shell VM ended before the --exec command finished: the guest kernel panicked \(Kernel panic - not syncing: sysrq triggered crash\)$' \
	"$T/panic.err" "panic reason line"

# QEMU killed from outside mid-command.
"$KTSTR" shell --exec 'echo started; sleep 300' < /dev/null > "$T/kill.out" 2> "$T/kill.err" &
pid=$!
for i in $(seq 1 120); do grep -q started "$T/kill.out" && break; sleep 1; done
grep -q started "$T/kill.out" || fail "the command never started: $(cat "$T/kill.err")"
pkill -KILL -f "qemu-system.*$T/runs"
wait "$pid"
expect_eq "$?" 3 "exit code when QEMU is killed"
expect_grep '^ktstr: shell VM ended before the --exec command finished: killed: QEMU was killed by signal 9 \(Killed\)$' \
	"$T/kill.err" "killed reason line"

# The same for an interactive shell (through tmux: it needs a terminal).
S=ktstr-shell-exec-$$
tmux new-session -d -s "$S" -x 120 -y 30 "'$KTSTR' shell 2> '$T/ikill.err'; echo SHELL-EXIT=\$? >> '$T/ikill.err'"
trap 'tmux kill-session -t "$S" 2>/dev/null; cleanup_tmp' EXIT
for i in $(seq 1 120); do
	sleep 1
	tmux capture-pane -p -t "$S" | grep -q 'ktstr:.*# *$' && break
done
tmux capture-pane -p -t "$S" | grep -q 'ktstr:.*# *$' || { tmux capture-pane -p -t "$S" >&2; fail "no shell prompt"; }
pkill -KILL -f "qemu-system.*$T/runs"
for i in $(seq 1 30); do grep -q SHELL-EXIT "$T/ikill.err" && break; sleep 1; done
expect_grep '^ktstr: shell VM ended: killed: QEMU was killed by signal 9 \(Killed\)$' "$T/ikill.err" "interactive killed line"
expect_grep '^SHELL-EXIT=3$' "$T/ikill.err" "interactive exit code when killed"
expect_no_qemu
echo "ok: --exec status, streams, -i, 1000 tasks in the default memory, panic and kill reasons"
