/*
 * recurrent.c: the fused recurrent kernels of recurrent.h (RNN, LSTM, GRU),
 * forward and backward over a whole sequence, on contiguous float32
 * buffers in time-major layout.
 *
 * Forward: the input projection of every step, X (T*B, In) W_ih^T, is one
 * large GEMM up front; each step then adds h_{t-1} W_hh^T (one (B, H) x
 * (H, G*H) GEMM) and applies the gate nonlinearities row by row (vmath's
 * vectorised sigmoid/tanh). The activated gates are kept in a workspace.
 * Backward (backprop through time): walking t = T-1 .. 0, each step turns
 * the incoming dh (and dc) into the pre-activation gate gradients dG_t,
 * kept for all steps, and passes dh_{t-1} = dG_t W_hh back. The weight
 * gradients then come from three large GEMMs over all steps at once:
 * dW_ih += dG^T X, dW_hh += dG^T H_prev, dX = dG W_ih.
 * The per-step GEMMs are small and sequential by nature; the large ones
 * are what a multi-threaded BLAS would split.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "recurrent.h"
#include "vmath.h"

int tensor_rnn_gates(tensor_rnn_mode mode)
{
    return mode == TENSOR_RNN_LSTM ? 4 : mode == TENSOR_RNN_GRU ? 3 : 1;
}

const char *tensor_rnn_mode_name(tensor_rnn_mode mode)
{
    static const char *const names[TENSOR_RNN_MODE_COUNT] = {"rnn_tanh", "rnn_relu", "lstm", "gru"};
    return (unsigned)mode < TENSOR_RNN_MODE_COUNT ? names[mode] : "?";
}

/* C (M, N) = op(A) op(B) + beta C, row-major. With more than one thread the
 * product is split into blocks of rows (tall products: the input
 * projections over all steps) or of columns (the short per-step products,
 * B rows by G*H columns), one single-threaded BLAS call per block: the
 * engine runs BLAS on one thread and parallelises with OpenMP itself. */
static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t M, int64_t N, int64_t K, const float *A,
                 int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc)
{
    if (M == 0 || N == 0) return;
    int nth = 1;
#ifdef _OPENMP
    if ((double)M * (double)N * (double)K >= 4e6) nth = omp_get_max_threads();
#endif
    int64_t rows = M >= 64 * (int64_t)nth ? (M + nth - 1) / nth : 0;          /* split rows ... */
    int64_t cols = rows ? 0 : ((N + nth - 1) / nth + 15) / 16 * 16;          /* ... or columns */
    if (nth <= 1 || (!rows && cols >= N)) {
        cblas_sgemm(CblasRowMajor, ta, tb, (int)M, (int)N, (int)K, 1.0f, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
        return;
    }
#pragma omp parallel for num_threads(nth) schedule(static)
    for (int i = 0; i < nth; i++) {
        if (rows) {
            int64_t m0 = i * rows, m = M - m0 < rows ? M - m0 : rows;
            if (m <= 0) continue;
            const float *a = ta == CblasNoTrans ? A + m0 * lda : A + m0;
            cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)N, (int)K, 1.0f, a, (int)lda, B, (int)ldb, beta,
                        C + m0 * ldc, (int)ldc);
        } else {
            int64_t n0 = i * cols, n = N - n0 < cols ? N - n0 : cols;
            if (n <= 0) continue;
            const float *b = tb == CblasNoTrans ? B + n0 : B + n0 * ldb;
            cblas_sgemm(CblasRowMajor, ta, tb, (int)M, (int)n, (int)K, 1.0f, A, (int)lda, b, (int)ldb, beta, C + n0,
                        (int)ldc);
        }
    }
}

