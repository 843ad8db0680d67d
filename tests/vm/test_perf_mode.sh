# Performance mode for real: with no 2MB hugepages reserved the seed's "no 2MB hugepages"
# warning fires and the VM boots on regular pages; with too few the "need N ... only K
# free" form; with enough the guest RAM is on hugepages (HugePages_Free drops while it
# runs) and the run passes. KTSTR_NO_PERF_MODE=1 skips a performance_mode scenario.
# Reserving hugepages needs root; nr_hugepages is put back to 0 on every exit path.
. "$(dirname "$0")/lib.sh"
HP=/sys/kernel/mm/hugepages/hugepages-2048kB
[ "$(id -u)" = 0 ] || fail "needs root to reserve hugepages in $HP/nr_hugepages"
restore_hp() { echo 0 > "$HP/nr_hugepages"; }
trap 'restore_hp; cleanup_tmp' EXIT
trap 'exit 130' INT TERM

perf=$(scenario perf '{"name":"perf","performance_mode":true,"memory_mb":512,"duration_ms":1000,
  "topology":{"numa":1,"llcs":1,"cores":2,"threads":1},"cgroups":[{"name":"cg_0","workers":1}]}')
run_perf() { # tag [env...] -> rc; out/err in $T/tag.{out,err}
	local tag=$1; shift
	env "$@" "$KTSTR" run "$perf" > "$T/$tag.out" 2> "$T/$tag.err"
	local rc=$?
	cat "$T/$tag.out" "$T/$tag.err" >&2
	return $rc
}

# 1. none reserved
echo 0 > "$HP/nr_hugepages"
run_perf none; rc=$?
expect_eq "$rc" 0 "no hugepages: exit code (the warning is not fatal)"
expect_grep '^performance_mode: WARNING: no 2MB hugepages available, guest memory will use regular pages$' \
	"$T/none.err" "no-hugepages warning on stderr"
run_dir=$(sed -n 's/^  run dir: //p' "$T/none.out")
expect_grep '^performance_mode: WARNING: no 2MB hugepages available' "$run_dir/guest.log" \
	"no-hugepages warning in the run's guest.log"
expect_grep '^performance_mode: pinned 1 vCPU thread to host CPU [0-9]+ \(TCG runs all vCPUs on one thread\)$' \
	"$T/none.err" "the TCG vCPU thread is pinned"
grep -q 'SCHED_OTHER' "$T/none.err" && fail "root has CAP_SYS_NICE: no RT warning expected"

# 2. too few: 64 pages for 512 MB (256 needed)
echo 64 > "$HP/nr_hugepages"
k=$(cat "$HP/free_hugepages")
[ "$k" -gt 0 ] && [ "$k" -lt 256 ] || fail "could not reserve a few hugepages (free=$k)"
run_perf few; rc=$?
expect_eq "$rc" 0 "too few hugepages: exit code"
expect_grep "^performance_mode: WARNING: need 256 2MB hugepages, only $k free — falling back to regular pages\$" \
	"$T/few.err" "need-N-only-K warning"

# 3. enough: 300 pages; the guest's 256 are taken while it runs
echo 300 > "$HP/nr_hugepages"
k=$(cat "$HP/free_hugepages")
[ "$k" -ge 256 ] || fail "could not reserve 256 hugepages (free=$k)"
( min=$k; while [ ! -e "$T/stop" ]; do
	f=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo); [ "$f" -lt "$min" ] && min=$f
	echo "$min" > "$T/minfree"; sleep 0.2; done ) &
watcher=$!
run_perf enough; rc=$?
touch "$T/stop"; wait "$watcher"
expect_eq "$rc" 0 "on hugepages: exit code (the run passes)"
expect_grep '^performance_mode: guest memory on 256 2MB hugepages$' "$T/enough.err" "hugepage note"
grep -q 'WARNING: .*hugepages' "$T/enough.err" && fail "no hugepage warning expected with $k free"
min=$(cat "$T/minfree")
echo "HugePages_Free: $k before, $min lowest during the run" >&2
[ "$min" -le $((k - 256)) ] || fail "HugePages_Free never dropped by 256 (from $k, lowest $min)"
restore_hp
expect_eq "$(cat "$HP/nr_hugepages")" 0 "nr_hugepages restored"

# 4. KTSTR_NO_PERF_MODE=1: the performance_mode scenario is skipped, exit 0, no VM
KTSTR_NO_PERF_MODE=1 "$KTSTR" run --json "$perf" > "$T/skip.json" 2> "$T/skip.err"
rc=$?
cat "$T/skip.json" "$T/skip.err" >&2
expect_eq "$rc" 0 "skip: exit code"
expect_grep '^ktstr: SKIP: performance_mode scenario under --no-perf-mode$' "$T/skip.err" "SKIP line"
expect_eq "$(jq -r .result "$T/skip.json")" skip "JSON result"
grep -q 'booting' "$T/skip.err" && fail "a skipped scenario must not boot"
expect_no_qemu
