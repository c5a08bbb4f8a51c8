/* test_optim.c: the optimizer kernels of optim.h on hand-computed values
 * (PyTorch agreement is checked from Lua against committed fixtures). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include "optim.h"

START_TEST(sgd_plain_momentum_nesterov)
{
    float p[2] = {1.0f, -1.0f}, g[2] = {2.0f, 4.0f}, buf[2];
    optim_sgd_step(p, g, NULL, 2, 0.1f, 0.0f, 0.0f, 0.0f, 0, 1);
    ck_assert_float_eq_tol(p[0], 0.8f, 1e-7f);
    ck_assert_float_eq_tol(p[1], -1.4f, 1e-7f);
    /* momentum 0.5: buf = g, then 0.5*g + g = 1.5 g */
    float q[1] = {1.0f}, h[1] = {2.0f};
    optim_sgd_step(q, h, buf, 1, 0.1f, 0.5f, 0.0f, 0.0f, 0, 1);
    ck_assert_float_eq_tol(q[0], 0.8f, 1e-7f);
    optim_sgd_step(q, h, buf, 1, 0.1f, 0.5f, 0.0f, 0.0f, 0, 0);
    ck_assert_float_eq_tol(buf[0], 3.0f, 1e-7f);
    ck_assert_float_eq_tol(q[0], 0.5f, 1e-6f);
    /* Nesterov first step: d + m*buf = 2 + 0.5*2 = 3 */
    float r[1] = {1.0f};
    optim_sgd_step(r, h, buf, 1, 0.1f, 0.5f, 0.0f, 0.0f, 1, 1);
    ck_assert_float_eq_tol(r[0], 0.7f, 1e-6f);
    /* weight decay adds wd*p to the gradient */
    float s[1] = {2.0f}, z[1] = {0.0f};
    optim_sgd_step(s, z, NULL, 1, 0.5f, 0.0f, 0.0f, 0.1f, 0, 1);
    ck_assert_float_eq_tol(s[0], 1.9f, 1e-6f);
}
END_TEST

START_TEST(adam_first_step_is_lr_times_sign)
{
    /* After one step m/(sqrt v) with bias correction is sign(g) (eps 0). */
    float p[3] = {1.0f, 1.0f, 1.0f}, g[3] = {0.3f, -7.0f, 1e-4f}, m[3] = {0}, v[3] = {0};
    optim_adam_step(p, g, m, v, 3, 0.01f, 0.9f, 0.999f, 0.0f, 0.0f, 0, 1);
    ck_assert_float_eq_tol(p[0], 0.99f, 1e-6f);
    ck_assert_float_eq_tol(p[1], 1.01f, 1e-6f);
    ck_assert_float_eq_tol(p[2], 0.99f, 1e-5f);
    ck_assert_float_eq_tol(m[1], -0.7f, 1e-6f);
    ck_assert_float_eq_tol(v[1], 0.049f, 1e-6f);
    /* AdamW shrinks first: 2 * (1 - 0.01*0.5) - 0.01 */
    float q[1] = {2.0f}, h[1] = {1.0f}, m2[1] = {0}, v2[1] = {0};
    optim_adam_step(q, h, m2, v2, 1, 0.01f, 0.9f, 0.999f, 0.0f, 0.5f, 1, 1);
    ck_assert_float_eq_tol(q[0], 2.0f * 0.995f - 0.01f, 1e-6f);
    /* Adam's L2: g' = 1 + 0.5*2 = 2, still one lr step (sign) but m holds 0.1 * 2 */
    float r[1] = {2.0f}, m3[1] = {0}, v3[1] = {0};
    optim_adam_step(r, h, m3, v3, 1, 0.01f, 0.9f, 0.999f, 0.0f, 0.5f, 0, 1);
    ck_assert_float_eq_tol(m3[0], 0.2f, 1e-6f);
    ck_assert_float_eq_tol(r[0], 1.99f, 1e-6f);
}
END_TEST

START_TEST(sum_squares_and_scale)
{
    enum { N = 100000 };
    float *x = malloc(N * sizeof *x);
    for (int i = 0; i < N; i++) x[i] = (i % 2) ? 0.5f : -0.5f;
    ck_assert_double_eq_tol(optim_sum_squares(x, N), 0.25 * N, 1e-6);
    optim_scale(x, N, 4.0f);
    ck_assert_float_eq(x[0], -2.0f);
    ck_assert_float_eq(x[N - 1], 2.0f);
    ck_assert_double_eq(optim_sum_squares(x, 0), 0.0);
    free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("optim");
    TCase *tc = tcase_create("optim");
    tcase_add_test(tc, sgd_plain_momentum_nesterov);
    tcase_add_test(tc, adam_first_step_is_lr_times_sign);
    tcase_add_test(tc, sum_squares_and_scale);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
