# Each monitor check fails on a run made to break it, with the reference's wording:
#  - ktstr_sched --pile-on-cpu0 queues every task on CPU 0: imbalance, and a local DSQ
#    deeper than the scenario's monitor.max_local_dsq_depth (3 for this small VM);
#  - one spinner per CPU and nothing else to run, ktstr_sched --keep-last (registered
#    without SCX_OPS_ENQ_LAST): the kernel keeps the last task running at every slice end
#    and refills it with the default 20 ms slice, about 30/s per CPU under TCG, so the
#    scenario lowers monitor.max_keep_last_rate to 20/s;
#  - --bad-select-cpu on a 4-vCPU VM whose cgroup holds CPUs 0-1: ops.select_cpu names
#    CPU 2 or 3, the kernel falls back (select_cpu_fallback well over 200/s).
# The rq_clock stall is test_monitor_wedged.sh. Every run's scenario itself passes, so the
# header is "passed scenario but monitor failed:".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
run_broken() { # name scenario-json args... -> $T/name.json, $T/name.txt
	local name=$1 body=$2
	shift 2
	scn=$(scenario "$name" "$body")
	"$KTSTR" run "$scn" --scheduler ktstr_sched --json -- "$@" > "$T/$name.out.json" 2> "$T/$name.err"
	local rc=$?
	local dir
	dir=$(jq -r .run_dir "$T/$name.out.json")
	cp "$dir/report.txt" "$T/$name.txt" 2>/dev/null || { cat "$T/$name.err" >&2; fail "$name: no report"; }
	[ "$rc" = 1 ] || cat "$T/$name.txt" >&2
	expect_eq "$rc" 1 "$name: exit code"
	expect_grep "passed scenario but monitor failed:" "$T/$name.txt" "$name: header"
	echo "$name: $(jq -r .monitor.summary.verdict "$T/$name.out.json" | cut -c1-200)" >&2
}

run_broken piled '{"name":"piled","topology":{"numa":1,"llcs":1,"cores":2,"threads":1},
  "duration_ms":6000,"monitor":{"max_local_dsq_depth":3},
  "cgroups":[{"name":"cg","workers":6,"work":"SpinWait"}]}' --pile-on-cpu0
expect_grep '^  monitor FAILED: .*imbalance ratio [0-9]+\.[0-9] exceeded threshold 4\.0 for [0-9]+ consecutive samples \(ending at sample [0-9]+\)' "$T/piled.txt" "imbalance"
expect_grep 'local DSQ depth [0-9]+ on cpu0 exceeded threshold 3 for [0-9]+ consecutive samples \(ending at sample [0-9]+\)' "$T/piled.txt" "DSQ depth"

run_broken keeplast '{"name":"keeplast","topology":{"numa":1,"llcs":1,"cores":2,"threads":1},
  "duration_ms":6000,"monitor":{"max_keep_last_rate":20},
  "cgroups":[{"name":"cg","workers":2,"work":"SpinWait"}]}' --keep-last
expect_grep 'keep_last rate [0-9]+\.[0-9]/s exceeded threshold 20\.0/s for [0-9]+ consecutive intervals \(ending at sample [0-9]+\)' "$T/keeplast.txt" "keep_last"

run_broken fallback '{"name":"fallback","topology":{"numa":1,"llcs":1,"cores":4,"threads":1},
  "duration_ms":6000,"cgroups":[{"name":"cg","workers":2,"work":"PipeIo","cpuset":"0-1"}]}' --bad-select-cpu
expect_grep 'fallback rate [0-9]+\.[0-9]/s exceeded threshold 200\.0/s for [0-9]+ consecutive intervals \(ending at sample [0-9]+\)' "$T/fallback.txt" "fallback"
expect_no_qemu
