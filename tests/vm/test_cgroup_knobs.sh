# Cgroup knobs for real, in 2 short boots: cpu.max throttles a cgroup and an {"llc": 1}
# CpusetSpec pins it to CPU 1; a knob whose controller the kernel cannot enable
# (cgroup_disable=memory) fails with the seed's wrapped message. The CpusetSpec errors
# exit 2 before any boot.
. "$(dirname "$0")/lib.sh"

# 1. CpusetSpec errors: no VM, so each takes milliseconds.
start=$(date +%s%N)
s=$(scenario disjoint '{"name":"x","topology":"1n1l5c1t","cgroups":[{"name":"cg_0","cpuset":{"disjoint":{"index":0,"of":8}}}]}')
expect_refused_F "disjoint over too few CPUs" "cgroup 'cg_0': CpusetSpec validation failed: not enough usable CPUs (4) for 8 partitions" run "$s"
s=$(scenario index '{"name":"x","cgroups":[{"name":"cg_0"},{"name":"cg_1","cpuset":{"disjoint":{"index":3,"of":3}}}]}')
expect_refused_F "partition index" "cgroup 'cg_1': CpusetSpec validation failed: index 3 >= partition count 3" run "$s"
s=$(scenario range '{"name":"x","cgroups":[{"name":"cg_0"},{"name":"cg_1"},{"name":"cg_2","cpuset":{"range":{"start_frac":-1,"end_frac":0.5}}}]}')
expect_refused_F "range fracs" "cgroup 'cg_2': CpusetSpec validation failed: Range fracs must lie in [0.0, 1.0]: start_frac=-1, end_frac=0.5" run "$s"
# The topology given on the command line is the one a spec resolves against.
s=$(scenario llc '{"name":"x","cgroups":[{"name":"cg_0","cpuset":{"llc":1}}]}')
expect_refused_F "llc on the file's 1-LLC topology" "llc 1 is out of range: the topology has 1 LLCs" run "$s"
expect_refused_F "--topo shrinks below the partitions" "not enough usable CPUs (4) for 8 partitions" \
	run "$T/disjoint.json" --topo 1n1l5c1t
s=$(scenario dup '{"name":"x","cgroups":[{"name":"cg_0"},{"name":"cg_0"}]}')
expect_refused_F "duplicate cgroup" "dup.json:1:48: cgroup 'cg_0' collides with a cgroup already tracked (declared twice in this scenario) — declare it in exactly one place" run "$s"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 3000 ] || fail "the refused scenarios took ${ms} ms: something booted"
[ -z "$(ls -A "$T/runs" 2>/dev/null)" ] || fail "refused runs left run directories: $(ls "$T/runs")"

# 2. Boot 1: "limited" has cpu.max 50000/100000 (half a CPU for the cgroup) and cpuset
# {"llc": 1} (CPU 1 on 1n2l1c1t); "free" has neither. The memory and cpuset.mems knobs
# ride along: the run only passes if every write succeeded. Spread is not tested here.
s=$(scenario knobs '{"name":"cgroup-knobs","topology":"1n2l1c1t","duration_ms":3000,
 "cgroups":[
  {"name":"limited","workers":2,"work":"SpinWait","cpu_max":"50000 100000","cpuset":{"llc":1},"cpuset_mems":"0"},
  {"name":"free","workers":2,"work":"SpinWait","memory_max":268435456,"memory_swap_max":"max"}],
 "checks":{"max_spread_pct":100}}')
"$KTSTR" run "$s" --json > "$T/out.json" 2> "$T/err.txt"
rc=$?
j() { jq -r "$1" "$T/out.json"; }
[ "$rc" -eq 0 ] || { cat "$T/err.txt" >&2; fail "knobs run: exit $rc, result $(j .result), checks $(jq -c .checks "$T/out.json")"; }
expect_eq "$(j .result)" pass "result"
lim=$(j '[.workers[] | select(.cgroup == "limited") | .cpu_ms] | add')
free=$(j '[.workers[] | select(.cgroup == "free") | .cpu_ms] | add')
echo "cpu_ms: limited=$lim free=$free"
expect_eq "$(j "$lim < 0.7 * $free and $lim > 0")" true "limited cgroup's CPU time ($lim ms) under 0.7x the free one's ($free ms)"
# The quota itself: half a CPU for the cgroup, so CPU time over wall time stays near 0.5
# (uncapped, the same pinned pair gets about 0.85 of CPU 1).
share=$(j '([.workers[] | select(.cgroup == "limited") | .cpu_ms] | add) / ([.workers[] | select(.cgroup == "limited") | .wall_ms] | max)')
echo "limited cgroup's CPU share: $share"
expect_eq "$(j "$share < 0.6")" true "limited cgroup's CPU share ($share) under cpu.max's 0.5 + slack"
expect_eq "$(jq -c '[.workers[] | select(.cgroup == "limited") | .cpus] | unique' "$T/out.json")" '[[1]]' "limited workers ran on CPU 1 only"
expect_eq "$(j '[.scenario.cgroups[] | select(.name == "limited") | .cpuset][0]')" 1 "resolved cpuset in the report"

# 3. Boot 2: with the memory controller disabled on the kernel command line, +memory
# cannot be enabled and memory.swap.max is absent: the seed's wrapped error, a failed run.
s=$(scenario nomem '{"name":"cgroup-nomem","topology":"1n1l1c1t","duration_ms":1000,
 "cgroups":[{"name":"cg_0","workers":1,"memory_swap_max":1073741824}]}')
"$KTSTR" run "$s" --kernel-arg cgroup_disable=memory --json > "$T/out.json" 2> "$T/err.txt"
rc=$?
expect_eq "$rc" 1 "exit code of a run whose guest reported an error"
expect_eq "$(j .result)" fail "result"
expect_eq "$(j '[.checks[] | select(.name == "guest" and .ok == false) | .message][0]')" \
	"cgroup 'cg_0': set memory.swap.max='1073741824' (requires +memory in parent cgroup.subtree_control; file absent on CONFIG_SWAP=n kernels): No such file or directory (os error 2)" \
	"guest error message"
expect_grep 'enable \+memory in /sys/fs/cgroup/cgroup.subtree_control: Invalid argument' "$(j .run_dir)/guest.log" "guest log of the refused +memory"
expect_no_qemu
echo "ok: cgroup knobs"
