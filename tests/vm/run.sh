#!/usr/bin/env bash
# Runs every tests/vm/test_*.sh (or those named on the command line), each in its own
# process with a time limit, and prints the summary line CI reads. All of them work in one
# temp root, removed at the end (tests/tmproot.sh).
cd "$(dirname "$0")/../.." || exit 2
. tests/tmproot.sh
log=$KTSTR_TEST_TMP/vmtest.log
pass=0 failn=0 failed=()
tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=(tests/vm/test_*.sh)
for t in "${tests[@]}"; do
	start=$(date +%s)
	if tmproot_run timeout 600 bash "$t" > "$log" 2>&1; then
		pass=$((pass + 1)); echo "ok   $(basename "$t") ($(( $(date +%s) - start ))s)"
	else
		failn=$((failn + 1)); failed+=("$t"); echo "FAIL $(basename "$t") ($(( $(date +%s) - start ))s)"
		sed 's/^/    /' "$log" | tail -60
	fi
done
echo "vm: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
