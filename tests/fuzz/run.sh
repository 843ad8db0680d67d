#!/usr/bin/env bash
# Runs each libFuzzer harness $FUZZ_BIN/NAME for FUZZ_SECONDS from its checked-in seeds
# (tests/fuzz/corpus/NAME; the scenario fuzzer reads examples/), with tests/fuzz/json.dict
# for the JSON readers. New inputs go to a temp dir listed first (libFuzzer writes into the
# first corpus dir only), so the checked-in corpus never changes. Fails on any crash, leak,
# UB report, hang (-timeout) or memory blow-up; a failing input is copied to
# build/fuzz-crashes/ and printed in base64.
# Usage: FUZZ_SECONDS=30 FUZZ_BIN=build/fuzz bash tests/fuzz/run.sh NAME...
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-30}
bin=${FUZZ_BIN:-build/fuzz}
keep=$(dirname "$bin")/fuzz-crashes
# One temp root, removed at the end however the run ends (tests/tmproot.sh); it is TMPDIR,
# so the harnesses' own temp dirs go there too (a crash skips their atexit clean-up).
. tests/tmproot.sh
tmp=$KTSTR_TEST_TMP
fail=0
for name in "$@"; do
	seeds=(tests/fuzz/corpus/"$name") opts=(-dict=tests/fuzz/json.dict)
	case $name in
	scenario) seeds=(examples) ;;  # the real scenarios, kept up to date with the format
	verifier) opts=() ;;           # plain log text, not JSON
	esac
	work=$tmp/$name
	mkdir -p "$work/new" "$work/artifacts"
	tmproot_run timeout -k 10 $((secs + 120)) "$bin/$name" -max_total_time="$secs" \
		-timeout=10 -rss_limit_mb=1024 -artifact_prefix="$work/artifacts/" "${opts[@]}" \
		"$work/new" "${seeds[@]}" >"$work/log" 2>&1
	rc=$?
	done_line=$(grep -m1 '^Done [0-9]* runs in' "$work/log")
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' <<<"$done_line")
	shopt -s nullglob
	arts=("$work"/artifacts/*)
	shopt -u nullglob
	if [ "$rc" -eq 0 ] && [ -n "$runs" ] && [ ${#arts[@]} -eq 0 ]; then
		printf 'ok    fuzz %-9s %s, 0 crashes\n' "$name" "$runs"
		continue
	fi
	fail=1
	printf 'FAIL  fuzz %-9s exit %d, %s, %d crash input(s); the report:\n' "$name" "$rc" \
		"${runs:-no Done line}" ${#arts[@]}
	# The sanitizer's or libFuzzer's report: from its first line to its SUMMARY.
	awk '/ERROR: |runtime error: |ALARM: |deadly signal/ { on = 1 } on && n++ < 40 { print }
	     on && /^SUMMARY: / { exit }' "$work/log" | sed 's/^/    /'
	[ ${#arts[@]} -eq 0 ] && tail -n 20 "$work/log" | sed 's/^/    /'
	mkdir -p "$keep"
	for a in "${arts[@]}"; do
		cp "$a" "$keep/$name-${a##*/}"
		echo "  input kept as $keep/$name-${a##*/} (replay: $bin/$name $keep/$name-${a##*/})"
		[ "$(stat -c %s "$a")" -le 8192 ] && echo "  base64: $(base64 -w0 "$a")"
	done
done
exit $fail
