/* test_tui.c: the UI's terminal layer without a terminal: key names (what
 * the Lua key table matches on) and the locale decision. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <check.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <ncursesw/curses.h>
#include "tui.h"

static const char *name(int code, unsigned long ch)
{
    static char buf[16];
    return tui_key_name(code, ch, buf, sizeof buf);
}

START_TEST(plain_and_control_keys)
{
    ck_assert_str_eq(name(0, 'j'), "j");
    ck_assert_str_eq(name(0, ' '), " ");
    ck_assert_str_eq(name(0, '?'), "?");
    ck_assert_str_eq(name(0, '\r'), "enter");
    ck_assert_str_eq(name(0, '\n'), "enter");
    ck_assert_str_eq(name(0, '\t'), "tab");
    ck_assert_str_eq(name(0, 27), "esc");
    ck_assert_str_eq(name(0, 127), "backspace");
    ck_assert_str_eq(name(0, 3), "C-c");
    ck_assert_str_eq(name(0, 21), "C-u");
    ck_assert_ptr_null(name(0, 0));
}
END_TEST

START_TEST(curses_key_codes)
{
    ck_assert_str_eq(name(1, KEY_UP), "up");
    ck_assert_str_eq(name(1, KEY_DOWN), "down");
    ck_assert_str_eq(name(1, KEY_NPAGE), "pgdn");
    ck_assert_str_eq(name(1, KEY_BTAB), "backtab");
    ck_assert_str_eq(name(1, KEY_RESIZE), "resize");
    ck_assert_str_eq(name(1, KEY_BACKSPACE), "backspace");
    ck_assert_str_eq(name(1, KEY_F(1)), "f1");
    ck_assert_str_eq(name(1, KEY_F(12)), "f12");
    ck_assert_ptr_null(name(1, KEY_MOUSE));
}
END_TEST

START_TEST(characters_become_utf8)
{
    ck_assert_str_eq(name(0, 0xE9), "\xC3\xA9");          /* é */
    ck_assert_str_eq(name(0, 0x20AC), "\xE2\x82\xAC");    /* € */
    ck_assert_str_eq(name(0, 0x1F600), "\xF0\x9F\x98\x80");
    ck_assert_ptr_null(name(0, 0x110000));
    char small[4];
    ck_assert_ptr_null(tui_key_name(0, 'a', small, sizeof small));
}
END_TEST

START_TEST(locale_falls_back_to_utf8)
{
    /* A plain C locale is not UTF-8: the UI moves to C.UTF-8 (present on
     * Debian's libc), and numbers keep the C format either way. */
    setenv("LC_ALL", "C", 1);
    int utf8 = tui_locale_setup();
    const char *cs = nl_langinfo(CODESET);
    if (setlocale(LC_CTYPE, NULL) && strstr(setlocale(LC_CTYPE, NULL), "UTF-8")) {
        ck_assert_int_eq(utf8, 1);
        ck_assert_str_eq(cs, "UTF-8");
    } else {
        ck_assert_int_eq(utf8, 0); /* no UTF-8 locale at all: ASCII */
    }
    ck_assert_str_eq(setlocale(LC_NUMERIC, NULL), "C");
    setenv("LC_ALL", "C.UTF-8", 1);
    ck_assert_int_eq(tui_locale_setup(), 1);
}
END_TEST

START_TEST(text_width_counts_columns)
{
    ck_assert_int_eq(tui_locale_setup(), 1);
    ck_assert_int_eq(tui_text_width("abc", 3), 3);
    ck_assert_int_eq(tui_text_width("caf\xC3\xA9", 5), 4);          /* é is one column */
    ck_assert_int_eq(tui_text_width("\xE6\xBC\xA2\xE5\xAD\x97", 6), 4); /* two wide CJK characters */
    ck_assert_int_eq(tui_text_width("a\tb", 3), 2);                  /* control characters take none */
    ck_assert_int_eq(tui_text_width("\xFF", 1), 1);                  /* a bad byte shows as one replacement */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tui");
    TCase *tc = tcase_create("tui");
    tcase_add_test(tc, plain_and_control_keys);
    tcase_add_test(tc, curses_key_codes);
    tcase_add_test(tc, characters_become_utf8);
    tcase_add_test(tc, locale_falls_back_to_utf8);
    tcase_add_test(tc, text_width_counts_columns);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
