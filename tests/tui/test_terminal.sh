# The terminal: 80x24 works, ASCII fallback without a UTF-8 locale, NO_COLOR, resize,
# and SIGTERM restores the terminal.
. "$(dirname "$0")/lib.sh"
tui_start -x 80 -y 24 -e LANG=C -e LC_ALL=C -e NO_COLOR=1 -- --open "$FIXTURE"
expect "rejected: 8: \(63\)" "80x24 draws the verifier pane"
expect "^-{80}$" "ASCII rule when the locale is not UTF-8"
if screen | grep -q $'\xe2'; then bad "no UTF-8 bytes in C locale"; else ok "no UTF-8 bytes in C locale"; fi
if screen_esc | grep -Eq $'\e\\[(3[0-7]|4[0-7]|38;|48;)'; then bad "NO_COLOR: no colour escapes"; else ok "NO_COLOR: no colour escapes"; fi
tm resize-window -t $SESSION -x 120 -y 40 2>/dev/null || tm resize-pane -t $SESSION -x 120 -y 40
sleep 0.5
expect "^-{120}$" "KEY_RESIZE redraws at the new width"
pid=$(pgrep -n -f "$(basename "$KTSTR") tui --open")
[ -n "$pid" ] && kill -TERM "$pid"
expect "^EXIT=143" "SIGTERM ends the TUI (128+15)"
expect "^icanon echo" "terminal restored after SIGTERM"
# A crash: the handler ends curses, then the default action (and cli/main.c's VM
# teardown) runs.
tm kill-server 2>/dev/null
tui_start -- --open "$FIXTURE"
expect "rejected: 8: \(63\)" "running again"
pid=$(pgrep -n -f "$(basename "$KTSTR") tui --open")
[ -n "$pid" ] && kill -SEGV "$pid"
expect "^EXIT=139" "SIGSEGV still kills the process (128+11)"
expect "^icanon echo" "terminal restored after SIGSEGV"
tui_done
