# The reference's worker checks, each seen failing on a run made to break it and passing on a
# normal one (2 vCPUs, 2-2.5 s each): wake latency p99 and CV, iteration and work-rate floors,
# throughput CV, migration and cross-node migration ratios, run delay; isolation passes on
# pinned cgroups and fails when a worker leaves its cgroup's cpuset (the kernel enforces
# cpusets, so only a move takes it out: MoveAllTasks into a cgroup on another CPU); a cgroup
# throttled to 1 ms of CPU per second starves and fails the progress check.
. "$(dirname "$0")/lib.sh"
t0=$SECONDS

# 1. Impossible limits on two NUMA nodes (one CPU each): every migration crosses a node.
s=$(scenario wc-fail '{"name":"wc-fail","topology":{"numa":2,"llcs":1,"cores":1,"threads":1},
 "duration_ms":2500,
 "cgroups":[{"name":"churn","workers":2,"work":"AffinityChurn"},{"name":"pipe","workers":2,"work":"PipeIo"}],
 "checks":{"max_p99_wake_latency_ns":1000,"max_wake_latency_cv":0.001,"min_iteration_rate":1000000000,
   "min_work_rate":1000000000000,"max_throughput_cv":0,"max_migration_ratio":0,
   "max_cross_node_migration_ratio":0,"max_run_delay_us":1}}')
"$KTSTR" run "$s" > "$T/fail.txt" 2>&1
expect_eq "$?" 1 "exit code (impossible limits)"
expect_grep '^  p99 wake latency [0-9]+ns exceeds limit 1000ns \([0-9]+ samples\)$' "$T/fail.txt" "p99 wake latency"
expect_grep '^  wake latency CV [0-9]+\.[0-9]{3} exceeds limit 0\.001 \(mean=[0-9]+ns\)$' "$T/fail.txt" "wake CV"
expect_grep '^  worker [0-9]+ iteration rate [0-9]+\.[0-9]/s below floor 1000000000\.0/s$' "$T/fail.txt" "iteration rate"
expect_grep '^  worker [0-9]+ throughput [0-9]+ work/cpu_s below floor 1000000000000$' "$T/fail.txt" "work rate"
expect_grep '^  throughput CV [0-9]+\.[0-9]{3} exceeds limit 0\.000 \(mean=[0-9]+ work/cpu_s\)$' "$T/fail.txt" "throughput CV"
expect_grep '^  migration ratio 0\.[0-9]{4} exceeds threshold 0\.0000 \([0-9]+ migrations / [0-9]+ iterations\)$' "$T/fail.txt" "migration ratio"
expect_grep '^  cross-node migration ratio 1\.0000 exceeds threshold 0\.0000 \(([0-9]+)/\1 migrations crossed a NUMA node\)$' "$T/fail.txt" "cross-node ratio"
expect_grep '^  tid [0-9]+ waited [0-9]+us runnable \(run delay\) above limit 1us$' "$T/fail.txt" "run delay"
expect_grep '^    wake p50=[0-9.]+us p99=[0-9.]+us cv=' "$T/fail.txt" "pipe cgroup's wake figures in --- stats ---"
expect_no_qemu

# 2. The same kinds of checks at sane limits on one node: all pass, with real figures. A
# fan-out's messenger spins while its receivers wait: spread and gap are not judged here.
s=$(scenario wc-pass '{"name":"wc-pass","topology":{"numa":1,"llcs":1,"cores":2,"threads":1},
 "duration_ms":2500,
 "cgroups":[{"name":"pinned","workers":2,"work":"PipeIo","cpuset":"0"},
            {"name":"sleep","workers":2,"work":"Bursty","cpuset":"1"},
            {"name":"churn","workers":1,"work":"AffinityChurn"},
            {"name":"fan","workers":5,"work":"FutexFanOut"}],
 "checks":{"max_spread_pct":100,"max_gap_ms":60000,
   "isolation":true,"max_p99_wake_latency_ns":10000000000,"max_wake_latency_cv":1000,
   "min_iteration_rate":0.5,"min_work_rate":1,"max_throughput_cv":100,"max_migration_ratio":0.9,
   "max_cross_node_migration_ratio":0,"max_run_delay_us":100000000}}')
