/* test_tensor.c: the tensor engine's C API without Lua: storage sharing and
 * refcounts, view strides, broadcasting, BLAS products with transposed
 * operands, reductions, autograd (with its three errors) and the fused
 * kernels against hand-computed values. Run under valgrind/ASan to check
 * that every reference is released. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tensor.h"
#include "nn.h"

static tensor *from(int nd, const int64_t *shape, const float *v)
{
    return tensor_from_data(nd, shape, TENSOR_F32, v);
}

static void expect_values(const tensor *t, const double *want, int64_t n, double tol)
{
    ck_assert_int_eq(tensor_numel(t), n);
    for (int64_t i = 0; i < n; i++) ck_assert_double_eq_tol(tensor_get_flat(t, i), want[i], tol);
}

START_TEST(views_share_storage)
{
    int64_t s[2] = {2, 3};
    float v[6] = {0, 1, 2, 3, 4, 5};
    tensor *a = from(2, s, v);
    tensor *t = tensor_transpose(a, 0, 1);
    ck_assert_ptr_eq(t->storage, a->storage);
    ck_assert_int_eq(t->stride[0], 1);
    ck_assert_int_eq(t->stride[1], 3);
    ck_assert(!tensor_is_contiguous(t));
    double want[6] = {0, 3, 1, 4, 2, 5};
    expect_values(t, want, 6, 1e-9);
    tensor *c = tensor_contiguous(t);
    ck_assert(tensor_is_contiguous(c));
    ck_assert_ptr_ne(c->storage, a->storage);
    ck_assert_ptr_null(tensor_view(t, 1, (int64_t[]){6}));
    ck_assert(strstr(llm_last_error(), "cannot view a non-contiguous tensor") != NULL);
    tensor *sl = tensor_slice(a, 1, 0, 3, 2); /* columns 0 and 2 */
    double want2[4] = {0, 2, 3, 5};
    expect_values(sl, want2, 4, 1e-9);
    tensor *sel = tensor_select(a, 0, -1);
    double want3[3] = {3, 4, 5};
    expect_values(sel, want3, 3, 1e-9);
    tensor_free(sel);
    tensor_free(sl);
    tensor_free(c);
    tensor_free(t);
    ck_assert_int_eq(a->storage->refcount, 1);
    tensor_free(a);
}
END_TEST

START_TEST(broadcasting_ops)
{
    float av[6] = {1, 2, 3, 4, 5, 6}, bv[3] = {10, 20, 30};
    tensor *a = from(2, (int64_t[]){2, 3}, av), *b = from(1, (int64_t[]){3}, bv);
    tensor *c = tensor_add(a, b);
    double want[6] = {11, 22, 33, 14, 25, 36};
    expect_values(c, want, 6, 1e-9);
    tensor *bad = from(1, (int64_t[]){2}, bv);
    ck_assert_ptr_null(tensor_mul(a, bad));
    ck_assert_str_eq(llm_last_error(), "mul: shapes {2,3} and {2} do not broadcast");
    tensor *s = tensor_sum(a, 1u << 0, 0);
    double want2[3] = {5, 7, 9};
    expect_values(s, want2, 3, 1e-6);
    tensor *m = tensor_mean(a, 0, 0);
    expect_values(m, (double[]){3.5}, 1, 1e-6);
    tensor_free(m);
    tensor_free(s);
    tensor_free(bad);
    tensor_free(c);
    tensor_free(a);
    tensor_free(b);
}
END_TEST

START_TEST(matmul_transposed_operands)
{
    float av[6] = {1, 2, 3, 4, 5, 6}; /* (2,3) */
    float bv[6] = {1, 0, 0, 1, 1, 1}; /* (3,2) */
    tensor *a = from(2, (int64_t[]){2, 3}, av), *b = from(2, (int64_t[]){3, 2}, bv);
    tensor *c = tensor_matmul(a, b);
    double want[4] = {4, 5, 10, 11};
    expect_values(c, want, 4, 1e-6);
    /* (a^T)^T b through the transpose flag: same answer */
    tensor *at = tensor_transpose(a, 0, 1), *att = tensor_transpose(at, 0, 1);
    tensor *c2 = tensor_matmul(att, b);
    expect_values(c2, want, 4, 1e-6);
    tensor *d = tensor_matmul(at, a); /* (3,2) @ (2,3) */
    ck_assert_int_eq(d->shape[0], 3);
    ck_assert_double_eq_tol(tensor_get_flat(d, 0), 17, 1e-6);
    ck_assert_ptr_null(tensor_matmul(a, a));
    ck_assert_str_eq(llm_last_error(), "matmul: shapes {2,3} and {2,3} do not fit");
    tensor_free(d);
    tensor_free(c2);
    tensor_free(att);
    tensor_free(at);
    tensor_free(c);
    tensor_free(a);
    tensor_free(b);
}
END_TEST

