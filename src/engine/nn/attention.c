/*
 * attention.c: fused scaled dot-product attention, forward and backward.
 *
 * Flash-attention style on the CPU: for each (batch, head) slice, queries
 * go in blocks of BQ rows against keys in blocks of BK; each score block
 * S = Q K^T * scale comes from one small product, and an online softmax
 * (running max m and sum l per row) rescales the output as blocks arrive.
 * Only the per-row log-sum-exp (BH, T) is kept for the backward pass, which
 * rebuilds each probability block P = exp(S - lse) and never holds a whole
 * T x T matrix. Causal attention skips the blocks above the diagonal, and
 * inside a diagonal block the small products (smallgemm.c) skip the tiles
 * that lie wholly in the future, so causal attention does about half the
 * work of full attention. K (and V for the backward) of a slice are
 * transposed once into a scratch block so every product reads its right
 * operand row-major. Slices run in parallel (OpenMP).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "nn.h"
#include "vmath.h"
#include "smallgemm.h"
#include "tensor.h"

#define BQ 64
#define BK 256

/* Row stride of the transposed K and V blocks: T padded so that the rows do
 * not all fall into the same few L1 sets when T is a multiple of 256. */
#define LDT(T) ((T) + 16)

/* How many of the nk keys from j0 query row i0 + a sees (all of them unless causal). */
static inline int64_t keys_seen(int causal, int64_t i0, int64_t a, int64_t j0, int64_t nk)
{
    if (!causal) return nk;
    int64_t n = i0 + a - j0 + 1;
    return n < 0 ? 0 : n > nk ? nk : n;
}

/* The exp loops run in vectors of 16: a row's length rounded up to that
 * (within nk), the entries past len set to -inf so they come out 0. */
static inline int64_t pad_row(float *s, int64_t len, int64_t nk)
{
    int64_t n = (len + 15) / 16 * 16;
    if (n > nk) n = nk;
    for (int64_t b = len; b < n; b++) s[b] = -INFINITY;
    return n;
}

/* S (nq, nk) = scale * Q (nq, D) K^T, with kt = K^T (D, T; row stride LDT(T))
 * of the slice; masked entries -> -inf. When causal, the entries past
 * keys_seen() of each row are left undefined: callers read only the keys a
 * row sees. */
static void scores(float *S, const float *q, int64_t lq, const float *kt, const float *mask, int64_t T, int64_t D,
                   int64_t i0, int64_t nq, int64_t j0, int64_t nk, float scale, int causal)
{
    sg_gemm(nq, nk, D, scale, q + i0 * lq, lq, 1, kt + j0, LDT(T), 0, S, nk, causal ? i0 - j0 + 1 : -1, -1);
    if (mask) {
        for (int64_t a = 0; a < nq; a++) {
            int64_t len = keys_seen(causal, i0, a, j0, nk);
            for (int64_t b = 0; b < len; b++)
                if (mask[(i0 + a) * T + j0 + b] != 0.0f) S[a * nk + b] = -INFINITY;
        }
    }
}

#define AT(p, L, bh) ((p) + ((bh) / H) * (L)->sb + ((bh) % H) * (L)->sh)

