#!/usr/bin/env bash
# `ktstr verifier` on the test kernel: ktstr_sched under two flag profiles passes (attached,
# every SpinWait worker progressed) with verified_insns > 0 for each of its struct_ops
# programs, as the guest read them from the kernel, and processed/states from its
# --verifier-stats; a summary covers the two cells. ktstr_sched_bad_verifier fails NOT
# ATTACHED with processed/states from its rejection log. Bad input is refused with exit 2
# before anything is written.
. "$(dirname "$0")/lib.sh"
t0=$SECONDS

# 1. Bad input: nothing booted, nothing written.
expect_refused "unknown scheduler" "scheduler 'no_such_sched' not found" \
	verifier no_such_sched --out "$T/bad1"
[ -e "$T/bad1" ] && fail "a refused sweep left $T/bad1 behind"
expect_refused "bad profile" "--profiles 'a\+-b': '-b' is not a flag name" \
	verifier ktstr_sched --profiles 'a+-b' --out "$T/bad2"
expect_refused "all without flags" "--profiles all: name the scheduler's flags with --flags" \
	verifier ktstr_sched --profiles all --out "$T/bad3"
expect_refused "bad topology" "^ktstr: --topo 9x: " verifier ktstr_sched --topo 9x --out "$T/bad4"
expect_refused "no scheduler" "missing SCHED" verifier
[ -e "$T/bad2" ] || [ -e "$T/bad3" ] || [ -e "$T/bad4" ] && fail "a refused sweep wrote its --out"

# 2. ktstr_sched, two profiles: both pass, with a summary.
"$KTSTR" verifier ktstr_sched --profiles default,keep-last --out "$T/good" > "$T/good.txt" 2> "$T/good.err"
rc=$?
[ "$rc" = 0 ] || { cat "$T/good.err" "$T/good.txt" >&2; fail "ktstr_sched sweep: exit $rc, expected 0"; }
J=$T/good/verifier.json
expect_eq "$(jq -r .kind "$J")" verifier "kind"
expect_eq "$(jq -r '.cells | length' "$J")" 2 "cells"
expect_eq "$(jq -r '[.cells[].profile] | join(",")' "$J")" "default,keep-last" "profiles"
expect_eq "$(jq -r '[.cells[] | .verdict, .attached, .dispatched] | unique | join(",")' "$J")" \
	"true,pass" "verdicts"
expect_grep '^verifier summary: 2 ✅  0 ❌$' "$T/good.txt" "summary"
expect_grep '^=== ktstr_sched \| kernel [^ ]+ \| topology 1x1x1x1 \| profile keep-last ===$' "$T/good.txt" "cell header"
for i in 0 1; do
	dir=$T/good/$(jq -r ".cells[$i].dir" "$J")
	[ -s "$dir/result.json" ] || fail "cell $i: no result.json in $dir"
	# Every struct_ops program the guest read from the kernel has verified_insns > 0 and is
	# in the sweep with the same count and the stats ktstr_sched printed.
	n=$(jq '[.bpf_progs[] | select(.type == "struct_ops")] | length' "$dir/result.json")
	[ "$n" -ge 5 ] || fail "cell $i: $n struct_ops programs in result.json bpf_progs, expected >= 5"
	jq -r '.bpf_progs[] | select(.type == "struct_ops") | "\(.name) \(.verified_insns)"' "$dir/result.json" |
	while read -r name insns; do
		[ "$insns" -gt 0 ] || fail "cell $i: $name verified_insns=$insns"
		p=$(jq -c --arg n "$name" ".cells[$i].programs[] | select(.name == \$n)" "$J")
		[ -n "$p" ] || fail "cell $i: $name missing from verifier.json"
		expect_eq "$(jq .verified_insns <<< "$p")" "$insns" "cell $i: $name verified_insns"
		for k in processed states_peak states_total; do
			[ "$(jq ".$k | type" <<< "$p")" = '"number"' ] || fail "cell $i: $name $k is not a number: $p"
		done
		grep -qE "^  $name +verified_insns=$insns\$" "$T/good.txt" || fail "cell $i: no report line for $name"
	done || exit 1
done
expect_grep '^  ktstr_enqueue +processed=[0-9]+  states=[0-9]+/[0-9]+  time=[0-9]+us' "$T/good.txt" "stats line"
expect_grep '--- scheduler log ---$' "$T/good.txt" "scheduler log"
expect_grep '^  ktstr_sched: attached$' "$T/good.txt" "the scheduler's own output"
expect_refused "the same --out again" "already holds a verifier sweep" verifier ktstr_sched --out "$T/good"
expect_no_qemu
echo "ktstr_sched, 2 profiles: pass ($((SECONDS - t0)) s)"

# 3. The verifier rejects ktstr_sched_bad_verifier: NOT ATTACHED, numbers from its log.
t1=$SECONDS
"$KTSTR" verifier ktstr_sched_bad_verifier --out "$T/bad" --json > "$T/bad.json" 2> "$T/bad.err"
expect_eq "$?" 1 "rejected scheduler's exit code"
cmp -s "$T/bad.json" "$T/bad/verifier.json" || fail "--json output differs from verifier.json"
J=$T/bad/verifier.json
expect_eq "$(jq -r '.cells[0] | "\(.verdict) \(.attached) \(.dispatched)"' "$J")" "fail false false" "verdict"
expect_eq "$(jq -r '.cells[0].reason' "$J")" \
	"scheduler: NOT ATTACHED — scheduler process exited during BPF load/startup" "reason"
dir=$T/bad/$(jq -r '.cells[0].dir' "$J")
want=$(grep -oE '^processed [0-9]+ insns' "$dir/verifier.log" | head -1 | cut -d' ' -f2)
[ -n "$want" ] || fail "no processed line in $dir/verifier.log"
expect_eq "$(jq '.cells[0].programs[] | select(.name == "ktstr_dispatch") | .processed' "$J")" "$want" \
	"rejected program's processed"
expect_eq "$(jq '.cells[0].programs[] | select(.name == "ktstr_dispatch") | .verified_insns' "$J")" null \
	"a rejected program has no verified_insns"
expect_eq "$(jq '.bpf_progs | length' "$dir/result.json")" 0 "no programs held by a rejected scheduler"
# The text report of the same cell, from a second sweep with --raw.
"$KTSTR" verifier ktstr_sched_bad_verifier --out "$T/bad2" --raw > "$T/bad.txt" 2>&1
expect_eq "$?" 1 "rejected scheduler's exit code (text)"
expect_grep '^=== ktstr_sched_bad_verifier \| kernel [^ ]+ \| topology 1x1x1x1 ===$' "$T/bad.txt" "failing header"
expect_grep '^  scheduler: NOT ATTACHED — scheduler process exited during BPF load/startup$' "$T/bad.txt" "not attached"
expect_grep "^  ktstr_dispatch +processed=$want  states=[0-9]+/[0-9]+" "$T/bad.txt" "rejected program's stats"
expect_grep "^  R1 invalid mem access 'scalar'$" "$T/bad.txt" "the rejection in the log"
expect_no_qemu
echo "ktstr_sched_bad_verifier: NOT ATTACHED, processed=$want ($((SECONDS - t1)) s)"
echo "ok: verifier sweep ($((SECONDS - t0)) s)"
