# Snapshot boot (docs/snapshot.md): the first run of a machine boots cold and saves it,
# the next restores it (faster, same checks, a timeline from zero, no boot lines in its
# console.log); KTSTR_NO_SNAPSHOT=1 and --no-snapshot boot cold; a corrupt snapshot
# costs one warning line and a cold boot, and is replaced; a topology change, a new
# ktstr build and a new kernel entry never restore an old snapshot; a kernel given by path
# keeps its snapshots in the cache, not beside the file; a run with a disk restores too.
. "$(dirname "$0")/lib.sh"
IMAGE=$(KTSTR_CACHE_DIR= "$KTSTR" kernel path 2>/dev/null) || missing "a cached test kernel"
SHARED_CACHE=${KTSTR_CACHE_DIR-}
# A cache of our own: snapshots live beside their entry, and the shared cache's entries
# are not ours to change.
export KTSTR_CACHE_DIR=$T/cache
"$KTSTR" kernel import "$IMAGE" --config "$(dirname "$IMAGE")/config" > "$T/imp.txt" 2>&1 ||
	{ cat "$T/imp.txt" >&2; fail "kernel import"; }
S=$(scenario snap '{ "name": "snap", "topology": { "numa": 1, "llcs": 1, "cores": 2, "threads": 1 },
  "memory_mb": 512, "duration_ms": 1500,
  "cgroups": [ { "name": "cg_spin", "workers": 2, "work": "SpinWait" } ] }')
b() { jq -r ".boot.$2" "$1"; }
snapshots() { "$KTSTR" kernel list --json | jq '[.[].snapshots] | add'; }
checks() { jq -c '[.checks[] | [.name, .ok]]' "$1"; }

run_pass "$T/cold.json" "$S"
expect_eq "$(b "$T/cold.json" restored)" false "first run restored"
[ "$(b "$T/cold.json" snapshot_save_ms)" -ge 0 ] || fail "the first run saved no snapshot"
expect_eq "$(snapshots)" 1 "snapshots after the first run"
"$KTSTR" kernel list | grep -q "(1 snapshot, " || fail "kernel list does not show the snapshot"

run_pass "$T/warm.json" "$S"
expect_eq "$(b "$T/warm.json" restored)" true "second run restored"
cold=$(b "$T/cold.json" sys_rdy_ms) warm=$(b "$T/warm.json" sys_rdy_ms)
echo "sys_rdy: cold $cold ms, restored $warm ms (restore_ms $(b "$T/warm.json" restore_ms))"
[ "$warm" -lt $((cold / 2)) ] || fail "restored sys_rdy $warm ms is not under half the cold $cold ms"
expect_eq "$(checks "$T/warm.json")" "$(checks "$T/cold.json")" "checks of the restored run"
expect_eq "$(jq -c '.workers | length' "$T/warm.json")" 2 "workers of the restored run"
warm_dir=$(jq -r .run_dir "$T/warm.json")
grep -q "tsc: \|mtrr: " "$(jq -r .run_dir "$T/cold.json")/console.log" || fail "the cold console has no boot lines"
if grep -q "tsc: \|mtrr: \|acpi " "$warm_dir/console.log"; then
	fail "the restored run's console.log holds the snapshot's boot lines"; fi
grep -q "restored from snapshot" "$warm_dir/report.txt" || fail "report.txt does not say restored"
# Its timeline starts at the restore: the first slice within the first second.
first=$(awk '!/^#/ { print $3; exit }' "$warm_dir/timeline.tsv")
[ -n "$first" ] && [ "$first" -lt 1000000000 ] || fail "timeline starts at ${first:-nothing} ns"

KTSTR_NO_SNAPSHOT=1 run_pass "$T/off.json" "$S"
expect_eq "$(b "$T/off.json" restored)/$(b "$T/off.json" snapshot_save_ms)" false/-1 "KTSTR_NO_SNAPSHOT=1"
run_pass "$T/off2.json" "$S" --no-snapshot
expect_eq "$(b "$T/off2.json" restored)/$(b "$T/off2.json" snapshot_save_ms)" false/-1 "--no-snapshot"
expect_eq "$(checks "$T/off.json")" "$(checks "$T/warm.json")" "checks with snapshots off"

# A corrupt snapshot: one warning, a cold boot that passes, and a fresh snapshot.
state=$(ls "$KTSTR_CACHE_DIR"/kernels/*/snapshots/*/state)
head -c 4096 /dev/urandom | dd of="$state" bs=1 seek=100 conv=notrunc status=none
run_pass "$T/bad.json" "$S"
expect_eq "$(grep -c "did not restore" "$T/err.txt")" 1 "warning lines for a corrupt snapshot"
expect_eq "$(b "$T/bad.json" restored)" false "corrupt snapshot restored"
[ "$(b "$T/bad.json" snapshot_save_ms)" -ge 0 ] || fail "the corrupt snapshot was not replaced"
run_pass "$T/again.json" "$S"
expect_eq "$(b "$T/again.json" restored)" true "restore after the corrupt one was replaced"