int nn_attention_forward(float *out, float *lse, const float *q, const float *k, const float *v, const float *mask,
                         int64_t B, int64_t H, int64_t T, int64_t D, const nn_attn_layout *lq,
                         const nn_attn_layout *lk, const nn_attn_layout *lv, const nn_attn_layout *lo, float scale,
                         int causal)
{
    // q, k, v, out (B, H, T, D) with the strides of their layouts; lse (B*H, T); mask (T, T) or NULL
    int64_t BH = B * H;
    int failed = 0;
    int prev_blas = tensor_blas_enter();
#pragma omp parallel
    {
        float *S = malloc(sizeof(float) * BQ * BK);
        float *m = malloc(sizeof(float) * BQ), *l = malloc(sizeof(float) * BQ);
        float *kt = malloc(sizeof(float) * (size_t)(LDT(T) * D));
        int ok = S && m && l && kt;
#pragma omp for schedule(dynamic)
        for (int64_t bh = 0; bh < BH; bh++) {
            if (!ok) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            const float *qb = AT(q, lq, bh), *kb = AT(k, lk, bh), *vb = AT(v, lv, bh);
            float *ob = AT(out, lo, bh), *lb = lse + bh * T;
            const int64_t sq = lq->st, sk = lk->st, sv = lv->st, so = lo->st;
            sg_transpose(kt, LDT(T), kb, T, D, sk);
            for (int64_t i0 = 0; i0 < T; i0 += BQ) {
                int64_t nq = T - i0 < BQ ? T - i0 : BQ;
                float *o = ob + i0 * so;
                for (int64_t a = 0; a < nq; a++) memset(o + a * so, 0, sizeof(float) * (size_t)D);
                for (int64_t a = 0; a < nq; a++) { m[a] = -INFINITY; l[a] = 0.0f; }
                int64_t jend = causal ? i0 + nq : T;
                for (int64_t j0 = 0; j0 < jend; j0 += BK) {
                    int64_t nk = jend - j0 < BK ? jend - j0 : BK;
                    scores(S, qb, sq, kt, mask, T, D, i0, nq, j0, nk, scale, causal);
                    for (int64_t a = 0; a < nq; a++) {
                        float *s = S + a * nk;
                        int64_t len = keys_seen(causal, i0, a, j0, nk);
                        int64_t len16 = pad_row(s, len, nk);
                        if (len16 < nk) memset(s + len16, 0, sizeof(float) * (size_t)(nk - len16));
                        float mx = len > 0 ? vm_max(s, len) : -INFINITY;
                        mx = mx > m[a] ? mx : m[a];
                        if (mx == -INFINITY) { memset(s, 0, sizeof(float) * (size_t)len16); continue; }
                        float corr = m[a] == -INFINITY ? 0.0f : expf(m[a] - mx);
                        float sum = vm_exp_sub(s, s, len16, mx);
                        l[a] = l[a] * corr + sum;
                        m[a] = mx;
                        if (corr != 1.0f) {
                            float *oa = o + a * so;
                            vm_scale(oa, D, corr);
                        }
                    }
                    // o (nq, D) += P (nq, nk) V (nk, D); row a of P is 0 past key a + i0 - j0
                    sg_gemm(nq, D, nk, 1.0f, S, nk, 1, vb + j0 * sv, sv, 1, o, so, -1, causal ? i0 - j0 + 1 : -1);
                }
                for (int64_t a = 0; a < nq; a++) {
                    float *oa = o + a * so;
                    if (l[a] > 0.0f) {
                        float inv = 1.0f / l[a];
                        for (int64_t d = 0; d < D; d++) oa[d] *= inv;
                        lb[i0 + a] = m[a] + logf(l[a]);
                    } else { /* every key masked: output 0, no gradient */
                        for (int64_t d = 0; d < D; d++) oa[d] = 0.0f;
                        lb[i0 + a] = INFINITY;
                    }
                }
            }
        }
        free(S);
        free(m);
        free(l);
        free(kt);
    }
    tensor_blas_leave(prev_blas);
    return failed ? -1 : 0;
}

