# Number keys and Tab switch panes; each pane draws its part of the fixture run.
. "$(dirname "$0")/lib.sh"
tui_start -- --open "$FIXTURE"
expect "Verifier" "starts on the verifier pane"
keys 2
expect "Timeline  0.00s \.\. 8\.00s" "2: timeline spans the run"
expect "^cg1 " "timeline groups rows by cgroup"
expect "^ +103 Mixed +[^!]*!{20,}" "timeline marks tid 103's 4.5 s gap"
keys j j j j
expect "tid 103 \(cg1, Mixed\): longest gap 4500ms on cpu1 at \+3200ms" "selected worker's gap detail"
keys +
expect "\[zoomed\]" "+ zooms in"
keys w
expect_not "\[zoomed\]" "w fits the whole run again"
keys 3
expect "cg0  spread 2.5% ok  2 workers  2 CPUs" "3: spread per cgroup"
expect "103 Mixed .* 26.2% cpu" "spread: worker CPU share"
expect "^  wake p50=450.0us p99=3500.0us cv=1.20 tail=7.8x \(120 samples\)$" "spread: a cgroup's wake latency"
expect "^  run_delay mean=800000us worst=900000us migration_ratio=0.0021 cross_node=0$" \
	"spread: its run delay and migration ratio"
expect "migration_ratio=0.0082 cross_node=0" "spread: the migration ratio of a run dir without the new figures"
keys 4
expect "2 lines repeated 6 times" "4: scheduler log cycles collapsed"
keys g j Enter
expect "row 2/26" "Enter expands the repeated block"
keys Enter
expect "row 2/16" "Enter collapses it again"
keys 6
expect "CPU 1   : nr_run=1.*\(\+1 lines\)" "6: dump folded by CPU headers"
keys j Enter
expect "curr=ktstr-worker\[101\]" "Enter opens a dump section"
keys 7
expect "reboot: Power down" "7: console"
keys 8
expect "Kernels" "8: kernels pane"
keys 9
expect "No auto-repro for this run; press a to rerun it" "9: repro pane, with the hint for a failed run"
keys 0
expect "no monitor samples: " "0: monitor pane, saying why this run has no samples"
keys Tab
expect "Next run: scenario default" "Tab wraps to the runs pane"
keys "?"
expect "Keys \(runs pane\)" "? shows the help generated from the keymap"
expect "next match" "help lists n"
keys x
expect_not "Keys \(runs pane\)" "any key closes the help"
keys q
expect "^EXIT=0" "q quits"
tui_done