# A kernel given by path (a developer's build tree): its snapshot goes into the cache, never
# beside the file; the next run restores it.
mkdir -p "$T/tree" && cp "$IMAGE" "$T/tree/bzImage"
run_pass "$T/p1.json" "$S" --kernel "$T/tree/bzImage"
expect_eq "$(b "$T/p1.json" restored)" false "first run of a kernel by path restored"
[ "$(b "$T/p1.json" snapshot_save_ms)" -ge 0 ] || fail "the first run of a kernel by path saved no snapshot"
run_pass "$T/p2.json" "$S" --kernel "$T/tree/bzImage"
expect_eq "$(b "$T/p2.json" restored)" true "second run of a kernel by path restored"
expect_eq "$(checks "$T/p2.json")" "$(checks "$T/p1.json")" "checks of the restored run by path"
expect_eq "$(ls -A "$T/tree")" bzImage "files beside the kernel given by path"
"$KTSTR" kernel list > "$T/list.txt" 2>&1
expect_grep "^kernels given by path: 1 snapshot, " "$T/list.txt" "kernel list"
# (A rebuilt file is another key: tests/unit/test_snapshot.c.)

# A run with a disk (I/O work types): a machine with a disk, restored with this run's own
# blank image, whose writes reach it. On the shared cache's entry, which holds the
# virtio_blk.ko an import lacks; the first run may already restore (a snapshot of an
# earlier test run), the second must.
D=$(scenario snapdisk '{ "name": "snapdisk", "topology": { "numa": 1, "llcs": 1, "cores": 2, "threads": 1 },
  "memory_mb": 384, "duration_ms": 1500,
  "cgroups": [ { "name": "cg_io", "workers": 1, "work": "IoSyncWrite" } ],
  "checks": { "max_gap_ms": 3600000 } }')
KTSTR_CACHE_DIR=$SHARED_CACHE run_pass "$T/d1.json" "$D"
KTSTR_CACHE_DIR=$SHARED_CACHE run_pass "$T/d2.json" "$D"
expect_eq "$(b "$T/d2.json" restored)" true "second run with a disk restored"
for r in d1 d2; do
	dd=$(jq -r .run_dir "$T/$r.json")
	line=$(grep -E '^disk vda: reads=' "$dd/guest.log") || { cat "$dd/guest.log" >&2; fail "no disk line ($r)"; }
	fl=$(sed -E 's/.*flushes=([0-9]+).*/\1/' <<<"$line")
	[ "$fl" -gt 0 ] || fail "no flushes reached the restored run's disk ($r): $line"
	[ "$(( $(stat -c '%b * %B' "$dd/disk.img") ))" -gt 0 ] || fail "$r's disk.img was never written"
done
echo "disk runs: $(grep -hE '^disk vda' "$(jq -r .run_dir "$T/d2.json")/guest.log")"

# Invalidation. Another topology is another machine.
run_pass "$T/topo.json" "$S" --topo 1x1x1x1
expect_eq "$(b "$T/topo.json" restored)" false "another topology restored"
expect_eq "$(snapshots)" 2 "snapshots after another topology"
# Another ktstr build (its bytes differ; its parts are the same ones beside it).
cp "$KTSTR" "$ROOT/build/ktstr-snaptest" && printf 'x' >> "$ROOT/build/ktstr-snaptest"
trap 'rm -f "$ROOT/build/ktstr-snaptest"; cleanup_tmp' EXIT
"$ROOT/build/ktstr-snaptest" run "$S" --json > "$T/build.json" 2> "$T/err.txt" || { cat "$T/err.txt"; fail "run by another build"; }
expect_eq "$(b "$T/build.json" restored)" false "another ktstr build restored"
rm -f "$ROOT/build/ktstr-snaptest"
# A new kernel entry (removed and imported again) starts without snapshots.
key=$("$KTSTR" kernel list --json | jq -r '.[0].key')
"$KTSTR" kernel rm "$key" > /dev/null 2>&1 || fail "kernel rm"
"$KTSTR" kernel import "$IMAGE" --config "$(dirname "$IMAGE")/config" > /dev/null 2>&1 || fail "re-import"
run_pass "$T/new.json" "$S"
expect_eq "$(b "$T/new.json" restored)" false "a new kernel entry restored"
# kernel clean (keeping the entry) removes its snapshots.
"$KTSTR" kernel clean --keep 1 --force > "$T/clean.txt" 2>&1 || { cat "$T/clean.txt"; fail "kernel clean"; }
expect_eq "$(snapshots)" 0 "snapshots after kernel clean"
"$KTSTR" kernel list > "$T/list.txt" 2>&1
if grep -q "kernels given by path" "$T/list.txt"; then fail "kernel clean left the snapshots of kernels by path"; fi
expect_no_qemu
echo "PASS: snapshot boot"
