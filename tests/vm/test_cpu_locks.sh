# Host CPU reservation for real (docs/locks.md): two 2-vCPU TCG runs started at once each
# hold LOCK_EX on a host CPU of their own (plus LOCK_SH on the LLC), `ktstr locks --json`
# shows two CPUs held by two ktstr PIDs, and each QEMU's vCPU thread is pinned to its own
# run's CPU (single-threaded TCG: one host thread runs all vCPUs). A third run with
# KTSTR_LOCK_TIMEOUT_SECS=2 fails with the seed's flock timeout naming both holders, a
# performance-mode run (whole LLC exclusive) is skipped, and a fourth run with a long
# timeout waits for a free CPU and passes. At most two QEMUs ever run,
# no QEMU holds a lockfile fd, and nothing is held at the end.
# Everything runs under `taskset -c 0,1` (two CPUs whatever the host) with its own
# KTSTR_LOCK_DIR, so peers on the host do not disturb it.
. "$(dirname "$0")/lib.sh"
taskset -c 0,1 true 2>/dev/null || missing "host CPUs 0 and 1 (taskset -c 0,1)"
export KTSTR_LOCK_DIR=$T/locks
unset KTSTR_BYPASS_LLC_LOCKS KTSTR_LOCK_TIMEOUT_MS KTSTR_LOCK_TIMEOUT_SECS
# 12 s of workload: A and B must still hold their CPUs through the checks below (about
# 6 s after their QEMUs appear), also when they resume a snapshot instead of booting.
s=$(scenario locks '{"name":"locks","memory_mb":512,"duration_ms":12000,
  "topology":{"numa":1,"llcs":1,"cores":2,"threads":1},"cgroups":[{"name":"cg_0","workers":1}]}')
# exec: in `krun &` the ktstr process is $! (the lock holder /proc/locks names).
krun() { exec taskset -c 0,1 "$KTSTR" run "$s" --accel tcg "$@"; }
# "[q]": concurrent pgreps (the watcher's) must not count themselves.
qemus() { pgrep -f "[q]emu-system.*$T/" || true; }

# Samples the QEMU count all along: two CPUs, so never more than two VMs.
( max=0; while [ -d "$T" ] && [ ! -e "$T/stop" ]; do n=$(qemus | wc -l)
	[ "$n" -gt "$max" ] && max=$n; echo "$max" > "$T/maxq" 2>/dev/null; sleep 0.2; done ) &
watcher=$!
trap 'kill $watcher 2>/dev/null; [ -n "${KTSTR_TEST_KEEP:-}" ] || cleanup_tmp' EXIT

t0=$SECONDS
krun > "$T/a.out" 2> "$T/a.err" & A=$!
krun > "$T/b.out" 2> "$T/b.err" & B=$!

# Both hold their CPU once both QEMUs exist.
for _ in $(seq 150); do
	[ "$(qemus | wc -l)" = 2 ] && break
	sleep 0.2
done
[ "$(qemus | wc -l)" = 2 ] || { cat "$T/a.err" "$T/b.err" >&2; fail "two QEMUs never ran side by side"; }
"$KTSTR" locks --json > "$T/lk.json" || fail "ktstr locks --json failed"
cat "$T/lk.json" >&2
jl() { jq -r "$1" "$T/lk.json"; }
expect_eq "$(jl '.cpus | length')" 2 "CPU lockfiles held"
expect_eq "$(jl '[.cpus[].cpu] | sort | join(",")')" "0,1" "the two CPUs held"
expect_eq "$(jl '[.cpus[].holders[].pid] | sort | join(",")')" "$(printf '%s\n' $A $B | sort | paste -sd,)" \
	"CPU holders are the two ktstr runs"
expect_eq "$(jl '[.cpus[].holders[].mode] | unique | join(",")')" EX "CPU lock mode"
expect_eq "$(jl '.llcs | length')" 1 "LLC lockfiles held"
expect_eq "$(jl '[.llcs[0].holders[].mode] | unique | join(",")')" SH "LLC lock mode"
expect_eq "$(jl '.llcs[0].holders | length')" 2 "both runs share the LLC"
"$KTSTR" locks > "$T/lk.txt"
expect_grep '^CPU locks:$' "$T/lk.txt" "human listing: CPU section"
expect_grep '^LLC locks:$' "$T/lk.txt" "human listing: LLC section"
expect_grep '^  LLC  NODE  LOCKFILE ' "$T/lk.txt" "human listing: LLC columns"

