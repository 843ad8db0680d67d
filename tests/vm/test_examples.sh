# Every scenario in examples/ passes under EEVDF and under ktstr_sched, with its wall time
# (boot included) printed per scheduler: the library documented in examples/README.md
# stays runnable. The two runs of an example go side by side: a TCG guest runs on one
# host thread, so two VMs use the 2-core host's second core instead of leaving it idle.
# KTSTR_EXAMPLES="a b" runs only those (names without .json).
. "$(dirname "$0")/lib.sh"
names=${KTSTR_EXAMPLES:-$(cd "$ROOT/examples" && ls *.json | sed 's/\.json$//')}

one() { # name sched: runs it into $T/NAME.SCHED.{json,err,ms,rc}
	local out=$T/$1.$2 start
	start=$(date +%s%N)
	"$KTSTR" run "$ROOT/examples/$1.json" --scheduler "$2" --json > "$out.json" 2> "$out.err"
	echo $? > "$out.rc"
	echo $(( ($(date +%s%N) - start) / 1000000 )) > "$out.ms"
}

n=0
for name in $names; do
	[ -f "$ROOT/examples/$name.json" ] || fail "no example examples/$name.json"
	grep -qF "\`$name.json\`" "$ROOT/examples/README.md" || fail "$name.json is not documented in examples/README.md"
	one "$name" eevdf &
	one "$name" ktstr_sched &
	wait
	line="$name:"
	for sched in eevdf ktstr_sched; do
		out=$T/$name.$sched
		if [ "$(cat "$out.rc")" != 0 ] || [ "$(jq -r .result "$out.json")" != pass ]; then
			cat "$out.err" >&2
			jq -r '.checks[]? | select(.ok == false) | "failed check \(.name): \(.message)"' "$out.json" >&2
			fail "examples/$name.json under $sched: exit $(cat "$out.rc"), result $(jq -r .result "$out.json")"
		fi
		line="$line $sched $(awk "BEGIN{printf \"%.1f\", $(cat "$out.ms")/1000}") s"
	done
	echo "$line"
	n=$((n + 1))
done
echo "$n examples passed under both schedulers"
expect_no_qemu
