# The per-thread timeline: 4 SpinWait workers share 2 CPUs for 3 s under EEVDF. The guest's
# BPF tracer (build/bpf/ktstr_trace, `make bpf`) must send run slices for every worker,
# on real CPUs, wait slices (they queue behind each other), within the guest's cap; the
# run directory keeps them in timeline.tsv. Without the tracer the run still passes and
# the guest log says why there is no timeline.
. "$(dirname "$0")/lib.sh"
[ -x "$ROOT/build/bpf/ktstr_trace" ] || fail "build/bpf/ktstr_trace is missing; run make bpf"
scn=$(scenario spin4 '{"name":"spin4","topology":{"numa":1,"llcs":1,"cores":2,"threads":1},
  "duration_ms":3000,"cgroups":[{"name":"cg_spin","workers":4,"work":"SpinWait"}]}')
"$KTSTR" run "$scn" --json > "$T/out.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
expect_eq "$rc" 0 "exit code"
j() { jq -r "$1" "$T/out.json"; }
expect_eq "$(j .result)" pass "result"
dir=$(j .run_dir)
tl=$dir/timeline.tsv
cpus=$(j .guest.cpus)
expect_eq "$cpus" 2 "guest cpus"
[ -s "$tl" ] || fail "run dir lacks timeline.tsv"
expect_grep 'timeline: tracing 4 worker tid' "$dir/guest.log" "tracer ready"
rows=$(grep -v '^#' "$tl" | wc -l)
echo "timeline: $rows slices" >&2
# Every worker ran, on a CPU the guest has.
for tid in $(j '.workers[].tid'); do
	n=$(awk -v t="$tid" '$1 == t && $5 == "r"' "$tl" | wc -l)
	[ "$n" -gt 0 ] || fail "worker tid $tid has no run slices"
done
bad=$(awk -v c="$cpus" '!/^#/ && ($2 < 0 || $2 >= c || $3 > $4 || $3 < 0)' "$tl" | head -3)
[ -z "$bad" ] || fail "slices with a CPU outside 0..$((cpus - 1)) or a bad time range: $bad"
# 4 spinners on 2 CPUs: each waits runnable while the others run.
for tid in $(j '.workers[].tid'); do
	n=$(awk -v t="$tid" '$1 == t && $5 == "w"' "$tl" | wc -l)
	[ "$n" -gt 0 ] || fail "worker tid $tid never waited runnable"
done
# Every slice lies in the workload (3 s, plus the stop and the last flush).
late=$(awk '!/^#/ && $4 > 9000000000' "$tl" | head -1)
[ -z "$late" ] || fail "slice ends after 9 s of a 3 s workload: $late"
# Bounded: the guest's own count matches what arrived, and stays under the cap of
# 2000 per 200 ms interval and the per-tid coarsening (about 40 lines per tid per
# interval, plus each tid's longest wait and last chunk).
line=$(grep -o 'timeline: [0-9]* slice(s) sent over [0-9]* interval(s), [0-9]* dropped' "$dir/guest.log")
[ -n "$line" ] || fail "no timeline summary in guest.log"
sent=$(echo "$line" | awk '{print $2}')
ivals=$(echo "$line" | awk '{print $6}')
expect_eq "$rows" "$sent" "slices in timeline.tsv vs sent by the guest"
[ "$sent" -le $((2000 * ivals)) ] || fail "$sent slices over $ivals intervals breaks the 2000 cap"
[ "$sent" -le $((4 * 45 * ivals)) ] || fail "$sent slices over $ivals intervals: coarsening did not hold"

# Without the tracer: the run passes and says why there is no timeline.
KTSTR_TRACE=off "$KTSTR" run "$scn" --json > "$T/out2.json" 2> "$T/err2.txt"
rc=$?
expect_eq "$rc" 0 "exit code without the tracer"
dir2=$(jq -r .run_dir "$T/out2.json")
expect_grep 'timeline: /ktstr/trace/bin is absent' "$dir2/guest.log" "no-tracer log line"
n2=$(cat "$dir2/timeline.tsv" 2>/dev/null | grep -v '^#' | wc -l)
[ "$n2" -eq 0 ] || fail "$n2 slices without a tracer"
expect_no_qemu
