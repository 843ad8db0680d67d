# A scheduler whose kfunc declaration does not match the kernel: libbpf refuses to load it;
# the run says the scheduler did not turn on and the scheduler log carries libbpf's line.
. "$(dirname "$0")/lib.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --scheduler ktstr_sched_bad_kfunc > "$T/out.txt" 2>&1
expect_eq "$?" 1 "exit code"
expect_grep 'scheduler did not turn on' "$T/out.txt" "did not turn on"
expect_grep "libbpf: extern \(func ksym\) 'scx_bpf_[a-z_]+': func_proto \[[0-9]+\] incompatible with (vmlinux|kernel)" "$T/out.txt" "libbpf line"
expect_grep '^--- scheduler log ---$' "$T/out.txt" "scheduler log"
expect_no_qemu
