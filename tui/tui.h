/* The full-screen workstation (ncurses). The only curses caller in the program. */
#ifndef KTSTR_TUI_H
#define KTSTR_TUI_H

/* `ktstr` with no verb, `ktstr tui [SCENARIO] [--open RUN_DIR] [--kernel SPEC]`. */
int tui_main(int argc, char **argv);

#endif
