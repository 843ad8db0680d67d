# ktstr gauntlet + merge: 2 scenarios x 2 presets x 2 flag profiles under ktstr_sched, run
# as --shard 1/2 and --shard 2/2 (real VMs), then merged: 8 cells, each with its run
# directory, the profile's arguments given to the scheduler, and JUnit XML that validates
# against tests/fixtures/junit.xsd with the right counts. One profile kills the scheduler
# on purpose (--error-after-ms), so the failure path is exercised too.
. "$(dirname "$0")/lib.sh"
command -v xmllint >/dev/null || missing "xmllint (make deps installs libxml2-utils)"
XSD=$ROOT/tests/fixtures/junit.xsd

spin=$(scenario gt-spin '{ "name": "gt-spin", "memory_mb": 256, "duration_ms": 1500,
  "scheduler": { "name": "ktstr_sched",
                 "flags": [ { "name": "keep-last", "args": ["--keep-last"] } ] },
  "constraints": { "min_cpus": 2, "max_nodes": 1 },
  "cgroups": [ { "name": "cg", "workers": 2, "work": "SpinWait" } ] }')
die=$(scenario gt-die '{ "name": "gt-die", "memory_mb": 256, "duration_ms": 1500,
  "scheduler": { "name": "ktstr_sched",
                 "flags": [ { "name": "die", "args": ["--error-after-ms", "400"] } ] },
  "cgroups": [ { "name": "cg", "workers": 2, "work": "SpinWait" } ] }')
presets=tiny-1llc,tiny-2llc

# Bad input: a profile naming no declared flag, a bad shard, merging what is not a gauntlet.
expect_refused_F "unknown profile" "declared flags: keep-last, die" gauntlet "$spin" "$die" --profiles default,nope --list
expect_refused_F "bad shard" "--shard '3/2': expected K/N" gauntlet "$spin" --shard 3/2 --list
mkdir -p "$T/notg"
expect_refused_F "merge of a non-gauntlet" "gauntlet.json: no such file" merge "$T/m0" "$T/notg"
[ ! -e "$T/m0" ] || fail "a refused merge left $T/m0 behind"

# The plan: 8 cells; a 3-node preset is left out by the max_nodes constraint.
"$KTSTR" gauntlet "$spin" "$die" --presets $presets,numa4-8llc --list --json > "$T/plan.json" ||
	fail "gauntlet --list exited $?"
expect_eq "$(jq '[.cells[] | select(.preset != "numa4-8llc")] | length' "$T/plan.json")" 8 "planned cells"
expect_eq "$(jq -r '.left_out[] | select(.name == "gauntlet/gt-spin/numa4-8llc/default") | .reason' "$T/plan.json")" \
	"constraint: needs <= 1 NUMA nodes (max_nodes), preset has 4" "constraint left-out"

t0=$SECONDS
"$KTSTR" gauntlet "$spin" "$die" --presets $presets --shard 1/2 -j 2 --out "$T/s1" \
	--junit "$T/s1.xml" > "$T/s1.txt" 2>&1
rc1=$?
t1=$SECONDS
"$KTSTR" gauntlet "$spin" "$die" --presets $presets --shard 2/2 -j 2 --out "$T/s2" \
	--junit "$T/s2.xml" > "$T/s2.txt" 2>&1
rc2=$?
echo "shard 1/2: $((t1 - t0)) s, shard 2/2: $((SECONDS - t1)) s (-j 2)"
cat "$T/s1.txt" "$T/s2.txt"
# Round robin over the ordered list: shard 1 has every default profile (all pass), shard 2
# keep-last and die (the two die cells fail: exit 1).
expect_eq "$rc1" 0 "shard 1/2 exit code"
expect_eq "$rc2" 1 "shard 2/2 exit code"
expect_grep '^PASS  gauntlet/gt-spin/tiny-2llc/keep-last  [0-9.]+s$' "$T/s2.txt" "per-cell line"
expect_grep '^FAIL  gauntlet/gt-die/tiny-1llc/die  [0-9.]+s  scheduler' "$T/s2.txt" "failed cell line"
expect_grep '^ktstr gauntlet: 4 cells, 2 passed, 2 failed, 0 errors, 0 skipped' "$T/s2.txt" "summary"
for s in s1 s2; do
	xmllint --noout --schema "$XSD" "$T/$s.xml" || fail "$s.xml does not validate"
