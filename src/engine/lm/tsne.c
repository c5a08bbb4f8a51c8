/* tsne.c: exact t-SNE (van der Maaten and Hinton 2008) for looking at a few
 * thousand embedding vectors in 2-D. Affinities P come from Gaussian
 * kernels whose widths are found by bisection to match the perplexity;
 * the map is fitted by gradient descent on KL(P || Q) with a Student-t Q,
 * early exaggeration, momentum and per-coordinate gains. O(N^2) per
 * iteration, so N is capped (exact t-SNE is for small sets). */
#pragma GCC optimize("O3")
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "embed.h"

#define TSNE_MAX_POINTS 5000

/* Row i of P (unnormalised conditional p_{j|i}) with the bandwidth that
 * gives perplexity `perp`; d2 is row i of the squared distances. */
static void calibrate_row(const double *d2, int n, int i, double perp, double *p)
{
    double beta = 1.0, lo = -INFINITY, hi = INFINITY, target = log(perp);
    for (int it = 0; it < 100; it++) {
        double sum = 0, hsum = 0;
        for (int j = 0; j < n; j++) {
            p[j] = j == i ? 0.0 : exp(-d2[j] * beta);
            sum += p[j];
        }
        if (sum <= 0) sum = 1e-300;
        for (int j = 0; j < n; j++) hsum += d2[j] * p[j];
        double h = log(sum) + beta * hsum / sum; /* entropy of the row */
        for (int j = 0; j < n; j++) p[j] /= sum;
        double diff = h - target;
        if (fabs(diff) < 1e-5) break;
        if (diff > 0) { /* too flat: narrow the kernel */
            lo = beta;
            beta = isinf(hi) ? beta * 2 : (beta + hi) / 2;
        } else {
            hi = beta;
            beta = isinf(lo) ? beta / 2 : (beta + lo) / 2;
        }
    }
}

llm_status embed_tsne(const float *x, int n, int d, int dims, double perplexity, int iters, float *y)
{
    if (n < 2 || n > TSNE_MAX_POINTS) return llm_fail(LLM_ERR_ARG, "tsne: %d points; exact t-SNE takes 2 to %d", n, TSNE_MAX_POINTS);
    if (d < 1 || dims < 1 || dims > 3) return llm_fail(LLM_ERR_ARG, "tsne: needs input dimension >= 1 and 1 to 3 output dimensions");
    if (!(perplexity >= 1) || perplexity > (n - 1) / 3.0 + 1e-9)
        return llm_fail(LLM_ERR_ARG, "tsne: perplexity %.3g must be between 1 and (points - 1) / 3 = %.3g", perplexity, (n - 1) / 3.0);
    if (iters < 1 || iters > 100000) return llm_fail(LLM_ERR_ARG, "tsne: iterations must be between 1 and 100000");
    size_t nn = (size_t)n * n;
    double *P = llm_malloc(nn * sizeof *P), *D = llm_malloc(nn * sizeof *D);
    double *Y = llm_malloc((size_t)n * dims * sizeof *Y), *grad = llm_malloc((size_t)n * dims * sizeof *grad);
    double *vel = llm_calloc((size_t)n * dims, sizeof *vel), *gains = llm_malloc((size_t)n * dims * sizeof *gains);
    double *num = llm_malloc(nn * sizeof *num);
    if (!P || !D || !Y || !grad || !vel || !gains || !num) {
        free(P); free(D); free(Y); free(grad); free(vel); free(gains); free(num);
        return LLM_ERR_NOMEM;
    }
    /* squared distances, scaled so the largest is 1 (keeps the bisection well-conditioned) */
    double dmax = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                double t = (double)x[(size_t)i * d + k] - x[(size_t)j * d + k];
                s += t * t;
            }
            D[(size_t)i * n + j] = s;
            if (s > dmax) dmax = s;
        }
    if (dmax > 0)
        for (size_t k = 0; k < nn; k++) D[k] /= dmax;
#pragma omp parallel for schedule(dynamic, 16)
    for (int i = 0; i < n; i++) calibrate_row(D + (size_t)i * n, n, i, perplexity, P + (size_t)i * n);
    /* symmetrise and normalise */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double s = (P[(size_t)i * n + j] + P[(size_t)j * n + i]) / (2.0 * n);
            if (s < 1e-12) s = 1e-12;
            P[(size_t)i * n + j] = P[(size_t)j * n + i] = s;
        }
    for (int i = 0; i < n; i++) P[(size_t)i * n + i] = 0;
    for (size_t k = 0; k < (size_t)n * dims; k++) {
        Y[k] = 1e-4 * llm_rand_normal();
        gains[k] = 1.0;
    }
    const double eta = 200.0;
    for (int it = 0; it < iters; it++) {
        double exag = it < 250 ? 12.0 : 1.0, mom = it < 250 ? 0.5 : 0.8, qsum = 0;
#pragma omp parallel for reduction(+ : qsum) schedule(static)
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) { num[(size_t)i * n + j] = 0; continue; }
                double s = 0;
                for (int k = 0; k < dims; k++) {
                    double t = Y[(size_t)i * dims + k] - Y[(size_t)j * dims + k];
                    s += t * t;
                }
                double q = 1.0 / (1.0 + s);
                num[(size_t)i * n + j] = q;
                qsum += q;
            }
        }
#pragma omp parallel for schedule(static)
        for (int i = 0; i < n; i++) {
            double g[3] = {0, 0, 0};
            for (int j = 0; j < n; j++) {
                double q = num[(size_t)i * n + j];
                double m = (exag * P[(size_t)i * n + j] - q / qsum) * q;
                for (int k = 0; k < dims; k++) g[k] += m * (Y[(size_t)i * dims + k] - Y[(size_t)j * dims + k]);
            }
            for (int k = 0; k < dims; k++) grad[(size_t)i * dims + k] = 4.0 * g[k];
        }
        for (size_t k = 0; k < (size_t)n * dims; k++) {
            /* gains grow where the gradient keeps changing sign relative to the step */
            gains[k] = (grad[k] > 0) != (vel[k] > 0) ? gains[k] + 0.2 : gains[k] * 0.8;
            if (gains[k] < 0.01) gains[k] = 0.01;
            vel[k] = mom * vel[k] - eta * gains[k] * grad[k];
            Y[k] += vel[k];
        }
        /* recentre */
        for (int k = 0; k < dims; k++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += Y[(size_t)i * dims + k];
            mean /= n;
            for (int i = 0; i < n; i++) Y[(size_t)i * dims + k] -= mean;
        }
        if ((it & 31) == 0) {
            llm_progress("tsne", it, iters);
            if (llm_interrupted()) {
                free(P); free(D); free(Y); free(grad); free(vel); free(gains); free(num);
                return llm_fail(LLM_ERR_INTERRUPTED, "tsne: interrupted");
            }
        }
    }
    for (size_t k = 0; k < (size_t)n * dims; k++) y[k] = (float)Y[k];
    free(P); free(D); free(Y); free(grad); free(vel); free(gains); free(num);
    return LLM_OK;
}
