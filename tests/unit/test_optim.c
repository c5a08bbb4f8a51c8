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

/* The vector loop (4 at a time) and the scalar tail compute one formula:
 * a buffer whose length is no multiple of 4 (and one long enough to run on
 * OpenMP chunks) matches the update written out element by element, over
 * several steps of AdamW and of Adam with L2. */
START_TEST(adam_vector_loop_matches_scalar_formula)
{
    enum { N = 70003 };
    float *p = malloc(N * sizeof *p), *g = malloc(N * sizeof *g), *m = calloc(N, sizeof *m),
          *v = calloc(N, sizeof *v), *rp = malloc(N * sizeof *rp), *rm = calloc(N, sizeof *rm),
          *rv = calloc(N, sizeof *rv);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(rv);
    for (int decoupled = 0; decoupled <= 1; decoupled++) {
        for (int i = 0; i < N; i++) {
            p[i] = rp[i] = (float)((i * 37 % 101) - 50) / 25.0f;
            m[i] = rm[i] = v[i] = rv[i] = 0.0f;
        }
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < N; i++) g[i] = (float)((i * 53 + t * 7) % 97 - 48) / (float)(1 + i % 13);
            float lr = 0.01f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, wd = 0.1f;
            optim_adam_step(p, g, m, v, N, lr, b1, b2, eps, wd, decoupled, t);
            float step = (float)(lr / (1.0 - pow(b1, t))), rbc2 = (float)(1.0 / sqrt(1.0 - pow(b2, t)));
            float shrink = decoupled ? 1.0f - lr * wd : 1.0f, l2 = decoupled ? 0.0f : wd;
            for (int i = 0; i < N; i++) {
                float pi = rp[i] * shrink, gi = g[i] + l2 * pi;
                float mi = b1 * rm[i] + (1.0f - b1) * gi, vi = b2 * rv[i] + (1.0f - b2) * gi * gi;
                rm[i] = mi;
                rv[i] = vi;
                rp[i] = pi - step * mi / (sqrtf(vi) * rbc2 + eps);
            }
        }
        for (int i = 0; i < N; i++) {
            ck_assert_float_eq_tol(p[i], rp[i], 1e-6f * (1.0f + fabsf(rp[i])));
            ck_assert_float_eq_tol(m[i], rm[i], 1e-6f * (1.0f + fabsf(rm[i])));
            ck_assert_float_eq_tol(v[i], rv[i], 1e-6f * (1.0f + fabsf(rv[i])));
        }
    }
    free(p); free(g); free(m); free(v); free(rp); free(rm); free(rv);
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
    tcase_add_test(tc, adam_vector_loop_matches_scalar_formula);
    tcase_add_test(tc, sum_squares_and_scale);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
