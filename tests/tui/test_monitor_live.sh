# The Monitor pane on a live run whose guest wedges: ktstr_sched --spin-after-ms makes every
# CPU's next tick spin 4 s with its rq lock held, and the guest's control port goes quiet. The
# pane keeps moving meanwhile: its sample count grows and its last sample stays fresh
# while the header says how long the guest has been silent, because the monitor reads
# guest memory from the host. Boots one small VM (2 vCPUs, ~15 s under TCG).
TUI_REAL_CACHE=1
. "$(dirname "$0")/lib.sh"
if ! "$KTSTR" kernel path >/dev/null 2>&1; then
	bad "no cached kernel: run make kernel first"
	tui_done
fi
cat > "$TMPD/wedge.json" <<JSON
{ "name": "tuiwedge", "topology": { "numa": 1, "llcs": 1, "cores": 2, "threads": 1 },
  "memory_mb": 512, "duration_ms": 8000,
  "scheduler": { "name": "ktstr_sched", "args": ["--spin-after-ms", "3000", "--spin-ms", "4000"] },
  "cgroups": [ { "name": "cg0", "workers": 2, "work": "SpinWait" } ] }
JSON
tui_start -- "$TMPD/wedge.json"
expect "Next run: scenario tuiwedge" "scenario from the command line"
keys r
expect "tuiwedge-[0-9-]+ (booting|running)" "r starts the run" 10
keys 0
expect "Monitor +[0-9]+ samples +last sample [0-9.]+ s ago" "the Monitor pane samples the live run" 60
expect "^ *1 +[0-9]+ +[0-9]+ +[0-9]+ " "a row per CPU" 10
# The wedge: the guest says nothing for 2 s and more; the monitor goes on.
seen=""
for _ in $(seq 1 100); do
	s=$(screen | grep -m1 'guest silent')
	if [ -n "$s" ]; then seen=$s; break; fi
	sleep 0.2
done
if [ -z "$seen" ]; then
	bad "the header says when the guest is silent (never seen)"
else
	ok "the header says the guest is silent: $(echo "$seen" | grep -o 'guest silent [0-9.]* s')"
	age=$(echo "$seen" | grep -o 'last sample [0-9.]* s ago' | grep -o '[0-9.]*')
	awk -v a="$age" 'BEGIN { exit !(a < 1.0) }' && ok "the last sample is fresh while the guest is silent (${age} s)" ||
		bad "the last sample is fresh while the guest is silent (${age} s)"
	n1=$(echo "$seen" | grep -o '[0-9]* samples' | grep -o '[0-9]*')
	n2=""
	for _ in $(seq 1 10); do
		sleep 0.1
		s2=$(screen | grep -m1 'Monitor .*samples')
		echo "$s2" | grep -q 'guest silent' || break
		n2=$(echo "$s2" | grep -o '[0-9]* samples' | grep -o '[0-9]*')
	done
	if [ -n "$n2" ] && [ "$n2" -gt "$n1" ]; then
		ok "samples keep coming while the guest is silent ($n1 -> $n2)"
	else
		bad "samples keep coming while the guest is silent ($n1 -> ${n2:-none})"
	fi
fi
expect "finished: " "the run ends" 90
expect "Monitor +[0-9]+ samples +over [0-9.]+ s" "post-mortem header after the run" 10
keys q
expect "^EXIT=" "q quits"
sleep 1
if pgrep -f "qemu-system.*$TMPD" >/dev/null; then bad "no QEMU left"; else ok "no QEMU left"; fi
tui_done
