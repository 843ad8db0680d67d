# The guest wedged: ktstr_sched --stall-after-ms 1000 --stall-all parks every user task,
# init included, so the guest's control port goes quiet until the sched_ext watchdog
# (3 s) kicks the scheduler out. The monitor reads guest memory from the host: it keeps
# sampling through the silence, sees CPUs with runnable tasks whose rq clock stopped, and
# the report's monitor section names them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --duration-ms 8000 --scheduler ktstr_sched \
	--json -- --stall-after-ms 1000 --stall-all > "$T/out.json" 2> "$T/err.txt"
expect_eq "$?" 1 "exit code"
j() { jq -r "$1" "$T/out.json"; }
dir=$(j .run_dir)
cp "$dir/report.txt" "$T/report.txt"
# The guest's silence: the longest gap between control-port lines the host logged.
silent=$(j .monitor.guest_silence_max_ms)
echo "guest silent for up to ${silent} ms while the monitor sampled" >&2
[ "$silent" -ge 1500 ] || fail "the guest never went quiet (longest silence ${silent} ms): the wedge did not happen"
# The monitor's samples kept their 100 ms pace through it.
n=$(j '.monitor.samples')
[ "$n" -ge 40 ] || fail "only $n monitor samples"
maxgap=$(jq '[.monitor.t_ms | . as $t | range(1; length) | $t[.] - $t[. - 1]] | max' "$T/out.json")
[ "$maxgap" -le 400 ] || fail "monitor samples stopped for $maxgap ms while the guest was wedged"
expect_grep 'rq_clock stall on cpu[0-9]+ for [0-9]+ consecutive samples \(ending at sample [0-9]+, clock=[0-9]+\)' "$T/report.txt" "stall named"
expect_grep '^--- monitor ---' "$T/report.txt" "monitor section"
expect_grep 'stuck cpus: cpu[0-9]' "$T/report.txt" "stuck CPUs listed"
stuck=$(j '.monitor.summary.stuck')
[ "$stuck" -ge 1 ] || fail "summary.stuck is $stuck"
expect_no_qemu
