# The Monitor pane past 64 CPUs: a run directory whose monitor.tsv holds 128 CPUs x 60
# samples (cpu100's rq clock stops at sample 35 with a task queued) lists a row per CPU,
# scrolls through all 128, finds cpu100 by search and flags it stalled and stuck.
. "$(dirname "$0")/lib.sh"

RUN=$TMPD/run-wide
mkdir -p "$RUN"
MON='"monitor": {"status": "", "interval_ms": 100, "ncpus": 128, "samples": 60,
  "sampler_cpu_ns": 4000000, "guest_silence_max_ms": 0,
  "thresholds": {"max_imbalance_ratio": 4.0, "max_local_dsq_depth": 50, "fail_on_stall": true,
                 "sustained_samples": 5, "max_fallback_rate": 200.0, "max_keep_last_rate": 100.0,
                 "enforce": true}},'
awk -v mon="$MON" '{ print } NR == 1 { print "  " mon }' "$FIXTURE/result.json" > "$RUN/result.json"
awk 'BEGIN {
	OFS = "\t"
	print "# ktstr monitor v1 ncpus=128 interval_ms=100"
	print "# status: "
	h = "t_ms"
	for (c = 0; c < 128; c++)
		h = h "\tcpu" c ".nr_running\tcpu" c ".scx_nr_running\tcpu" c ".dsq_depth\tcpu" c ".clock\tcpu" c ".flags"
	print h
	for (i = 0; i < 60; i++) {
		t = 2000 + i * 100
		row = t
		for (c = 0; c < 128; c++) {
			ck = sprintf("%.0f", (c == 100 && i >= 35 ? 2000 + 35 * 100 : t) * 1000000 + c)
			row = row "\t1\t1\t0\t" ck "\t0"
		}
		print row
	}
}' > "$RUN/monitor.tsv"

tui_start -y 12 -- --open "$RUN"
expect "Monitor +60 samples +over 5\.9 s +monitor FAILED: 1 violation\(s\)" "opens on the Monitor pane with cpu100's stall judged"
expect "^ +0 +1 +1 +0 +0 ms +0x0" "cpu0's row"
keys j
expect "rows 2-9/135" "j scrolls; the list holds the header, 128 CPU rows and the sections (135)"
keys /
type_text "cpu100"; keys Enter
expect "^ +100 +1 +1 +0 +2400 ms +0x0 +stall 24 stuck" "/cpu100 scrolls to cpu100: clock stopped 2.4 s, stuck"
expect "^ +101 +1 +1 +0 +0 ms +0x0" "cpu101 below it, calm"
expect_not "^ +99 " "cpu99 scrolled off the top"
keys /
type_text "cpu127"; keys Enter
expect "^ +127 +1 +1 +0 +0 ms +0x0" "the last CPU, 127, is reachable"
keys g
expect "^ +0 +1 +1 +0 +0 ms" "g scrolls back to cpu0"
keys q
expect "^EXIT=0" "q quits"
tui_done
