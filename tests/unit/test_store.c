/* test_store.c: placeholder, replaced below */
#include <check.h>
#include "store.h"
START_TEST(opens) { store *st; ck_assert_int_eq(store_open("/tmp/x_store_test.db", &st), LLM_OK); store_close(st); }
END_TEST
int main(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_test(tc, opens);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int f = srunner_ntests_failed(r);
    srunner_free(r);
    return f != 0;
}
