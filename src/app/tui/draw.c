/*
 * draw.c: the drawing primitives the Lua screens use, as the module
 * `llm.tui` of the UI's Lua state. Lua decides what goes where (layout,
 * wrapping, content); these functions put it on the curses screen with
 * the right width arithmetic (wcwidth, so accents and CJK line up), the
 * box glyphs the terminal can show (Unicode or ASCII), and the styles of
 * term.c. Nothing here keeps state between frames.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <lauxlib.h>
#include <ncursesw/curses.h>
#include "tui.h"

static tui_caps caps; /* copied in by tui.c through tui_draw_set_caps */

void tui_draw_set_caps(const tui_caps *c);
void tui_draw_set_caps(const tui_caps *c) { caps = *c; }

static void style_apply(int style)
{
    attr_t a = A_NORMAL;
    short pair = 0;
    switch (style) {
    case TUI_STYLE_DIM: a = A_DIM; break;
    case TUI_STYLE_BOLD: a = A_BOLD; break;
    case TUI_STYLE_TITLE: a = caps.colors ? A_BOLD : A_REVERSE | A_BOLD; break;
    case TUI_STYLE_HEADING: a = A_BOLD; break;
    case TUI_STYLE_CODE: a = caps.colors ? A_NORMAL : A_DIM; break;
    case TUI_STYLE_SELECTED: a = A_REVERSE; break;
    case TUI_STYLE_OK: a = caps.colors ? A_NORMAL : A_BOLD; break;
    case TUI_STYLE_FAIL: a = caps.colors ? A_BOLD : A_BOLD | A_UNDERLINE; break;
    case TUI_STYLE_WARN: a = caps.colors ? A_NORMAL : A_UNDERLINE; break;
    case TUI_STYLE_GAUGE: a = caps.colors ? A_BOLD : A_REVERSE; break;
    case TUI_STYLE_STATUS: a = A_REVERSE; break;
    case TUI_STYLE_BORDER: a = A_NORMAL; break;
    case TUI_STYLE_FOCUS: a = A_BOLD; break;
    default: break;
    }
    if (caps.colors && style > 0 && style < TUI_STYLE_COUNT && style != TUI_STYLE_DIM &&
        style != TUI_STYLE_BOLD && style != TUI_STYLE_BORDER) {
        pair = (short)(1 + style);
        if (style == TUI_STYLE_SELECTED || style == TUI_STYLE_STATUS) a = A_NORMAL;
    }
    attr_set(a, pair, NULL);
}

static int check_style(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx)) return TUI_STYLE_NORMAL;
    const char *name = luaL_checkstring(L, idx);
    for (int i = 0; i < TUI_STYLE_COUNT; i++)
        if (strcmp(name, tui_style_names[i]) == 0) return i;
    return luaL_error(L, "tui: unknown style '%s'", name);
}

/* Put UTF-8 text at (y, x), at most maxw columns; returns the columns
 * used. Control characters are skipped; without UTF-8 each non-ASCII
 * character shows as '?'. */
static int put_text(int y, int x, const char *s, size_t n, int maxw)
{
    int used = 0;
    size_t i = 0;
    move(y, x);
    while (i < n && used < maxw) {
        wchar_t wc;
        i += tui_utf8_next(s + i, n - i, &wc);
        if (wc == '\t') wc = ' ';
        if (wc < 32 || wc == 127) continue;
        if (!caps.utf8 && wc >= 0x80) wc = '?';
        int w = tui_char_width(wc);
        if (w == 0) {
            if (caps.utf8 && used > 0) { /* a combining mark joins the last cell */
                wchar_t one[2] = {wc, 0};
                addnwstr(one, 1);
            }
            continue;
        }
        if (used + w > maxw) break;
        wchar_t one[2] = {wc, 0};
        addnwstr(one, 1);
        used += w;
    }
    return used;
}

