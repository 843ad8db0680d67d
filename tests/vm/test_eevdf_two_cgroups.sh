# An EEVDF run of the example scenario passes, with every worker's numbers back and the
# JSON contract filled in.
. "$(dirname "$0")/lib.sh"
"$KTSTR" run "$ROOT/examples/two-cgroups.json" --json > "$T/out.json" 2> "$T/err.txt"
rc=$?
cat "$T/err.txt" >&2
expect_eq "$rc" 0 "exit code"
j() { jq -r "$1" "$T/out.json"; }
expect_eq "$(j .result)" pass "result"
expect_eq "$(j '.workers | length')" 4 "workers"
expect_eq "$(j '.cgroups | length')" 2 "cgroups"
expect_eq "$(j '[.cgroups[].name] | sort | join(",")')" "cg_pipe,cg_spin" "cgroup names"
expect_eq "$(j '.guest.cpus')" 2 "guest cpus"
expect_eq "$(j '.boot.accel')" tcg "accel"
[ "$(j '.boot.sys_rdy_ms')" -gt 0 ] || fail "sys_rdy_ms not positive"
[ "$(j '.boot.kernel_boot_ms')" -gt 0 ] || fail "kernel_boot_ms not positive"
expect_eq "$(j '[.workers[].cpu_ms] | min > 0')" true "every worker got CPU time"
[ "$(j '[.workers[] | select(.work == "PipeIo")] | length')" -eq 2 ] || fail "PipeIo workers"
dir=$(j .run_dir)
for f in result.json console.log report.txt; do [ -s "$dir/$f" ] || fail "run dir lacks $f"; done
expect_grep 'reboot: Power down' "$dir/console.log" "console log (the guest powered off)"
expect_no_qemu
