# / searches the current pane, n/N move between matches, a miss says so.
. "$(dirname "$0")/lib.sh"
tui_start -- --open "$FIXTURE"
keys 7
keys g
keys /
type_text "sched_ext"; keys Enter
expect "row 5/8" "/ finds the first match"
keys n
expect "row 6/8" "n finds the next"
keys n n
expect "row 5/8" "n wraps around"
keys N
expect "row 7/8" "N goes back"
keys /
type_text "no-such-text"; keys Enter
expect "pattern not found: no-such-text" "a miss is reported"
keys 6 g
keys /
type_text "dsq_vtime"; keys Enter
expect "sticky/holding_cpu=-1/-1 dsq_id=0x8000000000000001" "search opens the folded dump section holding the match"
keys q
expect "^EXIT=0" "q quits"
tui_done