/* C (M, N) = A (M, K) B^T (N, K) + beta C, leading dims given. */
static void gemm_nt(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *B, int64_t ldb,
                    float beta, float *C, int64_t ldc)
{
    gemm(CblasNoTrans, CblasTrans, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

/* C (M, N) = A (M, K) B (K, N) + beta C */
static void gemm_nn(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *B, int64_t ldb,
                    float beta, float *C, int64_t ldc)
{
    gemm(CblasNoTrans, CblasNoTrans, M, N, K, A, lda, B, ldb, beta, C, ldc);
}

/* C (M, N) += A^T B where A (K, M), B (K, N) */
static void gemm_tn_acc(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *B, int64_t ldb,
                        float *C, int64_t ldc)
{
    if (K == 0) return;
    gemm(CblasTrans, CblasNoTrans, M, N, K, A, lda, B, ldb, 1.0f, C, ldc);
}

static int valid(const int64_t *len, int64_t t, int64_t b) { return !len || t < len[b]; }

static int forward_impl(tensor_rnn_mode mode, const rnn_dims *d, float *out, float *ws, const float *x,
                        const float *h0, const float *c0, const float *w_ih, const float *w_hh_rows,
                        const float *b_ih, const float *b_hh, const int64_t *len)
{
    const int64_t T = d->T, B = d->B, In = d->In, H = d->H, G = tensor_rnn_gates(mode);
    const int64_t GH = G * H, BH = B * H;
    // w_hh (H, GH): W_hh transposed once, so each step's product h W_hh^T reads an
    // untransposed operand (BLAS packs that faster, and it packs it every step)
    float *w_hh = malloc(sizeof(float) * (size_t)(GH * H));
    if (!w_hh) return -1;
    for (int64_t j = 0; j < GH; j++)
        for (int64_t k = 0; k < H; k++) w_hh[k * GH + j] = w_hh_rows[j * H + k];
    if (mode == TENSOR_RNN_LSTM) {
        // out (2, T, B, H): hs then cs; ws (T, B, 4H) pre-activations, then activated gates i f g o
        float *hs = out, *cs = out + T * BH;
        for (int64_t r = 0; r < T * B; r++) {
            float *g = ws + r * GH;
            for (int64_t j = 0; j < GH; j++) g[j] = (b_ih ? b_ih[j] : 0.0f) + (b_hh ? b_hh[j] : 0.0f);
        }
        gemm_nt(T * B, GH, In, x, In, w_ih, In, 1.0f, ws, GH);
        for (int64_t t = 0; t < T; t++) {
            const float *hp = t ? hs + (t - 1) * BH : h0, *cp = t ? cs + (t - 1) * BH : c0;
            float *gt = ws + t * B * GH, *ht = hs + t * BH, *ct = cs + t * BH;
            if (hp) gemm_nn(B, GH, H, hp, H, w_hh, GH, 1.0f, gt, GH);
            for (int64_t b = 0; b < B; b++) {
                float *g = gt + b * GH, *h = ht + b * H, *c = ct + b * H;
                const float *cpb = cp ? cp + b * H : NULL;
                if (!valid(len, t, b)) { /* carry the state past the sequence's end */
                    if (hp) memcpy(h, hp + b * H, sizeof(float) * (size_t)H); else memset(h, 0, sizeof(float) * (size_t)H);
                    if (cpb) memcpy(c, cpb, sizeof(float) * (size_t)H); else memset(c, 0, sizeof(float) * (size_t)H);
                    continue;
                }
                vm_unary(VM_SIGMOID, g, g, 2 * H);         /* i, f */
                vm_unary(VM_TANH, g + 2 * H, g + 2 * H, H); /* g */
                vm_unary(VM_SIGMOID, g + 3 * H, g + 3 * H, H); /* o */
                const float *gi = g, *gf = g + H, *gg = g + 2 * H;
                for (int64_t j = 0; j < H; j++) c[j] = gf[j] * (cpb ? cpb[j] : 0.0f) + gi[j] * gg[j];
                vm_unary(VM_TANH, h, c, H);
                const float *go = g + 3 * H;
                for (int64_t j = 0; j < H; j++) h[j] *= go[j];
            }
        }
    } else if (mode == TENSOR_RNN_GRU) {
        // out (T, B, H); ws (T, B, 4H): r z n hn; gi (input part) built in ws first
        float *gh = malloc(sizeof(float) * (size_t)(B * GH + 1)); // (B, 3H) the hidden-side pre-activations
        if (!gh) { free(w_hh); return -1; }
        for (int64_t r = 0; r < T * B; r++) {
            float *g = ws + r * 4 * H;
            for (int64_t j = 0; j < GH; j++) g[j] = b_ih ? b_ih[j] : 0.0f;
        }
        gemm_nt(T * B, GH, In, x, In, w_ih, In, 1.0f, ws, 4 * H);
        for (int64_t t = 0; t < T; t++) {
            const float *hp = t ? out + (t - 1) * BH : h0;
            float *wt = ws + t * B * 4 * H, *ht = out + t * BH;
            // gh (B, 3H) = h_{t-1} W_hh^T + b_hh
            for (int64_t b = 0; b < B; b++)
                for (int64_t j = 0; j < GH; j++) gh[b * GH + j] = b_hh ? b_hh[j] : 0.0f;
            if (hp) gemm_nn(B, GH, H, hp, H, w_hh, GH, 1.0f, gh, GH);
            for (int64_t b = 0; b < B; b++) {
                float *w = wt + b * 4 * H, *h = ht + b * H;
                const float *hpb = hp ? hp + b * H : NULL;
                if (!valid(len, t, b)) {
                    if (hpb) memcpy(h, hpb, sizeof(float) * (size_t)H); else memset(h, 0, sizeof(float) * (size_t)H);
                    continue;
                }
                const float *g2 = gh + b * GH;
                float *r = w, *z = w + H, *n = w + 2 * H, *hn = w + 3 * H;
                for (int64_t j = 0; j < 2 * H; j++) r[j] += g2[j]; /* r and z pre-activations */
                vm_unary(VM_SIGMOID, r, r, 2 * H);
                for (int64_t j = 0; j < H; j++) {
                    hn[j] = g2[2 * H + j];
                    n[j] += r[j] * hn[j];
                }
                vm_unary(VM_TANH, n, n, H);
                for (int64_t j = 0; j < H; j++) h[j] = (1.0f - z[j]) * n[j] + z[j] * (hpb ? hpb[j] : 0.0f);
            }
        }
        free(gh);
    } else {
        // out (T, B, H): pre-activations, then the states in place
        for (int64_t r = 0; r < T * B; r++) {
            float *o = out + r * H;
            for (int64_t j = 0; j < H; j++) o[j] = (b_ih ? b_ih[j] : 0.0f) + (b_hh ? b_hh[j] : 0.0f);
        }
        gemm_nt(T * B, H, In, x, In, w_ih, In, 1.0f, out, H);
        for (int64_t t = 0; t < T; t++) {
            const float *hp = t ? out + (t - 1) * BH : h0;
            float *ht = out + t * BH;
            if (hp) gemm_nn(B, H, H, hp, H, w_hh, H, 1.0f, ht, H);
            for (int64_t b = 0; b < B; b++) {
                float *h = ht + b * H;
                if (!valid(len, t, b)) {
                    if (hp) memcpy(h, hp + b * H, sizeof(float) * (size_t)H); else memset(h, 0, sizeof(float) * (size_t)H);
                    continue;
                }
                if (mode == TENSOR_RNN_TANH) vm_unary(VM_TANH, h, h, H);
                else for (int64_t j = 0; j < H; j++) h[j] = h[j] > 0.0f ? h[j] : 0.0f;
            }
        }
    }
    free(w_hh);
    return 0;
}

/* column sums of A (M, N) added into s1 and s2 (N each; either may be NULL):
 * one GEMV against a vector of ones */
static int colsum_acc(float *s1, float *s2, const float *A, int64_t M, int64_t N, int64_t lda)
{
    if (M == 0 || N == 0 || (!s1 && !s2)) return 0;
    float *ones = malloc(sizeof(float) * (size_t)M), *sum = calloc((size_t)N, sizeof(float));
    if (!ones || !sum) { free(ones); free(sum); return -1; }
    for (int64_t r = 0; r < M; r++) ones[r] = 1.0f;
    cblas_sgemv(CblasRowMajor, CblasTrans, (int)M, (int)N, 1.0f, A, (int)lda, ones, 1, 0.0f, sum, 1);
    if (s1) vm_axpy(s1, sum, N, 1.0f);
    if (s2) vm_axpy(s2, sum, N, 1.0f);
    free(ones);
    free(sum);
    return 0;
}

static int backward_impl(tensor_rnn_mode mode, const rnn_dims *d, float *dx, float *dh0, float *dc0,
                         float *dw_ih, float *dw_hh, float *db_ih, float *db_hh, const float *dout, const float *out,
                         const float *ws, const float *x, const float *h0, const float *c0, const float *w_ih,
                         const float *w_hh, const int64_t *len)
{
    const int64_t T = d->T, B = d->B, In = d->In, H = d->H, G = tensor_rnn_gates(mode);
    const int64_t GH = G * H, BH = B * H;
    const int lstm = mode == TENSOR_RNN_LSTM, gru = mode == TENSOR_RNN_GRU;
    // dgi (T, B, GH): gradient of the input-side pre-activations; dgh: of the hidden side (GRU only differs)
    float *dgi = malloc(sizeof(float) * (size_t)(T * B * GH + 1));
    float *dgh = gru ? malloc(sizeof(float) * (size_t)(T * B * GH + 1)) : dgi;
    float *dh = calloc((size_t)(BH + 1), sizeof(float)), *dhn = malloc(sizeof(float) * (size_t)(BH + 1));
    float *dc = lstm ? calloc((size_t)(BH + 1), sizeof(float)) : NULL;
    float *tc = lstm ? malloc(sizeof(float) * (size_t)(H + 1)) : NULL;
    int ok = dgi && dgh && dh && dhn && (!lstm || (dc && tc));
    if (!ok) {
        free(dgi);
        if (gru) free(dgh);
        free(dh);
        free(dhn);
        free(dc);
        free(tc);
        return -1;
    }
    const float *hs = out, *cs = lstm ? out + T * BH : NULL;
    const float *dhs = dout, *dcs = lstm ? dout + T * BH : NULL;
    for (int64_t t = T - 1; t >= 0; t--) {
        const float *hp = t ? hs + (t - 1) * BH : h0;
        const float *ht = hs + t * BH;
        vm_axpy(dh, dhs + t * BH, BH, 1.0f);
        if (lstm) vm_axpy(dc, dcs + t * BH, BH, 1.0f);
        float *gi_t = dgi + t * B * GH, *gh_t = dgh + t * B * GH;
        for (int64_t b = 0; b < B; b++) {
            float *dgb = gi_t + b * GH, *dghb = gh_t + b * GH, *dhb = dh + b * H;
            if (!valid(len, t, b)) { /* carried step: the gradient passes through unchanged */
                memset(dgb, 0, sizeof(float) * (size_t)GH);
                if (gru) memset(dghb, 0, sizeof(float) * (size_t)GH);
                continue;
            }
            if (lstm) {
                const float *g = ws + (t * B + b) * GH, *c = cs + t * BH + b * H;
                const float *cpb = t ? cs + (t - 1) * BH + b * H : (c0 ? c0 + b * H : NULL);
                const float *gi = g, *gf = g + H, *gg = g + 2 * H, *go = g + 3 * H;
                float *dcb = dc + b * H;
                vm_unary(VM_TANH, tc, c, H);
                for (int64_t j = 0; j < H; j++) {
                    float dho = dhb[j];
                    float dcj = dcb[j] + dho * go[j] * (1.0f - tc[j] * tc[j]);
                    float cp = cpb ? cpb[j] : 0.0f;
                    dgb[j] = dcj * gg[j] * gi[j] * (1.0f - gi[j]);             /* i */
                    dgb[H + j] = dcj * cp * gf[j] * (1.0f - gf[j]);            /* f */
                    dgb[2 * H + j] = dcj * gi[j] * (1.0f - gg[j] * gg[j]);     /* g */
                    dgb[3 * H + j] = dho * tc[j] * go[j] * (1.0f - go[j]);     /* o */
                    dcb[j] = dcj * gf[j];
                }
            } else if (gru) {
                const float *w = ws + (t * B + b) * 4 * H;
                const float *r = w, *z = w + H, *n = w + 2 * H, *hn = w + 3 * H;
                const float *hpb = hp ? hp + b * H : NULL;
                for (int64_t j = 0; j < H; j++) {
                    float g = dhb[j], hprev = hpb ? hpb[j] : 0.0f;
                    float dnp = g * (1.0f - z[j]) * (1.0f - n[j] * n[j]);
                    float dzp = g * (hprev - n[j]) * z[j] * (1.0f - z[j]);
                    float drp = dnp * hn[j] * r[j] * (1.0f - r[j]);
                    dgb[j] = drp;
                    dgb[H + j] = dzp;
                    dgb[2 * H + j] = dnp;
                    dghb[j] = drp;
                    dghb[H + j] = dzp;
                    dghb[2 * H + j] = dnp * r[j];
                }
            } else {
                const float *h = ht + b * H;
                if (mode == TENSOR_RNN_TANH)
                    for (int64_t j = 0; j < H; j++) dgb[j] = dhb[j] * (1.0f - h[j] * h[j]);
                else
                    for (int64_t j = 0; j < H; j++) dgb[j] = h[j] > 0.0f ? dhb[j] : 0.0f;
            }
        }
        // dh_{t-1} = dGh_t W_hh (+ dh z for the GRU); carried rows keep dh
        gemm_nn(B, H, GH, gh_t, GH, w_hh, H, 0.0f, dhn, H);
        for (int64_t b = 0; b < B; b++) {
            if (!valid(len, t, b)) continue;
            float *dhb = dh + b * H, *src = dhn + b * H;
            if (gru) {
                const float *z = ws + (t * B + b) * 4 * H + H;
                for (int64_t j = 0; j < H; j++) dhb[j] = dhb[j] * z[j] + src[j];
            } else {
                memcpy(dhb, src, sizeof(float) * (size_t)H);
            }
        }
    }
    if (dh0) memcpy(dh0, dh, sizeof(float) * (size_t)BH);
    if (dc0 && lstm) memcpy(dc0, dc, sizeof(float) * (size_t)BH);
    // weight gradients over all steps at once
    if (dw_ih) gemm_tn_acc(GH, In, T * B, dgi, GH, x, In, dw_ih, In);
    if (dw_hh) {
        if (T > 1) gemm_tn_acc(GH, H, (T - 1) * B, dgh + B * GH, GH, hs, H, dw_hh, H);
        if (h0) gemm_tn_acc(GH, H, B, dgh, GH, h0, H, dw_hh, H);
    }
    int failed = 0;
    if (dgh == dgi) { /* both biases see the same gradient */
        failed |= colsum_acc(db_ih, db_hh, dgi, T * B, GH, GH);
    } else {
        failed |= colsum_acc(db_ih, NULL, dgi, T * B, GH, GH);
        failed |= colsum_acc(db_hh, NULL, dgh, T * B, GH, GH);
    }
    if (dx) gemm_nn(T * B, In, GH, dgi, GH, w_ih, In, 0.0f, dx, In);
    free(dgi);
    if (gru) free(dgh);
    free(dh);
    free(dhn);
    free(dc);
    free(tc);
    return failed ? -1 : 0;
}

/* The public entry points: BLAS on one thread while the kernel runs (it
 * splits its products over OpenMP itself), the caller's setting restored. */
int rnn_forward(tensor_rnn_mode mode, const rnn_dims *d, float *out, float *ws, const float *x, const float *h0,
                const float *c0, const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                const int64_t *len)
{
    int prev = tensor_blas_enter();
    int rc = forward_impl(mode, d, out, ws, x, h0, c0, w_ih, w_hh, b_ih, b_hh, len);
    tensor_blas_leave(prev);
    return rc;
}

int rnn_backward(tensor_rnn_mode mode, const rnn_dims *d, float *dx, float *dh0, float *dc0, float *dw_ih,
                 float *dw_hh, float *db_ih, float *db_hh, const float *dout, const float *out, const float *ws,
                 const float *x, const float *h0, const float *c0, const float *w_ih, const float *w_hh,
                 const int64_t *len)
{
    int prev = tensor_blas_enter();
    int rc = backward_impl(mode, d, dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh, dout, out, ws, x, h0, c0, w_ih, w_hh,
                           len);
    tensor_blas_leave(prev);
    return rc;
}
