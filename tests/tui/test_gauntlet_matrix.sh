# The Runs pane's gauntlet matrix, the verifier pane side by side and register provenance,
# on real runs: three short `ktstr run`s (in parallel) on the test kernel: one passing, and
# ktstr_sched_bad_verifier (a store through a scalar the verifier rejects) booted twice, from
# the cache's vmlinux and with KTSTR_BOOT_BZIMAGE=1 from its bzImage. That is the same kernel
# twice (tests/tui has one kernel at hand); the two boots lay the kernel out at different
# addresses, so the logs differ in their map-value addresses and the side-by-side has real
# differing rows. A gauntlet.json over copies of the three run dirs (as `ktstr merge` lays
# them out) is the matrix.
TUI_REAL_CACHE=1
. "$(dirname "$0")/lib.sh"
"$KTSTR" kernel path >/dev/null 2>&1 || { bad "no cached kernel: run make kernel first"; tui_done; }
cat > "$TMPD/calm.json" <<JSON
{ "name": "calm", "duration_ms": 1000, "cgroups": [ { "name": "cg0", "workers": 1 } ] }
JSON
"$KTSTR" run "$TMPD/calm.json" > "$TMPD/a.txt" 2>&1 &
"$KTSTR" run "$TMPD/calm.json" --scheduler ktstr_sched_bad_verifier > "$TMPD/b.txt" 2>&1 &
KTSTR_BOOT_BZIMAGE=1 "$KTSTR" run "$TMPD/calm.json" --scheduler ktstr_sched_bad_verifier > "$TMPD/c.txt" 2>&1 &
wait
for x in a b c; do
	d=$(grep -o 'run dir: .*' "$TMPD/$x.txt" | cut -d' ' -f3)
	[ -d "$d" ] || { cat "$TMPD/$x.txt"; bad "run $x left no run directory"; tui_done; }
	eval "dir_$x=\$d"
done
grep -q '"result": *"pass"' "$dir_a/result.json" || { cat "$TMPD/a.txt"; bad "the calm run did not pass"; tui_done; }
grep -q "invalid mem access 'scalar'" "$dir_b/verifier.log" && grep -q "invalid mem access 'scalar'" "$dir_c/verifier.log" ||
	{ bad "bad_verifier was not rejected"; tui_done; }
ok "three real runs: pass, and two verifier rejections"

G=$KTSTR_RUNS_DIR/gauntlet-tui
mkdir -p "$G/cells"
cp -r "$dir_a" "$G/cells/gauntlet__calm__tiny__default__vmlinux"
cp -r "$dir_b" "$G/cells/gauntlet__calm__tiny__bad_verifier__vmlinux"
cp -r "$dir_c" "$G/cells/gauntlet__calm__tiny__bad_verifier__bzimage"
cell() {  # name profile kernel status preset dir reason
	printf '{"name": "gauntlet/calm/%s/%s/%s", "scenario": "calm", "preset": "%s", "profile": "%s", "kernel": "%s", "status": "%s", "exit_code": 0, "wall_s": 14.5, "dir": %s, "reason": "%s", "unknown": [1]}' \
		"$5" "$2" "$3" "$5" "$2" "$3" "$4" "$6" "$7"
}
cat > "$G/gauntlet.json" <<JSON
{"kind": "gauntlet", "version": 1, "created_unix": 1764849600, "command": "ktstr gauntlet calm.json", "shard": null,
 "jobs": 2, "budget_secs": null, "wall_s": 44.0, "future": {"x": 1},
 "axes": {"scenarios": ["calm"], "presets": ["tiny", "medium"], "profiles": ["default", "bad_verifier"], "kernels": ["vmlinux", "bzimage"]},
 "cells": [ $(cell x default vmlinux pass tiny '"cells/gauntlet__calm__tiny__default__vmlinux"' ""),
            $(cell x bad_verifier vmlinux fail tiny '"cells/gauntlet__calm__tiny__bad_verifier__vmlinux"' "scheduler failed to load"),
            $(cell x bad_verifier bzimage fail tiny '"cells/gauntlet__calm__tiny__bad_verifier__bzimage"' "scheduler failed to load"),
            $(cell x default vmlinux skip medium null "constraint: needs >= 4 CPUs") ],
 "left_out": []}
JSON
# The line of the defining instruction of R1 (7: r1 = *(u64 *)(r1 +0)) in the cell's log.
def=$(grep -n '^7: (79) r1 = \*(u64 \*)(r1 +0)' "$dir_b/verifier.log" | cut -d: -f1)
[ -n "$def" ] || { cat "$dir_b/verifier.log"; bad "the log has no 7: r1 = *(u64 *)(r1 +0)"; tui_done; }

