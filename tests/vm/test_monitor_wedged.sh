# The guest wedged: ktstr_sched --spin-after-ms makes every CPU's next tick spin 900 ms in
# ops.tick (late enough that the first 20 samples, which are never judged, are over),
# interrupts off and its rq lock held, so the rq clocks stop and the guest stops
# answering (its control port goes quiet). The monitor reads guest memory from the host:
# it keeps its 100 ms pace through the silence, and the rq_clock stall it sees fails the
# run although the scenario itself passed: "passed scenario but monitor failed:", with
# the stuck CPU named in the --- monitor --- section.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --duration-ms 6000 --scheduler ktstr_sched \
	--json -- --spin-after-ms 3500 --spin-ms 900 > "$T/out.json" 2> "$T/err.txt"
rc=$?
j() { jq -r "$1" "$T/out.json"; }
dir=$(j .run_dir)
cp "$dir/report.txt" "$T/report.txt" 2>/dev/null || { cat "$T/err.txt" >&2; fail "no report.txt in '$dir'"; }
[ "$rc" = 1 ] || cat "$T/report.txt" >&2
expect_eq "$rc" 1 "exit code"
silent=$(j .monitor.guest_silence_max_ms)
echo "guest silent for up to ${silent} ms while the monitor sampled" >&2
[ "$silent" -ge 700 ] || fail "the guest never went quiet (longest silence ${silent} ms): the wedge did not happen"
n=$(j '.monitor.samples')
[ "$n" -ge 40 ] || fail "only $n monitor samples"
maxgap=$(jq '[.monitor.t_ms | . as $t | range(1; length) | $t[.] - $t[. - 1]] | max' "$T/out.json")
[ "$maxgap" -le 300 ] || fail "monitor samples stopped for $maxgap ms while the guest was wedged"
expect_grep "^ktstr: 'two-cgroups' \[sched=ktstr_sched\] \[topo=1n1l2c1t\] passed scenario but monitor failed:" "$T/report.txt" "header"
expect_grep '^  monitor FAILED: [0-9]+ violation\(s\): .*rq_clock stall on cpu[0-9]+ for [0-9]+ consecutive samples \(ending at sample [0-9]+, clock=[0-9]+\)' "$T/report.txt" "stall named in the header"
expect_grep '^--- monitor ---' "$T/report.txt" "monitor section"
expect_grep '^stuck cpus: cpu[0-9]' "$T/report.txt" "stuck CPUs listed"
expect_grep '^verdict: monitor FAILED' "$T/report.txt" "section verdict"
[ "$(j '.monitor.summary.stuck')" -ge 1 ] || fail "summary.stuck is $(j '.monitor.summary.stuck')"
# No other check failed: the scenario itself passed.
expect_eq "$(jq '[.checks[] | select(.ok == false) | .name] | unique | join(",")' -r "$T/out.json")" monitor "failed checks"
expect_no_qemu
