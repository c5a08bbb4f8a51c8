/* test_recurrent.c: the fused recurrent op (recurrent.h) without Lua:
 * RNN, LSTM and GRU with one hidden unit against the cell equations worked
 * out here in double precision, gradients of a one-step LSTM by hand, the
 * carried state of variable lengths, and bad input as errors, not crashes.
 * Run under valgrind/ASan to check that the tape releases everything. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "recurrent.h"

static tensor *from(int nd, const int64_t *shape, const float *v)
{
    return tensor_from_data(nd, shape, TENSOR_F32, v);
}

static double sig(double x) { return 1.0 / (1.0 + exp(-x)); }

START_TEST(one_unit_cells_known_values)
{
    /* x: T = 2 steps, B = 1, I = 1: x = 1, then 2 */
    int64_t sx[3] = {2, 1, 1}, s11[2] = {1, 1}, s41[2] = {4, 1}, s31[2] = {3, 1}, s4[1] = {4}, s3[1] = {3};
    float xv[2] = {1.0f, 2.0f};
    tensor *x = from(3, sx, xv);

    /* RNN tanh: h_t = tanh(0.5 x_t + 0.1 - 1.0 h_{t-1}) */
    float wi1[1] = {0.5f}, wh1[1] = {-1.0f};
    int64_t s1[1] = {1};
    float b1[1] = {0.1f};
    tensor *wi = from(2, s11, wi1), *wh = from(2, s11, wh1), *b = from(1, s1, b1);
    tensor *h = tensor_recurrent(TENSOR_RNN_TANH, x, NULL, NULL, wi, wh, b, NULL, NULL);
    ck_assert_ptr_nonnull(h);
    double h1 = tanh(0.6), h2 = tanh(1.0 + 0.1 - h1);
    ck_assert_double_eq_tol(tensor_get_flat(h, 0), h1, 1e-6);
    ck_assert_double_eq_tol(tensor_get_flat(h, 1), h2, 1e-6);
    tensor_free(h);
    tensor_free(wi); tensor_free(wh); tensor_free(b);

    /* LSTM, gates i f g o with w_ih = (0.1, 0.2, 0.3, 0.4), w_hh = (-0.1, 0.5, 0.2, -0.3), b_hh = 0.05 */
    float wil[4] = {0.1f, 0.2f, 0.3f, 0.4f}, whl[4] = {-0.1f, 0.5f, 0.2f, -0.3f}, bl[4] = {0.05f, 0.05f, 0.05f, 0.05f};
    wi = from(2, s41, wil); wh = from(2, s41, whl); b = from(1, s4, bl);
    tensor *z = tensor_recurrent(TENSOR_RNN_LSTM, x, NULL, NULL, wi, wh, NULL, b, NULL);
    ck_assert_ptr_nonnull(z);
    double hp = 0, cp = 0;
    for (int t = 0; t < 2; t++) {
        double pre[4];
        for (int k = 0; k < 4; k++) pre[k] = wil[k] * xv[t] + whl[k] * hp + 0.05;
        double c = sig(pre[1]) * cp + sig(pre[0]) * tanh(pre[2]);
        double hh = sig(pre[3]) * tanh(c);
        ck_assert_double_eq_tol(tensor_get_flat(z, t), hh, 1e-6);     /* [0] hidden states */
        ck_assert_double_eq_tol(tensor_get_flat(z, 2 + t), c, 1e-6);  /* [1] cell states */
        hp = hh; cp = c;
    }
    tensor_free(z);
    tensor_free(wi); tensor_free(wh); tensor_free(b);

    /* GRU, rows r z n: w_ih = (0.3, -0.2, 0.6), w_hh = (0.4, 0.1, -0.5), b_hh = (0, 0, 0.2) */
    float wig[3] = {0.3f, -0.2f, 0.6f}, whg[3] = {0.4f, 0.1f, -0.5f}, bg[3] = {0.0f, 0.0f, 0.2f};
    wi = from(2, s31, wig); wh = from(2, s31, whg); b = from(1, s3, bg);
    h = tensor_recurrent(TENSOR_RNN_GRU, x, NULL, NULL, wi, wh, NULL, b, NULL);
    ck_assert_ptr_nonnull(h);
    hp = 0;
    for (int t = 0; t < 2; t++) {
        double r = sig(wig[0] * xv[t] + whg[0] * hp), u = sig(wig[1] * xv[t] + whg[1] * hp);
        double n = tanh(wig[2] * xv[t] + r * (whg[2] * hp + 0.2));
        double hh = (1 - u) * n + u * hp;
        ck_assert_double_eq_tol(tensor_get_flat(h, t), hh, 1e-6);
        hp = hh;
    }
    tensor_free(h);
    tensor_free(wi); tensor_free(wh); tensor_free(b);
    tensor_free(x);
}
END_TEST

