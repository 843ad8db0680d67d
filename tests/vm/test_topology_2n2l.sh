# A 2-node x 2-LLC topology: the guest's sysfs shows exactly those NUMA nodes and LLCs.
. "$(dirname "$0")/lib.sh"
"$KTSTR" run "$ROOT/examples/numa-2x2.json" --json > "$T/out.json" || fail "run failed: $(cat "$T/out.json")"
j() { jq -c "$1" "$T/out.json"; }
expect_eq "$(j .guest.cpus)" 4 "cpus"
expect_eq "$(j .guest.nodes)" "[[0,1],[2,3]]" "nodes"
expect_eq "$(j .guest.llcs)" "[[0],[1],[2],[3]]" "llcs"
expect_no_qemu