# Each QEMU's vCPU thread (single-threaded TCG: the one thread that runs the guest, so the
# busiest) runs on its own run's CPU only, and is the only thread pinned there; none holds
# a lockfile fd. QEMU's main loop and RCU threads stay unpinned (docs/locks.md says why).
ticks() { for t in /proc/"$1"/task/*; do awk '{print FILENAME, $14 + $15}' "$t/stat" 2>/dev/null; done; }
for q in $(qemus); do ticks "$q" > "$T/ticks.$q"; done
sleep 2 # the busiest thread over these 2 s is the one running the guest
for q in $(qemus); do
	parent=$(awk '{print $4}' "/proc/$q/stat")
	cpu=$(jl ".cpus[] | select(.holders[0].pid == $parent) | .cpu")
	[ -n "$cpu" ] || fail "QEMU $q's parent $parent holds no CPU lock"
	tr '\0' ' ' < "/proc/$q/cmdline" | grep -q -- '-accel tcg,thread=single' ||
		fail "QEMU $q is not single-threaded TCG"
	busiest=$(ticks "$q" | awk -v f="$T/ticks.$q" 'BEGIN { while ((getline l < f) > 0) {
		split(l, a, " "); t0[a[1]] = a[2] } } { d = $2 - t0[$1]; if (d > best) { best = d; b = $1 } }
		END { sub(/.*\/task\//, "", b); sub(/\/stat/, "", b); print b }')
	pinned=$(for t in /proc/"$q"/task/*; do
		a=$(awk '/^Cpus_allowed_list:/ {print $2}' "$t/status" 2>/dev/null)
		[ "$a" = "$cpu" ] && basename "$t"; done)
	expect_eq "$pinned" "$busiest" "QEMU $q: the thread pinned to CPU $cpu is the vCPU thread"
	echo "QEMU $q (run pid $parent): vCPU thread $busiest on CPU $cpu ($(taskset -pc "$busiest"))" >&2
	ls -l "/proc/$q/fd" 2>/dev/null | grep -q 'ktstr-\(cpu\|llc\)-' && fail "QEMU $q inherited a lockfile fd"
done

# A third run cannot get a CPU: after 2 s it fails (exit 3) naming the lockfile and both holders.
(KTSTR_LOCK_TIMEOUT_SECS=2 krun > "$T/c.out" 2> "$T/c.err"); rc=$?
cat "$T/c.out" "$T/c.err" >&2
expect_eq "$rc" 3 "third run: exit code (infrastructure)"
expect_grep "flock LOCK_EX on host CPUs for run locks-[^ ]+ \(1 CPU of 0-1\) timed out after 2s \(lockfile $T/locks/ktstr-cpu-[01]\.lock, holders:" \
	"$T/c.out" "timeout message"
expect_grep "^  pid=$A cmd=.*ktstr run $s" "$T/c.out" "holder A named"
expect_grep "^  pid=$B cmd=.*ktstr run $s" "$T/c.out" "holder B named"
expect_grep 'Check for peers holding CPU locks \(`ktstr locks`\)' "$T/c.out" "the seed's advice"
grep -q booting "$T/c.err" && fail "the third run must not boot"

# Performance mode wants the LLC exclusive while both runs share it: skipped (exit 0), as in
# the reference, with the timeout as its reason.
p=$(scenario perf '{"name":"perf","performance_mode":true,"memory_mb":512,"duration_ms":1000,
  "topology":{"numa":1,"llcs":1,"cores":2,"threads":1},"cgroups":[{"name":"cg_0","workers":1}]}')
KTSTR_LOCK_TIMEOUT_SECS=1 taskset -c 0,1 "$KTSTR" run "$p" --json > "$T/p.json" 2> "$T/p.err"; rc=$?
cat "$T/p.err" >&2
expect_eq "$rc" 0 "performance mode under contention: exit code"
expect_eq "$(jq -r .result "$T/p.json")" skip "performance mode under contention: result"
expect_grep "^ktstr: SKIP: performance_mode: flock LOCK_EX on host LLCs for run perf-[^ ]+ \(performance mode: whole LLCs covering 1 CPU of 0-1\) timed out after 1s \(lockfile $T/locks/ktstr-llc-0\.lock, holders:" \
	"$T/p.err" "performance-mode skip line"

# A fourth waits (long timeout) and runs once a CPU is free.
(KTSTR_LOCK_TIMEOUT_SECS=120 krun > "$T/d.out" 2> "$T/d.err") & D=$!
wait $A; ra=$?
wait $B; rb=$?
wait $D; rd=$?
cat "$T/a.err" "$T/b.err" "$T/d.err" >&2
expect_eq "$ra" 0 "run A exit code"
expect_eq "$rb" 0 "run B exit code"
expect_eq "$rd" 0 "the waiting run's exit code"
touch "$T/stop"; wait "$watcher"
expect_eq "$(cat "$T/maxq")" 2 "most QEMUs at once"
"$KTSTR" locks --json > "$T/after.json"
expect_eq "$(jq -c '[.cpus, .llcs]' "$T/after.json")" "[[],[]]" "nothing held at the end"
echo "four runs in $((SECONDS - t0)) s" >&2
expect_no_qemu
echo PASS
