/*
 * attention.c: fused scaled dot-product attention, forward and backward.
 *
 * Flash-attention style on the CPU: for each (batch, head) slice, queries
 * go in blocks of BQ rows against keys in blocks of BK; each score block
 * S = Q K^T * scale comes from one small cblas_sgemm, and an online softmax
 * (running max m and sum l per row) rescales the output as blocks arrive.
 * Only the per-row log-sum-exp (BH, T) is kept for the backward pass, which
 * rebuilds each probability block P = exp(S - lse) and never holds a whole
 * T x T matrix. Causal attention skips the blocks above the diagonal.
 * Slices run in parallel (OpenMP); the small GEMMs inside run on one thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "nn.h"
#include "vmath.h"
#include "tensor.h"

#define BQ 64
#define BK 256

/* S (nq, nk) = scale * Q (nq, D) K^T; masked entries -> -inf. lq, lk: row strides. */
static void scores(float *S, const float *q, int64_t lq, const float *k, int64_t lk, const float *mask, int64_t T,
                   int64_t D, int64_t i0, int64_t nq, int64_t j0, int64_t nk, float scale, int causal)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)nk, (int)D, scale, q + i0 * lq, (int)lq,
                k + j0 * lk, (int)lk, 0.0f, S, (int)nk);
    if (causal && j0 + nk - 1 > i0) {
        for (int64_t a = 0; a < nq; a++) /* keys j0+b > i0+a are in the future */
            for (int64_t b = i0 + a - j0 + 1 > 0 ? i0 + a - j0 + 1 : 0; b < nk; b++) S[a * nk + b] = -INFINITY;
    }
    if (mask) {
        for (int64_t a = 0; a < nq; a++)
            for (int64_t b = 0; b < nk; b++)
                if (mask[(i0 + a) * T + j0 + b] != 0.0f) S[a * nk + b] = -INFINITY;
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
        int ok = S && m && l;
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
            for (int64_t i0 = 0; i0 < T; i0 += BQ) {
                int64_t nq = T - i0 < BQ ? T - i0 : BQ;
                float *o = ob + i0 * so;
                for (int64_t a = 0; a < nq; a++) memset(o + a * so, 0, sizeof(float) * (size_t)D);
                for (int64_t a = 0; a < nq; a++) { m[a] = -INFINITY; l[a] = 0.0f; }
                int64_t jend = causal ? i0 + nq : T;
                for (int64_t j0 = 0; j0 < jend; j0 += BK) {
                    int64_t nk = jend - j0 < BK ? jend - j0 : BK;
                    scores(S, qb, sq, kb, sk, mask, T, D, i0, nq, j0, nk, scale, causal);
                    for (int64_t a = 0; a < nq; a++) {
                        float *s = S + a * nk;
                        float mx = vm_max(s, nk);
                        mx = mx > m[a] ? mx : m[a];
                        if (mx == -INFINITY) { for (int64_t b = 0; b < nk; b++) s[b] = 0.0f; continue; }
                        float corr = m[a] == -INFINITY ? 0.0f : expf(m[a] - mx);
                        float sum = vm_exp_sub(s, s, nk, mx);
                        l[a] = l[a] * corr + sum;
                        m[a] = mx;
                        if (corr != 1.0f) {
                            float *oa = o + a * so;
                            vm_scale(oa, D, corr);
                        }
                    }
                    // o (nq, D) += P (nq, nk) V (nk, D)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nq, (int)D, (int)nk, 1.0f, S, (int)nk,
                                vb + j0 * sv, (int)sv, 1.0f, o, (int)so);
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
        int ok = P && dP && Di;
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
            for (int64_t i0 = 0; i0 < T; i0 += BQ) {
                int64_t nq = T - i0 < BQ ? T - i0 : BQ;
                int64_t jend = causal ? i0 + nq : T;
                for (int64_t j0 = 0; j0 < jend; j0 += BK) {
                    int64_t nk = jend - j0 < BK ? jend - j0 : BK;
                    scores(P, qb, sq, kb, sk, mask, T, D, i0, nq, j0, nk, scale, causal);
                    for (int64_t a = 0; a < nq; a++) vm_exp_sub(P + a * nk, P + a * nk, nk, lb[i0 + a]);
                    // dV (nk, D) += P^T (nk, nq) dO (nq, D)
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)nk, (int)D, (int)nq, 1.0f, P, (int)nk,
                                gb + i0 * sg, (int)sg, 1.0f, dvb + j0 * sdv, (int)sdv);
                    // dP (nq, nk) = dO (nq, D) V^T
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)nk, (int)D, 1.0f, gb + i0 * sg,
                                (int)sg, vb + j0 * sv, (int)sv, 0.0f, dP, (int)nk);
                    // dS = P * (dP - D_i)
                    for (int64_t a = 0; a < nq; a++) vm_mul_sub(dP + a * nk, P + a * nk, nk, Di[i0 + a]);
                    // dQ (nq, D) += scale dS K ; dK (nk, D) += scale dS^T Q
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nq, (int)D, (int)nk, scale, dP, (int)nk,
                                kb + j0 * sk, (int)sk, 1.0f, dqb + i0 * sdq, (int)sdq);
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)nk, (int)D, (int)nq, scale, dP, (int)nk,
                                qb + i0 * sq, (int)sq, 1.0f, dkb + j0 * sdk, (int)sdk);
                }
            }
        }
        free(P);
        free(dP);
        free(Di);
    }
    tensor_blas_leave(prev_blas);
    return failed ? -1 : 0;
}
