# A scheduler the verifier rejects never attaches: NOT ATTACHED, the verifier stats, the
# rejected instruction and its source line, and the full log in the scheduler log.
. "$(dirname "$0")/lib.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --scheduler ktstr_sched_bad_verifier > "$T/out.txt" 2>&1
expect_eq "$?" 1 "exit code"
expect_grep '^  scheduler: NOT ATTACHED — scheduler process exited during BPF load/startup$' "$T/out.txt" "not attached"
expect_grep '^  scheduler did not turn on — scheduler process exited during BPF load/startup$' "$T/out.txt" "did not turn on"
expect_grep '^--- verifier stats ---$' "$T/out.txt" "verifier stats section"
expect_grep '^  processed=[0-9]+  states=[0-9]+/[0-9]+$' "$T/out.txt" "stats line"
expect_grep "R1 invalid mem access 'scalar'" "$T/out.txt" "rejection"
expect_grep '@ ktstr_sched_bad_verifier\.bpf\.c:[0-9]+' "$T/out.txt" "source line"
expect_grep '^--- scheduler log ---$' "$T/out.txt" "scheduler log"
expect_no_qemu
