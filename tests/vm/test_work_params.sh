# Work-type parameters change what the guest runs (2 vCPUs, 2 s, EEVDF then ktstr_sched):
# Bursty 10/190 ms gets a far lower CPU share (cpu_ms / wall_ms) than Bursty 190/10 on the
# same CPU; FutexFanOut with fan_out 2 is groups of 3 whose messenger wakes at most 2; a
# Sequence with a long sleep phase runs little and counts its phases.
. "$(dirname "$0")/lib.sh"
S=$(scenario work-params '{
  "name": "work-params",
  "topology": { "numa": 1, "llcs": 1, "cores": 2, "threads": 1 },
  "memory_mb": 512,
  "duration_ms": 2000,
  "cgroups": [
    { "name": "cg_low", "cpuset": "0", "work": { "type": "Bursty", "burst_ms": 10, "sleep_ms": 190 } },
    { "name": "cg_high", "cpuset": "0", "work": { "type": "Bursty", "burst_ms": 190, "sleep_ms": 10 } },
    { "name": "cg_fan", "cpuset": "1", "workers": 3, "work": { "type": "FutexFanOut", "fan_out": 2 } },
    { "name": "cg_seq", "cpuset": "1", "work": { "type": "Sequence",
      "phases": [ { "spin_ms": 5 }, { "yield_ms": 5 }, { "sleep_ms": 150 } ] } }
  ],
  "checks": { "max_gap_ms": 3600000, "max_spread_pct": 100 }
}')

check_run() {
	local out=$1 what=$2
	j() { jq -r "$1" "$out"; }
	expect_eq "$(j .result)" pass "result ($what)"
	expect_eq "$(j '.workers | length')" 6 "workers ($what)"
	# share CGROUP: percent of wall time on a CPU, of the cgroup's first worker.
	share() { jq -r --arg c "$1" '[.workers[] | select(.cgroup == $c)][0] | (100 * .cpu_ms / .wall_ms | floor)' "$out"; }
	local low high seq
	low=$(share cg_low) high=$(share cg_high) seq=$(share cg_seq)
	echo "  CPU share: Bursty 10/190 ${low}%, Bursty 190/10 ${high}%, Sequence 5/5/150 ${seq}%"
	[ "$low" -le 20 ] || fail "Bursty 10/190 ran ${low}% of the time, expected <= 20% ($what)"
	[ "$high" -ge 30 ] || fail "Bursty 190/10 ran ${high}% of the time, expected >= 30% ($what)"
	[ "$high" -ge $((4 * low)) ] || fail "Bursty 190/10 (${high}%) is not 4x Bursty 10/190 (${low}%) ($what)"
	[ "$seq" -le 20 ] || fail "Sequence with a 150 ms sleep ran ${seq}% of the time ($what)"
	local phases
	phases=$(j '[.workers[] | select(.cgroup == "cg_seq")][0] | "\(.figure_name)=\(.figure)"')
	echo "  Sequence: $phases"
	[ "${phases%%=*}" = phases ] || fail "Sequence figure is '$phases', expected phases ($what)"
	[ "${phases#*=}" -ge 9 ] || fail "Sequence completed ${phases#*=} phases in 2 s, expected >= 9 ($what)"
	# The fan-out group: 3 workers, one messenger (waking at most fan_out = 2 per round)
	# and 2 receivers that were woken.
	local ws
	ws=$(jq -c '[.workers[] | select(.cgroup == "cg_fan")] | sort_by(.tid)' "$out")
	expect_eq "$(jq length <<<"$ws")" 3 "FutexFanOut workers ($what)"
	local m_fig m_it
	m_fig=$(jq -r '.[0].figure' <<<"$ws") m_it=$(jq -r '.[0].iters' <<<"$ws")
	echo "  FutexFanOut fan_out 2: messenger woke $m_fig in $m_it rounds; receivers $(jq -r '[.[1:][] | .figure | tostring] | join(" ")' <<<"$ws") wakeups"
	[ "$m_it" -gt 0 ] && [ "$m_fig" -gt 0 ] || fail "the messenger woke nobody ($what)"
	[ "$m_fig" -le $((2 * m_it)) ] || fail "the messenger woke $m_fig in $m_it rounds: more than 2 receivers ($what)"
	expect_eq "$(jq -r '[.[1:][] | select(.figure < 1)] | length' <<<"$ws")" 0 "receivers never woken ($what)"
}

t0=$SECONDS
"$KTSTR" run "$S" --json > "$T/eevdf.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
[ "$rc" = 0 ] || jq -r '.checks[]? | select(.ok == false) | "failed check \(.name): \(.message)"' "$T/eevdf.json" >&2
expect_eq "$rc" 0 "exit code (EEVDF)"
echo "EEVDF ($((SECONDS - t0)) s):"
check_run "$T/eevdf.json" EEVDF
expect_no_qemu

t0=$SECONDS
"$KTSTR" run "$S" --scheduler ktstr_sched --json > "$T/sched.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
[ "$rc" = 0 ] || jq -r '.checks[]? | select(.ok == false) | "failed check \(.name): \(.message)"' "$T/sched.json" >&2
expect_eq "$rc" 0 "exit code (ktstr_sched)"
expect_eq "$(jq -r .scheduler.attached "$T/sched.json")" true "scheduler attached"
echo "ktstr_sched ($((SECONDS - t0)) s):"
check_run "$T/sched.json" ktstr_sched
expect_no_qemu
echo "PASS: test_work_params"