/* tui.text(y, x, text, style, maxw) -> columns used */
static int l_text(lua_State *L)
{
    int y = (int)luaL_checkinteger(L, 1), x = (int)luaL_checkinteger(L, 2);
    size_t n;
    const char *s = luaL_checklstring(L, 3, &n);
    int style = check_style(L, 4);
    int maxw = (int)luaL_optinteger(L, 5, COLS - x);
    if (maxw > COLS - x) maxw = COLS - x;
    if (y < 0 || y >= LINES || x < 0 || maxw <= 0) {
        lua_pushinteger(L, 0);
        return 1;
    }
    style_apply(style);
    int used = put_text(y, x, s, n, maxw);
    style_apply(TUI_STYLE_NORMAL);
    lua_pushinteger(L, used);
    return 1;
}

/* tui.fill(y, x, h, w, style): blank a rectangle in a style. */
static int l_fill(lua_State *L)
{
    int y = (int)luaL_checkinteger(L, 1), x = (int)luaL_checkinteger(L, 2);
    int h = (int)luaL_checkinteger(L, 3), w = (int)luaL_checkinteger(L, 4);
    style_apply(check_style(L, 5));
    for (int r = y; r < y + h && r < LINES; r++) {
        if (r < 0) continue;
        for (int c = x; c < x + w && c < COLS; c++) mvaddch(r, c, ' ');
    }
    style_apply(TUI_STYLE_NORMAL);
    return 0;
}

/* Map gnuplot's ANSI colour codes onto curses: 30..37 fg, 1 bold, 0 reset. */
static void ansi_apply(const char *params, size_t n)
{
    int fg = -1, bold = 0;
    size_t i = 0;
    while (i <= n) {
        int v = 0, any = 0;
        while (i < n && params[i] >= '0' && params[i] <= '9') {
            v = v * 10 + (params[i] - '0');
            i++;
            any = 1;
        }
        if (any || i == n) {
            if (v == 0) { fg = -1; bold = 0; }
            else if (v == 1) bold = 1;
            else if (v >= 30 && v <= 37) fg = v - 30;
            else if (v == 39) fg = -1;
        }
        i++;
    }
    attr_t a = bold ? A_BOLD : A_NORMAL;
    short pair = (caps.colors && fg >= 0) ? (short)(32 + fg) : 0;
    attr_set(a, pair, NULL);
}

/* tui.ansi(y, x, text, maxw, maxh) -> lines drawn: text with ANSI colour
 * escapes (gnuplot's dumb terminal), one screen line per text line. */
static int l_ansi(lua_State *L)
{
    int y = (int)luaL_checkinteger(L, 1), x = (int)luaL_checkinteger(L, 2);
    size_t n;
    const char *s = luaL_checklstring(L, 3, &n);
    int maxw = (int)luaL_checkinteger(L, 4);
    int maxh = (int)luaL_checkinteger(L, 5);
    int row = 0;
    size_t i = 0;
    while (i < n && row < maxh) {
        int used = 0;
        if (y + row >= 0 && y + row < LINES) move(y + row, x);
        while (i < n && s[i] != '\n') {
            if (s[i] == '\033' && i + 1 < n && s[i + 1] == '[') {
                size_t j = i + 2;
                while (j < n && !((s[j] >= '@' && s[j] <= '~'))) j++;
                if (j < n && s[j] == 'm') ansi_apply(s + i + 2, j - i - 2);
                i = j + 1;
                continue;
            }
            size_t k = i;
            while (k < n && s[k] != '\n' && s[k] != '\033') k++;
            if (used < maxw && y + row >= 0 && y + row < LINES)
                used += put_text(y + row, x + used, s + i, k - i, maxw - used);
            i = k;
        }
        if (i < n) i++; /* the newline */
        row++;
    }
    attr_set(A_NORMAL, 0, NULL);
    lua_pushinteger(L, row);
    return 1;
}