"$KTSTR" run "$s" --json > "$T/pass.json" 2> "$T/err.txt"
rc=$?
[ "$rc" = 0 ] || { cat "$T/err.txt" >&2; jq -r '.checks[]? | select(.ok == false) | "failed \(.name): \(.message)"' "$T/pass.json" >&2; }
expect_eq "$rc" 0 "exit code (sane limits)"
j() { jq -r "$1" "$T/pass.json"; }
for k in isolation max_p99_wake_latency_ns max_wake_latency_cv min_iteration_rate min_work_rate \
	max_throughput_cv max_migration_ratio max_cross_node_migration_ratio max_run_delay_us; do
	expect_eq "$(jq -r --arg k "$k" '[.checks[] | select(.name == $k and .ok)] | length' "$T/pass.json")" 1 "passing $k check"
done
expect_eq "$(j '.checks[] | select(.name == "isolation") | .message')" \
	"all 4 workers of cgroups with a cpuset ran only on it" "isolation message"
expect_eq "$(j '[.workers[] | select(.cgroup == "pinned") | .cpus | tostring] | unique | join(" ")')" "[0]" "pinned CPUs"
expect_eq "$(j '.cgroups[] | select(.name == "pinned") | .wake_samples > 100')" true "PipeIo wake samples"
expect_eq "$(j '.cgroups[] | select(.name == "sleep") | .wake_samples > 5')" true "Bursty wake samples"
# FutexFanOut: the 4 receivers measure from the messenger's stamp, the messenger does not.
expect_eq "$(j '[.workers[] | select(.cgroup == "fan") | .wake_samples > 0] | sort | join(",")')" \
	"false,true,true,true,true" "FutexFanOut receivers' wake samples"
expect_eq "$(j '.cgroups[] | select(.name == "pinned") | .p99_wake_latency_us >= .median_wake_latency_us and .median_wake_latency_us > 0')" true "p99 >= median > 0"
expect_eq "$(j '[.workers[] | select(.run_delay_ns < 0)] | length')" 0 "workers without run delay (schedstat)"
expect_eq "$(j '.cgroups[] | select(.name == "churn") | .migrations > 0 and .cross_node_migrations == 0')" true \
	"churn migrates, never across a node (one node)"
echo "  pinned: $(j '.cgroups[] | select(.name == "pinned") | "p50 \(.median_wake_latency_us)us p99 \(.p99_wake_latency_us)us cv \(.wake_latency_cv) (\(.wake_samples) samples), run delay mean \(.mean_run_delay_us)us"')"
echo "  churn: $(j '.cgroups[] | select(.name == "churn") | "migration ratio \(.migration_ratio), cross-node \(.cross_node_migrations)"')"
expect_no_qemu

# 3. Starvation: 1 ms of CPU per second for a FanOutCompute group, whose setup alone needs
# more; its workers report zero work units.
s=$(scenario wc-starve '{"name":"wc-starve","topology":{"numa":1,"llcs":1,"cores":2,"threads":1},
 "duration_ms":2000,
 "cgroups":[{"name":"starved","workers":5,"work":"FanOutCompute","cpu_max":"1000 1000000"}]}')
"$KTSTR" run "$s" > "$T/starve.txt" 2>&1
expect_eq "$?" 1 "exit code (starved cgroup)"
expect_grep '^  tid [0-9]+ made no progress \(0 work units\)$' "$T/starve.txt" "starvation"
expect_no_qemu
# 4. Isolation broken: the worker pinned to CPU 0 is moved at 500 ms into a cgroup on CPU 1
# and keeps its first cgroup's name, whose cpuset says 0.
s=$(scenario wc-escape '{"name":"wc-escape","topology":{"numa":1,"llcs":1,"cores":2,"threads":1},
 "duration_ms":1500,
 "cgroups":[{"name":"pinned","workers":1,"cpuset":"0"},{"name":"elsewhere","workers":0,"cpuset":"1"}],
 "ops":[{"op":"MoveAllTasks","from":"pinned","to":"elsewhere","at_ms":500}],
 "checks":{"isolation":true}}')
"$KTSTR" run "$s" > "$T/escape.txt" 2>&1
expect_eq "$?" 1 "exit code (a worker left its cpuset)"
expect_grep '^  tid [0-9]+ ran on unexpected CPUs \{1\}$' "$T/escape.txt" "isolation"
expect_no_qemu
echo "PASS test_checks_worker ($((SECONDS - t0)) s)"
