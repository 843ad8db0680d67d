# Per-cgroup scheduling settings take effect in the guest: each worker reads back (with
# sched_getscheduler, getpriority, sched_getaffinity, get_mempolicy) exactly what its
# cgroup asked for; SCHED_EXT runs under ktstr_sched and is accepted but idle under EEVDF;
# a setting the kernel refuses fails the run naming the cgroup and the setting; bad
# values are refused before anything boots.
. "$(dirname "$0")/lib.sh"
j() { jq -r "$1" "$T/$2.json"; }
w() { jq -r --arg cg "$1" "[.workers[] | select(.cgroup == \$cg)][0] | $2" "$T/$3.json"; }

# 1. Every setting on a 2-node topology (4 vCPUs: node 0 = CPUs 0-1, node 1 = CPUs 2-3).
# The FIFO worker owns CPU 1, so the random draws' spread says nothing here: not checked.
S=$(scenario s_all '{"name": "cg-policies", "topology": {"numa": 2, "llcs": 1, "cores": 2, "threads": 1},
 "duration_ms": 2000, "checks": {"max_spread_pct": 100}, "cgroups": [
  {"name": "cg_fifo", "workers": 1, "policy": "fifo:10", "affinity": {"exact": "1"}},
  {"name": "cg_nice", "workers": 1, "nice": 5, "policy": "batch", "affinity": "single_cpu", "cpuset": "2-3"},
  {"name": "cg_bind", "workers": 1, "mem_policy": {"bind": [1]}, "cpuset": {"numa": 1}},
  {"name": "cg_ext", "workers": 1, "policy": "ext", "work": "YieldHeavy"},
  {"name": "cg_dl", "workers": 1, "policy": {"deadline": {"runtime_us": 2000, "deadline_us": 5000, "period_us": 10000}}},
  {"name": "cg_rand", "workers": 2, "affinity": {"random_subset": {"from": "0-3", "count": 2}}}]}')
"$KTSTR" run "$S" --json > "$T/all.json" 2> "$T/err.txt" ||
	{ cat "$T/err.txt" >&2; jq -c .checks "$T/all.json" >&2; fail "EEVDF run failed"; }
expect_eq "$(w cg_fifo '"\(.policy) \(.priority) \(.affinity)"' all)" "fifo 10 1" "fifo:10 pinned to CPU 1"
expect_eq "$(w cg_nice '"\(.policy) \(.nice) \(.affinity)"' all)" "batch 5 2" "batch, nice 5, single_cpu of 2-3"
expect_eq "$(w cg_bind '"\(.mempolicy) \(.mempolicy_nodes) \(.affinity)"' all)" "bind 1 2-3" "bind to node 1"
expect_eq "$(w cg_fifo '"\(.mempolicy) \(.nice)"' all)" "default 0" "defaults left alone"
expect_eq "$(w cg_dl '"\(.policy) \(.dl_runtime_us) \(.dl_deadline_us) \(.dl_period_us)"' all)" \
	"deadline 2000 5000 10000" "deadline parameters"
# Under EEVDF the kernel takes SCHED_EXT (it has the class) and runs the task in the fair
# class: sched_ext is disabled.
expect_eq "$(w cg_ext '"\(.policy) \(.ext_state)"' all)" "ext disabled" "ext under EEVDF"
for a in $(jq -r '.workers[] | select(.cgroup == "cg_rand") | .affinity' "$T/all.json"); do
	n=$(echo "$a" | awk -F, '{c=0; for (i=1;i<=NF;i++) { split($i,r,"-"); c += (r[2]=="" ? 1 : r[2]-r[1]+1) } print c}')
	expect_eq "$n" 2 "random_subset count 2 (got $a)"
done
R=$(ls -d "$KTSTR_RUNS_DIR"/cg-policies-*)
expect_grep '^    settings: policy=fifo:10 affinity=1$' "$R/report.txt" "report: fifo settings"
expect_grep '^    settings: policy=batch nice=5 affinity=2$' "$R/report.txt" "report: nice settings"
expect_grep '^    settings: mempolicy=bind:1$' "$R/report.txt" "report: bind settings"
expect_grep '^    settings: policy=ext \(sched_ext disabled: runs in the fair class\)$' "$R/report.txt" "report: ext"
expect_grep '^    settings: policy=deadline:2000/5000/10000us$' "$R/report.txt" "report: deadline"

# 2. SCHED_EXT under ktstr_sched: the scheduler runs the task. A step's own cgroup takes
# its settings too.
S=$(scenario s_ext '{"name": "cg-ext", "topology": "1x1x2x1", "scheduler": "ktstr_sched",
 "cgroups": [{"name": "cg_ext", "workers": 1, "policy": "ext"}, {"name": "cg_other", "workers": 1, "policy": "other"}],
 "steps": [{"duration_ms": 1000}, {"duration_ms": 1000, "cgroups": [{"name": "cg_step", "policy": "idle", "nice": 3}]}]}')