START_TEST(one_step_lstm_gradients_by_hand)
{
    /* T = B = I = H = 1, zero state: c = i g, h = o tanh(c); d h / d w_ih for each gate */
    int64_t sx[3] = {1, 1, 1}, s41[2] = {4, 1}, s11[2] = {1, 1};
    float xv[1] = {0.7f}, wv[4] = {0.2f, -0.4f, 0.9f, 0.3f}, zero[4] = {0, 0, 0, 0};
    tensor *x = from(3, sx, xv), *wi = from(2, s41, wv), *wh = from(2, s41, zero);
    tensor_set_requires_grad(wi, 1);
    tensor_set_requires_grad(x, 1);
    tensor *z = tensor_recurrent(TENSOR_RNN_LSTM, x, NULL, NULL, wi, wh, NULL, NULL, NULL);
    ck_assert_ptr_nonnull(z);
    ck_assert_str_eq(tensor_grad_fn_name(z), "lstm");
    tensor *h = tensor_select(z, 0, 0); /* (1, 1, 1) hidden states */
    tensor *s = tensor_sum(h, 0, 0);
    ck_assert_int_eq(tensor_backward(s, NULL, 0), LLM_OK);
    double X = xv[0], i = sig(wv[0] * X), g = tanh(wv[2] * X), o = sig(wv[3] * X), c = i * g, tc = tanh(c);
    double dc = o * (1 - tc * tc);
    double want[4] = {dc * g * i * (1 - i) * X, 0.0 /* f times c_prev = 0 */, dc * i * (1 - g * g) * X,
                      tc * o * (1 - o) * X};
    for (int k = 0; k < 4; k++) ck_assert_double_eq_tol(tensor_get_flat(wi->grad, k), want[k], 1e-6);
    double dx = 0;
    for (int k = 0; k < 4; k++) dx += want[k] / X * wv[k];
    ck_assert_double_eq_tol(tensor_get_flat(x->grad, 0), dx, 1e-6);
    tensor_free(s); tensor_free(h); tensor_free(z);
    tensor_free(x); tensor_free(wi); tensor_free(wh);
    (void)s11;
}
END_TEST

START_TEST(lengths_carry_the_state)
{
    /* B = 2, T = 3; sequence 2 stops after 1 step: its later rows repeat h_1 */
    int64_t sx[3] = {3, 2, 1}, s11[2] = {1, 1}, sl[1] = {2};
    float xv[6] = {1, -1, 2, 5, 3, 7}, w1[1] = {0.5f}, w2[1] = {0.25f};
    int64_t lens[2] = {3, 1};
    tensor *x = from(3, sx, xv), *wi = from(2, s11, w1), *wh = from(2, s11, w2);
    tensor *len = tensor_from_data(1, sl, TENSOR_I64, lens);
    tensor *h = tensor_recurrent(TENSOR_RNN_TANH, x, NULL, NULL, wi, wh, NULL, NULL, len);
    ck_assert_ptr_nonnull(h);
    double h2 = tanh(-0.5);
    ck_assert_double_eq_tol(tensor_get_flat(h, 1), h2, 1e-6);
    ck_assert_double_eq_tol(tensor_get_flat(h, 3), h2, 1e-6);
    ck_assert_double_eq_tol(tensor_get_flat(h, 5), h2, 1e-6);
    double a = tanh(0.5), b2 = tanh(1.0 + 0.25 * a), c3 = tanh(1.5 + 0.25 * b2);
    ck_assert_double_eq_tol(tensor_get_flat(h, 4), c3, 1e-6);
    tensor_free(h);
    tensor_free(x); tensor_free(wi); tensor_free(wh); tensor_free(len);
}
END_TEST

START_TEST(bad_input_is_an_error_not_a_crash)
{
    int64_t sx[3] = {2, 1, 3}, s2[2] = {2, 3}, sw[2] = {8, 3}, su[2] = {8, 2}, sb[1] = {7}, sl[1] = {1};
    tensor *x = tensor_zeros(3, sx, TENSOR_F32), *x2 = tensor_zeros(2, s2, TENSOR_F32);
    tensor *w = tensor_zeros(2, sw, TENSOR_F32), *u = tensor_zeros(2, su, TENSOR_F32);
    tensor *bad_b = tensor_zeros(1, sb, TENSOR_F32);
    int64_t zero_len[1] = {0};
    tensor *len = tensor_from_data(1, sl, TENSOR_I64, zero_len);
    tensor *xi = tensor_zeros(3, sx, TENSOR_I64);
    ck_assert_ptr_null(tensor_recurrent(TENSOR_RNN_LSTM, x2, NULL, NULL, w, u, NULL, NULL, NULL));
    ck_assert(strstr(llm_last_error(), "time first") != NULL);
    ck_assert_ptr_null(tensor_recurrent(TENSOR_RNN_LSTM, x, NULL, NULL, w, u, bad_b, NULL, NULL));
    ck_assert(strstr(llm_last_error(), "bias_ih") != NULL);
    ck_assert_ptr_null(tensor_recurrent(TENSOR_RNN_LSTM, x, NULL, NULL, w, u, NULL, NULL, len));
    ck_assert(strstr(llm_last_error(), "outside 1..2") != NULL);
    ck_assert_ptr_null(tensor_recurrent(TENSOR_RNN_LSTM, xi, NULL, NULL, w, u, NULL, NULL, NULL));
    ck_assert(strstr(llm_last_error(), "float32") != NULL);
    ck_assert_ptr_null(tensor_recurrent(TENSOR_RNN_GRU, x, NULL, NULL, w, u, NULL, NULL, NULL));
    ck_assert(strstr(llm_last_error(), "weight_ih") != NULL);
    ck_assert_ptr_null(tensor_recurrent((tensor_rnn_mode)9, x, NULL, NULL, w, u, NULL, NULL, NULL));
    tensor_free(x); tensor_free(x2); tensor_free(w); tensor_free(u); tensor_free(bad_b);
    tensor_free(len); tensor_free(xi);
}
END_TEST

static Suite *recurrent_suite(void)
{
    Suite *s = suite_create("recurrent");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, one_unit_cells_known_values);
    tcase_add_test(tc, one_step_lstm_gradients_by_hand);
    tcase_add_test(tc, lengths_carry_the_state);
    tcase_add_test(tc, bad_input_is_an_error_not_a_crash);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(recurrent_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
