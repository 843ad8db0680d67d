#!/usr/bin/env bash
# Runs every tests/kernel/test_*.sh (or those named on the command line): kernel.org
# downloads against loopback servers, no network and no VM. Needs build/dl_driver
# (make build/dl_driver). One temp root for the run, removed at the end (tests/tmproot.sh).
cd "$(dirname "$0")/../.." || exit 2
. tests/tmproot.sh
log=$KTSTR_TEST_TMP/kerneltest.log
pass=0 failn=0
tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=(tests/kernel/test_*.sh)
for t in "${tests[@]}"; do
	start=$(date +%s)
	# A real kernel build takes about 25 min on 2 CPUs the first time (cached afterwards).
	limit=300; [ "$(basename "$t")" = test_build.sh ] && limit=3600
	# The verifier sweep relinks the built tree with pahole 1.24 (1-5 min on a busy host).
	[ "$(basename "$t")" = test_verifier_sweep.sh ] && limit=900
	if tmproot_run timeout "$limit" bash "$t" > "$log" 2>&1; then
		pass=$((pass + 1)); echo "ok   $(basename "$t") ($(( $(date +%s) - start ))s)"
	else
		failn=$((failn + 1)); echo "FAIL $(basename "$t") ($(( $(date +%s) - start ))s)"
		sed 's/^/    /' "$log" | tail -60
	fi
done
echo "kernel: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
