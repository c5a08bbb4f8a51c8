/*
 * recurrent.h: fused recurrent layers (Elman RNN with tanh or ReLU, LSTM,
 * GRU) over a whole sequence, forward and backward, as one differentiable
 * op of the tensor engine each (OP_RNN, OP_LSTM, OP_GRU on the tape).
 *
 * One call runs ONE layer in ONE direction over T steps; multi-layer and
 * bidirectional stacks are composed in Lua (lua/llm/nn/rnn.lua). Weights,
 * biases and gate order are PyTorch's (weight_ih_l0 etc. load unchanged):
 *   RNN   h' = act(W_ih x + b_ih + W_hh h + b_hh)                 G = 1
 *   LSTM  rows of W_ih/W_hh in gate order i, f, g, o               G = 4
 *         c' = f*c + i*g,  h' = o*tanh(c')
 *   GRU   rows r, z, n;  n = tanh(W_in x + b_in + r*(W_hn h + b_hn))  G = 3
 *         h' = (1-z)*n + z*h
 *
 * Layout is time-major, as PyTorch's default: x (T, B, I). The result is
 *   RNN, GRU: (T, B, H)     the hidden state after every step
 *   LSTM:     (2, T, B, H)  [1] the hidden states, [2] the cell states
 * so the final state is the last time row (select it with a view).
 *
 * Variable lengths: `lengths` (B) int64/int32 or NULL. Steps t >= lengths[b]
 * carry row b's state unchanged (its output rows repeat the last state, so
 * the last time row is the state after the sequence's own last step, as
 * PyTorch's packed sequences give h_n); no gradient reaches the weights from
 * those steps. Lengths must lie in 1..T.
 */
#ifndef LLM_RECURRENT_H
#define LLM_RECURRENT_H

#include <stdint.h>
#include "tensor.h"

typedef enum tensor_rnn_mode {
    TENSOR_RNN_TANH = 0,
    TENSOR_RNN_RELU,
    TENSOR_RNN_LSTM,
    TENSOR_RNN_GRU,
    TENSOR_RNN_MODE_COUNT
} tensor_rnn_mode;

/* Gates per mode (rows of W_ih are G*H). */
int tensor_rnn_gates(tensor_rnn_mode mode);
const char *tensor_rnn_mode_name(tensor_rnn_mode mode);

/* x (T, B, I); h0, c0 (B, H) or NULL (zeros; c0 only for LSTM); w_ih (G*H, I),
 * w_hh (G*H, H); b_ih, b_hh (G*H) or NULL; lengths (B) or NULL. */
tensor *tensor_recurrent(tensor_rnn_mode mode, const tensor *x, const tensor *h0, const tensor *c0,
                         const tensor *w_ih, const tensor *w_hh, const tensor *b_ih, const tensor *b_hh,
                         const tensor *lengths);

/* ---- raw kernels on contiguous float32 buffers (recurrent.c) ----
 * ws: the workspace the backward pass reads: LSTM (T, B, 4H) activated gates
 * i f g o; GRU (T, B, 4H) r z n and (W_hn h + b_hn); RNN: unused (NULL).
 * len: (B) lengths or NULL. Biases may be NULL. */
typedef struct rnn_dims { int64_t T, B, In, H; } rnn_dims; /* steps, batch, input size, hidden size */

/* Returns 0, or -1 when scratch memory could not be allocated. */
int rnn_forward(tensor_rnn_mode mode, const rnn_dims *d, float *out, float *ws, const float *x, const float *h0,
                const float *c0, const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                const int64_t *len);
/* dout: the gradient of out (its shape). Writes dx, dh0, dc0 (each may be NULL
 * when not wanted) and ADDS into dw_ih, dw_hh, db_ih, db_hh (NULL: skipped).
 * Returns 0, or -1 when scratch memory could not be allocated. */
int rnn_backward(tensor_rnn_mode mode, const rnn_dims *d, float *dx, float *dh0, float *dc0, float *dw_ih,
                 float *dw_hh, float *db_ih, float *db_hh, const float *dout, const float *out, const float *ws,
                 const float *x, const float *h0, const float *c0, const float *w_ih, const float *w_hh,
                 const int64_t *len);

#endif