START_TEST(autograd_and_its_errors)
{
    float xv[3] = {1, 2, 3};
    tensor *x = from(1, (int64_t[]){3}, xv);
    ck_assert_int_eq(tensor_set_requires_grad(x, 1), LLM_OK);
    tensor *y = tensor_mul(x, x);
    ck_assert_int_eq(tensor_backward(y, NULL, 0), LLM_ERR_SHAPE);
    ck_assert(strstr(llm_last_error(), "is not a scalar") != NULL);
    tensor *l = tensor_sum(y, 0, 0);
    ck_assert_int_eq(tensor_backward(l, NULL, 0), LLM_OK);
    double want[3] = {2, 4, 6};
    expect_values(x->grad, want, 3, 1e-6);
    ck_assert_int_eq(tensor_backward(l, NULL, 0), LLM_ERR_STATE);
    ck_assert(strstr(llm_last_error(), "already freed") != NULL);
    tensor_zero_grad(x);
    /* in-place change of a saved tensor */
    tensor *h = tensor_mul_scalar(x, 2.0);
    tensor *z = tensor_mul(h, h);
    tensor *zl = tensor_sum(z, 0, 0);
    tensor_set_grad_enabled(0);
    ck_assert_int_eq(tensor_add_(h, h, 1.0), LLM_OK);
    tensor_set_grad_enabled(1);
    ck_assert_int_eq(tensor_backward(zl, NULL, 0), LLM_ERR_STATE);
    ck_assert(strstr(llm_last_error(), "modified in place") != NULL);
    ck_assert_int_eq(tensor_add_(x, x, 1.0), LLM_ERR_STATE);
    tensor_free(zl);
    tensor_free(z);
    tensor_free(h);
    tensor_free(l);
    tensor_free(y);
    tensor_free(x);
}
END_TEST

START_TEST(fused_kernels_known_values)
{
    /* softmax of {1,2,3} */
    float x[3] = {1, 2, 3}, y[3];
    nn_softmax_forward(y, x, 1, 3);
    double e1 = exp(1), e2 = exp(2), e3 = exp(3), s = e1 + e2 + e3;
    ck_assert_double_eq_tol(y[0], e1 / s, 1e-6);
    ck_assert_double_eq_tol(y[2], e3 / s, 1e-6);
    /* layer norm of {1,2,3}: mean 2, var 2/3 */
    float out[3], mean, rstd;
    nn_layernorm_forward(out, &mean, &rstd, x, NULL, NULL, 1, 3, 0.0f);
    ck_assert_double_eq_tol(mean, 2, 1e-6);
    ck_assert_double_eq_tol(out[0], -1 / sqrt(2.0 / 3.0), 1e-5);
    /* cross entropy of logits {1,2,3} against class 2 */
    float loss, lse;
    int64_t t = 2;
    ck_assert_int_eq(nn_crossentropy_forward(&loss, &lse, x, &t, 1, 3, -100, 0.0f), 1);
    ck_assert_double_eq_tol(loss, log(s) - 3, 1e-5);
    /* attention with one key: the output is that key's value */
    float q[2] = {1, 0}, k[2] = {0.5f, 0.5f}, v[2] = {7, -7}, o[2], l;
    nn_attn_layout lay = {2, 2, 2};
    ck_assert_int_eq(nn_attention_forward(o, &l, q, k, v, NULL, 1, 1, 1, 2, &lay, &lay, &lay, &lay, 1.0f, 1), 0);
    ck_assert_double_eq_tol(o[0], 7, 1e-6);
    ck_assert_double_eq_tol(o[1], -7, 1e-6);
}
END_TEST

START_TEST(bad_input_is_an_error_not_a_crash)
{
    int64_t big[2] = {INT64_MAX / 4, 8};
    ck_assert_ptr_null(tensor_empty(2, big, TENSOR_F32));
    int64_t neg[1] = {-3};
    ck_assert_ptr_null(tensor_zeros(1, neg, TENSOR_F32));
    float wv[6] = {0};
    tensor *w = from(2, (int64_t[]){3, 2}, wv);
    int64_t idv[2] = {1, 3};
    tensor *ids = tensor_from_data(1, (int64_t[]){2}, TENSOR_I64, idv);
    ck_assert_ptr_null(tensor_embedding(w, ids));
    ck_assert_str_eq(llm_last_error(), "embedding: index 3 is out of range 0..2");
    ck_assert_ptr_null(tensor_cross_entropy(w, ids, -100, 0.0, TENSOR_REDUCE_MEAN));
    ck_assert_ptr_null(tensor_reshape(w, 2, (int64_t[]){4, -1}));
    ck_assert_ptr_null(tensor_permute(w, (int[]){0, 0}));
    ck_assert_ptr_null(tensor_narrow(w, 0, 2, 5));
    ck_assert_ptr_null(tensor_select(w, 5, 0));
    ck_assert(strstr(llm_last_error(), "dim 6 is out of range") != NULL); /* messages count from 1 */
    tensor_free(ids);
    tensor_free(w);
}
END_TEST

static Suite *tensor_suite(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, views_share_storage);
    tcase_add_test(tc, broadcasting_ops);
    tcase_add_test(tc, matmul_transposed_operands);
    tcase_add_test(tc, autograd_and_its_errors);
    tcase_add_test(tc, fused_kernels_known_values);
    tcase_add_test(tc, bad_input_is_an_error_not_a_crash);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tensor_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
