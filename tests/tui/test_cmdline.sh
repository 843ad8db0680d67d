# The : command line (readline): topo, sched, kernel set the next run; open loads a run;
# bad input says what to type; quit leaves.
. "$(dirname "$0")/lib.sh"
tui_start
expect "Next run: scenario default  kernel \(default\)  topo 1n1l2c1t  sched eevdf" "runs pane shows the next run"
keys :
type_text "topo 2x1x2x1"; keys Enter
expect "topology for the next run: 2n2l2c1t \(4 CPUs\)" ":topo parses NxLxCxT"
keys :
type_text "topo 2x"; keys Enter
expect "topo|topology|NxLxCxT" ":topo with bad input explains"
keys :
type_text "sched scx_simple"; keys Enter
expect "sched scx_simple" ":sched sets the scheduler"
keys :
type_text "kernel mykey"; keys Enter
expect "kernel mykey" ":kernel sets the kernel"
keys :
type_text "bogus"; keys Enter
expect "unknown command 'bogus'" "unknown commands are named"
keys :
type_text "open $FIXTURE"; keys Enter
expect "fixture-20261128-101500-4242 fail" ":open loads a run directory"
keys :
type_text "open $TMPD/missing"; keys Enter
expect "/missing: not a directory" ":open of a bad path says so"
keys :
type_text "quit"; keys Enter
expect "^EXIT=0" ":quit quits"
expect "^icanon echo" "terminal restored"
[ -s "$KTSTR_CACHE_DIR/tui_history" ] && grep -q "topo 2x1x2x1" "$KTSTR_CACHE_DIR/tui_history" && ok "history kept in tui_history" || bad "history kept in tui_history"
tui_done
