# Real failed runs from the scheduler's fault switches, opened in the workstation: the
# verifier pane finds the rejection and its source line, the dump pane the sched_ext dump,
# the scheduler log pane the kernel's reason. Two short VM boots via `ktstr run`.
TUI_REAL_CACHE=1
. "$(dirname "$0")/lib.sh"
"$KTSTR" kernel path >/dev/null 2>&1 || { bad "no cached kernel: run make kernel first"; tui_done; }
cat > "$TMPD/s.json" <<JSON
{ "name": "tuifail", "duration_ms": 3000, "cgroups": [ { "name": "cg0", "workers": 2 } ] }
JSON
"$KTSTR" run "$TMPD/s.json" --scheduler ktstr_sched_bad_verifier > "$TMPD/v.txt" 2>&1
vdir=$(grep -o 'run dir: .*' "$TMPD/v.txt" | cut -d' ' -f3)
"$KTSTR" run "$TMPD/s.json" --scheduler ktstr_sched -- --error-after-ms 1000 > "$TMPD/e.txt" 2>&1
edir=$(grep -o 'run dir: .*' "$TMPD/e.txt" | cut -d' ' -f3)
[ -d "$vdir" ] && [ -d "$edir" ] || { cat "$TMPD/v.txt" "$TMPD/e.txt"; bad "runs did not leave run directories"; tui_done; }

tui_start -x 120 -y 40 -- --open "$vdir"
expect "fail" "header shows the verdict"
keys 5
expect "R1 invalid mem access 'scalar'" "verifier pane: the rejection"
expect "ktstr_sched_bad_verifier\.bpf\.c:[0-9]+" "verifier pane: the source line"
expect "processed=[0-9]+  states=[0-9]+/[0-9]+" "verifier pane: stats on top"
keys 4
expect "BEGIN PROG LOAD LOG|failed to load" "scheduler log pane: libbpf's lines"
keys q
expect "^EXIT=0" "q quits"
tm kill-server 2>/dev/null

tui_start -x 120 -y 40 -- --open "$edir"
keys 6
expect "scx_bpf_error|Event counters|CPU +[0-9]+" "dump pane: the sched_ext dump"
keys 4
expect "injected error after [0-9]+ ms" "scheduler log pane: the kernel's reason"
keys 1
expect "fail" "runs pane lists the failed run"
keys q
expect "^EXIT=0" "q quits"
expect "^icanon echo" "terminal restored"
[ -z "$(pgrep -af qemu-system | grep -F "$TMPD")" ] && ok "no QEMU left" || bad "QEMU left behind"
tui_done
