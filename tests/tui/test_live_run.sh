# A live run from the workstation: r boots the VM, panes update while it runs, s attaches
# a shell (Ctrl-] detaches), the verdict arrives, q quits with no QEMU left behind.
# Boots one small VM (2 vCPUs, ~10 s under TCG); needs the cached kernel (make kernel).
TUI_REAL_CACHE=1
. "$(dirname "$0")/lib.sh"
if ! "$KTSTR" kernel path >/dev/null 2>&1; then
	bad "no cached kernel: run make kernel first"
	tui_done
fi
cat > "$TMPD/live.json" <<JSON
{ "name": "tuilive", "topology": { "numa": 1, "llcs": 1, "cores": 2, "threads": 1 },
  "memory_mb": 512, "scheduler": "eevdf", "duration_ms": 8000,
  "cgroups": [ { "name": "cg0", "workers": 2, "work": "SpinWait" } ] }
JSON
tui_start -- "$TMPD/live.json"
expect "Next run: scenario tuilive" "scenario from the command line"
keys 8
keys Enter
expect "kernel for the next run: " "Enter in the kernels pane picks a kernel"
key=$(screen | grep -o 'kernel for the next run: .*' | sed 's/kernel for the next run: //; s/ *$//')
keys 1
expect "kernel $(printf '%s' "$key" | sed 's/[][+.*^$()|?{}\\]/\\&/g')" "the runs pane shows the picked kernel"
keys r
expect "tuilive-[0-9-]+ (booting|running)" "r starts the run" 10
keys 2
expect "running:running" "the guest reaches the workload" 60
t1=$(screen | sed -n 2p | grep -o 'T+ [0-9.]*s')
sleep 1
t2=$(screen | sed -n 2p | grep -o 'T+ [0-9.]*s')
[ -n "$t1" ] && [ "$t1" != "$t2" ] && ok "header updates live ($t1 -> $t2)" || bad "header updates live ($t1 -> $t2)"
expect "^ +[0-9]+ .*[0-9·!░]{10}" "timeline draws worker rows while running"
keys s
expect "ktstr:.*#" "s attaches the VM shell" 15
type_text 'echo tui-shell-$((6*7))'; keys Enter
expect "^tui-shell-42" "the shell runs commands in the guest"
keys C-]
expect "detached from the VM shell" "Ctrl-] returns to the workstation"
expect "finished: pass \(exit 0\)" "the verdict arrives" 60
keys 1
expect_not "^  live " "a finished run leaves the live row (it is in the history)"
expect "pass .*tuilive-" "the finished run is in the history list"
keys r
expect "tuilive-[0-9-]+ (booting|running)" "a second run starts" 10
sleep 2
keys q
expect "^EXIT=0" "q during a run quits"
sleep 1
if pgrep -f "qemu-system.*$TMPD" >/dev/null; then bad "no QEMU left"; else ok "no QEMU left"; fi
tui_done