done

# Merging a shard twice (or a copy of it: the same cells) is refused, nothing written.
expect_refused_F "same directory twice" "is given twice" merge "$T/m1" "$T/s1" "$T/s2" "$T/s2"
cp -r "$T/s2" "$T/s2copy"
expect_refused_F "duplicate cells" "cell gauntlet/gt-spin/tiny-1llc/keep-last is in both" merge "$T/m1" "$T/s1" "$T/s2" "$T/s2copy"
[ ! -e "$T/m1" ] || fail "a refused merge left $T/m1 behind"
ls "$T" | grep -q merge-tmp && fail "a refused merge left a temp directory"

"$KTSTR" merge "$T/m" "$T/s1" "$T/s2" --junit "$T/all.xml" > "$T/m.txt" 2>&1 || { cat "$T/m.txt"; fail "merge exited $?"; }
G=$T/m/gauntlet.json
expect_eq "$(jq '.cells | length' "$G")" 8 "merged cells"
expect_eq "$(jq '[.cells[].name] | unique | length' "$G")" 8 "distinct cell names"
expect_eq "$(jq -r '[.cells[] | select(.status == "fail") | .name] | join(",")' "$G")" \
	"gauntlet/gt-die/tiny-1llc/die,gauntlet/gt-die/tiny-2llc/die" "failed cells"
expect_eq "$(jq -r '.axes.profiles | join(",")' "$G")" "default,keep-last,die" "profile axis"
expect_eq "$(jq -r '.shards | join(",")' "$G")" "1/2,2/2" "shards"
# Every cell is an ordinary run directory of the right topology and profile.
for d in $(jq -r '.cells[].dir' "$G"); do
	[ -f "$T/m/$d/result.json" ] && [ -f "$T/m/$d/report.txt" ] || fail "$d: no run directory"
done
c=$T/m/cells/gauntlet__gt-spin__tiny-2llc__keep-last
expect_eq "$(jq -r '.scheduler.args | join(" ")' "$c/scenario.json")" "--keep-last" "keep-last args"
expect_eq "$(jq -r '.topology | "\(.numa)x\(.llcs)x\(.cores)x\(.threads)"' "$c/scenario.json")" 1x2x2x1 "tiny-2llc topology"
expect_eq "$(jq -r '.scheduler.args | length' "$T/m/cells/gauntlet__gt-spin__tiny-1llc__default/scenario.json")" 0 "default args"

# JUnit over the merge: valid, tests=8 failures=2, the failure carries the report.
xmllint --noout --schema "$XSD" "$T/all.xml" || fail "merged JUnit does not validate"
x() { xmllint --xpath "$1" "$T/all.xml"; }
expect_eq "$(x 'string(//testsuite/@tests)')" 8 "junit tests"
expect_eq "$(x 'string(//testsuite/@failures)')" 2 "junit failures"
expect_eq "$(x 'string(//testsuite/@errors)')" 0 "junit errors"
expect_eq "$(x 'count(//testcase)')" 8 "junit testcases"
expect_eq "$(x 'count(//testcase/failure)')" 2 "junit failure elements"
x 'string(//testcase[@name="gauntlet/gt-die/tiny-2llc/die"]/failure)' > "$T/body.txt"
expect_grep '^--- scheduler log ---$' "$T/body.txt" "failure body has the report's sections"
expect_grep 'injected error after' "$T/body.txt" "failure body names the cause"
expect_no_qemu
