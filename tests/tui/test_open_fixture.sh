# --open on the fixture run: the verifier pane opens on the rejection, j/k step by
# instruction, ! jumps back (r starts a run in every pane), Enter on the omitted line shows
# every iteration.
. "$(dirname "$0")/lib.sh"
tui_start -- --open "$FIXTURE"
expect "fixture-20261128-101500-4242 fail \(2 checks failed\)" "header names the run, verdict and failed checks"
expect "rejected: 8: \(63\) \*\(u32 \*\)\(r1 \+0\) = r6  R1 invalid mem access 'scalar'" "verifier summary: rejected insn + error"
expect "source: +; \*p = acc; @ main.bpf.c:506" "verifier summary: source line"
expect "processed=52  states=9/12" "verifier stats line"
expect "--- 7 identical iterations omitted ---" "loop iterations collapsed"
expect "line 16/18" "cursor starts on the rejected instruction"
keys k
expect "line 15/18" "k steps to the previous instruction"
keys k k k
expect "line 10/18" "k skips source comments and the omitted marker"
keys '!'
expect "line 16/18" "! jumps back to the rejected instruction"
keys "?"
expect "Keys \(verifier pane\)" "? in the verifier"
expect "! +jump to the rejected instruction" "help: ! jumps to the rejection"
expect "(^| )r +start a run of the current scenario" "help: r starts a run here too"
keys Escape
keys g
keys /
type_text "omitted"; keys Enter
expect "line 13/18" "/ finds the omitted-iterations line"
keys Enter
expect "\(all iterations\)" "Enter shows the omitted iterations"
expect "line [0-9]+/66" "expanded log has all 66 lines"
keys e
expect "line [0-9]+/18" "e collapses them again"
keys q
expect "^EXIT=0" "q quits with status 0"
expect "^icanon echo" "terminal restored (icanon, echo)"
tui_done
