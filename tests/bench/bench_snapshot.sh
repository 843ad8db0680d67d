#!/usr/bin/env bash
# make bench, snapshot boot (docs/snapshot.md): N cold 2-vCPU runs (--no-snapshot) and N
# restored ones, interleaved so both see the same host load; median QEMU start -> sys_rdy
# and median wall time of each. A cache of its own (the test kernel imported into it), so
# the user's entry gets no snapshot from a benchmark.
set -u
cd "$(dirname "$0")/../.."
K=${KTSTR:-build/ktstr}
N=${N:-5}
D=$(mktemp -d -t ktstr-bench-snap.XXXXXX)
trap 'rm -rf "$D"' EXIT
IMAGE=$($K kernel path) || { echo "no cached kernel (make kernel)"; exit 1; }
export KTSTR_CACHE_DIR=$D/cache KTSTR_RUNS_DIR=$D/runs
$K kernel import "$IMAGE" --config "$(dirname "$IMAGE")/config" > /dev/null || exit 1
S=examples/two-cgroups.json
one() { # label i args...
	local label=$1 i=$2 s e; shift 2
	s=$(date +%s.%N)
	# A failed check (exit 1, e.g. a monitor stall on a loaded host) still booted: keep
	# its figures; anything else is a broken run.
	$K run "$S" --json "$@" > "$D/$label$i.json" 2>/dev/null
	local rc=$?
	[ "$rc" -le 1 ] || { echo "$label run $i failed (exit $rc)"; exit 1; }
	[ "$rc" = 0 ] || echo "($label run $i: a check failed: $(jq -r '[.checks[] | select(.ok == false) | .name] | join(", ")' "$D/$label$i.json"))"
	e=$(date +%s.%N)
	jq --arg w "$(awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f", b-a}')" '. + {wall: ($w | tonumber)}' \
		"$D/$label$i.json" > "$D/$label$i.w.json"
}
one prime 0    # the cold boot that saves the snapshot
for i in $(seq 1 "$N"); do
	one cold "$i" --no-snapshot
	one warm "$i"
done
med() { jq -rs "map($2) | sort | .[(length / 2 | floor)]" "$D"/$1[0-9]*.w.json; }
echo "snapshot save (first run): $(jq -r .boot.snapshot_save_ms "$D/prime0.json") ms;" \
     "restored runs: $(jq -rs 'map(select(.boot.restored)) | length' "$D"/warm*.w.json)/$N"
echo "cold     ($N runs): median qemu->sys_rdy $(med cold .boot.sys_rdy_ms) ms, median wall $(med cold .wall) s"
echo "restored ($N runs): median qemu->sys_rdy $(med warm .boot.sys_rdy_ms) ms, median wall $(med warm .wall) s" \
     "(median restore $(med warm .boot.restore_ms) ms)"