/* Box glyphs: Unicode light lines, or ASCII. */
static void box_glyph(int which, cchar_t *out, int focus)
{
    static const wchar_t uni[] = {0x2500, 0x2502, 0x250C, 0x2510, 0x2514, 0x2518};
    static const wchar_t uni_heavy[] = {0x2501, 0x2503, 0x250F, 0x2513, 0x2517, 0x251B};
    static const wchar_t ascii[] = {'-', '|', '+', '+', '+', '+'};
    wchar_t wc[2] = {caps.utf8 ? (focus ? uni_heavy[which] : uni[which]) : ascii[which], 0};
    setcchar(out, wc, A_NORMAL, 0, NULL);
}

/* tui.box(y, x, h, w, title, focus): a frame with a title on its top edge. */
static int l_box(lua_State *L)
{
    int y = (int)luaL_checkinteger(L, 1), x = (int)luaL_checkinteger(L, 2);
    int h = (int)luaL_checkinteger(L, 3), w = (int)luaL_checkinteger(L, 4);
    size_t tn = 0;
    const char *title = luaL_optlstring(L, 5, "", &tn);
    int focus = lua_toboolean(L, 6);
    if (h < 2 || w < 2) return 0;
    cchar_t hz, vt, tl, tr, bl, br;
    box_glyph(0, &hz, focus);
    box_glyph(1, &vt, focus);
    box_glyph(2, &tl, focus);
    box_glyph(3, &tr, focus);
    box_glyph(4, &bl, focus);
    box_glyph(5, &br, focus);
    style_apply(focus ? TUI_STYLE_FOCUS : TUI_STYLE_BORDER);
    mvadd_wch(y, x, &tl);
    mvhline_set(y, x + 1, &hz, w - 2);
    mvadd_wch(y, x + w - 1, &tr);
    mvvline_set(y + 1, x, &vt, h - 2);
    mvvline_set(y + 1, x + w - 1, &vt, h - 2);
    mvadd_wch(y + h - 1, x, &bl);
    mvhline_set(y + h - 1, x + 1, &hz, w - 2);
    if (y + h - 1 < LINES && x + w - 1 < COLS) mvadd_wch(y + h - 1, x + w - 1, &br);
    if (tn > 0 && w > 6) {
        mvaddch(y, x + 1, ' ');
        style_apply(focus ? TUI_STYLE_FOCUS : TUI_STYLE_BOLD);
        int used = put_text(y, x + 2, title, tn, w - 6);
        style_apply(focus ? TUI_STYLE_FOCUS : TUI_STYLE_BORDER);
        mvaddch(y, x + 2 + used, ' ');
    }
    style_apply(TUI_STYLE_NORMAL);
    return 0;
}

static int l_size(lua_State *L)
{
    lua_pushinteger(L, COLS);
    lua_pushinteger(L, LINES);
    return 2;
}

static int l_caps(lua_State *L)
{
    lua_createtable(L, 0, 2);
    lua_pushboolean(L, caps.utf8);
    lua_setfield(L, -2, "utf8");
    lua_pushboolean(L, caps.colors);
    lua_setfield(L, -2, "colors");
    return 1;
}

/* tui.cursor(y, x) shows the cursor there; tui.cursor() hides it. */
static int l_cursor(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        curs_set(0);
        return 0;
    }
    int y = (int)luaL_checkinteger(L, 1), x = (int)luaL_checkinteger(L, 2);
    curs_set(1);
    move(y, x);
    return 0;
}

static int l_width(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    lua_pushinteger(L, tui_text_width(s, n));
    return 1;
}

static const luaL_Reg tui_funcs[] = {
    {"text", l_text},   {"fill", l_fill},     {"ansi", l_ansi},   {"box", l_box},
    {"size", l_size},   {"caps", l_caps},     {"cursor", l_cursor}, {"width", l_width},
    {NULL, NULL},
};

int luaopen_llm_tui(lua_State *L)
{
    luaL_newlib(L, tui_funcs);
    tui_worker_register(L);
    return 1;
}
