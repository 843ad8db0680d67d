# Runs pane lists the runs root and Enter opens one; Kernels pane deletes after y/n.
. "$(dirname "$0")/lib.sh"
cp -r "$FIXTURE" "$KTSTR_RUNS_DIR/fixture-20261128-101500-4242"
mkdir -p "$KTSTR_CACHE_DIR/kernels/broken-entry"
tui_start
expect "fail +[0-9-]+ [0-9:]+ +8\.0s  7\.2\.13\+deb14-cloud-amd64 +1n1l2c1t +ktstr_sched +fixture-20261128" "runs pane lists the run"
keys Enter
expect "opened .*fixture-20261128-101500-4242" "Enter opens it"
keys 8
expect "broken-entry .*corrupt" "kernels pane marks a corrupt entry"
keys d
expect "Delete kernel broken-entry .*\? y/n" "d asks first"
keys n
expect "broken-entry" "n keeps it"
keys d
keys y
expect "removed broken-entry" "y deletes it"
[ ! -e "$KTSTR_CACHE_DIR/kernels/broken-entry" ] && ok "entry gone from disk" || bad "entry gone from disk"
keys q
expect "^EXIT=0" "q quits"
tui_done
