# The host-side monitor on a healthy run: ktstr_sched on two cgroups, 2 vCPUs. Samples
# start once the guest's addresses arrive (read from kallsyms after sys_rdy, 0.5-1.5 s
# under TCG), in the workload's first second at the latest (usually before it), and come
# every ~100 ms; every CPU's rq
# clock moves; the verdict is "monitor OK"; monitor.tsv, the report section and
# result.json agree; the scheduler's .bss counter nr_dispatched, read from guest memory
# by the host, grows. Then EEVDF: sampled, not evaluated, the run passes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --duration-ms 4000 --scheduler ktstr_sched \
	--json > "$T/out.json" 2> "$T/err.txt"
rc=$?
[ "$rc" = 0 ] || cat "$T/err.txt" >&2
expect_eq "$rc" 0 "exit code"
j() { jq -r "$1" "$T/out.json"; }
dir=$(j .run_dir)
expect_eq "$(j '.monitor.status')" "" "monitor status"
n=$(j '.monitor.samples')
[ "$n" -ge 30 ] || fail "only $n monitor samples in a 4 s run"
rdy=$(j '.boot.sys_rdy_ms')
work=$(j '.boot.workload_start_ms')
first=$(j '.monitor.t_ms[0]')
echo "monitor: $n samples, first at ${first} ms; sys_rdy at ${rdy} ms, workload from ${work} ms" >&2
[ "$first" -le $((work + 1000)) ] || fail "first monitor sample at ${first} ms, not in the workload's first second (from ${work} ms)"
[ $((first - rdy)) -le 2500 ] || fail "first monitor sample ${first} ms is not within 2.5 s of sys_rdy ${rdy} ms"
# ~100 ms apart: n samples span about n*100 ms.
last=$(j '.monitor.t_ms[-1]')
span=$((last - first))
[ "$span" -ge $(((n - 1) * 80)) ] && [ "$span" -le $(((n - 1) * 200)) ] ||
	fail "$n samples over $span ms is not one per ~100 ms"
# Every CPU's rq clock moved, and both CPUs saw runnable tasks.
for c in 0 1; do
	moved=$(jq "[.monitor.cpus[$c].clock | (.[-1] - .[0])] | .[0] > 0" "$T/out.json")
	expect_eq "$moved" true "cpu$c rq clock advances"
	busy=$(jq "[.monitor.cpus[$c].nr_running[] | select(. > 0)] | length > 0" "$T/out.json")
	expect_eq "$busy" true "cpu$c had runnable tasks"
done
expect_eq "$(j '.monitor.summary.verdict')" "monitor OK" "verdict"
expect_grep "^  monitor: monitor OK \([0-9]+ samples" "$dir/report.txt" "the report's monitor line"
[ -s "$dir/monitor.tsv" ] || fail "no monitor.tsv in $dir"
rows=$(grep -vc '^#' "$dir/monitor.tsv")
expect_eq "$rows" $((n + 1)) "monitor.tsv rows (header + samples)"
# The scheduler's globals, from the host: nr_dispatched is a column and it grows.
col=$(head -3 "$dir/monitor.tsv" | grep -v '^#' | head -1 | tr '\t' '\n' | grep -nx 'g.nr_dispatched' | cut -d: -f1)
[ -n "$col" ] || fail "monitor.tsv has no g.nr_dispatched column: $(grep -v '^#' "$dir/monitor.tsv" | head -1)"
grow=$(grep -v '^#' "$dir/monitor.tsv" | awk -F'\t' -v c="$col" 'NR == 2 { a = $c } END { print ($c > a && $c > 0) ? "yes" : "no: " a " -> " $c }')
expect_eq "$grow" yes "nr_dispatched grows"
expect_eq "$(jq '[.monitor.globals[] | select(.name == "nr_dispatched")] | length' "$T/out.json")" 1 "nr_dispatched in the globals tree"

# EEVDF: sampled (sched_ext counters stay zero), not evaluated, the run passes.
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --duration-ms 3000 --json > "$T/eevdf.json" 2> "$T/err2.txt"
expect_eq "$?" 0 "eevdf exit code"
e=$(jq -r '.monitor.samples' "$T/eevdf.json")
[ "$e" -ge 20 ] || fail "eevdf run: only $e monitor samples"
expect_eq "$(jq -r '.monitor.summary.evaluated' "$T/eevdf.json")" false "eevdf not evaluated"
expect_no_qemu
