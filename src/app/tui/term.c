/*
 * term.c: the terminal under the UI: the locale decision (UTF-8, else
 * C.UTF-8, else plain ASCII), curses set-up in raw mode (so Ctrl-C reaches
 * us as a key and cancels a step instead of killing the program), the
 * styles with and without colour, and turning curses key codes into the
 * key names the Lua key table uses.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include "tui.h"

const char *const tui_style_names[TUI_STYLE_COUNT] = {
    [TUI_STYLE_NORMAL] = "normal",     [TUI_STYLE_DIM] = "dim",
    [TUI_STYLE_BOLD] = "bold",         [TUI_STYLE_TITLE] = "title",
    [TUI_STYLE_HEADING] = "heading",   [TUI_STYLE_CODE] = "code",
    [TUI_STYLE_SELECTED] = "selected", [TUI_STYLE_OK] = "ok",
    [TUI_STYLE_FAIL] = "fail",         [TUI_STYLE_WARN] = "warn",
    [TUI_STYLE_GAUGE] = "gauge",       [TUI_STYLE_STATUS] = "status",
    [TUI_STYLE_BORDER] = "border",     [TUI_STYLE_FOCUS] = "focus",
};

static int is_utf8_codeset(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

int tui_locale_setup(void)
{
    if (!setlocale(LC_ALL, "")) setlocale(LC_ALL, "C");
    int ok = is_utf8_codeset();
    if (!ok && setlocale(LC_ALL, "C.UTF-8")) ok = is_utf8_codeset();
    if (!ok) setlocale(LC_ALL, "C");
    setlocale(LC_NUMERIC, "C"); /* Lua's number formatting must not follow the locale */
    return ok;
}

static int term_open;

int tui_term_open(tui_caps *caps)
{
    caps->utf8 = tui_locale_setup();
    /* LLMLAB_ASCII=1: plain ASCII boxes and marks (fonts without them). */
    const char *ascii = getenv("LLMLAB_ASCII");
    if (ascii && *ascii && strcmp(ascii, "0") != 0) caps->utf8 = 0;
    if (!getenv("ESCDELAY")) set_escdelay(25);
    /* newterm, not initscr: initscr exits the program when TERM is unset
     * or unknown, newterm returns NULL and the caller explains. */
    const char *term = getenv("TERM");
    if (!term || !*term || strcmp(term, "dumb") == 0) return -1;
    if (!newterm(NULL, stdout, stdin)) return -1;
    term_open = 1;
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    const char *no_color = getenv("NO_COLOR");
    caps->colors = has_colors() && !(no_color && *no_color);
    if (caps->colors) {
        start_color();
        use_default_colors();
        /* pair n+1 for style n where colour matters */
        init_pair(1 + TUI_STYLE_TITLE, COLOR_BLACK, COLOR_CYAN);
        init_pair(1 + TUI_STYLE_HEADING, COLOR_YELLOW, -1);
        init_pair(1 + TUI_STYLE_CODE, COLOR_CYAN, -1);
        init_pair(1 + TUI_STYLE_SELECTED, COLOR_BLACK, COLOR_WHITE);
        init_pair(1 + TUI_STYLE_OK, COLOR_GREEN, -1);
        init_pair(1 + TUI_STYLE_FAIL, COLOR_RED, -1);
        init_pair(1 + TUI_STYLE_WARN, COLOR_YELLOW, -1);
        init_pair(1 + TUI_STYLE_GAUGE, COLOR_GREEN, -1);
        init_pair(1 + TUI_STYLE_STATUS, COLOR_BLACK, COLOR_WHITE);
        init_pair(1 + TUI_STYLE_FOCUS, COLOR_CYAN, -1);
        /* the 8 ANSI colours for gnuplot's coloured text: pairs 32..39 */
        for (short c = 0; c < 8; c++) init_pair((short)(32 + c), c, -1);
    }
    return 0;
}

void tui_term_close(void)
{
    if (!term_open) return;
    endwin();
    term_open = 0;
}

