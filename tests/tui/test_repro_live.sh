# `a` on a real failure: a ktstr_sched run that hit scx_bpf_error (auto-repro off for it),
# opened in the workstation; `a` boots the repro VM, the Repro pane shows its progress and
# then the chain with the erroring callback; the run directory gains the repro link.
TUI_REAL_CACHE=1
. "$(dirname "$0")/lib.sh"
if ! "$KTSTR" kernel path >/dev/null 2>&1; then
	bad "no cached kernel: run make kernel first"
	tui_done
fi
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --no-auto-repro --scheduler ktstr_sched -- \
	--error-after-ms 1500 > "$TMPD/p.txt" 2>&1
dir=$(grep -oE '^run dir: .*' "$TMPD/p.txt" | tail -1 | cut -d' ' -f3)
[ -d "$dir" ] && ok "a failed primary run: $(basename "$dir")" || { bad "no primary run dir"; tui_done; }
tui_start -x 160 -- --open "$dir"
keys 9
expect "No auto-repro for this run; press a to rerun it" "the pane offers a"
keys a
expect "1\. booting" "progress: booting" 10
expect "probes attached: [1-9]" "progress: probes attached" 60
expect "Auto-repro  done" "the repro VM finished" 90
expect "auto-repro of .*the trigger fired" "status line says the trigger fired"
# The chain ends at the trigger: G goes there (a long chain does not fit on the screen).
# --error-after-ms fires from ops.tick or ops.dispatch, whichever runs first after 1.5 s.
keys G
expect "ktstr_(dispatch|tick) +fentry" "the chain holds the erroring callback" 5
[ -L "$dir/repro" ] && ok "the run directory links to the repro VM's" || bad "no $dir/repro link"
keys q
expect "EXIT=0" "q quits"
sleep 0.5
pgrep -af qemu-system | grep -F "$TMPD" && bad "QEMU left behind" || ok "no QEMU left"
tui_done
