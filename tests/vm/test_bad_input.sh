# Bad input gets a message naming the thing and the fix, exit code 2, and leaves nothing
# behind: malformed scenario, wrong types, unknown work, bad topology, missing or bogus
# kernel, unknown scheduler, flags.
. "$(dirname "$0")/lib.sh"
base='"topology":{"numa":1,"llcs":1,"cores":2,"threads":1},"duration_ms":500'
s=$(scenario syntax '{"name": "x",
  "duration_ms": 5,,
}')
expect_refused "syntax error" "syntax\.json:2:[0-9]+" run "$s"
s=$(scenario wrongtype "{\"name\":\"x\",$base,\"cgroups\":[{\"name\":\"a\",\"workers\":\"two\"}]}")
expect_refused "wrong type" "wrongtype\.json:[0-9]+:[0-9]+: .*workers" run "$s"
s=$(scenario unknownkey "{\"name\":\"x\",$base,\"cgroupz\":[]}")
expect_refused "unknown key" "cgroupz.*cgroups" run "$s"
s=$(scenario unknownwork "{\"name\":\"x\",$base,\"cgroups\":[{\"name\":\"a\",\"workers\":1,\"work\":\"Spin\"}]}")
expect_refused "unknown work type" "Spin.*SpinWait" run "$s"
s=$(scenario pipe3 "{\"name\":\"x\",$base,\"cgroups\":[{\"name\":\"a\",\"workers\":3,\"work\":\"PipeIo\"}]}")
expect_refused "group divisibility" "PipeIo \(group 0\) requires num_workers divisible by 2, got 3" run "$s"
s=$(scenario zero '{"name":"x","topology":{"numa":1,"llcs":1,"cores":0,"threads":1},"cgroups":[{"name":"a","workers":1}]}')
expect_refused "zero cores" "cores" run "$s"
s=$(scenario huge '{"name":"x","topology":{"numa":1,"llcs":4,"cores":32,"threads":2},"cgroups":[{"name":"a","workers":1}]}')
expect_refused "too many vcpus" "has 256 vCPUs, over the cap of 255 \(SCN_MAX_VCPUS" run "$s"
expect_refused "missing file" "nope\.json" run "$T/nope.json"
expect_refused "unknown flag" "usage" run "$ROOT/examples/two-cgroups.json" --bogus
# No kernel anywhere: an empty cache and no env.
mkdir -p "$T/emptycache"
(unset KTSTR_KERNEL KTSTR_TEST_KERNEL; export KTSTR_CACHE_DIR=$T/emptycache
	expect_refused "no kernel" "no kernel found" run "$ROOT/examples/two-cgroups.json") || exit 1
expect_grep "ktstr kernel fetch --debian" "$T/o.txt" "hint names our command"
echo "not a kernel" > "$T/notkernel"
expect_refused "not a bzImage" "notkernel.*bzImage|bzImage.*notkernel" run "$ROOT/examples/two-cgroups.json" --kernel "$T/notkernel"
expect_refused "unknown scheduler" "scheduler 'no_such_sched' not found. Set KTSTR_SCHEDULER or" \
	run "$ROOT/examples/two-cgroups.json" --scheduler no_such_sched
# HOME problems (seed wording).
env -u HOME -u KTSTR_CACHE_DIR -u XDG_CACHE_HOME "$KTSTR" kernel list > "$T/o.txt" 2>&1
expect_grep "HOME is unset; cannot resolve cache directory" "$T/o.txt" "HOME unset"
HOME= env -u KTSTR_CACHE_DIR -u XDG_CACHE_HOME "$KTSTR" kernel list > "$T/o.txt" 2>&1
expect_grep "HOME is set to the empty string; cannot resolve cache directory" "$T/o.txt" "HOME empty"
# A probe spec by hand that cannot be read is named (docs/auto-repro.md).
KTSTR_PROBE_SPEC=$T/no-such-spec expect_refused "unreadable KTSTR_PROBE_SPEC" \
	"KTSTR_PROBE_SPEC=$T/no-such-spec: cannot read it: No such file or directory" \
	run "$ROOT/examples/two-cgroups.json" --scheduler ktstr_sched
# Nothing was left in the runs dir by the refused runs.
[ -z "$(ls -A "$T/runs" 2>/dev/null)" ] || fail "refused runs left run directories: $(ls "$T/runs")"
# An unusable cache directory is named with the fix.
KTSTR_CACHE_DIR=/proc/ktstr-nope "$KTSTR" kernel import "$("$KTSTR" kernel path)" > "$T/o.txt" 2>&1
[ $? -ne 0 ] || fail "import into an unusable cache succeeded"
expect_grep '/proc/ktstr-nope.*KTSTR_CACHE_DIR' "$T/o.txt" "unusable cache"