int nn_attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *q, const float *k,
                          const float *v, const float *out, const float *lse, const float *mask, int64_t B, int64_t H,
                          int64_t T, int64_t D, const nn_attn_layout *lq, const nn_attn_layout *lk,
                          const nn_attn_layout *lv, const nn_attn_layout *lo, const nn_attn_layout *lg,
                          const nn_attn_layout *ldq, const nn_attn_layout *ldk, const nn_attn_layout *ldv, float scale,
                          int causal)
{
    // dq, dk, dv (written), dout, q, k, v, out: (B, H, T, D) in their layouts; lse (B*H, T)
    int64_t BH = B * H;
    int failed = 0;
    int prev_blas = tensor_blas_enter();
#pragma omp parallel
    {
        float *P = malloc(sizeof(float) * BQ * BK), *dP = malloc(sizeof(float) * BQ * BK);
        float *Di = malloc(sizeof(float) * (size_t)T);
        float *kt = malloc(sizeof(float) * (size_t)(LDT(T) * D)), *vt = malloc(sizeof(float) * (size_t)(LDT(T) * D));
        int ok = P && dP && Di && kt && vt;
#pragma omp for schedule(dynamic)
        for (int64_t bh = 0; bh < BH; bh++) {
            if (!ok) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            const float *qb = AT(q, lq, bh), *kb = AT(k, lk, bh), *vb = AT(v, lv, bh);
            const float *ob = AT(out, lo, bh), *gb = AT(dout, lg, bh), *lb = lse + bh * T;
            float *dqb = AT(dq, ldq, bh), *dkb = AT(dk, ldk, bh), *dvb = AT(dv, ldv, bh);
            const int64_t sq = lq->st, sk = lk->st, sv = lv->st, so = lo->st, sg = lg->st;
            const int64_t sdq = ldq->st, sdk = ldk->st, sdv = ldv->st;
            for (int64_t i = 0; i < T; i++) { // D_i = rowsum(dO * O); zero the gradients
                Di[i] = vm_dot(gb + i * sg, ob + i * so, D);
                memset(dqb + i * sdq, 0, sizeof(float) * (size_t)D);
                memset(dkb + i * sdk, 0, sizeof(float) * (size_t)D);
                memset(dvb + i * sdv, 0, sizeof(float) * (size_t)D);
            }
            sg_transpose(kt, LDT(T), kb, T, D, sk);
            sg_transpose(vt, LDT(T), vb, T, D, sv);
            for (int64_t i0 = 0; i0 < T; i0 += BQ) {
                int64_t nq = T - i0 < BQ ? T - i0 : BQ;
                int64_t jend = causal ? i0 + nq : T;
                for (int64_t j0 = 0; j0 < jend; j0 += BK) {
                    int64_t nk = jend - j0 < BK ? jend - j0 : BK;
                    int64_t lim = causal ? i0 - j0 + 1 : -1; /* row a sees the keys b < a + lim */
                    scores(P, qb, sq, kt, mask, T, D, i0, nq, j0, nk, scale, causal);
                    for (int64_t a = 0; a < nq; a++) {
                        int64_t len = keys_seen(causal, i0, a, j0, nk);
                        int64_t len16 = pad_row(P + a * nk, len, nk);
                        vm_exp_sub(P + a * nk, P + a * nk, len16, lb[i0 + a]);
                        if (len16 < nk) memset(P + a * nk + len16, 0, sizeof(float) * (size_t)(nk - len16));
                    }
                    // dV (nk, D) += P^T (nk, nq) dO (nq, D)
                    sg_gemm(nk, D, nq, 1.0f, P, 1, nk, gb + i0 * sg, sg, 1, dvb + j0 * sdv, sdv, -1, -1);
                    // dP (nq, nk) = dO (nq, D) V^T
                    sg_gemm(nq, nk, D, 1.0f, gb + i0 * sg, sg, 1, vt + j0, LDT(T), 0, dP, nk, lim, -1);
                    // dS = P * (dP - D_i) over the keys a row sees; 0 past them
                    for (int64_t a = 0; a < nq; a++) {
                        int64_t len = keys_seen(causal, i0, a, j0, nk);
                        vm_mul_sub(dP + a * nk, P + a * nk, len, Di[i0 + a]);
                        if (len < nk) memset(dP + a * nk + len, 0, sizeof(float) * (size_t)(nk - len));
                    }
                    // dQ (nq, D) += scale dS K ; dK (nk, D) += scale dS^T Q
                    sg_gemm(nq, D, nk, scale, dP, nk, 1, kb + j0 * sk, sk, 1, dqb + i0 * sdq, sdq, -1, lim);
                    sg_gemm(nk, D, nq, scale, dP, 1, nk, qb + i0 * sq, sq, 1, dkb + j0 * sdk, sdk, -1, -1);
                }
            }
        }
        free(P);
        free(dP);
        free(Di);
        free(kt);
        free(vt);
    }
    tensor_blas_leave(prev_blas);
    return failed ? -1 : 0;
}
