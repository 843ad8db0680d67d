# Every CPU-only work type of the churn/pressure set runs in the guest, one cgroup each, on 2
# vCPUs, and shows its own effect in its workers' figure (forks done, policy changes, CPUs
# seen, page faults, lock acquisitions, ...): under EEVDF, then under ktstr_sched.
. "$(dirname "$0")/lib.sh"
# Priorities churn (nice 19, SCHED_IDLE) and 23 workers share 2 vCPUs: the gap and spread
# checks are not what this test is about.
S=$(scenario work-types-cpu '{
  "name": "work-types-cpu",
  "topology": { "numa": 1, "llcs": 1, "cores": 2, "threads": 1 },
  "memory_mb": 512,
  "duration_ms": 3000,
  "cgroups": [
    { "name": "cg_cachepipe", "workers": 2, "work": "CachePipe" },
    { "name": "cg_futexfan", "workers": 5, "work": "FutexFanOut" },
    { "name": "cg_fancompute", "workers": 5, "work": "FanOutCompute" },
    { "name": "cg_fork", "workers": 1, "work": "ForkExit" },
    { "name": "cg_nice", "workers": 1, "work": "NiceSweep" },
    { "name": "cg_affinity", "workers": 1, "work": "AffinityChurn" },
    { "name": "cg_policy", "workers": 1, "work": "PolicyChurn" },
    { "name": "cg_pagefault", "workers": 1, "work": "PageFaultChurn" },
    { "name": "cg_mutex", "workers": 4, "work": "MutexContention" },
    { "name": "cg_cachepress", "workers": 1, "work": "CachePressure" },
    { "name": "cg_cacheyield", "workers": 1, "work": "CacheYield" }
  ],
  "checks": { "max_gap_ms": 3600000, "max_spread_pct": 100 }
}')

# check_run OUT LABEL: the run passed and each type did what it is for.
check_run() {
	local out=$1 what=$2
	j() { jq -r "$1" "$out"; }
	expect_eq "$(j .result)" pass "result ($what)"
	expect_eq "$(j '.workers | length')" 23 "workers ($what)"
	expect_eq "$(j '[.workers[] | select(.completed != true)] | length')" 0 "workers that did not complete ($what)"
	# Every worker iterated, except FanOutCompute's messenger, which counts a round only
	# when all 4 receivers finished their multiplies (slow under TCG): its figure says it.
	local idle
	idle=$(j '[.workers[] | select(.iters == 0 and .work != "FanOutCompute") | "\(.work) tid \(.tid)"] | join(", ")')
	expect_eq "$idle" "" "workers without an iteration ($what)"
	# fig WORK MIN NAME [receivers]: every worker of WORK (or all but the group's first, a
	# fan-out messenger) reports figure NAME >= MIN.
	fig() {
		local work=$1 min=$2 name=$3 sel=${4:-all}
		local ws
		ws=$(jq -c --arg w "$work" '[.workers[] | select(.work == $w)] | sort_by(.tid)' "$out")
		[ "$sel" = receivers ] && ws=$(jq -c '.[1:]' <<<"$ws")
		expect_eq "$(jq -r '[.[].figure_name] | unique | join(",")' <<<"$ws")" "$name" "$work figure name ($what)"
		local low
		low=$(jq -r --argjson m "$min" '[.[] | select(.figure < $m) | "tid \(.tid) \(.figure_name)=\(.figure)"] | join(", ")' <<<"$ws")
		expect_eq "$low" "" "$work workers with $name < $min ($what)"
		echo "  $work: $(jq -r '[.[] | "\(.figure)"] | join(" ")' <<<"$ws") $name; iters $(jq -r '[.[].iters | tostring] | join(" ")' <<<"$ws")"
	}
	fig CachePipe 512 lines
	fig FutexFanOut 1 wakeups
	fig FanOutCompute 1 matmuls receivers
	fig ForkExit 1 forks
	fig NiceSweep 1 nice_changes
	fig AffinityChurn 2 affinity_changes
	fig PolicyChurn 3 policy_changes
	fig PageFaultChurn 256 page_faults
	fig MutexContention 1 acquisitions
	fig CachePressure 512 lines
	fig CacheYield 512 lines
	# The effect itself: affinity churn really moved the worker between both CPUs.
	expect_eq "$(j '[.workers[] | select(.work == "AffinityChurn") | .cpus | length] | min')" 2 \
		"CPUs AffinityChurn ran on ($what)"
}

under_both "$S" check_run
echo "PASS: test_work_types_cpu"