tui_start -x 140 -y 40
expect "4 cells 1 pass 2 fail +2 presets +gauntlet +gauntlet-tui" "runs pane: the gauntlet is one entry"
keys /
type_text "gauntlet-tui"
keys Enter Enter
expect "^Gauntlet .*gauntlet-tui" "Enter opens its matrix"
expect "4 cells: 1 pass  2 fail  0 error  1 skip" "matrix: the counts"
expect "^scenario +tiny +medium" "matrix: a column per preset"
expect "^calm / default / vmlinux +pass +14.5s +skip" "matrix: a row per scenario x profile x kernel"
expect "^calm / bad_verifier / bzimage +fail" "matrix: the failing cells"
keys Down
expect "^cell gauntlet/calm/tiny/bad_verifier/vmlinux  fail: scheduler failed to load" "arrows move to a cell"
keys Enter
expect "opened .*gauntlet__calm__tiny__bad_verifier__vmlinux" "Enter opens the cell's run"
expect "rejected: 8: \(63\) \*\(u32 \*\)\(r1 \+0\) = r2  R1 invalid mem access 'scalar'" \
	"the cell's run opens on its verifier rejection"

# Register provenance: the register the error names is offered first.
keys p
expect "which register\?" "p asks which register"
expect "^  R1 +scalar\(\) +\(the error names it\)" "R1, named by the error, first"
keys Enter
expect "Why R1\?" "the provenance panel"
expect "R1 is scalar\(\) here because of 7: r1 = \*\(u64 \*\)\(r1 \+0\) \(loaded from memory at r1=map_value" \
	"it answers why R1 is a scalar"
expect ">  +7: load +R1  r1 = \*\(u64 \*\)\(r1 \+0\) +scalar\(\)" "the chain: the load, with its type"
expect "line $def/" "the log cursor is on the defining instruction (line $def)"
keys Escape
expect_not "Why R1\?" "Esc closes the panel"

# Side by side with the other kernel boot's log of the same program.
keys v
expect "Compare with which log\? program ktstr_dispatch" "v lists logs to compare with"
expect "^  cell +7\.2\.[^ ]+ +ktstr_dispatch +gauntlet__calm__tiny__bad_verifier__bzimage" \
	"the sibling cell with the same program first"
keys Enter
expect "Verifier side by side  [1-9][0-9]* of [0-9]+ rows differ" "Enter splits the pane; rows differ"
expect "^this run  7\.2\.[^ ]+  processed=[0-9]+ .* gauntlet__calm__tiny__bad_verifier__bzimage  7\.2\." \
	"both columns labelled with their kernel"
expect "^0: \(18\) r1 = 0x[0-9a-f]+ .* \| 0: \(18\) r1 = 0x[0-9a-f]+" "the same instruction on one row, marked as differing"
expect "^8: \(63\) \*\(u32 \*\)\(r1 \+0\) = r2 +8: \(63\) \*\(u32 \*\)\(r1 \+0\) = r2" "the rejected instructions side by side"
keys p Enter
expect "Why R1\?" "provenance works side by side too"
keys Escape Escape
expect_not "Verifier side by side" "Esc closes the panel, then the split"
keys "?"
expect "^ *v +side by side with another run's log of this program" "? lists v"
expect "^ *p +register provenance at the rejected insn" "? lists p"
expect "Esc +back: close the list/panel/side-by-side" "? lists Esc"
keys x

# Back to the matrix; the open cell is marked; Enter on the passing one.
keys Escape
expect "^calm / bad_verifier / vmlinux +\*fail" "Esc goes back to the matrix, the open cell marked"
keys Up Enter
expect "opened .*gauntlet__calm__tiny__default__vmlinux" "Enter opens the passing cell"
expect "pass" "its verdict"
keys 1
keys Right Enter
expect "has no run directory \(skip: constraint: needs >= 4 CPUs\)" "a skipped cell says why it has no run"
keys Escape
expect "4 cells 1 pass 2 fail +2 presets +gauntlet" "Esc in the matrix goes back to the runs list"

# A damaged gauntlet.json is a clear line, not a crash.
mkdir -p "$TMPD/broken" && printf '{"kind": "gauntlet", "cells": [' > "$TMPD/broken/gauntlet.json"
keys :
type_text "open $TMPD/broken"
keys Enter
expect "broken/gauntlet.json:[0-9]+:[0-9]+: .*not valid JSON" "a corrupt gauntlet.json: one clear line"
# A verifier sweep's directory: rows are kernels (x profile), the same matrix.
keys :
type_text "open $ROOT/tests/fixtures/verifier-sweep"
keys Enter
expect "^Verifier sweep .*verifier-sweep" ":open of a verifier sweep shows its matrix"
expect "^6\.6\.1-pahole124 / default +fail +-" "a row per kernel x profile"
keys q
expect "^EXIT=0" "q quits"
tui_done
