# Scenario steps on a real VM: a backdrop cgroup runs throughout while each of 3 steps
# (1200 ms) adds its own cgroups. (a) Under EEVDF the run passes, every step's workers
# report under their cgroup, and a step worker ran about its step's length, not the whole
# run. (b) ktstr_sched erroring out 2200 ms after it starts dies in step 2 or 3: the report
# says which steps completed, in the seed's words, and the run fails.
. "$(dirname "$0")/lib.sh"
scn=$(scenario steps '{
  "name": "steps",
  "topology": {"numa": 1, "llcs": 1, "cores": 2, "threads": 1},
  "cgroups": [{"name": "cg_bg", "workers": 1, "work": "SpinWait"}],
  "steps": [
    {"name": "spin", "duration_ms": 1200, "cgroups": [{"name": "cg_s1", "workers": 2}]},
    {"name": "pipe", "duration_ms": 1200, "cgroups": [{"name": "cg_s2", "workers": 2, "work": "PipeIo"}]},
    {"name": "mixed", "duration_ms": 1200, "cgroups": [{"name": "cg_s3", "workers": 1, "work": "Mixed"},
                                                       {"name": "cg_s3b", "workers": 1, "cpuset": "1"}]}
  ]
}')

# (a) EEVDF
"$KTSTR" run "$scn" --json > "$T/out.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
expect_eq "$rc" 0 "exit code"
j() { jq -r "$1" "$T/out.json"; }
expect_eq "$(j .result)" pass "result"
expect_eq "$(j .guest.steps)" 3 "steps"
expect_eq "$(j .guest.steps_done)" 3 "steps done"
expect_eq "$(j '[.workers[].cgroup] | sort | join(",")')" "cg_bg,cg_s1,cg_s1,cg_s2,cg_s2,cg_s3,cg_s3b" "workers by cgroup"
expect_eq "$(j '[.workers[] | select(.cgroup == "cg_s2") | .work] | unique | join(",")')" PipeIo "step 2's work"
expect_eq "$(j '[.workers[].cpu_ms] | min > 0')" true "every worker got CPU time"
# Wall time: a step worker ~1.2 s (1000-1700 ms under TCG), the backdrop the whole run (>= 3.4 s).
expect_eq "$(j '[.workers[] | select(.cgroup != "cg_bg") | .wall_ms] | (min >= 1000 and max <= 1700)')" true \
	"step workers ran about one step ($(j '[.workers[] | select(.cgroup != "cg_bg") | .wall_ms | floor] | join(" ")') ms)"
expect_eq "$(j '[.workers[] | select(.cgroup == "cg_bg") | .wall_ms] | min >= 3400')" true \
	"backdrop ran the whole run ($(j '[.workers[] | select(.cgroup == "cg_bg") | .wall_ms | floor] | join(" ")') ms)"
expect_no_qemu

# (b) the scheduler dies mid-run: 2.8 s after it starts is 1.8-2.6 s into the workload
# (setup takes 0.2-1 s), inside step 2 or 3 on any machine speed we see.
"$KTSTR" run "$scn" --scheduler ktstr_sched -- --error-after-ms 2800 > "$T/die.txt" 2>&1
expect_eq "$?" 1 "exit code (scheduler died)"
expect_grep '^  scheduler process died unexpectedly after completing step [12] of 3 \([0-9]+\.[0-9]s into test\)$' \
	"$T/die.txt" "death message"
expect_no_qemu
