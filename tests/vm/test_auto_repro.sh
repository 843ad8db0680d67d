# Auto-repro (docs/auto-repro.md): an scx_bpf_error from ktstr_sched's dispatch is rerun in a
# second VM with BPF probes; the trigger fires, the chain holds the erroring callback with
# decoded fields, the two run directories link to each other and result.json has the
# auto_repro object. --no-auto-repro and KTSTR_NO_AUTO_REPRO=1 never start the second VM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_sched.sh"
export KTSTR_NO_AUTO_REPRO=0
# The error comes 3 s after the scheduler starts, in a 6 s workload: the repro VM attaches
# its probes on the scheduler's programs after the scheduler is up, which took over 1.5 s
# under TCG once (the error then fired before the erroring callback was probed).
jq '.duration_ms = 6000' "$ROOT/examples/two-cgroups.json" > "$T/two-cgroups.json"
"$KTSTR" run "$T/two-cgroups.json" --scheduler ktstr_sched -- --error-after-ms 3000 \
	> "$T/out.txt" 2>&1
expect_eq "$?" 1 "exit code stays the primary's"
expect_grep '^ktstr: auto-repro: rerunning' "$T/out.txt" "auto-repro announced"
expect_grep '^ktstr: auto-repro: probes attached \([0-9]+ probes\)' "$T/out.txt" "progress: attached"
sections_in_order "$T/out.txt" "--- scheduler log ---" "--- sched_ext dump ---" "--- probe pipeline ---" "--- auto-repro ---"
expect_grep '^extracted: [1-9][0-9]* functions from crash backtrace$' "$T/out.txt" "pipeline extracted"
expect_grep '^traceable: [0-9]+ passed, [0-9]+ dropped' "$T/out.txt" "pipeline traceable"
expect_grep '^=== AUTO-PROBE: scx_exit fired ===$' "$T/out.txt" "trigger fired"
expect_grep '^exit: ERROR_BPF: .*injected error' "$T/out.txt" "exit kind and message"
expect_grep '^[-+][0-9.]+ms  ktstr_(dispatch|tick) .*\[fentry, cpu [0-9]+, ' "$T/out.txt" "the erroring callback"
expect_grep '^    [a-z_.]*dsq_id +(SCX_DSQ_|BUILTIN|DSQ\()' "$T/out.txt" "a decoded dsq_id"
expect_grep '^    [a-z_.]*scx_flags +[A-Z0-9|_]+' "$T/out.txt" "decoded task flags"
expect_grep '^probes: [1-9][0-9]* attached; events: [0-9]+ seen, [1-9][0-9]* sent, [0-9]+ dropped$' "$T/out.txt" "counts"
expect_grep '^repro VM duration: [0-9]+\.[0-9]s$' "$T/out.txt" "duration"
dir=$(grep -oE '^run dir: .*' "$T/out.txt" | tail -1 | cut -d' ' -f3)
[ -d "$dir" ] || fail "no run dir in the report"
[ -L "$dir/repro" ] && [ -L "$dir/repro/primary" ] || fail "run directories not linked both ways"
expect_eq "$(readlink -f "$dir/repro/primary")" "$(readlink -f "$dir")" "repro/primary points back"
expect_eq "$(jq -r '.auto_repro.fired' "$dir/result.json")" true "result.json auto_repro.fired"
expect_eq "$(jq -r '.auto_repro.events | length > 0' "$dir/result.json")" true "result.json events"
expect_eq "$(jq -r '.sections.auto_repro | test("AUTO-PROBE")' "$dir/result.json")" true "json section"
expect_grep '^--- auto-repro ---$' "$dir/report.txt" "report.txt rewritten"
ls "$dir"/scheduler/ktstr_sched >/dev/null || fail "the scheduler binary is not kept in the run dir"
grep -E 'attached|ready|trigger' "$dir/repro/probe.log" | head -3 | sed 's/^/  probe.log: /'

# The seed's "Scheduler died": the loader exits, its link closes, the exit (UNREG) never
# passes scx_vexit; the backstop on scx_disable fires, in the dying process.
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --scheduler ktstr_sched -- --exit-after-ms 1000 \
	> "$T/died.txt" 2>&1
expect_eq "$?" 1 "a dead loader's exit code"
expect_grep '^=== AUTO-PROBE: scx_exit fired ===$' "$T/died.txt" "the backstop fired"
expect_grep '^exit: UNREG' "$T/died.txt" "exit kind UNREG"
expect_grep '^\+0\.000ms  kprobe scx_disable  \[trigger, cpu [0-9]+, ' "$T/died.txt" "fired by scx_disable"
expect_grep '^    stack#[0-9]+ +bpf_scx_unreg\+0x' "$T/died.txt" "from the link's release"

# Off: the flag, and the environment.
n_before=$(ls "$KTSTR_RUNS_DIR" | wc -l)
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --no-auto-repro --scheduler ktstr_sched -- \
	--error-after-ms 1000 > "$T/off.txt" 2>&1
expect_eq "$?" 1 "--no-auto-repro exit code"
KTSTR_NO_AUTO_REPRO=1 "$KTSTR" run "$ROOT/examples/two-cgroups.json" --scheduler ktstr_sched -- \
	--error-after-ms 1000 > "$T/off2.txt" 2>&1
expect_eq "$?" 1 "KTSTR_NO_AUTO_REPRO=1 exit code"
for f in "$T/off.txt" "$T/off2.txt"; do
	! grep -q 'auto-repro' "$f" || fail "$f: auto-repro ran while off"
done
expect_eq "$(ls "$KTSTR_RUNS_DIR" | wc -l)" "$((n_before + 2))" "no repro run directory when off"
expect_eq "$(ls "$KTSTR_RUNS_DIR" | grep -c -- '-repro')" 2 "only the runs with auto-repro on were reproduced"
expect_no_qemu
echo "PASS: auto-repro after scx_bpf_error and after the loader died; off with --no-auto-repro and KTSTR_NO_AUTO_REPRO=1"