void tui_term_suspend(void)
{
    def_prog_mode();
    endwin();
}

void tui_term_resume(void)
{
    reset_prog_mode();
    clearok(stdscr, TRUE);
    refresh();
}

const char *tui_key_name(int is_key_code, unsigned long ch, char *buf, size_t size)
{
    if (is_key_code) {
        switch (ch) {
        case KEY_UP: return "up";
        case KEY_DOWN: return "down";
        case KEY_LEFT: return "left";
        case KEY_RIGHT: return "right";
        case KEY_HOME: return "home";
        case KEY_END: return "end";
        case KEY_PPAGE: return "pgup";
        case KEY_NPAGE: return "pgdn";
        case KEY_DC: return "delete";
        case KEY_BACKSPACE: return "backspace";
        case KEY_ENTER: return "enter";
        case KEY_BTAB: return "backtab";
        case KEY_RESIZE: return "resize";
        default:
            if (ch >= (unsigned long)KEY_F(1) && ch <= (unsigned long)KEY_F(12)) {
                snprintf(buf, size, "f%lu", ch - (unsigned long)KEY_F(0));
                return buf;
            }
            return NULL;
        }
    }
    if (ch == '\r' || ch == '\n') return "enter";
    if (ch == '\t') return "tab";
    if (ch == 27) return "esc";
    if (ch == 127 || ch == 8) return "backspace";
    if (ch >= 1 && ch <= 26) {
        snprintf(buf, size, "C-%c", (int)('a' + ch - 1));
        return buf;
    }
    if (ch < 32) return NULL;
    /* A character: as UTF-8. */
    char *p = buf;
    if (size < 5) return NULL;
    if (ch < 0x80) *p++ = (char)ch;
    else if (ch < 0x800) {
        *p++ = (char)(0xC0 | (ch >> 6));
        *p++ = (char)(0x80 | (ch & 0x3F));
    } else if (ch < 0x10000) {
        *p++ = (char)(0xE0 | (ch >> 12));
        *p++ = (char)(0x80 | ((ch >> 6) & 0x3F));
        *p++ = (char)(0x80 | (ch & 0x3F));
    } else if (ch <= 0x10FFFF) {
        *p++ = (char)(0xF0 | (ch >> 18));
        *p++ = (char)(0x80 | ((ch >> 12) & 0x3F));
        *p++ = (char)(0x80 | ((ch >> 6) & 0x3F));
        *p++ = (char)(0x80 | (ch & 0x3F));
    } else return NULL;
    *p = '\0';
    return buf;
}

void tui_keys_read(void (*fn)(void *ud, const char *name), void *ud)
{
    for (;;) {
        wint_t ch;
        int r = wget_wch(stdscr, &ch);
        if (r == ERR) return;
        char buf[16];
        const char *name = tui_key_name(r == KEY_CODE_YES, (unsigned long)ch, buf, sizeof buf);
        if (name) fn(ud, name);
    }
}

/* Decode one UTF-8 character; returns its length (1 for a bad byte, with
 * *wc = 0xFFFD) and never reads past n. */
size_t tui_utf8_next(const char *s, size_t n, wchar_t *wc)
{
    unsigned char c = (unsigned char)s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80) { *wc = c; return 1; }
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else { *wc = 0xFFFD; return 1; }
    if (len > n) { *wc = 0xFFFD; return 1; }
    for (size_t k = 1; k < len; k++) {
        unsigned char cc = (unsigned char)s[k];
        if ((cc & 0xC0) != 0x80) { *wc = 0xFFFD; return 1; }
        cp = (cp << 6) | (cc & 0x3F);
    }
    *wc = (wchar_t)cp;
    return len;
}

int tui_char_width(wchar_t wc)
{
    if (wc < 32 || wc == 127) return 0;
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

int tui_text_width(const char *s, size_t n)
{
    int w = 0;
    size_t i = 0;
    while (i < n) {
        wchar_t wc;
        i += tui_utf8_next(s + i, n - i, &wc);
        w += tui_char_width(wc);
    }
    return w;
}

