/*
 * tui.h: the workbench UI (`llmlab` with no arguments), in the tig/htop
 * shape: C owns the terminal (curses set-up, drawing, the input loop,
 * KEY_RESIZE, the worker thread), Lua owns the model and the screens
 * (lua/llm/ui/): each frame Lua draws through the primitives below, each
 * key goes to Lua as a name ("j", "enter", "C-c", ...), and Lua answers with
 * requests (run this code in the worker, edit this file, quit) that C
 * carries out.
 */
#ifndef LLM_TUI_H
#define LLM_TUI_H

#include <stddef.h>
#include <wchar.h>
#include <lua.h>

/* ---------------------------------------------------------- term.c */

/* Styles the screens use by name; each maps to a colour pair and
 * attributes, or to attributes only on a monochrome terminal or with
 * NO_COLOR set. */
typedef enum tui_style {
    TUI_STYLE_NORMAL,
    TUI_STYLE_DIM,
    TUI_STYLE_BOLD,
    TUI_STYLE_TITLE,    /* pane titles, the header bar */
    TUI_STYLE_HEADING,  /* markdown headings */
    TUI_STYLE_CODE,     /* inline and fenced code */
    TUI_STYLE_SELECTED, /* the cursor line */
    TUI_STYLE_OK,       /* done marks, passed checks */
    TUI_STYLE_FAIL,     /* failed checks, errors */
    TUI_STYLE_WARN,     /* in progress, hints */
    TUI_STYLE_GAUGE,    /* the filled part of a gauge */
    TUI_STYLE_STATUS,   /* the bottom status line */
    TUI_STYLE_BORDER,   /* pane borders */
    TUI_STYLE_FOCUS,    /* the border of the pane with the focus */
    TUI_STYLE_COUNT
} tui_style;

extern const char *const tui_style_names[TUI_STYLE_COUNT];

/* What the terminal can show, decided once by tui_term_open. */
typedef struct tui_caps {
    int utf8;   /* the locale is UTF-8: box drawing and marks as Unicode */
    int colors; /* colours in use (has_colors and no NO_COLOR) */
} tui_caps;

/* The locale decision, separate from curses so it can be tested:
 * keep the user's locale when it is UTF-8, else try C.UTF-8, else ASCII.
 * Returns 1 when the result is UTF-8. */
int tui_locale_setup(void);

/* Start and stop curses (raw mode so Ctrl-C is a key, keypad, no echo). */
int tui_term_open(tui_caps *caps);
void tui_term_close(void);
/* Leave curses for a child program (the editor) and come back. */
void tui_term_suspend(void);
void tui_term_resume(void);

/* Read every key that is waiting, without blocking; calls fn(name) for
 * each. Names: printable characters as themselves, "enter", "tab",
 * "backtab", "esc", "backspace", "up", "down", "left", "right", "home",
 * "end", "pgup", "pgdn", "delete", "C-a".."C-z", "resize", "f1".. */
void tui_keys_read(void (*fn)(void *ud, const char *name), void *ud);
/* The name of one curses key (from wget_wch): exposed for the tests. */
const char *tui_key_name(int is_key_code, unsigned long ch, char *buf, size_t size);

/* Decode one UTF-8 character into *wc; returns its length (1 for a bad
 * byte, with *wc = U+FFFD) and never reads past n. */
size_t tui_utf8_next(const char *s, size_t n, wchar_t *wc);
/* Columns a character takes (0 for controls, wcwidth otherwise, 1 when unknown). */
int tui_char_width(wchar_t wc);

/* Minimum size of the UI. */
enum { TUI_MIN_COLS = 80, TUI_MIN_ROWS = 24 };

/* ---------------------------------------------------------- draw.c */

/* The display width of a UTF-8 string (wcwidth per character). */
int tui_text_width(const char *s, size_t n);

/* Register the drawing primitives as the Lua module `llm.tui` (UI state). */
int luaopen_llm_tui(lua_State *L);

/* ---------------------------------------------------------- worker.c */

typedef enum worker_event_kind {
    WORKER_EV_OUTPUT, /* text the code printed */
    WORKER_EV_PLOT,   /* a plot (serialised Lua table) */
    WORKER_EV_DONE,   /* the job finished; payload: its result (a string) */
    WORKER_EV_ERROR,  /* the job failed; payload: message and traceback */
    WORKER_EV_READY,  /* the worker state is set up (or failed: payload) */
} worker_event_kind;

/* Start the worker thread (with its own Lua state); `fd` receives the
 * read end of a pipe that becomes readable when events are waiting. */
int worker_start(int *fd);
/* Run a Lua chunk in the worker (forked: in a child process of it, for
 * lab steps); 0 if accepted, -1 if a job is running. */
int worker_submit(const char *name, const char *code, size_t len, int forked);
/* Ask the running job to stop (engine interrupt flag + Lua hook). */
void worker_cancel(void);
int worker_busy(void);
/* Take the waiting events, oldest first; calls fn for each. */
void worker_drain(void (*fn)(void *ud, worker_event_kind kind, const char *text, size_t len), void *ud);
/* The latest progress report: returns 1 and fills the fields when one
 * came since the job began. */
int worker_progress(char *label, size_t size, double *done, double *total);
void worker_stop(void);
/* For llm.app: is the UI running (so plots go to its plot pane), and
 * send an event (WORKER_EV_OUTPUT/PLOT) from any state of the process or
 * of a step's child process. */
int worker_ui_active(void);
int worker_child_emit(int kind, const char *text, size_t len);

/* Lua module `llm.tui` also offers worker_* (draw.c registers them). */
void tui_worker_register(lua_State *L);

/* ---------------------------------------------------------- tui.c */

int app_cmd_tui(int argc, char **argv);

#endif