"$KTSTR" run "$S" --json > "$T/ext.json" 2> "$T/err.txt" || { cat "$T/err.txt" >&2; fail "ktstr_sched run failed"; }
expect_eq "$(j .scheduler.attached ext)" true "ktstr_sched attached"
expect_eq "$(w cg_ext '"\(.policy) \(.ext_state)"' ext)" "ext enabled" "ext under ktstr_sched"
expect_eq "$(w cg_other .policy ext)" normal "other is normal"
expect_eq "$(w cg_step '"\(.policy) \(.nice)"' ext)" "idle 3" "a step cgroup's settings"

# 3. A setting the kernel refuses: numa_balancing goes with bind or preferred_many only.
S=$(scenario s_bal '{"name": "cg-bal", "topology": "2x1x1x1", "duration_ms": 2000,
 "cgroups": [{"name": "cg_bal", "workers": 1, "mem_policy": {"interleave": "0-1"}, "mpol_flags": ["numa_balancing"]}]}')
"$KTSTR" run "$S" --json > "$T/bal.json" 2> "$T/err.txt"
rc=$?
expect_eq "$rc" 1 "refused mem_policy fails the run"
jq -r '.checks[].message' "$T/bal.json" > "$T/bal.txt"
expect_grep "^cgroup 'cg_bal': set mem_policy interleave\|numa_balancing 0-1 \(set_mempolicy\): Invalid argument \(os error 22\)" \
	"$T/bal.txt" "kernel's refusal named"

# 4. Bad values never boot (exit 2), with the file's position where there is one.
bad() { # what pattern cgroup-json
	S=$(scenario bad "{\"name\": \"bad\", \"topology\": \"2x1x2x1\", \"cgroups\": [$3]}")
	expect_refused "$1" "$2" run "$S"
}
bad "fifo without priority" "bad.json:1:[0-9]+: cgroups\[0\]\.policy: policy 'fifo' needs a priority 1\.\.99" \
	'{"name": "c", "policy": "fifo"}'
bad "rr priority 100" "cgroups\[0\]\.policy: 'rr:100': the priority must be 1\.\.99" '{"name": "c", "policy": "rr:100"}'
bad "unknown policy" "unknown policy 'fast'; valid: normal" '{"name": "c", "policy": "fast"}'
bad "deadline runtime over deadline" "policy.deadline: needs runtime_us <= deadline_us <= period_us, got 6000, 5000, 10000" \
	'{"name": "c", "policy": {"deadline": {"runtime_us": 6000, "deadline_us": 5000, "period_us": 10000}}}'
bad "deadline with a cpuset" "a deadline task must be allowed every CPU of its root domain .*drop the cgroup's cpuset" \
	'{"name": "c", "cpuset": "0-1", "policy": {"deadline": {"runtime_us": 100, "deadline_us": 1000, "period_us": 1000}}}'
bad "nice 20" "bad.json:1:[0-9]+: cgroups\[0\]\.nice: .*20" '{"name": "c", "nice": 20}'
bad "unknown affinity" "unknown affinity 'llc'; valid: inherit, random_subset" '{"name": "c", "affinity": "llc"}'
bad "exact outside topology" "cgroups\[0\]\.affinity: cgroup 'c': affinity exact: CPU 7 outside the topology's 4 vCPUs" \
	'{"name": "c", "affinity": {"exact": "7"}}'
bad "exact outside the cpuset" "affinity exact: CPUs 3 have none in the cgroup's cpuset 0-1" \
	'{"name": "c", "cpuset": "0-1", "affinity": {"exact": "3"}}'
bad "smt pair without SMT" "no core has two SMT siblings" '{"name": "c", "affinity": "smt_sibling_pair"}'
bad "bind off the cpuset's nodes" "cgroups\[0\]\.mem_policy: cgroup 'c': node 1 is not reachable from the cgroup's cpuset \(its CPUs are on node 0\)" \
	'{"name": "c", "cpuset": "0-1", "mem_policy": {"bind": "1"}}'
bad "preferred needs one node" "mem_policy.preferred: expected integer" '{"name": "c", "mem_policy": {"preferred": "0-1"}}'
bad "static and relative" "static_nodes and relative_nodes exclude each other" \
	'{"name": "c", "mem_policy": {"bind": "0"}, "mpol_flags": ["static_nodes", "relative_nodes"]}'
expect_no_qemu
echo PASS
