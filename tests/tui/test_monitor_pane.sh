# The Monitor pane on a finished run: a run directory made here (the fixture's result.json
# with a "monitor" object, and a monitor.tsv of 2 CPUs x 60 samples in which cpu1's local
# DSQ grows past the threshold and its rq clock stops) opens on the Monitor pane, which
# shows a row per CPU, cpu1 flagged, the event counters and the globals tree; 0 is its key.
# A run without monitor data says why it has none.
. "$(dirname "$0")/lib.sh"

RUN=$TMPD/run-monitor
mkdir -p "$RUN"
# result.json: the fixture's, with the monitor's thresholds and globals (what the loader
# reads besides monitor.tsv), and no verifier log, so the monitor's failure is the story.
MON='"monitor": {"status": "", "interval_ms": 100, "ncpus": 2, "samples": 60,
  "sampler_cpu_ns": 4000000, "guest_silence_max_ms": 0,
  "thresholds": {"max_imbalance_ratio": 4.0, "max_local_dsq_depth": 50, "fail_on_stall": true,
                 "sustained_samples": 5, "max_fallback_rate": 200.0, "max_keep_last_rate": 100.0,
                 "enforce": true},
  "globals": [{"depth": 0, "name": "bss", "value": ""},
              {"depth": 1, "name": "nr_dispatched", "value": "590"},
              {"depth": 1, "name": "stats", "value": ""},
              {"depth": 2, "name": "nr_enqueued", "value": "1234"},
              {"depth": 0, "name": "rodata", "value": ""},
              {"depth": 1, "name": "slice_ns", "value": "20000000"}]},'
awk -v mon="$MON" '{ print } NR == 1 { print "  " mon }' "$FIXTURE/result.json" > "$RUN/result.json"
# monitor.tsv: t_ms from 2000 every 100 ms. cpu0 is calm (clock moving, DSQ 0-2). cpu1 has
# 2 runnable tasks, a DSQ of 1 growing by 3 a sample from sample 30 (past 50 at sample 47)
# and a clock that stops at sample 35 (0.4 s ago at the last sample: 2.4 s).
awk 'BEGIN {
	OFS = "\t"
	print "# ktstr monitor v1 ncpus=2 interval_ms=100"
	print "# status: "
	split("select_cpu_fallback dispatch_offline dispatch_keep_last skip_exiting skip_migration_disabled reenq_immed reenq_local_repeat refill_slice_dfl bypass_duration bypass_dispatch bypass_activate insert_not_owned sub_bypass_dispatch", ev, " ")
	h = "t_ms"
	for (c = 0; c < 2; c++)
		h = h "\tcpu" c ".nr_running\tcpu" c ".scx_nr_running\tcpu" c ".dsq_depth\tcpu" c ".clock\tcpu" c ".flags"
	for (e = 1; e <= 13; e++)
		h = h "\tev." ev[e]
	print h "\tg.bss.nr_dispatched\tg.bss.nr_enqueued"
	for (i = 0; i < 60; i++) {
		t = 2000 + i * 100
		d1 = i < 30 ? 1 : 1 + 3 * (i - 30)
		c0 = sprintf("%.0f", t * 1000000)   # ns; mawk prints big numbers as 2.2e+09
		c1 = sprintf("%.0f", (i < 35 ? t : 2000 + 35 * 100) * 1000000 + 12345)
		row = t "\t1\t1\t" (i % 3) "\t" c0 "\t1\t2\t2\t" d1 "\t" c1 "\t9"
		row = row "\t" 5 * i "\t0\t" 2 * i "\t0\t0\t0\t0\t" 100 * i "\t0\t0\t0\t0\t0"
		print row "\t" 10 * i "\t" 20 * i
	}
}' > "$RUN/monitor.tsv"

# 12 rows: the CPUs and the counters fill the pane; the globals are below it.
tui_start -y 12 -- --open "$RUN"
expect "Monitor +60 samples +over 5\.9 s +monitor FAILED: 2 violation\(s\)" "opens on the Monitor pane: samples, span, verdict"
expect "cpu +nr_run +scx_nr +dsq +clock age +flags +breaks +DSQ depth, 33 samples, max 88" \
	"column header, sparklines scaled to the window's deepest DSQ"
expect "^ +0 +1 +1 +2 +0 ms +0x1 +\S" "cpu0: nr_running, scx, dsq, clock moving, flags, sparkline"
expect "^ +1 +2 +2 +88 +2400 ms +0x9 +dsq>50 stall 24 stuck +\S" \
	"cpu1: deep DSQ, clock stopped 2.4 s with tasks, stuck after the run"
expect "stuck +▁.*▇████$" "cpu1's sparkline climbs to full bars"
if screen_esc | grep -E ' 1 +2 +2 +88 ' | grep -q $'\e\\[[0-9;]*31m'; then ok "cpu1's row is drawn in the failure colour"
else bad "cpu1's row is drawn in the failure colour (no red SGR on its line)"; fi
if screen_esc | grep -E ' 0 +1 +1 +2 +0 ms' | grep -q $'\e\\[[0-9;]*31m'; then bad "cpu0 is not flagged (red SGR on its line)"
else ok "cpu0 is not flagged"; fi
expect "select_cpu_fallback +295 +50\.0/s" "fallback: total since the first sample, rate over the last second"
expect "dispatch_keep_last +118 +20\.0/s" "keep_last always listed"
expect "refill_slice_dfl +5900 +1000\.0/s" "a non-zero counter is listed"
expect_not "skip_exiting" "zero counters other than fallback/keep_last are left out"
keys j
expect "rows 2-9/16" "j scrolls down one row; the status bar says which rows show"
keys G
expect "^  scheduler globals" "G scrolls to the globals"
expect "^    nr_dispatched = 590" "globals tree: depth 1 indented"
expect "^      nr_enqueued = 1234" "globals tree: depth 2 indented further"
expect "^  rodata$" "a struct line has no value"
expect "rows 9-16/16" "status bar: the last rows"
expect_not "2400 ms" "the CPU rows scrolled off"
keys k
expect "rows 8-15/16" "k scrolls up one row"
keys g
expect "^ +1 +2 +2 +88 " "g scrolls back to the CPUs"
keys /
type_text "nr_enq"; keys Enter
expect "^      nr_enqueued = 1234" "/ finds a global and scrolls to it"
keys 1
expect "Next run: scenario" "1: the runs pane"
keys 0
expect "Monitor +60 samples" "0: back to the Monitor pane"
keys q
expect "^EXIT=0" "q quits"

# A run from before the monitor (no monitor.tsv, no monitor object): one line says why.
tui_start -- --open "$FIXTURE"
keys 0
expect "no monitor samples: the guest sent no kernel addresses, or the run predates the monitor" \
	"no series: the reason"
keys "?"
expect "1-9 0 +panes: 1 runs 2 timeline" "help: number keys 1-9 and 0"
keys Escape
keys 2 + w
expect_not "\[zoomed\]" "w (whole run) in the timeline"
keys q
tui_done
