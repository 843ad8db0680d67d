# ktstr compare on real runs: a baseline under ktstr_sched, the same scenario again, and a
# run made worse on purpose (--pile-on-cpu0 puts every task on CPU 0's local DSQ).
# `compare base worse` exits 1 naming max_dsq_depth; `compare base base2` exits 0 on the
# scheduler-decision metrics. Timing metrics (gaps, run delay, iterations, spread) swing by
# more than their registry gates between identical runs under TCG on a shared host, so the
# identical-runs half compares the metrics the scheduler decides (docs/compare.md).
. "$(dirname "$0")/lib.sh"
S=$(scenario spin16 '{
  "name": "compare-spin16",
  "topology": { "numa": 1, "llcs": 1, "cores": 2, "threads": 1 },
  "memory_mb": 512,
  "scheduler": { "name": "ktstr_sched", "args": [] },
  "duration_ms": 2000,
  "monitor": { "enforce": false },
  "cgroups": [ { "name": "cg_spin", "workers": 16, "work": "SpinWait" } ]
}')
STABLE=max_dsq_depth,total_fallback,total_keep_last
t0=$SECONDS
run_pass "$T/base.json" "$S" --runs-dir "$T/base"
run_pass "$T/base2.json" "$S" --runs-dir "$T/base2"
run_pass "$T/worse.json" "$S" --runs-dir "$T/worse" --scheduler ktstr_sched -- --pile-on-cpu0
echo "3 runs: $((SECONDS - t0)) s"
expect_no_qemu
B=$(jq -r .run_dir "$T/base.json"); B2=$(jq -r .run_dir "$T/base2.json"); W=$(jq -r .run_dir "$T/worse.json")
dsq() { jq -r '.monitor.summary.max_dsq_depth' "$1"; }
echo "max_dsq_depth: base $(dsq "$T/base.json") base2 $(dsq "$T/base2.json") worse $(dsq "$T/worse.json")"

# The regression: exit 1, the metric named in the table and in --json.
"$KTSTR" compare "$B" "$W" > "$T/cmp.txt" 2>&1; rc=$?
cat "$T/cmp.txt"
expect_eq "$rc" 1 "compare base worse: exit code"
expect_grep '^  max_dsq_depth .* regression' "$T/cmp.txt" "max_dsq_depth named as a regression"
expect_grep '^compare: 1 pair compared, [1-9][0-9]* regression' "$T/cmp.txt" "summary line"
"$KTSTR" compare "$B" "$W" --json > "$T/cmp.json"; rc=$?
expect_eq "$rc" 1 "compare --json base worse: exit code"
expect_eq "$(jq -r '.pairs[0].metrics[] | select(.name == "max_dsq_depth") | .verdict' "$T/cmp.json")" \
	regression "max_dsq_depth verdict in --json"
"$KTSTR" compare "$B" "$W" --metrics "$STABLE" > "$T/cmp2.txt" 2>&1; rc=$?
expect_eq "$rc" 1 "compare base worse --metrics $STABLE: exit code"

# Two runs of the same configuration: no regression on the decision metrics, default gates.
"$KTSTR" compare "$B" "$B2" --metrics "$STABLE" > "$T/same.txt" 2>&1; rc=$?
cat "$T/same.txt"
expect_eq "$rc" 0 "compare base base2 --metrics $STABLE: exit code"
expect_grep '^compare: 1 pair compared, 0 regressions' "$T/same.txt" "identical runs summary"
# A run against itself, every metric: nothing moves.
"$KTSTR" compare "$B" "$B" > "$T/self.txt" 2>&1; rc=$?
expect_eq "$rc" 0 "compare base base: exit code"
expect_grep '^compare: 1 pair compared, 0 regressions, 0 improvements' "$T/self.txt" "self compare"

# Directories of runs pair by scenario: base's and worse's runs dirs.
"$KTSTR" compare "$T/base" "$T/worse" --json > "$T/dirs.json"; rc=$?
expect_eq "$rc" 1 "compare of runs directories: exit code"
expect_eq "$(jq -r '.a.kind + " " + (.summary.compared|tostring)' "$T/dirs.json")" "runs 1" "runs dir pairing"
# A corrupt result.json is bad input naming the file.
cp -r "$B" "$T/broken"; printf '{"result": "pass", ' > "$T/broken/result.json"
expect_refused "corrupt result.json" "broken/result.json: not valid JSON at line" compare "$B" "$T/broken"
# Bad flags and files: exit 2, named.
expect_refused_F "missing side" "compare: B: $T/nowhere: no such directory" compare "$B" "$T/nowhere"
expect_refused_F "threshold with policy" "--threshold and --policy are mutually exclusive" \
	compare "$B" "$B" --threshold 5 --policy "$T/p.json"
printf '{"default_percent": 5, "per_metric": {}}\n' > "$T/p.json"
expect_refused_F "bad policy key" "--policy $T/p.json: unknown key 'per_metric'" compare "$B" "$B" --policy "$T/p.json"
echo "total: $((SECONDS - t0)) s"
