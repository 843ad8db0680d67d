# Every scenario in examples/ passes under EEVDF and under ktstr_sched, with its wall time
# (boot included) printed per scheduler: the library documented in examples/README.md
# stays runnable. KTSTR_EXAMPLES="a b" runs only those (names without .json).
. "$(dirname "$0")/lib.sh"
names=${KTSTR_EXAMPLES:-$(cd "$ROOT/examples" && ls *.json | sed 's/\.json$//')}
n=0
for name in $names; do
	f=$ROOT/examples/$name.json
	[ -f "$f" ] || fail "no example $f"
	grep -qF "\`$name.json\`" "$ROOT/examples/README.md" || fail "$name.json is not documented in examples/README.md"
	line="$name:"
	for sched in eevdf ktstr_sched; do
		start=$(date +%s%N)
		"$KTSTR" run "$f" --scheduler "$sched" --json > "$T/out.json" 2> "$T/err.txt"
		rc=$?
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		if [ "$rc" != 0 ]; then
			cat "$T/err.txt" >&2
			jq -r '.checks[]? | select(.ok == false) | "failed check \(.name): \(.message)"' "$T/out.json" >&2
			fail "examples/$name.json under $sched: exit $rc"
		fi
		[ "$(jq -r .result "$T/out.json")" = pass ] || fail "examples/$name.json under $sched: result $(jq -r .result "$T/out.json")"
		line="$line $sched $(awk "BEGIN{printf \"%.1f\", $ms/1000}") s"
	done
	echo "$line"
	n=$((n + 1))
done
echo "$n examples passed under both schedulers"
expect_no_qemu
