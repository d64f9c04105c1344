# tui/: the ncurses front end.
# (define TUI_LIB = libtui.a with the first source)
